package io.goblinos.gateway.exporter.otlp;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Exporter;
import io.goblinos.gateway.api.component.ExporterFactory;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.exporter.sending.ClientTlsSettings;
import io.goblinos.gateway.exporter.sending.ExporterHelperConfig;
import io.goblinos.gateway.exporter.sending.HttpEndpoint;
import io.goblinos.gateway.exporter.sending.QueuedRetryExporter;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code otlp}: OTLP/gRPC to any OTLP backend (Tempo, a Collector, another gateway) over vertx-grpc-client, TLS by
 * default, h2c with {@code tls.insecure: true}; sending queue and retries of {@link QueuedRetryExporter}. Without
 * {@code endpoint}, {@code OTEL_EXPORTER_OTLP_ENDPOINT} is used.
 */
public final class OtlpGrpcExporterFactory implements ExporterFactory<OtlpGrpcExporterConfig> {
  public static final String TYPE = "otlp";
  public static final String ENV_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
  static final String MISSING_ENDPOINT =
      "is required: set endpoint (host:port) or the environment variable " + ENV_ENDPOINT;

  private final Function<String, String> env;

  public OtlpGrpcExporterFactory() {
    this(System::getenv);
  }

  /** @param env environment lookup (tests) */
  public OtlpGrpcExporterFactory(Function<String, String> env) {
    this.env = env;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<Signal<?>> signals() {
    return Set.of(Signal.TRACES, Signal.METRICS, Signal.LOGS);
  }

  /** host, port and whether the URL's scheme asks for TLS (null: no scheme). */
  record Target(String host, int port, Boolean schemeTls) {}

  @Override
  public OtlpGrpcExporterConfig parseConfig(ConfigNode node) {
    String endpoint = node.string("endpoint", null);
    boolean fromEnv = false;
    if (endpoint == null || endpoint.isBlank()) {
      endpoint = env.apply(ENV_ENDPOINT);
      fromEnv = true;
    }
    if (endpoint != null && endpoint.isBlank()) {
      endpoint = null;
    }
    ConfigNode tlsNode = node.child("tls");
    ClientTlsSettings tls = ClientTlsSettings.parse(tlsNode);
    Map<String, String> headers = new LinkedHashMap<>();
    node.stringMap("headers").forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
    String compression = node.oneOf("compression", "gzip", "gzip", "none", "");
    if (compression.isEmpty()) {
      compression = "none";
    }
    ExporterHelperConfig helper = ExporterHelperConfig.parse(node);
    if (endpoint == null) {
      node.error("endpoint", MISSING_ENDPOINT);
      return new OtlpGrpcExporterConfig(null, null, OtlpGrpcExporterConfig.DEFAULT_PORT, !tls.insecure(), tls, headers, compression, helper);
    }
    Target t;
    try {
      t = parseTarget(endpoint.trim());
    } catch (IllegalArgumentException e) {
      node.invalid("endpoint", endpoint, "host:port or a URL like https://tempo:4317" + (fromEnv ? " (from " + ENV_ENDPOINT + ")" : "")
          + ": " + e.getMessage());
      return new OtlpGrpcExporterConfig(null, null, OtlpGrpcExporterConfig.DEFAULT_PORT, !tls.insecure(), tls, headers, compression, helper);
    }
    boolean useTls = t.schemeTls() != null ? t.schemeTls() : !tls.insecure();
    return new OtlpGrpcExporterConfig(endpoint.trim(), t.host(), t.port(), useTls, tls, headers, compression, helper);
  }

  /** Like {@link #parseConfig}, but a missing endpoint is tolerated (the exporter then fails to start). */
  @Override
  public OtlpGrpcExporterConfig defaultConfig() {
    return HttpEndpoint.defaultConfig(TYPE, MISSING_ENDPOINT, this::parseConfig);
  }

  /** Parses {@code host:port}, {@code [v6]:port}, {@code dns:///host:port} or {@code http(s)://host:port}. */
  static Target parseTarget(String endpoint) {
    String s = endpoint;
    if (s.startsWith("dns:///")) {
      s = s.substring("dns:///".length());
    }
    Boolean schemeTls = null;
    int sep = s.indexOf("://");
    if (sep >= 0) {
      String scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("the scheme must be http or https");
      }
      schemeTls = scheme.equals("https");
    } else {
      s = "none://" + s;
    }
    URI u;
    try {
      u = new URI(s);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e.getReason());
    }
    String host = u.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("it has no host");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = u.getPort() < 0 ? OtlpGrpcExporterConfig.DEFAULT_PORT : u.getPort();
    return new Target(host, port, schemeTls);
  }

  @Override
  public <T extends Message> Exporter<T> create(ComponentContext context, OtlpGrpcExporterConfig config, Signal<T> signal) {
    return new QueuedRetryExporter<>(context, signal, config.helper(), OtlpGrpcSender.create(context, config, signal));
  }
}
