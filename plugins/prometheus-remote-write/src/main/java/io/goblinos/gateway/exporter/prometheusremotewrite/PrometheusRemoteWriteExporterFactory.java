package io.goblinos.gateway.exporter.prometheusremotewrite;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Exporter;
import io.goblinos.gateway.api.component.ExporterFactory;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.exporter.sending.ClientTlsSettings;
import io.goblinos.gateway.exporter.sending.ExporterHelperConfig;
import io.goblinos.gateway.exporter.sending.HttpEndpoint;
import io.goblinos.gateway.exporter.sending.QueueSettings;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code prometheusremotewrite}: OTLP metrics to a Prometheus remote-write 1.0 endpoint (Prometheus with
 * {@code --web.enable-remote-write-receiver}, Mimir, Cortex, Thanos receive, VictoriaMetrics ...).
 *
 * <p>Config keys follow the Collector's exporter: {@code endpoint} (required), {@code headers}, {@code tls},
 * {@code timeout}, {@code retry_on_failure}, {@code sending_queue} (its {@code num_consumers} is the number of
 * shards; the Collector's {@code remote_write_queue} {@code enabled}/{@code queue_size}/{@code num_consumers} is read
 * as an alias), {@code namespace}, {@code external_labels}, {@code resource_to_telemetry_conversion.enabled},
 * {@code target_info.enabled}, {@code add_metric_suffixes}.
 */
public final class PrometheusRemoteWriteExporterFactory implements ExporterFactory<PrometheusRemoteWriteConfig> {
  public static final String TYPE = "prometheusremotewrite";
  static final String MISSING_ENDPOINT = "is required: the remote-write URL, e.g. http://prometheus:9090/api/v1/write";
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern NAMESPACE = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<Signal<?>> signals() {
    return Set.of(Signal.METRICS);
  }

  @Override
  public PrometheusRemoteWriteConfig parseConfig(ConfigNode node) {
    String endpoint =
        HttpEndpoint.required(node, "endpoint", "http://prometheus:9090/api/v1/write", MISSING_ENDPOINT);
    Map<String, String> headers = node.stringMap("headers");
    ClientTlsSettings tls = ClientTlsSettings.parse(node.child("tls"));
    ExporterHelperConfig helper = ExporterHelperConfig.parse(node);
    helper = helper.withQueue(remoteWriteQueueAlias(node.child("remote_write_queue"), helper.queue()));

    String namespace = node.string("namespace", "");
    if (!namespace.isEmpty() && !NAMESPACE.matcher(namespace).matches()) {
      node.invalid("namespace", namespace, "a Prometheus metric name prefix matching [a-zA-Z_:][a-zA-Z0-9_:]*");
      namespace = "";
    }
    Map<String, String> external = new LinkedHashMap<>();
    node.stringMap("external_labels").forEach((k, v) -> {
      if (!LABEL_NAME.matcher(k).matches() || k.startsWith("__")) {
        node.error("external_labels", "label name '" + k + "' must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __");
      } else if (v.isEmpty()) {
        node.error("external_labels", "label '" + k + "' has an empty value (Prometheus treats it as absent)");
      } else {
        external.put(k, v);
      }
    });
    boolean resourceToTelemetry = node.child("resource_to_telemetry_conversion").bool("enabled", false);
    boolean targetInfo = node.child("target_info").bool("enabled", true);
    boolean addSuffixes = node.bool("add_metric_suffixes", true);
    return new PrometheusRemoteWriteConfig(endpoint, headers, tls, helper, namespace, external, resourceToTelemetry,
        targetInfo, addSuffixes);
  }

  /** The Collector's {@code remote_write_queue}: its keys, when set, override those of {@code sending_queue}. */
  private static QueueSettings remoteWriteQueueAlias(ConfigNode rwq, QueueSettings q) {
    boolean enabled = rwq.bool("enabled", q.enabled());
    int queueSize = rwq.integer("queue_size", q.queueSize(), 1, 10_000_000);
    int consumers = rwq.integer("num_consumers", q.numConsumers(), 1, 10_000);
    return new QueueSettings(enabled, consumers, queueSize, q.queueSizeBytes(), q.storage(), q.drainTimeout());
  }

  /**
   * The config of an empty block: tolerates the missing endpoint so that tooling can list defaults; an exporter
   * created from it fails to start naming the key.
   */
  @Override
  public PrometheusRemoteWriteConfig defaultConfig() {
    return HttpEndpoint.defaultConfig(TYPE, MISSING_ENDPOINT, this::parseConfig);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends Message> Exporter<T> create(
      ComponentContext context, PrometheusRemoteWriteConfig config, Signal<T> signal) {
    if (signal != Signal.METRICS) {
      throw new IllegalArgumentException(TYPE + " exports metrics only, not " + signal.name());
    }
    return (Exporter<T>) new ShardedRemoteWriteExporter(context, config);
  }

  /** For tests: the exporter type as {@link ExportMetricsServiceRequest}. */
  static Exporter<ExportMetricsServiceRequest> createMetrics(ComponentContext context, PrometheusRemoteWriteConfig config) {
    return new ShardedRemoteWriteExporter(context, config);
  }
}
