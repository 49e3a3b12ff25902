package io.goblinos.gateway.exporter.prometheusremotewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.testing.Http;
import io.goblinos.gateway.testing.Scrape;
import io.goblinos.gateway.testing.TestGateway;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path against a real Prometheus 2.x (Debian package) with its remote-write receiver: the OpenTelemetry
 * SDK exports OTLP/HTTP to a gateway whose {@code prometheusremotewrite} exporter writes to Prometheus; the test then
 * reads names, labels and values back through Prometheus' HTTP API.
 */
class RealPrometheusTest {
  @TempDir static Path promDir;
  private static PrometheusServer prometheus;

  @BeforeAll
  static void startPrometheus() throws Exception {
    prometheus = PrometheusServer.start(promDir);
  }

  @AfterAll
  static void stopPrometheus() {
    if (prometheus != null) {
      prometheus.close();
    }
  }

  private static String yaml(String exporters, String list) {
    return """
        receivers:
          otlp:
            protocols:
              http: {endpoint: 127.0.0.1:0}
        exporters:
        %s
        service:
          pipelines:
            metrics: {receivers: [otlp], exporters: [%s]}
        """.formatted(exporters.indent(2).stripTrailing(), list);
  }

  private String prw(String id, String endpoint, String extra) {
    return id + ":\n  endpoint: " + endpoint + "\n" + ("""
        retry_on_failure: {initial_interval: 100ms, max_interval: 500ms}
        sending_queue: {num_consumers: 4, drain_timeout: 2s}
        """ + extra).indent(2);
  }

  private static void export(TestGateway gateway, Collection<MetricData> metrics) {
    try (OtlpHttpMetricExporter e = OtlpHttpMetricExporter.builder()
        .setEndpoint("http://127.0.0.1:" + gateway.httpPort() + "/v1/metrics").build()) {
      CompletableResultCode r = e.export(metrics);
      r.join(20, TimeUnit.SECONDS);
      assertThat(r.isSuccess()).as("OTLP export to the gateway succeeded").isTrue();
    }
  }

  private static String value(JsonArray result) {
    return result.getJsonObject(0).getJsonArray("value").getString(1);
  }

  @Test
  void sdkMetricsArriveTranslated(@TempDir Path dir) throws Exception {
    try (GoblinMetrics sdk = new GoblinMetrics("forge-" + System.nanoTime());
        TestGateway gateway = TestGateway.start(yaml(
            prw("prometheusremotewrite", prometheus.remoteWriteUrl(), "external_labels: {cluster: goblin-test}\n"),
            "prometheusremotewrite"), dir)) {
      export(gateway, sdk.collect());
      String job = "job=\"" + sdk.job() + "\"";

      // a monotonic sum: _total, the {task} annotation dropped, attribute keys sanitized
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(prometheus.query("goblin_tasks_total{" + job + "}")).hasSize(1));
      JsonObject tasks = prometheus.query("goblin_tasks_total{" + job + "}").getJsonObject(0);
      assertThat(tasks.getJsonObject("metric").getMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
          "__name__", "goblin_tasks_total",
          "job", sdk.job(),
          "instance", "forge-1",
          "guild", "forge",
          "http_request_method", "POST",
          "otel_scope_name", "io.goblinos.test",
          "otel_scope_version", "1.2.3",
          "cluster", "goblin-test"));
      assertThat(tasks.getJsonArray("value").getString(1)).isEqualTo("5");

