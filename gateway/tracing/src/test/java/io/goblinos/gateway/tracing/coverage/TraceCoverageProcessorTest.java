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
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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

  // ---- synthetic spans: trace t has overmind t*10+1 -> goblin-runtime t*10+2 -> litebrain t*10+3 -> provider t*10+4

  private static ByteString id(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (56 - 8 * i));
    }
    return ByteString.copyFrom(b);
  }

  private static Span span(long trace, long id, long parent, String... attributes) {
    Span.Builder s = Span.newBuilder().setTraceId(Otlp.traceId(trace, trace)).setSpanId(id(id)).setName("s" + id);
    if (parent != 0) {
      s.setParentSpanId(id(parent));
    }
    for (String a : attributes) {
      s.addAttributes(KeyValue.newBuilder().setKey(a).setValue(Otlp.stringValue("x")));
    }
    return s.build();
  }

  private static Span hop(long trace, int hop) {
    return hop == 4
        ? span(trace, trace * 10 + 4, trace * 10 + 3, "gen_ai.provider.name")
        : span(trace, trace * 10 + hop, hop == 1 ? 0 : trace * 10 + hop - 1);
  }

  private static ResourceSpans resource(String service, List<Span> spans) {
    return ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(Otlp.stringValue(service))))
        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(spans)).build();
  }

  private static ExportTraceServiceRequest request(ResourceSpans... resources) {
    return ExportTraceServiceRequest.newBuilder().addAllResourceSpans(List.of(resources)).build();
  }

  /** Only the overmind span of trace t: incomplete, missing goblin-runtime. */
  private static ExportTraceServiceRequest overmindOnly(long t) {
    return request(resource("overmind", List.of(hop(t, 1))));
  }

  private static ExportTraceServiceRequest whole(long t) {
    return request(resource("litebrain", List.of(hop(t, 3), hop(t, 4))), resource("goblin-runtime", List.of(hop(t, 2))),
        resource("overmind", List.of(hop(t, 1))));
  }

  private static String traceHex(long t) {
    return Otlp.hex(Otlp.traceId(t, t));
  }

  private double counter(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  private List<String> postedTraceIds(int expected) {
    await().atMost(Duration.ofSeconds(10)).until(() -> posted.size() >= expected);
    return posted.stream().map(b -> b.get("trace_id").asText()).toList();
  }

  @Test
  void evictionJudgesTheOldestFirst() {
    start("max_traces: 3");
    for (long t = 1; t <= 5; t++) {
      processor.consume(overmindOnly(t)).await();
    }
    assertThat(processor.pending()).isEqualTo(3);
    assertThat(counter("gateway.processor.trace_coverage.traces.evicted")).isEqualTo(2);
    assertThat(counter("gateway.incomplete.traces", "missing_service", "goblin-runtime")).isEqualTo(2);
    assertThat(postedTraceIds(2)).containsExactly(traceHex(1), traceHex(2));
    // the survivors are judged in first-seen order when they time out; late spans of judged traces are ignored
    processor.consume(request(resource("goblin-runtime", List.of(hop(1, 2), hop(3, 2))))).await();
    assertThat(processor.pending()).isEqualTo(3);
    advance(Duration.ofSeconds(91));
    processor.check();
    // the three reports of one check are POSTed at once, on separate connections: they may arrive in any order
    List<String> ids = postedTraceIds(5);
    assertThat(ids.subList(0, 2)).containsExactly(traceHex(1), traceHex(2));
    assertThat(ids.subList(2, 5)).containsExactlyInAnyOrder(traceHex(3), traceHex(4), traceHex(5));
    JsonNode third = posted.stream().filter(b -> b.get("trace_id").asText().equals(traceHex(3))).findFirst().orElseThrow();
    assertThat(third.get("missing_service").asText()).isEqualTo("litebrain");
    assertThat(third.get("span_count").asInt()).isEqualTo(2);
    assertThat(processor.pending()).isZero();
  }

  @Test
  void aTraceEvictedBySpansOfItsOwnRequestIsJudgedAtTheEndOfThatRequest() {
    start("max_traces: 1");
    // A, then B evicts A, then A again: A is not judged until the request ends, so it is tracked afresh (evicting B)
    processor.consume(request(resource("overmind", List.of(hop(1, 1), hop(2, 1))),
        resource("goblin-runtime", List.of(hop(1, 2))))).await();
    assertThat(processor.pending()).isEqualTo(1);
    assertThat(counter("gateway.processor.trace_coverage.traces.evicted")).isEqualTo(2);
    assertThat(counter("gateway.incomplete.traces", "missing_service", "goblin-runtime")).isEqualTo(2);
    assertThat(postedTraceIds(2)).containsExactly(traceHex(1), traceHex(2));
    processor.consume(overmindOnly(1)).await(); // judged now: ignored
    processor.consume(overmindOnly(2)).await();
    assertThat(processor.pending()).isEqualTo(1);
    assertThat(counter("gateway.processor.trace_coverage.traces.evicted")).isEqualTo(2);
  }

  @Test
  void aSpanAfterItsTraceCompletedInTheSameRequestIsIgnored() {
    start("");
    // trace 1 completes at its overmind span; the next span of trace 1, in the same run of spans, is a late span
    processor.consume(request(resource("litebrain", List.of(hop(1, 3), hop(1, 4))),
        resource("goblin-runtime", List.of(hop(1, 2))),
        resource("overmind", List.of(hop(1, 1), span(1, 15, 11), hop(2, 1))))).await();
    assertThat(counter("gateway.processor.trace_coverage.traces.complete")).isEqualTo(1);
    assertThat(processor.pending()).isEqualTo(1); // trace 2 only
    processor.consume(whole(2)).await();
    assertThat(processor.pending()).isZero();
    assertThat(counter("gateway.processor.trace_coverage.traces.complete")).isEqualTo(2);
    advance(Duration.ofSeconds(120));
    processor.check();
    assertThat(posted).isEmpty();
  }

  @Test
  void judgedTraceIdsAreBoundedByMaxTraces() {
    start("max_traces: 2");
    for (long t = 1; t <= 3; t++) {
      processor.consume(whole(t)).await();
    }
    assertThat(processor.pending()).isZero();
    assertThat(counter("gateway.processor.trace_coverage.traces.complete")).isEqualTo(3);
    processor.consume(overmindOnly(3)).await(); // still remembered as judged
    assertThat(processor.pending()).isZero();
    processor.consume(overmindOnly(1)).await(); // forgotten: tracked again
    assertThat(processor.pending()).isEqualTo(1);
  }

  @Test
  void aLargeRequestIsAppliedInChunksAndTracesSpanningChunksComplete() {
    start("");
    int traces = 700; // 2,800 spans: several chunks; litebrain's spans of a trace straddle a chunk boundary
    List<Span> litebrain = new ArrayList<>();
    List<Span> runtime = new ArrayList<>();
    List<Span> overmind = new ArrayList<>();
    for (long t = 1; t <= traces; t++) {
      litebrain.add(hop(t, 3));
      litebrain.add(hop(t, 4));
      runtime.add(hop(t, 2));
      overmind.add(hop(t, 1));
    }
    ExportTraceServiceRequest req = request(resource("litebrain", litebrain.subList(0, 511)),
        resource("litebrain", litebrain.subList(511, litebrain.size())), resource("goblin-runtime", runtime),
        resource("overmind", overmind));
    assertThat(litebrain.size() + runtime.size() + overmind.size()).isGreaterThan(5 * TraceCoverageProcessor.CHUNK);
    processor.consume(req).await();
    assertThat(processor.pending()).isZero();
    assertThat(counter("gateway.processor.trace_coverage.traces.complete")).isEqualTo(traces);
    assertThat(processor.ratio()).isEqualTo(1.0);
    assertThat(sink.received()).containsExactly(req);
  }

  @Test
  void webhookBodyListsServicesInArrivalOrder() throws Exception {
    start("");
    long t = 9;
    processor.consume(request(resource("litebrain", List.of(hop(t, 3))))).await();
    processor.consume(request(resource("overmind", List.of(hop(t, 1))), resource("goblin-runtime", List.of(hop(t, 2))),
        resource("overmind", List.of(span(t, 95, t * 10 + 1))))).await();
    advance(Duration.ofSeconds(90));
    Instant before = Instant.now().minusSeconds(91);
    processor.check();
    await().atMost(Duration.ofSeconds(10)).until(() -> posted.size() == 1);
    JsonNode body = posted.get(0);
    assertThat(JSON.writeValueAsString(body)).isEqualTo(("{\"trace_id\":\"%s\",\"missing_service\":\"provider\","
        + "\"reason\":\"missing\",\"expected_chain\":[\"overmind\",\"goblin-runtime\",\"litebrain\",\"provider\"],"
        + "\"present\":[\"overmind\",\"goblin-runtime\",\"litebrain\"],"
        + "\"services\":[\"litebrain\",\"overmind\",\"goblin-runtime\"],\"span_count\":4,\"first_seen\":\"%s\","
        + "\"incomplete_after_seconds\":90.0,\"gateway_processor\":\"trace_coverage\"}")
        .formatted(traceHex(t), body.get("first_seen").asText()));
    assertThat(Instant.parse(body.get("first_seen").asText())).isBetween(before, Instant.now().minusSeconds(89));
  }

  @Test
  void serviceNamesBeyondTheInternTableAreStillReportedInOrderUpTo32() {
    start("");
    // fill the processor's table of service names: overmind first, then fillers (their spans match no hop)
    List<ResourceSpans> fillers = new ArrayList<>();
    fillers.add(resource("overmind", List.of(span(1, 11, 0))));
    for (int i = 1; i < TraceCoverageProcessor.MAX_SERVICE_NAMES; i++) {
      fillers.add(resource("filler-" + i, List.of(span(2 + i % 2, 100 + i, 0))));
    }
    processor.consume(request(fillers.toArray(ResourceSpans[]::new))).await();
    // trace 7: an interned name, then 40 new ones the table has no room for, then the interned one again
    List<ResourceSpans> rs = new ArrayList<>();
    rs.add(resource("overmind", List.of(hop(7, 1))));
    List<String> expected = new ArrayList<>(List.of("overmind"));
    for (int i = 0; i < 40; i++) {
      rs.add(resource("x" + i, List.of(span(7, 1000 + i, 71))));
      if (expected.size() < 32) {
        expected.add("x" + i);
      }
    }
    rs.add(resource("overmind", List.of(span(7, 2000, 71))));
    processor.consume(request(rs.toArray(ResourceSpans[]::new))).await();
    advance(Duration.ofSeconds(91));
    processor.check();
    await().atMost(Duration.ofSeconds(10)).until(() -> posted.size() == 4);
    JsonNode body = posted.stream().filter(b -> b.get("trace_id").asText().equals(traceHex(7))).findFirst().orElseThrow();
    List<String> services = new ArrayList<>();
    body.get("services").forEach(n -> services.add(n.asText()));
    assertThat(services).isEqualTo(expected);
    assertThat(body.get("span_count").asInt()).isEqualTo(42);
    JsonNode fillerTrace = posted.stream().filter(b -> b.get("trace_id").asText().equals(traceHex(2))).findFirst()
        .orElseThrow();
    assertThat(fillerTrace.get("services")).hasSize(32);
    assertThat(fillerTrace.get("services").get(0).asText()).isEqualTo("filler-2");
  }

  @Test
  void maxSpansPerTraceLimitsWhatIsRemembered() {
    start("max_spans_per_trace: 3");
    // the provider span comes fifth, after a stray span: it is not remembered, so the trace stays incomplete
    processor.consume(request(resource("overmind", List.of(hop(4, 1), span(4, 99, 41))),
        resource("goblin-runtime", List.of(hop(4, 2))), resource("litebrain", List.of(hop(4, 3), hop(4, 4))))).await();
    assertThat(processor.pending()).isEqualTo(1);
    advance(Duration.ofSeconds(91));
    processor.check();
    await().atMost(Duration.ofSeconds(10)).until(() -> posted.size() == 1);
    assertThat(posted.get(0).get("span_count").asInt()).isEqualTo(3);
    assertThat(posted.get(0).get("missing_service").asText()).isEqualTo("litebrain");
    assertThat(posted.get(0).get("services").toString()).isEqualTo("[\"overmind\",\"goblin-runtime\"]");
  }

  @Test
  void aTraceWithoutTheFirstHopMissesItAndOneWithoutTheSecondMissesThat() {
    start("");
    // trace 7: everything but overmind; trace 8: overmind and litebrain, no goblin-runtime
    processor.consume(request(resource("goblin-runtime", List.of(hop(7, 2))),
        resource("litebrain", List.of(hop(7, 3), hop(7, 4))))).await();
    processor.consume(request(resource("overmind", List.of(hop(8, 1))),
        resource("litebrain", List.of(hop(8, 3), hop(8, 4))))).await();
    advance(Duration.ofSeconds(91));
    processor.check();
    await().atMost(Duration.ofSeconds(10)).until(() -> posted.size() == 2);
    assertThat(posted).extracting(b -> b.get("missing_service").asText()).containsExactly("overmind", "goblin-runtime");
    assertThat(posted).extracting(b -> b.get("reason").asText()).containsExactly("missing", "missing");
  }

  @Test
  void aParentCycleEndsTheWalk() {
    start("");
    long t = 6;
    // goblin-runtime and litebrain are each other's parent: neither descends from overmind
    processor.consume(request(resource("overmind", List.of(hop(t, 1))),
        resource("goblin-runtime", List.of(span(t, 62, 63))), resource("litebrain", List.of(span(t, 63, 62), hop(t, 4)))))
        .await();
    assertThat(processor.pending()).isEqualTo(1);
    advance(Duration.ofSeconds(91));
    processor.check();
    await().atMost(Duration.ofSeconds(10)).until(() -> posted.size() == 1);
    assertThat(posted.get(0).get("missing_service").asText()).isEqualTo("goblin-runtime");
    assertThat(posted.get(0).get("reason").asText()).isEqualTo("not_connected");
  }

  @Test
  void withoutAWebhookEvictionAndTimeoutStillCount() {
    CoverageConfig cfg = Contexts.parse("processors::trace_coverage", "max_traces: 2", CoverageConfig::parse);
    processor = new TraceCoverageProcessor(Contexts.context(vertx, registry, "trace_coverage", dir), cfg, sink, clock::get);
    processor.start(new TestHost()).await();
    for (long t = 1; t <= 3; t++) {
      processor.consume(overmindOnly(t)).await();
    }
    processor.consume(whole(4)).await();
    advance(Duration.ofSeconds(91));
    processor.check();
    assertThat(processor.pending()).isZero();
    assertThat(counter("gateway.incomplete.traces", "missing_service", "goblin-runtime")).isEqualTo(3);
    assertThat(counter("gateway.processor.trace_coverage.traces.complete")).isEqualTo(1);
    assertThat(processor.ratio()).isEqualTo(0.25);
  }

  @Test
  void concurrentRequestsFromSeveralThreadsAllCount() throws Exception {
    start("max_traces: 500");
    int threads = 4;
    int perThread = 2000;
    List<Thread> workers = new ArrayList<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    for (int w = 0; w < threads; w++) {
      long base = 1_000_000L * (w + 1);
      workers.add(new Thread(() -> {
        try {
          for (long t = base; t < base + perThread; t++) {
            // each trace in two requests, a second trace's spans in between
            processor.consume(request(resource("litebrain", List.of(hop(t, 3), hop(t, 4))))).await();
            processor.consume(request(resource("goblin-runtime", List.of(hop(t, 2))),
                resource("overmind", List.of(hop(t, 1))))).await();
            if (t % 100 == 0) {
              processor.check();
              processor.ratio();
            }
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }));
    }
    workers.forEach(Thread::start);
    for (Thread w : workers) {
      w.join();
    }
    assertThat(errors).isEmpty();
    assertThat(processor.pending()).isZero();
    assertThat(counter("gateway.processor.trace_coverage.traces.complete")).isEqualTo(threads * perThread);
    assertThat(counter("gateway.processor.trace_coverage.traces.evicted")).isZero();
    assertThat(processor.ratio()).isEqualTo(1.0);
  }
}
