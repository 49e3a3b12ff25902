package io.goblinos.gateway.tracing.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import com.hazelcast.map.IMap;
import io.goblinos.gateway.tracing.internal.Otlp;
import io.goblinos.gateway.tracing.testing.Contexts;
import io.goblinos.gateway.tracing.testing.GoblinTraces;
import io.goblinos.gateway.tracing.testing.Sink;
import io.goblinos.gateway.tracing.testing.TestHost;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-key accounting of the cost processor and its stores: exact under concurrent event loops, no increment lost
 * or counted twice when flushes race adds or fail, label guards and prices as if looked up for every span.
 */
class CostAccountingTest {
  @TempDir Path dir;
  private Vertx vertx;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    Files.copy(Path.of("../../conf/prices.yaml"), dir.resolve("prices.yaml"));
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private CostProcessor processor(MeterRegistry registry, CostStore store, String yaml) {
    CostConfig cfg = Contexts.parse("processors::cost", "mode: local\nprices_file: prices.yaml\n" + yaml,
        CostConfig::parse);
    CostProcessor p = new CostProcessor(Contexts.context(vertx, registry, "cost", dir), cfg, store,
        r -> io.vertx.core.Future.succeededFuture());
    p.start(new TestHost()).await();
    return p;
  }

  /** Every {@code llm.*} meter's value by name and tags. */
  private static Map<String, Double> llmMeters(MeterRegistry registry) {
    Map<String, Double> m = new TreeMap<>();
    for (Meter meter : registry.getMeters()) {
      if (meter.getId().getName().startsWith("llm.") && meter instanceof Counter c) {
        m.put(meter.getId().getName() + meter.getId().getTags(), c.count());
      }
    }
    return m;
  }

  private static void assertSameTotals(Map<CostKey, CostTotals> actual, Map<CostKey, CostTotals> expected) {
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    expected.forEach((k, e) -> {
      CostTotals a = actual.get(k);
      assertThat(a.inputTokens()).as("%s", k).isEqualTo(e.inputTokens());
      assertThat(a.outputTokens()).as("%s", k).isEqualTo(e.outputTokens());
      assertThat(a.spans()).as("%s", k).isEqualTo(e.spans());
      assertThat(a.unpricedSpans()).as("%s", k).isEqualTo(e.unpricedSpans());
      // the same increments summed in another order
      assertThat(a.costUsd()).as("%s", k).isCloseTo(e.costUsd(), within(1e-9 * Math.max(1, e.costUsd())));
    });
  }

