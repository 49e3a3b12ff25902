package io.goblinos.gateway.tracing.coverage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.goblinos.gateway.tracing.internal.Otlp;
import io.goblinos.gateway.tracing.testing.Contexts;
import io.goblinos.gateway.tracing.testing.GoblinTraces;
import io.goblinos.gateway.tracing.testing.Sink;
import io.goblinos.gateway.tracing.testing.TestHost;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceCoverageProcessorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  private Vertx vertx;
  private PrometheusMeterRegistry registry;
  private GoblinTraces traces;
  private final AtomicLong clock = new AtomicLong(TimeUnit.SECONDS.toNanos(10_000));
  private final Sink<ExportTraceServiceRequest> sink = new Sink<>();
  private final List<JsonNode> posted = new CopyOnWriteArrayList<>();
  private final List<String> headers = new CopyOnWriteArrayList<>();
  private HttpServer webhook;
  private TraceCoverageProcessor processor;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    traces = new GoblinTraces();
    webhook = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      try {
        headers.add(req.method() + " " + req.getHeader("content-type") + " " + req.getHeader("x-team"));
        posted.add(JSON.readTree(b.getBytes()));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      req.response().setStatusCode(204).end();
    })).listen(0, "127.0.0.1").await();
  }

  @AfterEach
  void tearDown() {
    if (processor != null) {
      processor.shutdown().await();
    }
    traces.close();
    vertx.close().await();
  }

  private TraceCoverageProcessor start(String extra) {
    CoverageConfig cfg = Contexts.parse("processors::trace_coverage", """
        webhook:
          endpoint: http://127.0.0.1:%d/hooks/incomplete
          headers: {x-team: goblin-ops}
        """.formatted(webhook.actualPort()) + extra, CoverageConfig::parse);
    processor = new TraceCoverageProcessor(Contexts.context(vertx, registry, "trace_coverage", dir), cfg, sink, clock::get);
    processor.start(new TestHost()).await();
    return processor;
  }

  private void advance(Duration d) {
    clock.addAndGet(d.toNanos());
  }

  @Test
  void completeChainCountsAsCoveredAtOnce() {
    start("");
    processor.consume(traces.request(GoblinTraces.task())).await();
    assertThat(processor.pending()).isZero();
    assertThat(processor.ratio()).isEqualTo(1.0);
    assertThat(registry.scrape()).contains("gateway_trace_coverage_ratio{processor=\"trace_coverage\"} 1.0");
    advance(Duration.ofSeconds(120));
    processor.check();
    assertThat(posted).isEmpty();
    assertThat(sink.received()).hasSize(1);
  }

  @Test
  void incompleteTraceIsCountedAndPostedAfterIncompleteAfter() throws Exception {
    start("");
    processor.consume(traces.request(GoblinTraces.task())).await();
    ExportTraceServiceRequest missing = traces.request(GoblinTraces.task().withoutLitebrain());
    processor.consume(missing).await();
    advance(Duration.ofSeconds(89));
    processor.check();
    assertThat(processor.pending()).isEqualTo(1);
    advance(Duration.ofSeconds(2));
    processor.check();
    await().atMost(Duration.ofSeconds(10)).until(() -> posted.size() == 1);
    JsonNode body = posted.get(0);
    assertThat(body.get("missing_service").asText()).isEqualTo("litebrain");
    assertThat(body.get("reason").asText()).isEqualTo("missing");
    assertThat(body.get("trace_id").asText())
        .isEqualTo(Otlp.hex(missing.getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId()));
    assertThat(body.get("services").toString()).contains("overmind", "goblin-runtime", "litebrain");
    assertThat(headers.get(0)).isEqualTo("POST application/json goblin-ops");
    assertThat(processor.ratio()).isEqualTo(0.5);
    assertThat(registry.scrape())
        .contains("gateway_incomplete_traces_total{missing_service=\"litebrain\",processor=\"trace_coverage\"} 1.0")
        .contains("gateway_incomplete_traces_total{missing_service=\"provider\",processor=\"trace_coverage\"} 0.0");
    await().atMost(Duration.ofSeconds(10)).until(() ->
        registry.find("gateway.processor.trace_coverage.webhook").tag("outcome", "sent").counter().count() == 1);
    // late spans of a judged trace are ignored
    processor.consume(missing).await();
    assertThat(processor.pending()).isZero();
  }

  @Test
  void hopsMustBeConnectedByParentLinks() {
    start("");
    List<SpanData> spans = traces.spans(GoblinTraces.task());
    ExportTraceServiceRequest req = GoblinTraces.toOtlp(spans);
    // cut the provider span loose: its parent is a span that never arrives
    ExportTraceServiceRequest.Builder b = req.toBuilder();
    for (var rs : b.getResourceSpansBuilderList()) {
      for (var ss : rs.getScopeSpansBuilderList()) {
        for (Span.Builder s : ss.getSpansBuilderList()) {
          if (s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT) {
            s.setParentSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
          }
        }
      }
    }
    processor.consume(b.build()).await();
    assertThat(processor.pending()).isEqualTo(1);
    advance(Duration.ofSeconds(91));
    processor.check();
    await().atMost(Duration.ofSeconds(10)).until(() -> posted.size() == 1);
    assertThat(posted.get(0).get("missing_service").asText()).isEqualTo("provider");
    assertThat(posted.get(0).get("reason").asText()).isEqualTo("not_connected");
  }

  @Test
  void spansOfOneTraceArrivingInSeveralRequestsComplete() {
    start("");
    List<SpanData> spans = traces.spans(GoblinTraces.task());
    for (String service : List.of("litebrain", "overmind", "goblin-runtime")) {
      processor.consume(GoblinTraces.toOtlp(spans, s -> GoblinTraces.service(s).equals(service))).await();
    }
    assertThat(processor.pending()).isZero();
    assertThat(processor.ratio()).isEqualTo(1.0);
  }

  @Test
  void maxTracesJudgesTheOldestEarly() {
    start("max_traces: 2");
    for (int i = 0; i < 3; i++) {
      processor.consume(traces.request(GoblinTraces.task().withoutProvider())).await();
    }
    assertThat(processor.pending()).isEqualTo(2);
    assertThat(registry.scrape())
        .contains("gateway_processor_trace_coverage_traces_evicted_total{processor=\"trace_coverage\"} 1.0")
        .contains("gateway_incomplete_traces_total{missing_service=\"provider\",processor=\"trace_coverage\"} 1.0");
  }

  @Test
  void customChainAndConfigErrors() {
    CoverageConfig cfg = Contexts.parse("processors::trace_coverage", """
        expected_chain: [overmind, {name: llm, attributes: [gen_ai.provider.name]}]
        incomplete_after: 30s
        """, CoverageConfig::parse);
    assertThat(cfg.chain()).extracting(CoverageConfig.Hop::name).containsExactly("overmind", "llm");
    var n = Contexts.node("processors::trace_coverage", """
        expected_chain: [{name: x}]
        webhook: {endpoint: "ftp://nowhere"}
        """);
    CoverageConfig.parse(n);
    n.finish();
    assertThat(n.errors().messages())
        .anySatisfy(m -> assertThat(m).startsWith("processors::trace_coverage::expected_chain::0::service"))
        .anySatisfy(m -> assertThat(m).startsWith("processors::trace_coverage::webhook::endpoint: was 'ftp://nowhere'"));
  }
}
