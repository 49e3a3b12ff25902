package io.goblinos.gateway.exporter.prometheusremotewrite;

import io.goblinos.gateway.exporter.sending.ClientTlsSettings;
import io.goblinos.gateway.exporter.sending.ExporterHelperConfig;
import java.util.Map;
import java.util.TreeMap;

/**
 * Config of the {@code prometheusremotewrite} exporter, with the Collector's key names.
 *
 * @param endpoint the remote-write URL, e.g. {@code http://prometheus:9090/api/v1/write}
 * @param headers sent with every request (values may hold credentials: never logged)
 * @param tls client TLS for {@code https://} endpoints
 * @param helper {@code timeout}, {@code sending_queue} ({@code num_consumers} = number of shards), {@code retry_on_failure}
 * @param namespace prefix of every metric name ({@code namespace_name}), or "" for none
 * @param externalLabels labels added to every series that does not already have them
 * @param resourceToTelemetry copy every resource attribute to every series as a label
 * @param targetInfo emit one {@code target_info} series per resource holding its non-identifying attributes
 * @param addMetricSuffixes append unit suffixes, {@code _total} and {@code _ratio} to metric names
 */
public record PrometheusRemoteWriteConfig(
    String endpoint,
    Map<String, String> headers,
    ClientTlsSettings tls,
    ExporterHelperConfig helper,
    String namespace,
    Map<String, String> externalLabels,
    boolean resourceToTelemetry,
    boolean targetInfo,
    boolean addMetricSuffixes) {

  public PrometheusRemoteWriteConfig {
    headers = Map.copyOf(headers);
    externalLabels = Map.copyOf(new TreeMap<>(externalLabels));
  }

  /** The settings of the OTLP to Prometheus translation. */
  public Translation translation() {
    return new Translation(namespace, externalLabels, resourceToTelemetry, targetInfo, addMetricSuffixes);
  }

  /** What {@link MetricTranslator} needs: the naming half of the config. */
  public record Translation(
      String namespace,
      Map<String, String> externalLabels,
      boolean resourceToTelemetry,
      boolean targetInfo,
      boolean addMetricSuffixes) {

    public static final Translation DEFAULT = new Translation("", Map.of(), false, true, true);

    public Translation {
      externalLabels = Map.copyOf(externalLabels);
    }
  }

  @Override
  public String toString() {
    // header values may hold credentials: names only
    return "PrometheusRemoteWriteConfig[endpoint=" + endpoint + ", headers=" + headers.keySet() + ", tls=" + tls
        + ", " + helper + ", namespace=" + namespace + ", external_labels=" + externalLabels
        + ", resource_to_telemetry_conversion=" + resourceToTelemetry + ", target_info=" + targetInfo
        + ", add_metric_suffixes=" + addMetricSuffixes + "]";
  }
}
