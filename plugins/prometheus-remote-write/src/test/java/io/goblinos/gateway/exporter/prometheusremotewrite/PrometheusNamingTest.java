package io.goblinos.gateway.exporter.prometheusremotewrite;

import static io.goblinos.gateway.exporter.prometheusremotewrite.PrometheusNaming.metricName;
import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.exporter.prometheusremotewrite.PrometheusNaming.Kind;
import org.junit.jupiter.api.Test;

/** Known answers from the OpenTelemetry "Prometheus and OpenMetrics Compatibility" specification's examples. */
class PrometheusNamingTest {

  @Test
  void metricNames() {
    assertThat(metricName("http.server.duration", "s", Kind.HISTOGRAM, true, "")).isEqualTo("http_server_duration_seconds");
    assertThat(metricName("http.server.request.size", "By", Kind.HISTOGRAM, true, "")).isEqualTo("http_server_request_size_bytes");
    assertThat(metricName("goblin.tasks", "{task}", Kind.COUNTER, true, "")).isEqualTo("goblin_tasks_total");
    assertThat(metricName("system.cpu.utilization", "1", Kind.GAUGE, true, "")).isEqualTo("system_cpu_utilization_ratio");
    assertThat(metricName("requests_total", "1", Kind.COUNTER, true, "")).isEqualTo("requests_total");
    assertThat(metricName("speed", "m/s", Kind.GAUGE, true, "")).isEqualTo("speed_meters_per_second");
    assertThat(metricName("throughput", "{req}/s", Kind.GAUGE, true, "")).isEqualTo("throughput_per_second");
    assertThat(metricName("latency_seconds", "s", Kind.HISTOGRAM, true, "")).isEqualTo("latency_seconds");
    assertThat(metricName("temp", "Cel", Kind.GAUGE, true, "")).isEqualTo("temp_celsius");
    assertThat(metricName("2xx.count", "", Kind.COUNTER, true, "")).isEqualTo("_2xx_count_total");
    assertThat(metricName("a..b--c", "", Kind.GAUGE, true, "")).isEqualTo("a_b_c");
    assertThat(metricName("goblin.tasks", "{task}", Kind.COUNTER, false, "")).isEqualTo("goblin_tasks");
    assertThat(metricName("goblin.tasks", "", Kind.COUNTER, true, "gw")).isEqualTo("gw_goblin_tasks_total");
  }

  @Test
  void labelNamesAndValues() {
    assertThat(PrometheusNaming.sanitizeLabelName("service.name")).isEqualTo("service_name");
    assertThat(PrometheusNaming.sanitizeLabelName("0day")).isEqualTo("key_0day");
    assertThat(PrometheusNaming.sanitizeLabelName("__meta")).isEqualTo("key__meta");
    assertThat(PrometheusNaming.sanitizeLabelName("_ok")).isEqualTo("_ok");
    assertThat(PrometheusNaming.formatFloat(5)).isEqualTo("5");
    assertThat(PrometheusNaming.formatFloat(0.25)).isEqualTo("0.25");
    assertThat(PrometheusNaming.formatFloat(1e-4)).isEqualTo("0.0001");
    assertThat(PrometheusNaming.formatFloat(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
  }

  @Test
  void staleMarkerHasPrometheusBitPattern() {
    assertThat(Double.doubleToRawLongBits(MetricTranslator.STALE_NAN)).isEqualTo(0x7ff0000000000002L);
  }
}
