package io.goblinos.gateway.exporter.otlp;

import io.goblinos.gateway.exporter.sending.ClientTlsSettings;
import io.goblinos.gateway.exporter.sending.ExporterHelperConfig;
import java.util.Map;

/**
 * Config of the {@code otlp} (gRPC) exporter, Collector key names.
 *
 * @param endpoint as configured ({@code host:port}, {@code http://host:port}, {@code https://host:port}), or null
 *     when not set (the exporter then fails to start naming the key)
 * @param host the host to connect to
 * @param port the port, 4317 when the endpoint has none
 * @param useTls TLS unless {@code tls.insecure: true} or an {@code http://} endpoint
 * @param headers gRPC metadata sent with every call (keys lower-cased)
 * @param compression "gzip" or "none"
 */
public record OtlpGrpcExporterConfig(
    String endpoint,
    String host,
    int port,
    boolean useTls,
    ClientTlsSettings tls,
    Map<String, String> headers,
    String compression,
    ExporterHelperConfig helper) {

  public static final int DEFAULT_PORT = 4317;

  public OtlpGrpcExporterConfig {
    headers = Map.copyOf(headers);
  }

  @Override
  public String toString() {
    return "OtlpGrpcExporterConfig[endpoint=" + endpoint + ", tls=" + useTls + ", headers=" + headers.keySet()
        + ", compression=" + compression + ", " + helper + "]";
  }
}
