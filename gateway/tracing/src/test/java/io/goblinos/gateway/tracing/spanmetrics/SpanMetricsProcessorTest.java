package io.goblinos.gateway.tracing.spanmetrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.tracing.testing.Contexts;
import io.goblinos.gateway.tracing.testing.GoblinTraces;
import io.goblinos.gateway.tracing.testing.Sink;
import io.goblinos.gateway.tracing.testing.TestHost;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpanMetricsProcessorTest {
  @TempDir Path dir;
  private Vertx vertx;
  private PrometheusMeterRegistry registry;
  private GoblinTraces traces;
  private final Sink<ExportTraceServiceRequest> sink = new Sink<>();
  private final Sink<ExportMetricsServiceRequest> metrics = new Sink<>();
  private SpanMetricsProcessor processor;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    traces = new GoblinTraces();
  }

  @AfterEach
  void tearDown() {
    if (processor != null) {
      processor.shutdown().await();
    }
    traces.close();
    vertx.close().await();
  }

  private SpanMetricsProcessor start(String yaml) {
    SpanMetricsConfig cfg = Contexts.parse("processors::spanmetrics", yaml, SpanMetricsConfig::parse);
    processor = new SpanMetricsProcessor(Contexts.context(vertx, registry, "spanmetrics", dir), cfg, sink);
    processor.start(new TestHost().pipeline(Signal.METRICS, "metrics", metrics)).await();
    return processor;
  }

  @Test
  void taskLatencyHistogramAndRequestCountsOnPrometheus() {
    start("flush_interval: 1h");
    ExportTraceServiceRequest req = traces.request(GoblinTraces.task().duration(800));
    processor.consume(req).await();
    processor.consume(traces.request(GoblinTraces.task().duration(3_000).error())).await();
    processor.consume(traces.request(GoblinTraces.task().task("tinkers", "build").duration(40_000))).await();
    assertThat(sink.received().get(0)).isSameAs(req); // spans pass unchanged
    String scrape = registry.scrape();
    // goblin-runtime span: 800 ms task minus 2 ms -> 0.798 s; 3 s task -> 2.998 s
    assertThat(scrape)
        .contains("# TYPE goblin_task_latency_seconds histogram")
        .contains("goblin_task_latency_seconds_bucket{goblin_id=\"goblin-7\",guild=\"scribes\",task=\"summarize\",le=\"1.0\"} 1")
        .contains("goblin_task_latency_seconds_bucket{goblin_id=\"goblin-7\",guild=\"scribes\",task=\"summarize\",le=\"5.0\"} 2")
        .contains("goblin_task_latency_seconds_count{goblin_id=\"goblin-7\",guild=\"tinkers\",task=\"build\"} 1")
        .contains("goblin_service_requests_total{service=\"overmind\"} 3.0")
        .contains("goblin_service_requests_total{service=\"litebrain\"} 3.0")
        .contains("goblin_provider_requests_total{provider=\"openai\"} 3.0")
        .contains("goblin_provider_errors_total{provider=\"openai\"} 1.0");
  }

  @Test
  void cardinalityGuardCollapsesExtraValuesIntoOther() {
    start("max_label_values: 3\nflush_interval: 1h");
    for (int i = 0; i < 5; i++) {
      processor.consume(traces.request(GoblinTraces.task().goblin("goblin-" + i))).await();
    }
    String scrape = registry.scrape();
    assertThat(scrape).contains("goblin_task_latency_seconds_count{goblin_id=\"other\",guild=\"scribes\",task=\"summarize\"} 2");
    assertThat(scrape).contains("goblin_task_latency_seconds_count{goblin_id=\"goblin-2\",guild=\"scribes\",task=\"summarize\"} 1");
    assertThat(scrape).doesNotContain("goblin_id=\"goblin-3\"");
    assertThat(scrape).contains(
        "gateway_processor_label_overflow_total{label=\"goblin_id\",metric=\"goblin.task.latency\",processor=\"spanmetrics\"} 2.0");
  }

  @Test
  void dimensionsAreAnAllowList() {
    start("dimensions: [deployment.environment.name]\nflush_interval: 1h");
    processor.consume(traces.request(GoblinTraces.task())).await();
    assertThat(registry.scrape())
        .contains("goblin_service_requests_total{deployment_environment_name=\"test\",service=\"overmind\"} 1.0")
        .doesNotContain("service_namespace=");
  }

  @Test
  void pushesCumulativeOtlpMetricsIntoTheMetricsPipeline() {
    start("metrics_pipeline: metrics\nflush_interval: 1h");
    processor.consume(traces.request(GoblinTraces.task().duration(800))).await();
    processor.consume(traces.request(GoblinTraces.task().duration(800).error())).await();
    processor.flush().await();
    ExportMetricsServiceRequest req = metrics.received().get(0);
    Map<String, Metric> byName = req.getResourceMetrics(0).getScopeMetrics(0).getMetricsList().stream()
        .collect(Collectors.toMap(Metric::getName, Function.identity()));
    assertThat(byName).containsKeys("goblin.task.latency", "goblin.service.requests", "goblin.provider.requests",
        "goblin.provider.errors");
    var point = byName.get("goblin.task.latency").getHistogram().getDataPoints(0);
    assertThat(point.getCount()).isEqualTo(2);
    assertThat(point.getExplicitBoundsList()).hasSize(SpanMetricsConfig.DEFAULT_BUCKETS.size());
    assertThat(point.getBucketCountsList().stream().mapToLong(Long::longValue).sum()).isEqualTo(2);
    assertThat(byName.get("goblin.task.latency").getUnit()).isEqualTo("s");
    assertThat(byName.get("goblin.provider.errors").getSum().getIsMonotonic()).isTrue();
    assertThat(byName.get("goblin.provider.errors").getSum().getDataPoints(0).getAsInt()).isEqualTo(1);
    // shutdown flushes once more
    processor.shutdown().await();
    assertThat(metrics.received()).hasSize(2);
    processor.shutdown().await();
  }

  @Test
  void shutdownWithoutStart() {
    SpanMetricsConfig cfg = Contexts.parse("processors::spanmetrics", "", SpanMetricsConfig::parse);
    SpanMetricsProcessor p = new SpanMetricsProcessor(Contexts.context(vertx, registry, "spanmetrics/x", dir), cfg, sink);
    p.shutdown().await();
    p.shutdown().await();
  }
}
