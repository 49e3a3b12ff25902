package io.goblinos.gateway.exporter.otlphttp;

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
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code otlphttp}: OTLP/HTTP to any OTLP backend (Tempo, another gateway, a Collector), protobuf or JSON, gzip or
 * zstd, with the sending queue and retries of {@link QueuedRetryExporter}. Without {@code endpoint} and per-signal
 * endpoints, {@code OTEL_EXPORTER_OTLP_ENDPOINT} is the base URL.
 */
public final class OtlpHttpExporterFactory implements ExporterFactory<OtlpHttpExporterConfig> {
  public static final String TYPE = "otlphttp";
  public static final String ENV_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";

  private final Function<String, String> env;

  public OtlpHttpExporterFactory() {
    this(System::getenv);
  }

  /** @param env environment lookup (tests) */
  public OtlpHttpExporterFactory(Function<String, String> env) {
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

  @Override
  public OtlpHttpExporterConfig parseConfig(ConfigNode node) {
    String endpoint = url(node, "endpoint");
    String traces = url(node, "traces_endpoint");
    String metrics = url(node, "metrics_endpoint");
    String logs = url(node, "logs_endpoint");
    if (endpoint == null && traces == null && metrics == null && logs == null) {
      String fromEnv = env.apply(ENV_ENDPOINT);
      if (fromEnv != null && !fromEnv.isBlank()) {
        String problem = HttpEndpoint.problem(fromEnv.trim());
        if (problem != null) {
          node.error("endpoint", "not set, and " + ENV_ENDPOINT + " '" + fromEnv + "' " + problem);
        } else {
          endpoint = fromEnv.trim();
        }
      }
    }
    Map<String, String> headers = node.stringMap("headers");
    String compression = node.oneOf("compression", "gzip", "gzip", "zstd", "none", "");
    if (compression.isEmpty()) {
      compression = "none";
    }
    String encoding = node.oneOf("encoding", "proto", "proto", "json");
    ClientTlsSettings tls = ClientTlsSettings.parse(node.child("tls"));
    ExporterHelperConfig helper = ExporterHelperConfig.parse(node);
    if (endpoint == null && traces == null && metrics == null && logs == null && !node.errors().messages().stream()
        .anyMatch(m -> m.startsWith(node.pathOf("endpoint") + ":"))) {
      node.error("endpoint", MISSING_ENDPOINT);
    }
    return new OtlpHttpExporterConfig(endpoint, traces, metrics, logs, headers, compression, encoding, tls, helper);
  }

  static final String MISSING_ENDPOINT = "is required: set endpoint (or traces_endpoint, metrics_endpoint,"
      + " logs_endpoint) or the environment variable " + ENV_ENDPOINT;

  /**
   * The config of an empty block. Unlike {@link #parseConfig} it tolerates a missing endpoint, so that tooling can
   * list defaults; an exporter created from it fails to start naming the key.
   */
  @Override
  public OtlpHttpExporterConfig defaultConfig() {
    return HttpEndpoint.defaultConfig(TYPE, MISSING_ENDPOINT, this::parseConfig);
  }

  @Override
  public <T extends Message> Exporter<T> create(ComponentContext context, OtlpHttpExporterConfig config, Signal<T> signal) {
    OtlpHttpSender<T> sender = new OtlpHttpSender<>(context, config, signal);
    return new QueuedRetryExporter<>(context, signal, config.helper(), sender);
  }

  private static String url(ConfigNode node, String key) {
    return HttpEndpoint.optional(node, key, "https://tempo:4318");
  }
}
