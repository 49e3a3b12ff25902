package io.goblinos.gateway.exporter.loki;

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
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code loki}: OTLP logs to the Loki push API ({@code /loki/api/v1/push}), protobuf + snappy or JSON, on the
 * exporter helper's queue and retries. Keys: {@code endpoint} (required), {@code headers}, {@code tenant_id},
 * {@code encoding}, {@code labels.resource}, {@code labels.attributes}, {@code tls}, {@code timeout},
 * {@code sending_queue}, {@code retry_on_failure}.
 */
public final class LokiExporterFactory implements ExporterFactory<LokiExporterConfig> {
  public static final String TYPE = "loki";
  static final String MISSING_ENDPOINT = "is required: the Loki push URL, e.g. http://loki:3100/loki/api/v1/push";
  /** Loki's default limit of label names per stream (limits_config.max_label_names_per_series). */
  static final int MAX_LABELS = 15;

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<Signal<?>> signals() {
    return Set.of(Signal.LOGS);
  }

  @Override
  public LokiExporterConfig parseConfig(ConfigNode node) {
    String endpoint = HttpEndpoint.required(node, "endpoint", "http://loki:3100/loki/api/v1/push", MISSING_ENDPOINT);
    if (endpoint != null) {
      String path = URI.create(endpoint).getRawPath();
      if (path == null || path.isEmpty() || path.equals("/")) {
        endpoint = (endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint)
            + LokiExporterConfig.PUSH_PATH;
      }
    }
    var headers = node.stringMap("headers");
    String tenant = node.string("tenant_id", null);
    if (tenant != null && tenant.isBlank()) {
      tenant = null;
    }
    String encoding = node.oneOf("encoding", "protobuf", "protobuf", "json");
    ConfigNode labels = node.child("labels");
    List<String> resource = distinct(labels, "resource",
        labels.stringList("resource", LokiExporterConfig.DEFAULT_RESOURCE_LABELS));
    List<String> attributes = distinct(labels, "attributes", labels.stringList("attributes", List.of()));
    if (resource.size() + attributes.size() > MAX_LABELS) {
      labels.error("attributes", "labels::resource and labels::attributes name " + (resource.size() + attributes.size())
          + " keys but Loki accepts at most " + MAX_LABELS + " labels per stream by default: keep labels few and"
          + " low-cardinality; the rest travels as structured metadata");
    }
    ClientTlsSettings tls = ClientTlsSettings.parse(node.child("tls"));
    ExporterHelperConfig helper = ExporterHelperConfig.parse(node);
    return new LokiExporterConfig(endpoint, headers, tenant, encoding, resource, attributes, tls, helper);
  }

  private static List<String> distinct(ConfigNode node, String key, List<String> keys) {
    Set<String> seen = new LinkedHashSet<>();
    for (String k : keys) {
      if (k.isBlank()) {
        node.invalid(key, keys, "a list of attribute keys (no empty entries)");
      } else if (!seen.add(k.trim())) {
        node.invalid(key, keys, "a list of distinct attribute keys ('" + k + "' twice)");
      }
    }
    return List.copyOf(seen);
  }

  /** The config of an empty block, tolerating the missing endpoint; an exporter made from it fails to start. */
  @Override
  public LokiExporterConfig defaultConfig() {
    return HttpEndpoint.defaultConfig(TYPE, MISSING_ENDPOINT, this::parseConfig);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends Message> Exporter<T> create(ComponentContext context, LokiExporterConfig config, Signal<T> signal) {
    if (signal != Signal.LOGS) {
      throw new IllegalArgumentException(TYPE + " exports logs only, not " + signal.name());
    }
    return (Exporter<T>) new QueuedRetryExporter<ExportLogsServiceRequest>(context, Signal.LOGS, config.helper(),
        new LokiSender(context, config));
  }
}
