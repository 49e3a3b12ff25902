package io.goblinos.gateway.tracing.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.tracing.internal.Otlp;
import io.goblinos.gateway.tracing.testing.Contexts;
import io.goblinos.gateway.tracing.testing.GoblinTraces;
import io.goblinos.gateway.tracing.testing.Sink;
import io.goblinos.gateway.tracing.testing.TestHost;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TailSamplingProcessorTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @TempDir Path dir;
  private Vertx vertx;
  private SimpleMeterRegistry registry;
  private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
  private final Sink<ExportTraceServiceRequest> sink = new Sink<>();
  private GoblinTraces traces;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    registry = new SimpleMeterRegistry();
    traces = new GoblinTraces();
  }

  @AfterEach
  void tearDown() {
    traces.close();
    vertx.close().await();
  }

  /**
   * A processor that passes kept spans on after each decision pass ({@code emit_timeout: 0s}), so a test sees them at
   * once, unless {@code yaml} sets emit_timeout itself (the tests of the kept-span batches).
   */
  private TailSamplingProcessor processor(String yaml) {
    if (!yaml.contains("emit_timeout")) {
      yaml = "emit_timeout: 0s\n" + yaml;
    }
    TailSamplingConfig cfg = Contexts.parse("processors::tail_sampling", yaml, TailSamplingConfig::parse);
    return new TailSamplingProcessor(Contexts.context(vertx, registry, "tail_sampling", dir), cfg, sink, clock::get);
  }

  private static final String ERRORS_SLOW_TEN_PERCENT = """
      decision_wait: 5s
      policies:
        - name: errors
          type: status_code
          status_code: {status_codes: [ERROR]}
        - name: slow
          type: latency
          latency: {threshold_ms: 5000}
        - name: ten-percent
          type: probabilistic
          probabilistic: {sampling_percentage: 10}
      """;

  private void advance(long nanos) {
    clock.addAndGet(nanos);
  }

  private double counter(String name, String... tags) {
    var c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private static Map<ByteString, List<Span>> byTrace(List<ExportTraceServiceRequest> reqs) {
    return Sink.spans(reqs).stream().collect(Collectors.groupingBy(Span::getTraceId));
  }

  @Test
  void errorTracesAreKeptWholeAndNoTraceIsPartial() {
    TailSamplingProcessor p = processor(ERRORS_SLOW_TEN_PERCENT);
    Set<ByteString> errorTraces = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      GoblinTraces.Task t = GoblinTraces.task();
      if (i % 7 == 0) {
        t.error();
      }
      // each service sends its own request, as separate SDKs do
      List<SpanData> spans = traces.spans(t);
      for (String service : List.of("litebrain", "goblin-runtime", "overmind")) {
        p.consume(GoblinTraces.toOtlp(spans, s -> GoblinTraces.service(s).equals(service))).await();
      }
      if (t.error) {
        errorTraces.add(ByteString.copyFrom(spans.get(0).getSpanContext().getTraceIdBytes()));
      }
    }
    assertThat(p.pendingTraces()).isEqualTo(300);
    assertThat(sink.received()).isEmpty();
    advance(5 * SECOND);
    p.tick().await();
    assertThat(p.pendingTraces()).isZero();
    assertThat(p.pendingBytes()).isZero();
    Map<ByteString, List<Span>> kept = byTrace(sink.received());
    assertThat(kept.keySet()).containsAll(errorTraces);
    assertThat(kept.values()).allSatisfy(spans -> assertThat(spans).hasSize(4));
    // re-grouped: one ResourceSpans per service across all kept traces of the tick
    assertThat(sink.received()).hasSize(1);
    assertThat(sink.received().get(0).getResourceSpansList()).hasSize(3);
    assertThat(counter("gateway.processor.tail_sampling.traces.decided", "decision", "sampled"))
        .isEqualTo(kept.size());
    assertThat(counter("gateway.processor.tail_sampling.policy.decisions", "policy", "errors", "decision", "sampled"))
        .isEqualTo(errorTraces.size());
  }

  @Test
  void probabilisticShareIsWithinStatisticalBounds() {
    TailSamplingProcessor p = processor("""
        decision_wait: 1s
        num_traces: 50000
        policies: [{name: ten, type: probabilistic, probabilistic: {sampling_percentage: 10}}]
        """);
    Random random = new Random(42);
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      p.consume(request(randomTraceId(random), "svc", span -> {})).await();
    }
    advance(2 * SECOND);
    p.tick().await();
    int kept = byTrace(sink.received()).size();
    // binomial(20000, 0.1): mean 2000, sd 42.4; +-6 sd
    assertThat(kept).isBetween(1745, 2255);
  }

  @Test
  void probabilisticDecisionMatchesTheCollectorHash() {
    // echo -n "default-hash-seed" + 0af7651916cd43dd8448eb211c80319c (bytes) | FNV-1a 64 = 0x33bf83d45f51634c
    byte[] id = java.util.HexFormat.of().parseHex("0af7651916cd43dd8448eb211c80319c");
    assertThat(Policy.Probabilistic.hash("default-hash-seed".getBytes(StandardCharsets.UTF_8), id))
        .isEqualTo(0x33bf83d45f51634cL);
    assertThat(Policy.Probabilistic.hash("goblin".getBytes(StandardCharsets.UTF_8), id)).isEqualTo(0x6ae51b7159238e53L);
    // 0x33bf... / 2^64 = 0.2029: not sampled at 20%, sampled at 21%
    assertThat(evaluate(new Policy.Probabilistic("p", "", 20), id)).isEqualTo(Decision.NOT_SAMPLED);
    assertThat(evaluate(new Policy.Probabilistic("p", "", 21), id)).isEqualTo(Decision.SAMPLED);
    assertThat(Policy.Probabilistic.threshold(1.0)).isEqualTo(-1L);
    assertThat(Policy.Probabilistic.threshold(0.0)).isZero();
  }

  private static Decision evaluate(Policy p, byte[] traceId) {
    TraceView v = new FakeView(traceId, 1, 0, List.of(), List.of());
    return p.evaluate(v, 0);
  }

  @Test
  void lateSpansFollowTheCachedDecision() {
    TailSamplingProcessor p = processor("""
        decision_wait: 5s
        policies: [{name: errors, type: status_code, status_code: {status_codes: [ERROR]}}]
        """);
    ByteString kept = ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
    ByteString dropped = ByteString.copyFrom(new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
    p.consume(request(kept, "overmind", s -> s.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)))).await();
    p.consume(request(dropped, "overmind", s -> {})).await();
    advance(6 * SECOND);
    p.tick().await();
    assertThat(byTrace(sink.received()).keySet()).containsExactly(kept);
    sink.clear();
    p.consume(request(kept, "litebrain", s -> {})).await();
    p.consume(request(dropped, "litebrain", s -> {})).await();
    // the late span of the kept trace goes on at once; the dropped one's is discarded; neither is pending
    assertThat(byTrace(sink.received()).keySet()).containsExactly(kept);
    assertThat(p.pendingTraces()).isZero();
    assertThat(counter("gateway.processor.tail_sampling.late.spans", "decision", "sampled")).isEqualTo(1);
    assertThat(counter("gateway.processor.tail_sampling.late.spans", "decision", "not_sampled")).isEqualTo(1);
  }

  @Test
  void fullProcessorDecidesOldestTracesEarlyAndCountsThem() {
    TailSamplingProcessor p = processor("""
        decision_wait: 30s
        num_traces: 100
        shards: 1
        policies: [{name: all, type: always_sample}]
        """);
    Random random = new Random(7);
    List<ByteString> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 150; i++) {
      ByteString id = randomTraceId(random);
      ids.add(id);
      p.consume(request(id, "a", s -> {})).await();
      advance(1_000_000);
    }
    assertThat(p.pendingTraces()).isEqualTo(100);
    assertThat(counter("gateway.processor.tail_sampling.traces.evicted_early")).isEqualTo(50);
    // the 50 oldest were decided (kept by always_sample), not lost
    assertThat(byTrace(sink.received()).keySet()).containsExactlyInAnyOrderElementsOf(ids.subList(0, 50));
  }

  @Test
  void byteBoundDecidesEarlyToo() {
    TailSamplingProcessor p = processor("""
        decision_wait: 30s
        num_traces: 100000
        max_pending_bytes: 64KiB
        shards: 1
        policies: [{name: all, type: always_sample}]
        """);
    Random random = new Random(8);
    for (int i = 0; i < 500; i++) {
      p.consume(traces.request(GoblinTraces.task())).await();
    }
    assertThat(p.pendingBytes()).isLessThanOrEqualTo(64 * 1024);
    assertThat(counter("gateway.processor.tail_sampling.traces.evicted_early")).isPositive();
    long evicted = (long) counter("gateway.processor.tail_sampling.traces.evicted_early");
    assertThat(p.pendingTraces() + evicted).isEqualTo(500);
    assertThat(byTrace(sink.received()).values()).allSatisfy(s -> assertThat(s).hasSize(4));
    assertThat(random).isNotNull();
  }

  @Test
  void aTraceDecidedEarlyWhileItsRequestIsAddingSpansGetsItsLaterSpansAsLate() {
    TailSamplingProcessor p = processor("""
        decision_wait: 30s
        num_traces: 100000
        max_pending_bytes: 16KiB
        shards: 1
        policies: [{name: all, type: always_sample}]
        """);
    Random random = new Random(9);
    ByteString a = randomTraceId(random);
    ByteString c = randomTraceId(random);
    p.consume(spans(List.of(a, c), 1)).await(); // A is the oldest pending trace, C the newest
    assertThat(p.pendingTraces()).isEqualTo(2);
    // 4 KiB chunks: A's 3 KB spans put the shard over its bytes, and A, the oldest, is decided while this request is
    // still adding A's spans; the ones after that follow the decision (late spans), none goes to a freed slot
    p.consume(spans(List.of(a, a, a, a, a, a), 3000)).await();
    assertThat(counter("gateway.processor.tail_sampling.traces.evicted_early")).isEqualTo(1);
    assertThat(byTrace(sink.received()).get(a)).hasSize(7);
    assertThat(p.pendingTraces()).isEqualTo(1);
    assertThat(counter("gateway.processor.tail_sampling.late.spans", "decision", "sampled")).isPositive();
  }

  /** One resource and scope; a span per trace id given (in order), each with an attribute of {@code pad} bytes. */
  private static ExportTraceServiceRequest spans(List<ByteString> traceIds, int pad) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    byte[] spanId = new byte[8];
    Random r = new Random(pad);
    for (ByteString id : traceIds) {
      r.nextBytes(spanId);
      ss.addSpans(Span.newBuilder().setTraceId(id).setSpanId(ByteString.copyFrom(spanId)).setName("op")
          .setStartTimeUnixNano(1_700_000_000_000_000_000L).setEndTimeUnixNano(1_700_000_000_100_000_000L)
          .addAttributes(kv("pad", "p".repeat(pad))));
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("service.name", "a"))).addScopeSpans(ss)).build();
  }

  @Test
  void tooLargeTracesAreDroppedWholeAndCounted() {
    TailSamplingProcessor p = processor("""
        decision_wait: 1s
        maximum_trace_size_bytes: 600
        policies: [{name: all, type: always_sample}]
        """);
    p.consume(traces.request(GoblinTraces.task())).await(); // 4 spans, > 600 bytes
    advance(2 * SECOND);
    p.tick().await();
    assertThat(sink.received()).isEmpty();
    assertThat(counter("gateway.processor.tail_sampling.traces.too_large")).isEqualTo(1);
    assertThat(p.pendingBytes()).isZero();
  }

  @Test
  void dropPolicyWinsOverSample() {
    TailSamplingProcessor p = processor("""
        decision_wait: 1s
        policies:
          - {name: all, type: always_sample}
          - name: no-health
            type: drop
            drop:
              drop_sub_policy:
                - {name: health, type: string_attribute, string_attribute: {key: url.path, values: ["/health.*"], enabled_regex_matching: true}}
        """);
    ByteString a = randomTraceId(new Random(1));
    ByteString b = randomTraceId(new Random(2));
    p.consume(request(a, "api", s -> s.addAttributes(kv("url.path", "/healthz")))).await();
    p.consume(request(b, "api", s -> s.addAttributes(kv("url.path", "/v1/task")))).await();
    advance(2 * SECOND);
    p.tick().await();
    assertThat(byTrace(sink.received()).keySet()).containsExactly(b);
    assertThat(counter("gateway.processor.tail_sampling.traces.decided", "decision", "dropped")).isEqualTo(1);
  }

  @Test
  void eachPolicyTypeDecides() {
    byte[] id = new byte[16];
    Span slowError = Span.newBuilder().setStartTimeUnixNano(1_000_000_000L).setEndTimeUnixNano(7_000_000_000L)
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR))
        .addAttributes(kv("gen_ai.request.model", "claude-sonnet-4-5"))
        .addAttributes(KeyValue.newBuilder().setKey("gen_ai.usage.input_tokens").setValue(AnyValue.newBuilder().setIntValue(9000)))
        .addAttributes(KeyValue.newBuilder().setKey("goblin.debug").setValue(AnyValue.newBuilder().setBoolValue(true)))
        .build();
    Span fastOk = Span.newBuilder().setStartTimeUnixNano(1_000_000_000L).setEndTimeUnixNano(1_100_000_000L)
        .addAttributes(kv("gen_ai.request.model", "gpt-4o"))
        .addAttributes(KeyValue.newBuilder().setKey("gen_ai.usage.input_tokens").setValue(AnyValue.newBuilder().setIntValue(10)))
        .build();
    List<KeyValue> resource = List.of(kv("service.name", "litebrain"));
    TraceView match = new FakeView(id, 3, 6_000_000_000L, List.of(slowError, slowError, slowError), List.of(resource, resource, resource));
    TraceView miss = new FakeView(id, 1, 100_000_000L, List.of(fastOk), List.of(resource));
    record Case(String yaml) {}
    List<String> cases = List.of(
        "{name: p, type: status_code, status_code: {status_codes: [ERROR]}}",
        "{name: p, type: latency, latency: {threshold_ms: 5000}}",
        "{name: p, type: string_attribute, string_attribute: {key: gen_ai.request.model, values: [claude-sonnet-4-5]}}",
        "{name: p, type: string_attribute, string_attribute: {key: gen_ai.request.model, values: [\"^claude-\"], enabled_regex_matching: true}}",
        "{name: p, type: numeric_attribute, numeric_attribute: {key: gen_ai.usage.input_tokens, min_value: 8000}}",
        "{name: p, type: boolean_attribute, boolean_attribute: {key: goblin.debug, value: true}}",
        "{name: p, type: span_count, span_count: {min_spans: 2}}",
        "{name: p, type: and, and: {and_sub_policy: [{name: a, type: status_code, status_code: {status_codes: [ERROR]}}, {name: b, type: span_count, span_count: {min_spans: 3}}]}}");
    for (String c : cases) {
      Policy policy = policy(c);
      assertThat(policy.evaluate(match, 0)).as(c).isEqualTo(Decision.SAMPLED);
      assertThat(policy.evaluate(miss, 0)).as(c).isEqualTo(Decision.NOT_SAMPLED);
    }
    // resource attributes count too
    assertThat(policy("{name: p, type: string_attribute, string_attribute: {key: service.name, values: [litebrain]}}")
        .evaluate(miss, 0)).isEqualTo(Decision.SAMPLED);
    // invert_match gives the (deprecated) inverted decisions
    assertThat(policy("{name: p, type: boolean_attribute, boolean_attribute: {key: goblin.debug, value: true, invert_match: true}}")
        .evaluate(match, 0)).isEqualTo(Decision.INVERT_NOT_SAMPLED);
    assertThat(policy("{name: p, type: always_sample}").evaluate(miss, 0)).isEqualTo(Decision.SAMPLED);
    assertThat(policy("{name: p, type: drop, drop: {drop_sub_policy: [{name: e, type: status_code, status_code: {status_codes: [ERROR]}}]}}")
        .evaluate(match, 0)).isEqualTo(Decision.DROPPED);
    // rate_limiting: 5 spans per second: the 3-span trace fits once per second
    Policy rate = policy("{name: p, type: rate_limiting, rate_limiting: {spans_per_second: 5}}");
    assertThat(rate.evaluate(match, 0)).isEqualTo(Decision.SAMPLED);
    assertThat(rate.evaluate(match, 1)).isEqualTo(Decision.NOT_SAMPLED);
    assertThat(rate.evaluate(match, SECOND)).isEqualTo(Decision.SAMPLED);
    // composite: errors get 50% of 6 spans/s = 3, the rest an equal share (6/2 = 3)
    Policy composite = policy("""
        {name: c, type: composite, composite: {max_total_spans_per_second: 6, policy_order: [errors, rest],
          composite_sub_policy: [{name: errors, type: status_code, status_code: {status_codes: [ERROR]}},
                                 {name: rest, type: always_sample}],
          rate_allocation: [{policy: errors, percent: 50}]}}""");
    assertThat(composite.evaluate(match, 0)).isEqualTo(Decision.SAMPLED); // errors share: 3 of 3
    assertThat(composite.evaluate(match, 0)).isEqualTo(Decision.SAMPLED); // rest share: 3 of 3
    assertThat(composite.evaluate(match, 0)).isEqualTo(Decision.NOT_SAMPLED); // both used up
    assertThat(composite.evaluate(match, SECOND)).isEqualTo(Decision.SAMPLED);
  }

  private static Policy policy(String yaml) {
    ConfigNode n = Contexts.node("processors::tail_sampling::policies::0", yaml);
    PolicySpec s = PolicySpec.parse(n);
    n.finish();
    assertThat(n.errors().messages()).as(yaml).isEmpty();
    return s.create();
  }

  @Test
  void collectorPolicyBlockParsesUnchanged() throws IOException {
    String yaml;
    try (InputStream in = getClass().getResourceAsStream("/sampling/collector-policies.yaml")) {
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    TailSamplingConfig cfg = Contexts.parse("processors::tail_sampling", yaml, TailSamplingConfig::parse);
    assertThat(cfg.decisionWait()).hasSeconds(10);
    assertThat(cfg.numTraces()).isEqualTo(2000);
    assertThat(cfg.sampledCacheSize()).isEqualTo(5000);
    assertThat(cfg.nonSampledCacheSize()).isEqualTo(8000);
    assertThat(cfg.policies()).extracting(PolicySpec::type).containsExactly(
        "always_sample", "latency", "numeric_attribute", "probabilistic", "status_code", "string_attribute",
        "string_attribute", "rate_limiting", "span_count", "boolean_attribute", "and", "drop", "composite");
    cfg.policies().forEach(PolicySpec::create);
  }

  @Test
  void configErrorsNameTheFullKey() {
    ConfigNode n = Contexts.node("processors::tail_sampling", """
        num_traces: 0
        policies:
          - {name: a, type: latency, latency: {threshold_ms: soon}}
          - {name: b, type: no_such_policy}
          - {type: always_sample}
          - {name: d, type: probabilistic, probabilistic: {sampling_percentage: 150}}
        """);
    TailSamplingConfig.parse(n);
    n.finish();
    assertThat(n.errors().messages()).anySatisfy(m -> assertThat(m).startsWith("processors::tail_sampling::num_traces: was '0'"))
        .anySatisfy(m -> assertThat(m).startsWith("processors::tail_sampling::policies::0::latency::threshold_ms: was 'soon'"))
        .anySatisfy(m -> assertThat(m).startsWith("processors::tail_sampling::policies::1::type: was 'no_such_policy'"))
        .anySatisfy(m -> assertThat(m).startsWith("processors::tail_sampling::policies::2::name: is required"))
        .anySatisfy(m -> assertThat(m).startsWith("processors::tail_sampling::policies::3::probabilistic::sampling_percentage"));
  }

  @Test
  void shutdownDecidesPendingTracesAndIsIdempotent() {
    TailSamplingProcessor p = processor(ERRORS_SLOW_TEN_PERCENT);
    p.consume(traces.request(GoblinTraces.task().error())).await();
    p.start(new TestHost()).await();
    p.shutdown().await();
    p.shutdown().await();
    assertThat(byTrace(sink.received())).hasSize(1);
    assertThatThrownBy(() -> p.consume(traces.request(GoblinTraces.task())).await())
        .hasMessageContaining("stopped");
    // shutdown without start is fine
    processor(ERRORS_SLOW_TEN_PERCENT).shutdown().await();
  }

  @Test
  void shardOfIsStableAndSpreads() {
    ByteString id = ByteString.copyFrom(java.util.HexFormat.of().parseHex("0af7651916cd43dd8448eb211c80319c"));
    int s = TailSamplingProcessor.shardOf(id, 16);
    assertThat(s).isEqualTo(TailSamplingProcessor.shardOf(Otlp.high(id), Otlp.low(id), 16));
    assertThat(s).isEqualTo((int) Math.floorMod(Otlp.mix64(0x0af7651916cd43ddL ^ Long.rotateLeft(0x8448eb211c80319cL, 32)), 16L));
    int[] counts = new int[16];
    Random r = new Random(3);
    for (int i = 0; i < 16_000; i++) {
      counts[TailSamplingProcessor.shardOf(randomTraceId(r), 16)]++;
    }
    assertThat(java.util.Arrays.stream(counts).boxed().toList()).allSatisfy(c -> assertThat(c).isBetween(800, 1200));
  }

  @Test
  void indexSurvivesChurn() {
    // many inserts and removals through the processor with a tiny shard: exercises backward-shift deletion
    TailSamplingProcessor p = processor("""
        decision_wait: 1s
        num_traces: 64
        shards: 1
        decision_cache: {sampled_cache_size: 32, non_sampled_cache_size: 32}
        policies: [{name: all, type: always_sample}]
        """);
    Random r = new Random(11);
    Map<ByteString, Integer> sent = new HashMap<>();
    for (int i = 0; i < 5000; i++) {
      ByteString id = randomTraceId(r);
      sent.merge(id, 1, Integer::sum);
      p.consume(request(id, "x", s -> {})).await();
      if (i % 50 == 0) {
        advance(2 * SECOND);
        p.tick().await();
      }
    }
    p.shutdown().await();
    assertThat(byTrace(sink.received()).keySet()).containsExactlyInAnyOrderElementsOf(sent.keySet());
  }

  @Test
  void framesAndInternedOriginsAreFreedOnceNoPendingTraceUsesThem() {
    TailSamplingProcessor p = processor("""
        decision_wait: 1s
        max_pending_bytes: 256KiB
        shards: 2
        policies: [{name: all, type: always_sample}]
        """);
    Random r = new Random(21);
    Map<ByteString, Integer> sent = new HashMap<>();
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 300; i++) {
        ByteString id = randomTraceId(r);
        sent.merge(id, 1, Integer::sum);
        p.consume(request(id, "service-" + (i % 7), s -> {})).await();
      }
      assertThat(p.pendingBytes()).isPositive();
      advance(2 * SECOND);
      p.tick().await();
      // everything decided: the log's chunks and every interned resource are gone
      assertThat(p.pendingTraces()).isZero();
      assertThat(p.pendingBytes()).isZero();
    }
    assertThat(byTrace(sink.received()).keySet()).containsExactlyInAnyOrderElementsOf(sent.keySet());
    assertThat(byTrace(sink.received()).values()).allSatisfy(spans -> assertThat(spans).hasSize(1));
  }

  @Test
  void spansStoredFromTheirReceivedBytesComeOutEqual() throws Exception {
    TailSamplingProcessor p = processor("""
        decision_wait: 1s
        policies: [{name: all, type: always_sample}]
        """);
    Random r = new Random(31);
    List<Span> sent = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      byte[] bytes = SpanWireTest.request(r).toByteArray();
      ExportTraceServiceRequest parsed = ExportTraceServiceRequest.parseFrom(bytes);
      // as a cost processor would: one span rewritten (serialized), the others copied from the bytes
      ExportTraceServiceRequest consumed = parsed;
      io.goblinos.gateway.api.signal.WireBytes hint = new io.goblinos.gateway.api.signal.WireBytes(parsed, bytes);
      if (!SpanWireTest.flatten(parsed).isEmpty() && parsed.getResourceSpans(0).getScopeSpansCount() > 0
          && parsed.getResourceSpans(0).getScopeSpans(0).getSpansCount() > 0) {
        ExportTraceServiceRequest.Builder b = parsed.toBuilder();
        b.getResourceSpansBuilder(0).getScopeSpansBuilder(0).getSpansBuilder(0).setName("rewritten");
        ScopeSpans ss = parsed.getResourceSpans(0).getScopeSpans(0);
        if (ss.getSpansCount() > 1) {
          // as cost does: attributes appended and declared, so the received bytes plus the new fields are stored
          Span original = ss.getSpans(1);
          List<KeyValue> added = List.of(kv("llm.cost", "0.25"), kv("llm.tokens.total", "42"));
          Span extended = original.toBuilder().addAllAttributes(added).build();
          hint.declareAppended(extended, original, Span.ATTRIBUTES_FIELD_NUMBER, added);
          b.getResourceSpansBuilder(0).getScopeSpansBuilder(0).setSpans(1, extended);
        }
        consumed = b.build();
      }
      sent.addAll(SpanWireTest.flatten(consumed));
      ExportTraceServiceRequest c = consumed;
      io.goblinos.gateway.api.signal.WireBytes.during(hint, () -> p.consume(c)).await();
    }
    advance(2 * SECOND);
    p.tick().await();
    List<Span> received = new java.util.ArrayList<>();
    sink.received().forEach(req -> received.addAll(SpanWireTest.flatten(req)));
    assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
  }

  @Test
  void keptSpansWaitAsBytesUntilTheyMakeABatchAndLeaveAsOneRequest() {
    TailSamplingProcessor p = processor("""
        decision_wait: 1s
        emit_batch_size: 2500
        emit_timeout: 1h
        policies: [{name: all, type: always_sample}]
        """);
    Random r = new Random(41);
    Map<ByteString, Integer> sent = new HashMap<>();
    for (int i = 0; i < 2000; i++) {
      ByteString id = randomTraceId(r);
      sent.merge(id, 1, Integer::sum);
      p.consume(request(id, "service-" + (i % 5), s -> {})).await();
    }
    advance(2 * SECOND);
    p.tick().await();
    // decided and kept, but 2000 spans are fewer than a batch: held as bytes, nothing passed on yet
    assertThat(p.pendingTraces()).isZero();
    assertThat(sink.received()).isEmpty();
    assertThat(gauge("gateway.processor.tail_sampling.kept.bytes")).isPositive();
    for (int i = 0; i < 600; i++) {
      ByteString id = randomTraceId(r);
      sent.merge(id, 1, Integer::sum);
      p.consume(request(id, "service-" + (i % 5), s -> {})).await();
    }
    advance(2 * SECOND);
    p.tick().await();
    // the decision pass that brought the batch to 2500 spans or more passed it on: one request, decoded over several
    // event-loop turns, regrouped by resource; the spans of later passes wait for the next batch
    assertThat(sink.received()).hasSize(1);
    assertThat(Sink.spans(sink.received()).size()).isBetween(2500, 2600);
    assertThat(sink.received().get(0).getResourceSpansList()).hasSize(5);
    assertThat(sent.keySet()).containsAll(byTrace(sink.received()).keySet());
    assertThat(Sink.spans(sink.received())).allSatisfy(span -> assertThat(span.getName()).isEqualTo("op"));
    p.shutdown().await();
    assertThat(byTrace(sink.received()).keySet()).containsExactlyInAnyOrderElementsOf(sent.keySet());
    assertThat(Sink.spans(sink.received())).hasSize(2600);
    assertThat(gauge("gateway.processor.tail_sampling.kept.bytes")).isZero();
  }

  @Test
  void keptSpansLeaveAfterEmitTimeoutAndAtShutdown() {
    TailSamplingProcessor p = processor("""
        decision_wait: 1s
        emit_timeout: 3s
        policies: [{name: all, type: always_sample}]
        """);
    Random r = new Random(43);
    ByteString first = randomTraceId(r);
    p.consume(request(first, "a", s -> {})).await();
    advance(2 * SECOND);
    p.tick().await(); // decided now; its span waits for company
    assertThat(sink.received()).isEmpty();
    advance(2 * SECOND);
    p.tick().await();
    assertThat(sink.received()).isEmpty();
    advance(SECOND);
    p.tick().await(); // 3 s after the decision
    assertThat(byTrace(sink.received()).keySet()).containsExactly(first);

    ByteString second = randomTraceId(r);
    p.consume(request(second, "a", s -> {})).await();
    advance(2 * SECOND);
    p.tick().await();
    assertThat(byTrace(sink.received()).keySet()).containsExactly(first);
    p.shutdown().await(); // nothing acknowledged is left behind
    assertThat(byTrace(sink.received()).keySet()).containsExactlyInAnyOrder(first, second);
    assertThat(gauge("gateway.processor.tail_sampling.kept.bytes")).isZero();
  }

  @Test
  void tracesDecidedEarlyAreKeptAsBytesToo() {
    TailSamplingProcessor p = processor("""
        decision_wait: 30s
        num_traces: 10
        shards: 1
        emit_batch_size: 25
        emit_timeout: 1h
        policies: [{name: all, type: always_sample}]
        """);
    Random r = new Random(47);
    List<ByteString> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ByteString id = randomTraceId(r);
      ids.add(id);
      p.consume(request(id, "a", s -> {})).await();
    }
    // 30 traces were decided early to make room: one batch of 25 left with the request that completed it
    assertThat(counter("gateway.processor.tail_sampling.traces.evicted_early")).isEqualTo(30);
    assertThat(Sink.spans(sink.received())).hasSize(25);
    assertThat(byTrace(sink.received()).keySet()).containsExactlyInAnyOrderElementsOf(ids.subList(0, 25));
  }

  @Test
  void emitKeysAreValidated() {
    assertThatThrownBy(() -> Contexts.parse("processors::tail_sampling", "emit_batch_size: 0",
        TailSamplingConfig::parse)).hasMessageContaining("emit_batch_size");
    assertThatThrownBy(() -> Contexts.parse("processors::tail_sampling", "emit_timeout: soon",
        TailSamplingConfig::parse)).hasMessageContaining("emit_timeout");
    TailSamplingConfig defaults = Contexts.parse("processors::tail_sampling", "{}", TailSamplingConfig::parse);
    assertThat(defaults.emitBatchSize()).isEqualTo(8192);
    assertThat(defaults.emitTimeout()).isEqualTo(java.time.Duration.ofSeconds(1));
  }

  private double gauge(String name) {
    var g = registry.find(name).gauge();
    return g == null ? Double.NaN : g.value();
  }

  // ---- helpers

  static ByteString randomTraceId(Random random) {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return ByteString.copyFrom(b);
  }

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static ExportTraceServiceRequest request(ByteString traceId, String service, java.util.function.Consumer<Span.Builder> f) {
    byte[] spanId = new byte[8];
    new Random(traceId.hashCode() ^ service.hashCode()).nextBytes(spanId);
    Span.Builder span = Span.newBuilder().setTraceId(traceId).setSpanId(ByteString.copyFrom(spanId)).setName("op")
        .setStartTimeUnixNano(1_700_000_000_000_000_000L).setEndTimeUnixNano(1_700_000_000_100_000_000L);
    f.accept(span);
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(kv("service.name", service)))
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
        .build();
  }

  record FakeView(byte[] id, int spanCount, long durationNanos, List<Span> spans, List<List<KeyValue>> resourceAttributes)
      implements TraceView {
    @Override
    public long traceIdHigh() {
      return 0;
    }

    @Override
    public long traceIdLow() {
      return 0;
    }

    @Override
    public byte[] traceIdBytes() {
      return id;
    }

    @Override
    public boolean hasStatus(Status.StatusCode code) {
      return spans.stream().anyMatch(s -> s.getStatus().getCode() == code);
    }

    @Override
    public long sizeBytes() {
      return 0;
    }
  }
}