      // unit suffixes, non-monotonic sum as gauge, _ratio
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(value(prometheus.query("goblin_sent_bytes_total{" + job + "}"))).isEqualTo("1024");
        assertThat(value(prometheus.query("goblin_queue_depth{" + job + "}"))).isEqualTo("-2");
        assertThat(value(prometheus.query("goblin_temperature_celsius{" + job + "}"))).isEqualTo("21.5");
        assertThat(value(prometheus.query("goblin_utilization_ratio{" + job + "}"))).isEqualTo("0.5");
      });

      // histogram: cumulative buckets with +Inf, _sum, _count
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(prometheus.query("goblin_latency_seconds_bucket{" + job + "}")).hasSize(5));
      Map<String, String> buckets = new java.util.TreeMap<>();
      prometheus.query("goblin_latency_seconds_bucket{" + job + ",task=\"plan\"}").forEach(o -> {
        JsonObject s = (JsonObject) o;
        buckets.put(s.getJsonObject("metric").getString("le"), s.getJsonArray("value").getString(1));
      });
      assertThat(buckets).containsExactlyInAnyOrderEntriesOf(Map.of(
          "0.1", "0", "0.5", "1", "1", "1", "5", "2", "+Inf", "2"));
      assertThat(value(prometheus.query("goblin_latency_seconds_sum{" + job + "}"))).isEqualTo("3.25");
      assertThat(value(prometheus.query("goblin_latency_seconds_count{" + job + "}"))).isEqualTo("2");
      assertThat(value(prometheus.query("histogram_quantile(0.5, goblin_latency_seconds_bucket{" + job + "})")))
          .isEqualTo("0.5");

      // target_info: the other resource attributes, job and instance; not the identifying ones
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(prometheus.query("target_info{" + job + "}")).hasSize(1));
      JsonObject info = prometheus.query("target_info{" + job + "}").getJsonObject(0);
      assertThat(info.getJsonObject("metric").getMap())
          .containsEntry("instance", "forge-1")
          .containsEntry("goblin_id", "goblin-7")
          .containsEntry("deployment_environment", "test")
          .containsEntry("telemetry_sdk_language", "java")
          .containsEntry("cluster", "goblin-test")
          .doesNotContainKeys("service_name", "service_namespace", "service_instance_id");
      assertThat(value(prometheus.query("target_info{" + job + "}"))).isEqualTo("1");

      // every series of the job, and nothing of the exponential histogram (dropped, counted)
      Set<String> names = new TreeSet<>();
      prometheus.series("{" + job + "}").forEach(s -> names.add(s.getString("__name__")));
      assertThat(names).containsExactlyInAnyOrder("goblin_tasks_total", "goblin_sent_bytes_total",
          "goblin_queue_depth", "goblin_temperature_celsius", "goblin_utilization_ratio",
          "goblin_latency_seconds_bucket", "goblin_latency_seconds_sum", "goblin_latency_seconds_count", "target_info");
      assertThat(Scrape.value(gateway, "gateway_exporter_dropped_metric_points_total", "reason=\"exponential_histogram\""))
          .isEqualTo(1.0);

      // a second collection later: the cumulative counter moves on, in order
      Thread.sleep(20); // a later millisecond: Prometheus refuses a second value for the same timestamp
      sdk.tasks.add(3, io.opentelemetry.api.common.Attributes.of(
          io.opentelemetry.api.common.AttributeKey.stringKey("guild"), "forge",
          io.opentelemetry.api.common.AttributeKey.stringKey("http.request.method"), "POST"));
      export(gateway, sdk.collect());
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(value(prometheus.query("goblin_tasks_total{" + job + "}"))).isEqualTo("8"));
      assertThat(Scrape.value(gateway, "gateway_exporter_send_failed_metric_points_total")).isZero();
      assertThat(Scrape.value(gateway, "gateway_exporter_sent_metric_points_total", "exporter=\"prometheusremotewrite\""))
          .isGreaterThanOrEqualTo(12.0);
    }
  }

  private static ExportMetricsServiceRequest gauge(String service, String name, long timeNanos, Double value, int flags) {
    NumberDataPoint.Builder p = NumberDataPoint.newBuilder().setTimeUnixNano(timeNanos).setFlags(flags);
    if (value != null) {
      p.setAsDouble(value);
    }
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue(service))))
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName(name)
            .setGauge(Gauge.newBuilder().addDataPoints(p))))).build();
  }

  private static void post(TestGateway gateway, ExportMetricsServiceRequest request) {
    HttpResponse<byte[]> r = Http.post(gateway.httpPort(), "/v1/metrics", "application/x-protobuf", request.toByteArray());
    assertThat(r.statusCode()).as(Http.text(r)).isEqualTo(200);
  }

  @Test
  void noRecordedValueBecomesStalenessMarker(@TempDir Path dir) {
    String service = "stale-" + System.nanoTime();
    try (TestGateway gateway = TestGateway.start(yaml(prw("prometheusremotewrite", prometheus.remoteWriteUrl(), ""),
        "prometheusremotewrite"), dir)) {
      long now = System.currentTimeMillis() * 1_000_000L;
      post(gateway, gauge(service, "goblin.mood", now - 2_000_000_000L, 7.0, 0));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(prometheus.query("goblin_mood{job=\"" + service + "\"}")).hasSize(1));
      post(gateway, gauge(service, "goblin.mood", now - 1_000_000_000L, null, 1));
      // after the staleness marker the series is gone from instant queries (no 5-minute lookback)
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(prometheus.query("goblin_mood{job=\"" + service + "\"}")).isEmpty());
      // the marker is stored as a sample: the range selector still sees the earlier value
      assertThat(prometheus.query("count_over_time(goblin_mood{job=\"" + service + "\"}[1m])")).hasSize(1);
      assertThat(Scrape.value(gateway, "gateway_exporter_send_failed_metric_points_total")).isZero();
    }
  }

  @Test
  void outOfOrderSampleIsPermanentNeverRetried(@TempDir Path dir) {
    String service = "ooo-" + System.nanoTime();
    try (TestGateway gateway = TestGateway.start(yaml(prw("prometheusremotewrite", prometheus.remoteWriteUrl(), ""),
        "prometheusremotewrite"), dir)) {
      long now = System.currentTimeMillis() * 1_000_000L;
      post(gateway, gauge(service, "goblin.gold", now, 10.0, 0));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(prometheus.query("goblin_gold{job=\"" + service + "\"}")).hasSize(1));
      // ten seconds older than what Prometheus holds for the series: 400 out of order
      post(gateway, gauge(service, "goblin.gold", now - 10_000_000_000L, 99.0, 0));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(Scrape.value(gateway, "gateway_exporter_send_failed_metric_points_total")).isEqualTo(1.0));
      assertThat(Scrape.value(gateway, "gateway_exporter_retries_total")).isZero();
      assertThat(value(prometheus.query("goblin_gold{job=\"" + service + "\"}"))).isEqualTo("10");
    }
  }

  /**
   * Dual export: the same pipeline writes to Prometheus and to a second remote-write backend that is down (503).
   * Prometheus gets everything at once; the second exporter's own queue holds and retries its copy, and delivers it
   * when the backend comes back.
   */
  @Test
  void oneBackendDownDoesNotHoldTheOther(@TempDir Path dir) throws Exception {
    try (GoblinMetrics sdk = new GoblinMetrics("dual-" + System.nanoTime());
        FakeRemoteWrite saas = new FakeRemoteWrite()) {
      saas.script(n -> new FakeRemoteWrite.Answer(503, null));
      try (TestGateway gateway = TestGateway.start(yaml(
          prw("prometheusremotewrite", prometheus.remoteWriteUrl(), "")
              + prw("prometheusremotewrite/saas", saas.url(), "retry_on_failure: {initial_interval: 50ms, max_interval: 200ms, max_elapsed_time: 0}\n"),
          "prometheusremotewrite, prometheusremotewrite/saas"), dir)) {
        export(gateway, sdk.collect());
        String job = "job=\"" + sdk.job() + "\"";
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          assertThat(prometheus.query("goblin_tasks_total{" + job + "}")).hasSize(1);
          assertThat(prometheus.query("goblin_latency_seconds_count{" + job + "}")).hasSize(1);
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          assertThat(Scrape.value(gateway, "gateway_exporter_retries_total", "exporter=\"prometheusremotewrite/saas\""))
              .isGreaterThanOrEqualTo(3.0);
          assertThat(Scrape.value(gateway, "gateway_exporter_queue_size", "exporter=\"prometheusremotewrite/saas\""))
              .isGreaterThan(0.0);
        });
        assertThat(Scrape.value(gateway, "gateway_exporter_queue_size", "exporter=\"prometheusremotewrite\""))
            .isZero();
        assertThat(Scrape.value(gateway, "gateway_exporter_retries_total", "exporter=\"prometheusremotewrite\""))
            .isZero();
        assertThat(saas.accepted()).isEmpty();

        saas.script(n -> FakeRemoteWrite.Answer.OK); // the backend is back
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(Scrape.value(gateway, "gateway_exporter_queue_size", "exporter=\"prometheusremotewrite/saas\""))
                .isZero());
        Set<String> names = new TreeSet<>();
        saas.accepted().forEach(r -> r.body().series().forEach(s -> names.add(s.name())));
        assertThat(names).contains("goblin_tasks_total", "goblin_latency_seconds_bucket", "target_info");
        assertThat(Scrape.value(gateway, "gateway_exporter_sent_metric_points_total", "exporter=\"prometheusremotewrite/saas\""))
            .isEqualTo(Scrape.value(gateway, "gateway_exporter_sent_metric_points_total", "exporter=\"prometheusremotewrite\""));
      }
    }
  }

}