  @Test
  void concurrentEventLoopsCountExactlyWhatOneThreadCounts() throws Exception {
    List<ExportTraceServiceRequest> requests = new ArrayList<>();
    BenchTraces gen = new BenchTraces(11);
    for (int i = 0; i < 200; i++) {
      requests.add(gen.request(100));
    }
    SimpleMeterRegistry oneRegistry = new SimpleMeterRegistry();
    CostProcessor one = processor(oneRegistry, new LocalCostStore(), "");
    SimpleMeterRegistry manyRegistry = new SimpleMeterRegistry();
    CostProcessor many = processor(manyRegistry, new LocalCostStore(), "");
    int threads = 4;
    int passes = 3;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int pass = 0; pass < passes * threads; pass++) {
        requests.forEach(one::consume);
      }
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          go.await();
          for (int pass = 0; pass < passes; pass++) {
            requests.forEach(many::consume);
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get();
      }
      assertSameTotals(many.store().totals().await(), one.store().totals().await());
      Map<String, Double> expected = llmMeters(oneRegistry);
      Map<String, Double> actual = llmMeters(manyRegistry);
      assertThat(actual.keySet()).isEqualTo(expected.keySet());
      expected.forEach((k, v) -> assertThat(actual.get(k)).as(k).isCloseTo(v, within(1e-9 * Math.max(1, v))));
      assertThat(expected.keySet()).anyMatch(k -> k.startsWith("llm.cost.unknown.model"));
    } finally {
      pool.shutdownNow();
      one.shutdown().await();
      many.shutdown().await();
    }
  }

  @Test
  void flushesRacingAddsLoseNothingAndCountNothingTwice() throws Exception {
    HazelcastCostStore store = new HazelcastCostStore(vertx, new HazelcastSettings("goblin-race-" + System.nanoTime(),
        "127.0.0.1", HazelcastCostStoreTest.freePort(), false, 1, List.of(), Duration.ofMillis(1)), "cost");
    int threads = 4;
    int adds = 20_000;
    int keys = 7;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      store.start().await();
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          // as the processor does: one kept account per key
          List<CostTracker.Account> accounts = new ArrayList<>();
          for (int k = 0; k < keys; k++) {
            accounts.add(store.account(new CostKey("openai", "gpt-4o", "g" + k)));
          }
          for (int i = 0; i < adds; i++) {
            accounts.get(i % keys).add(0.25, 3, 1, 1, i % 2);
            if (i % 1000 == 0) {
              store.endBatch();
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      Map<CostKey, CostTotals> totals = store.totals().await();
      for (int k = 0; k < keys; k++) {
        long n = 0;
        long unpriced = 0;
        for (int i = 0; i < adds; i++) {
          if (i % keys == k) {
            n++;
            unpriced += i % 2;
          }
        }
        n *= threads;
        unpriced *= threads;
        assertThat(totals.get(new CostKey("openai", "gpt-4o", "g" + k)))
            .isEqualTo(new CostTotals(0.25 * n, 3 * n, n, n, unpriced)); // quarters add up exactly
      }
      assertThat(store.unflushedKeys()).isZero();
      assertThat(store.droppedSpans()).isZero();
    } finally {
      pool.shutdownNow();
      store.close().await();
    }
  }

  @Test
  void aFailedFlushKeepsItsIncrementsForTheNextOneExactlyOnce() throws Exception {
    HazelcastCostStore store = new HazelcastCostStore(vertx, new HazelcastSettings("goblin-fail-" + System.nanoTime(),
        "127.0.0.1", HazelcastCostStoreTest.freePort(), false, 1, List.of(), Duration.ofHours(1)), "cost");
    try {
      store.start().await();
      CostKey k = new CostKey("openai", "gpt-4o", "goblin-1");
      String mapKey = HazelcastCostStore.mapKey(k.encode());
      // a value the entry processor cannot add to: the whole submitToKeys fails
      @SuppressWarnings({"unchecked", "rawtypes"})
      IMap<String, Object> raw = (IMap) store.instance().getMap(HazelcastCostStore.TOTALS);
      raw.put(mapKey, "not a double[]");
      CostTracker.Account account = store.account(k);
      account.add(0.5, 100, 10, 1, 0);
      account.add(0.5, 100, 10, 1, 0);
      assertThatThrownBy(() -> store.flush().await()).isInstanceOf(Exception.class);
      assertThat(store.pendingTotals()).isEqualTo(Map.of(k, new CostTotals(1, 200, 20, 2, 0)));
      // adds after the failure join the kept increments, through the same account
      account.add(0.25, 1, 1, 1, 1);
      assertThat(store.pendingTotals()).isEqualTo(Map.of(k, new CostTotals(1.25, 201, 21, 3, 1)));
      assertThat(store.unflushedKeys()).isEqualTo(1);

      raw.delete(mapKey);
      assertThat(store.totals().await()).isEqualTo(Map.of(k, new CostTotals(1.25, 201, 21, 3, 1)));
      assertThat(store.unflushedKeys()).isZero();
      account.add(0.25, 1, 1, 1, 0);
      assertThat(store.totals().await()).isEqualTo(Map.of(k, new CostTotals(1.5, 202, 22, 4, 1)));
    } finally {
      store.close().await();
    }
  }

  @Test
  void boundedPendingKeysAcceptNewKeysAgainOnceFlushed() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    HazelcastCostStore store = new HazelcastCostStore(vertx, new HazelcastSettings("goblin-cap-" + System.nanoTime(),
        "127.0.0.1", HazelcastCostStoreTest.freePort(), false, 1, List.of(), Duration.ofHours(1)), "cost", registry);
    try {
      store.start().await();
      CostTotals one = new CostTotals(0.5, 10, 1, 1, 0);
      for (int i = 0; i < HazelcastCostStore.MAX_UNFLUSHED_KEYS; i++) {
        store.account(new CostKey("openai", "m", "g" + i)).add(0.5, 10, 1, 1, 0);
      }
      CostTracker.Account late = store.account(new CostKey("openai", "m", "late"));
      late.add(0.5, 10, 1, 1, 0); // full: dropped and counted
      assertThat(store.droppedSpans()).isEqualTo(1);
      assertThat(registry.find("gateway.processor.cost.tracker.pending").gauge().value())
          .isEqualTo(HazelcastCostStore.MAX_UNFLUSHED_KEYS);
      Map<CostKey, CostTotals> totals = store.totals().await(); // flushes everything
      assertThat(totals).hasSize(HazelcastCostStore.MAX_UNFLUSHED_KEYS).doesNotContainKey(
          new CostKey("openai", "m", "late"));
      assertThat(totals.get(new CostKey("openai", "m", "g7"))).isEqualTo(one);
      late.add(0.5, 10, 1, 1, 0); // room again
      assertThat(store.totals().await().get(new CostKey("openai", "m", "late"))).isEqualTo(one);
      assertThat(store.droppedSpans()).isEqualTo(1);
      assertThat(registry.find("gateway.processor.cost.tracker.dropped").counter().count()).isEqualTo(1);
    } finally {
      store.close().await();
    }
  }

  @Test
  void localAccountsHandedOutButNeverAddedToAreNoTotals() {
    LocalCostStore store = new LocalCostStore();
    store.account(new CostKey("openai", "gpt-4o", "idle"));
    store.account(new CostKey("openai", "gpt-4o", "busy")).add(1, 2, 3, 1, 0);
    assertThat(store.totals().await())
        .isEqualTo(Map.of(new CostKey("openai", "gpt-4o", "busy"), new CostTotals(1, 2, 3, 1, 0)));
  }

  @Test
  void labelGuardsCountEveryCollapsedSpanWhileAdmittedLabelsSkipThem() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CostProcessor p = processor(registry, new LocalCostStore(), "max_label_values: 2");
    GoblinTraces traces = new GoblinTraces();
    try {
      for (String goblin : List.of("g1", "g2", "g3", "g1", "g3", "g2", "g1", "other", "other", "g3")) {
        p.consume(traces.request(GoblinTraces.task().goblin(goblin).tokens(10, 1))).await();
      }
      // g3 (three times) and the literal "other" (twice) arrived when two goblins were admitted: five collapses
      assertThat(registry.find("gateway.processor.label.overflow").tags("label", "goblin_id").counter().count())
          .isEqualTo(5);
      assertThat(registry.find("llm.tokens").tags("goblin_id", "other", "direction", "input").counter().count())
          .isEqualTo(50);
      assertThat(registry.find("llm.tokens").tags("goblin_id", "g1", "direction", "input").counter().count())
          .isEqualTo(30);
      Map<CostKey, CostTotals> totals = p.store().totals().await();
      assertThat(totals.keySet()).extracting(CostKey::goblinId).containsExactlyInAnyOrder("g1", "g2", "other");
      assertThat(totals.get(new CostKey("openai", "gpt-4o-2024-08-06", "other")).spans()).isEqualTo(5);
    } finally {
      traces.close();
      p.shutdown().await();
    }
  }

  @Test
  void aRequestsSpansSummedPerKeyCountWhatTheyCountOneByOne() {
    // 20 goblins (more keys than one request sums) x 3 spans, priced and unpriced models, in one request ...
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    List<Span> spans = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (int g = 0; g < 20; g++) {
        Span span = llmSpan(g % 3 == 0 ? "no-such-model" : "gpt-4o", 1_750_000_000_000_000_000L + round, "goblin-" + g);
        spans.add(span);
        scope.addSpans(span);
      }
    }
    SimpleMeterRegistry together = new SimpleMeterRegistry();
    CostProcessor all = processor(together, new LocalCostStore(), "");
    SimpleMeterRegistry apart = new SimpleMeterRegistry();
    CostProcessor single = processor(apart, new LocalCostStore(), "");
    try {
      all.consume(ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
          .build()).await();
      // ... count as each span in a request of its own
      for (Span span : spans) {
        single.consume(ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build()).await();
      }
      Map<CostKey, CostTotals> totals = all.store().totals().await();
      assertThat(totals).hasSize(20);
      assertSameTotals(totals, single.store().totals().await());
      Map<String, Double> expected = llmMeters(apart);
      Map<String, Double> actual = llmMeters(together);
      assertThat(actual.keySet()).isEqualTo(expected.keySet());
      expected.forEach((k, v) -> assertThat(actual.get(k)).as(k).isCloseTo(v, within(1e-9 * Math.max(1, v))));
      assertThat(totals.get(new CostKey("openai", "no-such-model", "goblin-0")).unpricedSpans()).isEqualTo(3);
    } finally {
      all.shutdown().await();
      single.shutdown().await();
    }
  }

  @Test
  void collapsedLabelsRepeatedInOneRequestAreCountedPerSpan() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CostProcessor p = processor(registry, new LocalCostStore(), "max_label_values: 1");
    try {
      ScopeSpans.Builder scope = ScopeSpans.newBuilder();
      for (String goblin : List.of("g1", "g1", "g2", "g2", "g2", "g1")) {
        scope.addSpans(llmSpan("gpt-4o", 1_750_000_000_000_000_000L, goblin));
      }
      p.consume(ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
          .build()).await();
      // g1 was admitted; each of g2's three spans (one after another) was collapsed into "other" and counted
      assertThat(registry.find("gateway.processor.label.overflow").tags("label", "goblin_id").counter().count())
          .isEqualTo(3);
      Map<CostKey, CostTotals> totals = p.store().totals().await();
      assertThat(totals.get(new CostKey("openai", "gpt-4o", "g1")).spans()).isEqualTo(3);
      assertThat(totals.get(new CostKey("openai", "gpt-4o", "other")).spans()).isEqualTo(3);
    } finally {
      p.shutdown().await();
    }
  }

  private static Span llmSpan(String model, long startNanos) {
    return llmSpan(model, startNanos, "g");
  }

  private static Span llmSpan(String model, long startNanos, String goblin) {
    Span.Builder b = Span.newBuilder().setTraceId(ByteString.copyFrom(new byte[16])).setName("chat")
        .setStartTimeUnixNano(startNanos).setEndTimeUnixNano(startNanos + 1_000_000_000L)
        .addAttributes(str("gen_ai.provider.name", "openai"))
        .addAttributes(KeyValue.newBuilder().setKey("gen_ai.usage.input_tokens")
            .setValue(AnyValue.newBuilder().setIntValue(1_000_000)))
        .addAttributes(str("goblin.id", goblin));
    if (model != null) {
      b.addAttributes(str("gen_ai.request.model", model));
    }
    return b.build();
  }

  private static KeyValue str(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(Otlp.stringValue(value)).build();
  }

  /** The llm.cost set on {@code span}, NaN when its model is unknown. */
  private static double costOf(CostProcessor p, Sink<ExportTraceServiceRequest> sink, Span span) {
    sink.clear();
    p.consume(ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build()).await();
    Span out = Sink.spans(sink.received()).get(0);
    AnyValue unknown = Otlp.find(out.getAttributesList(), "llm.cost.unknown_model");
    return unknown != null && unknown.getBoolValue() ? Double.NaN
        : Otlp.find(out.getAttributesList(), "llm.cost").getDoubleValue();
  }

  @Test
  void pricesFollowTheSpanDayTheTableAndAMissingModel() throws Exception {
    Files.writeString(dir.resolve("prices.yaml"), """
        models:
          - {provider: openai, model: "o3*", input_per_mtok: 10, output_per_mtok: 40, effective_until: 2025-06-10}
          - {provider: openai, model: "o3*", input_per_mtok: 2, output_per_mtok: 8, effective_from: 2025-06-10}
          - {provider: openai, model: "*", input_per_mtok: 1, output_per_mtok: 1}
        """);
    Sink<ExportTraceServiceRequest> sink = new Sink<>();
    CostConfig cfg = Contexts.parse("processors::cost", "mode: local\nprices_file: prices.yaml", CostConfig::parse);
    CostProcessor p = new CostProcessor(Contexts.context(vertx, new SimpleMeterRegistry(), "cost", dir), cfg,
        new LocalCostStore(), sink);
    p.start(new TestHost()).await();
    try {
      long before = LocalDate.parse("2025-06-09").atStartOfDay().toEpochSecond(ZoneOffset.UTC) * 1_000_000_000L;
      long after = LocalDate.parse("2025-06-11").atStartOfDay().toEpochSecond(ZoneOffset.UTC) * 1_000_000_000L;
      for (int i = 0; i < 3; i++) {
        assertThat(costOf(p, sink, llmSpan("o3", before))).isEqualTo(10);
        assertThat(costOf(p, sink, llmSpan("o3", after))).isEqualTo(2);
        // no model at all is unknown; a model named "unknown" (same labels) is priced by the catch-all entry
        assertThat(costOf(p, sink, llmSpan(null, after))).isNaN();
        assertThat(costOf(p, sink, llmSpan("unknown", after))).isEqualTo(1);
      }
      p.store().replaceAll(List.of(new PriceEntry("openai", "o3*", 3, 3, null, null))).await();
      assertThat(costOf(p, sink, llmSpan("o3", before))).isEqualTo(3);
      assertThat(costOf(p, sink, llmSpan("unknown", after))).isNaN();
      Map<CostKey, CostTotals> totals = p.store().totals().await();
      assertThat(totals.get(new CostKey("openai", "o3", "g")).costUsd()).isCloseTo(3 * 12 + 3, within(1e-9));
      assertThat(totals.get(new CostKey("openai", "unknown", "g")))
          .isEqualTo(new CostTotals(3, 7_000_000, 0, 7, 4));
    } finally {
      p.shutdown().await();
    }
  }
}
