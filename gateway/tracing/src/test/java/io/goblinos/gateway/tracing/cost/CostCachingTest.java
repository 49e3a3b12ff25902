package io.goblinos.gateway.tracing.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.goblinos.gateway.tracing.testing.Contexts;
import io.goblinos.gateway.tracing.testing.GoblinTraces;
import io.goblinos.gateway.tracing.testing.Sink;
import io.goblinos.gateway.tracing.testing.TestHost;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hot-path caches of the cost processor: meters, price lookups and the bounded unflushed totals. */
class CostCachingTest {
  @TempDir Path dir;

  private static long nanos(LocalDate day, int hour) {
    return day.atTime(hour, 30).toEpochSecond(ZoneOffset.UTC) * 1_000_000_000L;
  }

  @Test
  void memoizedLookupsEqualUncachedOnesAcrossEffectiveDates() {
    LocalDate d1 = LocalDate.of(2025, 3, 1);
    LocalDate d2 = LocalDate.of(2025, 6, 1);
    PriceIndex index = new PriceIndex(List.of(
        new PriceEntry("openai", "gpt-4o*", 5, 15, null, d1),
        new PriceEntry("openai", "gpt-4o*", 2.5, 10, d1, d2),
        new PriceEntry("openai", "gpt-4o*", 2, 8, d2, null),
        new PriceEntry("openai", "gpt-4o-mini*", 0.15, 0.6, null, null),
        new PriceEntry("openai", "gpt-4o-2024-08-06", 3, 12, d1, null),
        new PriceEntry("gcp.*", "gemini-2.5-flash*", 0.3, 2.5, null, null)));
    List<String[]> queries = List.of(new String[] {"openai", "gpt-4o"}, new String[] {"OpenAI", "GPT-4o-2024-08-06"},
        new String[] {"openai", "gpt-4o-mini-2024-07-18"}, new String[] {"gemini", "gemini-2.5-flash"},
        new String[] {"vertex_ai", "gemini-2.5-flash-lite"}, new String[] {"openai", "gpt-7"},
        new String[] {"anthropic", "gpt-4o"});
    for (int pass = 0; pass < 2; pass++) { // first pass fills the cache, second reads it
      for (LocalDate day = d1.minusDays(3); day.isBefore(d2.plusDays(3)); day = day.plusDays(1)) {
        for (String[] q : queries) {
          for (int hour : new int[] {0, 23}) {
            long t = nanos(day, hour);
            assertThat(index.lookup(q[0], q[1], t)).as("%s %s %s", q[0], q[1], day)
                .isEqualTo(index.uncachedLookup(q[0], q[1], t));
          }
        }
      }
    }
    assertThat(index.lookup("openai", "gpt-4o", nanos(d1.minusDays(1), 23)).inputPerMtok()).isEqualTo(5);
    assertThat(index.lookup("openai", "gpt-4o", nanos(d1, 0)).inputPerMtok()).isEqualTo(2.5);
    assertThat(index.lookup("openai", "gpt-4o", nanos(d2, 0)).inputPerMtok()).isEqualTo(2);
    assertThat(index.lookup("openai", "gpt-7", nanos(d2, 0))).isNull();
    assertThat(index.lookup("openai", "gpt-4o", 0)).isEqualTo(index.uncachedLookup("openai", "gpt-4o", 0));
    long days = java.time.temporal.ChronoUnit.DAYS.between(d1.minusDays(3), d2.plusDays(3));
    assertThat(index.cachedLookups()).isEqualTo(7 * days + 1); // one key per query and day, plus "now"
  }

  @Test
  void memoSlotsSharedByManyKeysStillAnswerEachKeyCorrectly() {
    LocalDate d1 = LocalDate.of(2025, 3, 1);
    PriceIndex index = new PriceIndex(List.of(
        new PriceEntry("openai", "m-1*", 1, 2, null, d1),
        new PriceEntry("openai", "m-1*", 3, 4, d1, null),
        new PriceEntry("anthropic", "m-2*", 5, 6, null, null)));
    // more keys than memo slots (pigeonhole: slots are shared), asked in turns so that each answer is memoized and
    // then overwritten by another key's before it is asked again
    for (int pass = 0; pass < 3; pass++) {
      for (int i = 0; i < 2 * PriceIndex.MEMO_SLOTS + 7; i++) {
        for (String provider : new String[] {"openai", "anthropic"}) {
          for (LocalDate day : new LocalDate[] {d1.minusDays(1), d1}) {
            long t = nanos(day, 12);
            assertThat(index.lookup(provider, "m-" + i, t)).as("%s m-%d %s", provider, i, day)
                .isEqualTo(index.uncachedLookup(provider, "m-" + i, t));
          }
        }
      }
    }
  }

