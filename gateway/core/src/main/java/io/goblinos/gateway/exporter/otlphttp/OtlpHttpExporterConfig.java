package io.goblinos.gateway.exporter.otlphttp;

import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.exporter.sending.ClientTlsSettings;
import io.goblinos.gateway.exporter.sending.ExporterHelperConfig;
import java.util.Map;

/**
 * Config of the {@code otlphttp} exporter (Collector key names).
 *
 * @param endpoint base URL; {@code /v1/traces}, {@code /v1/metrics}, {@code /v1/logs} are appended; may be null when
 *     every signal used has its own endpoint
 * @param tracesEndpoint full URL for traces, overriding {@code endpoint}, or null
 * @param metricsEndpoint full URL for metrics, or null
 * @param logsEndpoint full URL for logs, or null
 * @param headers sent with every request
 * @param compression "gzip", "zstd" or "none"
 * @param encoding "proto" or "json"
 */
public record OtlpHttpExporterConfig(
    String endpoint,
    String tracesEndpoint,
    String metricsEndpoint,
    String logsEndpoint,
    Map<String, String> headers,
    String compression,
    String encoding,
    ClientTlsSettings tls,
    ExporterHelperConfig helper) {

  public OtlpHttpExporterConfig {
    headers = Map.copyOf(headers);
  }

  /** The URL requests of {@code signal} go to, or null when neither its endpoint nor {@code endpoint} is set. */
  public String url(Signal<?> signal) {
    String specific = signal == Signal.TRACES ? tracesEndpoint : signal == Signal.METRICS ? metricsEndpoint : logsEndpoint;
    if (specific != null) {
      return specific;
    }
    if (endpoint == null) {
      return null;
    }
    String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    return base + "/v1/" + signal.name();
  }

  @Override
  public String toString() {
    // header values may hold credentials: names only
    return "OtlpHttpExporterConfig[endpoint=" + endpoint + ", traces_endpoint=" + tracesEndpoint + ", metrics_endpoint="
        + metricsEndpoint + ", logs_endpoint=" + logsEndpoint + ", headers=" + headers.keySet() + ", compression="
        + compression + ", encoding=" + encoding + ", tls=" + tls + ", " + helper + "]";
  }
}
