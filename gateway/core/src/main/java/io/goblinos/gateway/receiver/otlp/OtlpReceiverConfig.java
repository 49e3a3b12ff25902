package io.goblinos.gateway.receiver.otlp;

import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.config.GatewayConfig;
import io.goblinos.gateway.receiver.ServerSettings;

/**
 * Config of the {@code otlp} receiver, in the Collector's shape:
 * <pre>
 * protocols:
 *   grpc: {endpoint: 127.0.0.1:4317, max_recv_msg_size_mib: 4}
 *   http: {endpoint: 127.0.0.1:4318, max_request_body_size: 64MiB, max_decompression_ratio: 100,
 *          traces_url_path: /v1/traces, metrics_url_path: /v1/metrics, logs_url_path: /v1/logs}
 * </pre>
 * Each protocol also takes the security and limit keys of {@link ServerSettings} ({@code tls}, {@code auth},
 * {@code max_header_size}, {@code max_connections}, {@code max_concurrent_streams}, {@code read_timeout},
 * {@code idle_timeout}, {@code rate_limit}; see docs/dev/auth-config.md).
 * A protocol is enabled when its key is present (an empty value takes the defaults). Without a {@code protocols}
 * block both are enabled with their defaults.
 *
 * @param grpc null when gRPC is disabled
 * @param http null when HTTP is disabled
 */
public record OtlpReceiverConfig(Grpc grpc, Http http) {
  public static final String DEFAULT_GRPC_ENDPOINT = "127.0.0.1:4317";
  public static final String DEFAULT_HTTP_ENDPOINT = "127.0.0.1:4318";
  public static final long DEFAULT_MAX_REQUEST_BODY_SIZE = 64L * 1024 * 1024;
  public static final int DEFAULT_MAX_DECOMPRESSION_RATIO = 100;

  public record Grpc(String host, int port, int maxRecvMessageBytes, ServerSettings server) {
    public Grpc(String host, int port, int maxRecvMessageBytes) {
      this(host, port, maxRecvMessageBytes, ServerSettings.defaults());
    }
  }

  public record Http(
      String host,
      int port,
      long maxRequestBodySize,
      int maxDecompressionRatio,
      String tracesPath,
      String metricsPath,
      String logsPath,
      ServerSettings server) {
    public Http(String host, int port, long maxRequestBodySize, int maxDecompressionRatio, String tracesPath,
        String metricsPath, String logsPath) {
      this(host, port, maxRequestBodySize, maxDecompressionRatio, tracesPath, metricsPath, logsPath,
          ServerSettings.defaults());
    }
  }

  static OtlpReceiverConfig parse(ConfigNode node) {
    boolean explicit = node.keys().contains("protocols");
    ConfigNode protocols = node.child("protocols");
    boolean grpcOn = !explicit || protocols.keys().contains("grpc");
    boolean httpOn = !explicit || protocols.keys().contains("http");
    if (explicit && !grpcOn && !httpOn) {
      node.error("protocols", "must enable at least one of grpc, http");
    }
    ConfigNode g = protocols.child("grpc");
    ConfigNode h = protocols.child("http");
    Grpc grpc = null;
    if (grpcOn) {
      String endpoint = g.string("endpoint", DEFAULT_GRPC_ENDPOINT);
      GatewayConfig.checkHostPort(g, "endpoint", endpoint);
      int mib = g.integer("max_recv_msg_size_mib", 4, 1, 1024);
      grpc = new Grpc(host(endpoint), port(endpoint), mib * 1024 * 1024, ServerSettings.parse(g));
    }
    Http http = null;
    if (httpOn) {
      String endpoint = h.string("endpoint", DEFAULT_HTTP_ENDPOINT);
      GatewayConfig.checkHostPort(h, "endpoint", endpoint);
      long max = h.byteSize("max_request_body_size", DEFAULT_MAX_REQUEST_BODY_SIZE, 1024);
      int ratio = h.integer("max_decompression_ratio", DEFAULT_MAX_DECOMPRESSION_RATIO, 0, Integer.MAX_VALUE);
      http = new Http(
          host(endpoint),
          port(endpoint),
          max,
          ratio,
          path(h, "traces_url_path", "/v1/traces"),
          path(h, "metrics_url_path", "/v1/metrics"),
          path(h, "logs_url_path", "/v1/logs"),
          ServerSettings.parse(h));
    }
    return new OtlpReceiverConfig(grpc, http);
  }

  private static String path(ConfigNode node, String key, String def) {
    String p = node.string(key, def);
    if (!p.startsWith("/")) {
      node.invalid(key, p, "a path starting with /");
      return def;
    }
    return p;
  }

  static String host(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    String host = colon < 0 ? endpoint : endpoint.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return host.isEmpty() ? "0.0.0.0" : host;
  }

  static int port(String endpoint) {
    try {
      return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