  @Test
  void lookupCacheIsBoundedAndStillCorrectBeyondTheBound() {
    PriceIndex index = new PriceIndex(List.of(new PriceEntry("openai", "m-1*", 1, 2, null, null)));
    for (int i = 0; i < PriceIndex.MAX_CACHED + 500; i++) {
      assertThat(index.lookup("openai", "m-" + i, 0) != null).isEqualTo(String.valueOf(i).startsWith("1"));
    }
    assertThat(index.cachedLookups()).isEqualTo(PriceIndex.MAX_CACHED);
    assertThat(index.lookup("openai", "m-10499", 0)).isNotNull(); // uncached key, computed
  }

  @Test
  void countersAreRegisteredOnceAndReused() throws Exception {
    CostConfig cfg = gpt4oLocalConfig();
    Vertx vertx = Vertx.vertx();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    GoblinTraces traces = new GoblinTraces();
    CostProcessor p = new CostProcessor(Contexts.context(vertx, registry, "cost", dir), cfg, new LocalCostStore(),
        new Sink<ExportTraceServiceRequest>());
    try {
      p.start(new TestHost()).await();
      CostKey key = new CostKey("openai", "gpt-4o-2024-08-06", "g");
      CostKey unknown = new CostKey("openai", "gpt-7", "g");
      for (int i = 0; i < 3; i++) {
        p.consume(traces.request(GoblinTraces.task().goblin("g").tokens(1_000_000, 100))).await();
        p.consume(traces.request(GoblinTraces.task().goblin("g").model("openai", "gpt-7", null))).await();
      }
      Counter in = registry.find("llm.tokens").tags("provider", "openai", "model", key.model(), "goblin_id", "g",
          "direction", "input").counter();
      assertThat(p.cachedTokenCounter(key, "input")).isSameAs(in).isSameAs(p.cachedTokenCounter(key, "input"));
      assertThat(in.count()).isEqualTo(3_000_000);
      assertThat(p.cachedTokenCounter(key, "output").count()).isEqualTo(300);
      assertThat(registry.find("llm.cost.usd").tags("model", key.model()).counter().count())
          .isCloseTo(7.5 + 3 * 100 * 10 / 1e6, within(1e-9));
      Counter unknownCounter = registry.find("llm.cost.unknown.model").tags("model", "gpt-7").counter();
      assertThat(p.cachedUnknownModelCounter(unknown)).isSameAs(unknownCounter);
      assertThat(unknownCounter.count()).isEqualTo(3);
      // a key with only unpriced spans still has no cost series, as before the cache
      assertThat(registry.find("llm.cost.usd").tags("model", "gpt-7").counter()).isNull();
      assertThat(registry.find("llm.tokens").tags("model", "gpt-7", "direction", "input").counter().count())
          .isEqualTo(3 * 1200);
    } finally {
      p.shutdown().await();
      traces.close();
      vertx.close().await();
    }
  }

