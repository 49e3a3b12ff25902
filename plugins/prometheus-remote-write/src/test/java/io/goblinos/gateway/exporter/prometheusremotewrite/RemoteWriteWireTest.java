package io.goblinos.gateway.exporter.prometheusremotewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.testing.Http;
import io.goblinos.gateway.testing.SdkData;
import io.goblinos.gateway.testing.Scrape;
import io.goblinos.gateway.testing.TestGateway;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exact bytes and headers on the wire, retries, and per-series order across shards, against a recording fake. */
class RemoteWriteWireTest {

  private static String yaml(String url, String extra) {
    return """
        receivers:
          otlp:
            protocols:
              http: {endpoint: 127.0.0.1:0}
        exporters:
          prometheusremotewrite:
            endpoint: %s
            retry_on_failure: {initial_interval: 20ms, max_interval: 100ms}
            sending_queue: {drain_timeout: 2s}
        %s
        service:
          pipelines:
            metrics: {receivers: [otlp], exporters: [prometheusremotewrite]}
        """.formatted(url, extra.indent(4).stripTrailing());
  }

  private static void post(TestGateway gateway, ExportMetricsServiceRequest request) {
    HttpResponse<byte[]> r = Http.post(gateway.httpPort(), "/v1/metrics", "application/x-protobuf", request.toByteArray());
    assertThat(r.statusCode()).as(Http.text(r)).isEqualTo(200);
  }

  @Test
  void headersAndSortedLabelsOnTheWire(@TempDir Path dir) throws Exception {
    try (FakeRemoteWrite fake = new FakeRemoteWrite();
        TestGateway gateway = TestGateway.start(yaml(fake.url(), "headers: {X-Goblin: forge}"), dir)) {
      post(gateway, SdkData.metricsToProto(SdkData.metrics()));
      await().atMost(Duration.ofSeconds(20)).until(() -> fake.accepted().stream()
          .flatMap(r -> r.body().series().stream()).anyMatch(s -> s.name().equals("target_info")));
      for (FakeRemoteWrite.Received r : fake.received) {
        assertThat(r.headers().get("Content-Encoding")).isEqualTo("snappy");
        assertThat(r.headers().get("Content-Type")).isEqualTo("application/x-protobuf");
        assertThat(r.headers().get("X-Prometheus-Remote-Write-Version")).isEqualTo("0.1.0");
        assertThat(r.headers().get("User-Agent")).startsWith("goblin-gateway/");
        assertThat(r.headers().get("X-Goblin")).isEqualTo("forge");
        for (DecodedWriteRequest.Series s : r.body().series()) {
          List<String> names = s.labels().stream().map(l -> l[0]).toList();
          assertThat(names).as("labels sorted by name").isSorted().doesNotHaveDuplicates();
          assertThat(names.get(0)).isEqualTo("__name__");
          assertThat(s.labels()).allSatisfy(l -> assertThat(l[1]).isNotEmpty());
          assertThat(s.samples()).isNotEmpty();
        }
      }
      List<String> names = new ArrayList<>();
      fake.accepted().forEach(r -> r.body().series().forEach(s -> names.add(s.name())));
      assertThat(names).contains("goblin_tasks_total", "goblin_queue_depth", "goblin_temperature_celsius",
          "goblin_latency_seconds_bucket", "goblin_latency_seconds_sum", "goblin_latency_seconds_count");
      assertThat(names).noneMatch(n -> n.startsWith("goblin_tokens"));
    }
  }

  @Test
  void retryAfterIsHonouredAndClientErrorsAreNotRetried(@TempDir Path dir) throws Exception {
    try (FakeRemoteWrite fake = new FakeRemoteWrite()) {
      fake.script(n -> switch (n) {
        case 0 -> new FakeRemoteWrite.Answer(503, "1");
        case 1 -> new FakeRemoteWrite.Answer(429, null);
        case 2 -> FakeRemoteWrite.Answer.OK;
        default -> new FakeRemoteWrite.Answer(400, null);
      });
      try (TestGateway gateway = TestGateway.start(yaml(fake.url(), "sending_queue: {num_consumers: 1}"), dir)) {
        long now = System.currentTimeMillis() * 1_000_000L;
        post(gateway, counter("a", now, 1));
        await().atMost(Duration.ofSeconds(20)).until(() -> fake.accepted().size() == 1);
        assertThat(fake.received).hasSize(3);
        assertThat(fake.received.get(1).nanoTime() - fake.received.get(0).nanoTime())
            .as("waited for Retry-After: 1").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(950));
        assertThat(Scrape.value(gateway, "gateway_exporter_retries_total")).isEqualTo(2.0);

        post(gateway, counter("a", now + 1_000_000_000L, 2)); // answered 400: permanent
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
            assertThat(Scrape.value(gateway, "gateway_exporter_send_failed_metric_points_total")).isEqualTo(1.0));
        assertThat(Scrape.value(gateway, "gateway_exporter_retries_total")).isEqualTo(2.0);
        assertThat(fake.received).hasSize(4);
      }
    }
  }

  /** Many series over 4 shards, every send failing once: each series' samples still arrive in time order. */
  @Test
  void samplesOfOneSeriesArriveInOrderAcrossShards(@TempDir Path dir) throws Exception {
    try (FakeRemoteWrite fake = new FakeRemoteWrite()) {
      fake.script(n -> n % 2 == 0 ? new FakeRemoteWrite.Answer(503, null) : FakeRemoteWrite.Answer.OK);
      try (TestGateway gateway = TestGateway.start(yaml(fake.url(), "sending_queue: {num_consumers: 4}"), dir)) {
        long start = System.currentTimeMillis() * 1_000_000L;
        int rounds = 20;
        for (int i = 0; i < rounds; i++) {
          ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
          for (int s = 0; s < 8; s++) {
            b.addAllResourceMetrics(counter("series-" + s, start + i * 1_000_000L, i).getResourceMetricsList());
          }
          post(gateway, b.build());
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(Scrape.value(gateway, "gateway_exporter_sent_metric_points_total")).isEqualTo(8.0 * rounds));
        Map<String, List<Long>> bySeries = new HashMap<>();
        for (FakeRemoteWrite.Received r : fake.accepted()) {
          for (DecodedWriteRequest.Series s : r.body().series()) {
            if (s.name().equals("goblin_work_total")) {
              s.samples().forEach(x -> bySeries.computeIfAbsent(s.labelMap().toString(), k -> new ArrayList<>())
                  .add(x.timestampMs()));
            }
          }
        }
        assertThat(bySeries).hasSize(8);
        bySeries.forEach((series, times) -> assertThat(times).as(series).hasSize(rounds).isSorted().doesNotHaveDuplicates());
      }
    }
  }

  private static ExportMetricsServiceRequest counter(String service, long timeNanos, long value) {
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue(service))))
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("goblin.work")
            .setSum(Sum.newBuilder().setIsMonotonic(true)
                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(timeNanos).setAsInt(value)))))).build();
  }
}