  /**
   * Event loops sum their LLM spans into their own tallies, recorded by the timer, before {@code GET /v1/costs} and at
   * shutdown: once flushed, the meters and totals equal those of the same requests enriched on a plain thread (which
   * records each request at its end). 300 goblins make the tallies grow past their first size.
   */
  @Test
  void eventLoopTalliesRecordTheSameMetersAndTotalsAsRequestsRecordedAtOnce() throws Exception {
    CostConfig cfg = gpt4oLocalConfig();
    Vertx vertx = Vertx.vertx();
    GoblinTraces traces = new GoblinTraces();
    SimpleMeterRegistry onLoops = new SimpleMeterRegistry();
    SimpleMeterRegistry direct = new SimpleMeterRegistry();
    LocalCostStore loopStore = new LocalCostStore();
    LocalCostStore directStore = new LocalCostStore();
    CostProcessor p = new CostProcessor(Contexts.context(vertx, onLoops, "cost", dir), cfg, loopStore,
        new Sink<ExportTraceServiceRequest>());
    CostProcessor q = new CostProcessor(Contexts.context(vertx, direct, "cost", dir), cfg, directStore,
        new Sink<ExportTraceServiceRequest>());
    try {
      p.start(new TestHost()).await();
      q.start(new TestHost()).await();
      List<ExportTraceServiceRequest> requests = new java.util.ArrayList<>();
      for (int i = 0; i < 600; i++) {
        GoblinTraces.Task t = GoblinTraces.task().goblin("g" + i % 300).tokens(1000 + i, 10 + i);
        requests.add(traces.request(i % 7 == 0 ? t.model("openai", "gpt-7", null) : t));
      }
      List<io.vertx.core.Context> loops = List.of(vertx.getOrCreateContext(), vertx.getOrCreateContext(),
          vertx.getOrCreateContext());
      List<Future<Void>> done = new java.util.ArrayList<>();
      for (int i = 0; i < requests.size(); i++) {
        ExportTraceServiceRequest r = requests.get(i);
        io.vertx.core.Promise<Void> promise = io.vertx.core.Promise.promise();
        loops.get(i % loops.size()).runOnContext(v -> {
          assertThat(io.vertx.core.Context.isOnEventLoopThread()).isTrue();
          p.consume(r).onComplete(promise);
        });
        done.add(promise.future());
        q.consume(r).await(); // this thread is no event loop: recorded as each request ends
      }
      Future.all(done).await();
      p.flushTallies();
      assertThat(totals(loopStore)).isEqualTo(totals(directStore)).hasSizeGreaterThan(300);
      for (String meter : List.of("llm.tokens", "llm.cost.usd", "llm.cost.unknown.model")) {
        assertThat(sums(onLoops, meter)).as(meter).isEqualTo(sums(direct, meter)).isNotEmpty();
      }

      // what the loops enrich after the last flush is recorded at shutdown
      io.vertx.core.Promise<Void> last = io.vertx.core.Promise.promise();
      loops.get(0).runOnContext(v -> p.consume(requests.get(1)).onComplete(last));
      last.future().await();
      q.consume(requests.get(1)).await();
      p.shutdown().await();
      assertThat(totals(loopStore)).isEqualTo(totals(directStore));
    } finally {
      p.shutdown().await();
      q.shutdown().await();
      traces.close();
      vertx.close().await();
    }
  }

  /** {@code mode: local} with a price file of one model, {@code openai gpt-4o*} at 2.5 and 10 USD per M tokens. */
  private CostConfig gpt4oLocalConfig() throws Exception {
    Files.writeString(dir.resolve("prices.yaml"),
        "models: [{provider: openai, model: \"gpt-4o*\", input_per_mtok: 2.5, output_per_mtok: 10}]");
    return Contexts.parse("processors::cost", "mode: local\nprices_file: prices.yaml\n", CostConfig::parse);
  }

  private static Map<CostKey, CostTotals> totals(LocalCostStore store) {
    return store.totals().await();
  }

  /** Every series of {@code meter}: its tags and count, rounded to the 9th decimal (sums added in another order). */
  private static Map<String, Double> sums(SimpleMeterRegistry registry, String meter) {
    Map<String, Double> m = new java.util.TreeMap<>();
    registry.find(meter).counters().forEach(c -> m.put(c.getId().getTags().toString(),
        Math.round(c.count() * 1e9) / 1e9));
    return m;
  }

  @Test
  void unflushedTotalsAreBoundedNewKeysDroppedPendingKeysMerged() {
    Vertx vertx = Vertx.vertx();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // never started: nothing is flushed, so every increment stays pending
    HazelcastCostStore store = new HazelcastCostStore(vertx,
        new HazelcastSettings("c", "127.0.0.1", 25701, false, 1, List.of()), "cost", registry);
    try {
      CostTotals one = new CostTotals(0.5, 10, 1, 1, 0);
      for (int i = 0; i < HazelcastCostStore.MAX_UNFLUSHED_KEYS + 5; i++) {
        store.add(Map.of(new CostKey("openai", "m", "g" + i), one));
      }
      assertThat(store.unflushedKeys()).isEqualTo(HazelcastCostStore.MAX_UNFLUSHED_KEYS);
      assertThat(store.droppedSpans()).isEqualTo(5);
      store.add(Map.of(new CostKey("openai", "m", "g0"), one)); // pending key: merged, not dropped
      assertThat(store.droppedSpans()).isEqualTo(5);
      assertThat(registry.find("gateway.processor.cost.tracker.dropped").counter().count()).isEqualTo(5);
      assertThat(registry.find("gateway.processor.cost.tracker.pending").gauge().value())
          .isEqualTo(HazelcastCostStore.MAX_UNFLUSHED_KEYS);
    } finally {
      store.close().await();
      vertx.close().await();
    }
  }
}
