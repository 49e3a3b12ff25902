package io.goblinos.gateway.tracing.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.partition.strategy.StringPartitioningStrategy;
import io.goblinos.gateway.tracing.testing.Contexts;
import io.goblinos.gateway.tracing.testing.GoblinTraces;
import io.goblinos.gateway.tracing.testing.Sink;
import io.goblinos.gateway.tracing.testing.TestHost;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two embedded Hazelcast members in one JVM share the price table and the running totals. */
class HazelcastCostStoreTest {
  @TempDir Path dir;
  private Vertx vertx;
  private GoblinTraces traces;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    traces = new GoblinTraces();
  }

  @AfterEach
  void tearDown() {
    traces.close();
    vertx.close().await();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static HazelcastSettings settings(String cluster, int port, int other) {
    return new HazelcastSettings(cluster, "127.0.0.1", port, false, 1, List.of("127.0.0.1:" + other));
  }

  @Test
  void configHasNoPhoneHomeNoMulticastAndListedMembers() {
    HazelcastCostStore store = new HazelcastCostStore(vertx,
        new HazelcastSettings("c", "127.0.0.1", 25701, false, 1, List.of("127.0.0.1:25702", "127.0.0.1:25703")), "cost");
    Config cfg = store.config();
    assertThat(cfg.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(cfg.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(cfg.getNetworkConfig().getJoin().getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(cfg.getNetworkConfig().getJoin().getTcpIpConfig().getMembers())
        .containsExactly("127.0.0.1:25702", "127.0.0.1:25703");
    assertThat(cfg.getNetworkConfig().getPort()).isEqualTo(25701);
    store.close().await(); // never started: fine
  }

  @Test
  void twoMembersShareThePriceMapAndTheTotals() throws Exception {
    String cluster = "goblin-test-" + System.nanoTime();
    int portA = freePort();
    int portB = freePort();
    HazelcastCostStore a = new HazelcastCostStore(vertx, settings(cluster, portA, portB), "cost-a");
    HazelcastCostStore b = new HazelcastCostStore(vertx, settings(cluster, portB, portA), "cost-b");
    try {
      a.start().await();
      b.start().await();
      await().atMost(Duration.ofSeconds(60)).until(() -> a.clusterSize() == 2 && b.clusterSize() == 2);

      // a price change on one member is seen by the other
      a.replaceAll(List.of(new PriceEntry("openai", "gpt-4o*", 2.5, 10, null, null))).await();
      await().atMost(Duration.ofSeconds(30)).until(() -> b.current().lookup("openai", "gpt-4o", 0) != null);
      b.replaceAll(List.of(new PriceEntry("openai", "gpt-4o*", 5, 20, null, null),
          new PriceEntry("anthropic", "claude-*", 3, 15, null, null))).await();
      await().atMost(Duration.ofSeconds(30)).until(() -> a.current().entries().size() == 2
          && a.current().lookup("openai", "gpt-4o", 0).inputPerMtok() == 5);

      // totals added on both members add up, seen from either
      CostKey k = new CostKey("openai", "gpt-4o", "goblin-1");
      for (int i = 0; i < 10; i++) {
        a.add(Map.of(k, new CostTotals(0.5, 100, 10, 1, 0))).await();
        b.add(Map.of(k, new CostTotals(0.25, 50, 5, 1, 0))).await();
      }
      // Each member flushes its own increments asynchronously: totals converge on both members.
      for (HazelcastCostStore s : List.of(a, b)) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          CostTotals t = s.totals().await().get(k);
          assertThat(t.costUsd()).isCloseTo(7.5, within(1e-9));
          assertThat(t.inputTokens()).isEqualTo(1500);
          assertThat(t.outputTokens()).isEqualTo(150);
          assertThat(t.spans()).isEqualTo(20);
        });
      }
    } finally {
      a.close().await();
      b.close().await();
    }
  }

  @Test
  void aLostPriceListenerIsReplacedAndTheCopyReReadOnResync() throws Exception {
    // what a member does after it merged into another cluster (LifecycleState.MERGED): its listener registration
    // may be gone, and its copy may have missed changes
    HazelcastCostStore store = new HazelcastCostStore(vertx, new HazelcastSettings("goblin-resync-" + System.nanoTime(),
        "127.0.0.1", freePort(), false, 1, List.of(), Duration.ofHours(1)), "cost");
    try {
      store.start().await();
      com.hazelcast.map.IMap<String, String> prices = store.instance().getMap(HazelcastCostStore.PRICES);
      assertThat(prices.removeEntryListener(store.priceListener())).isTrue(); // lost
      PriceEntry missed = new PriceEntry("openai", "gpt-4o*", 2.5, 10, null, null);
      prices.put(missed.key(), HazelcastCostStore.toJson(missed));
      java.util.UUID before = store.priceListener();

      store.resyncPrices();
      assertThat(store.current().lookup("openai", "gpt-4o", 0)).isEqualTo(missed);
      assertThat(store.priceListener()).isNotEqualTo(before);

      // listening again: a later change arrives by event
      PriceEntry later = new PriceEntry("anthropic", "claude-*", 3, 15, null, null);
      prices.put(later.key(), HazelcastCostStore.toJson(later));
      await().atMost(Duration.ofSeconds(30)).until(() -> store.current().lookup("anthropic", "claude-x", 0) != null);
      prices.delete(missed.key());
      await().atMost(Duration.ofSeconds(30)).until(() -> store.current().lookup("openai", "gpt-4o", 0) == null);
    } finally {
      store.close().await();
    }
  }

  @Test
  void incrementsWaitForTheFlushIntervalAndReadsIncludeThem() throws Exception {
    HazelcastCostStore store = new HazelcastCostStore(vertx, new HazelcastSettings("goblin-batch-" + System.nanoTime(),
        "127.0.0.1", freePort(), false, 1, List.of(), Duration.ofHours(1)), "cost");
    try {
      store.start().await();
      CostKey k = new CostKey("openai", "gpt-4o", "goblin-1");
      for (int i = 0; i < 50; i++) {
        store.add(Map.of(k, new CostTotals(0.5, 100, 10, 1, 0))).await();
      }
      // merged locally into one pending key, not sent per request
      assertThat(store.unflushedKeys()).isEqualTo(1);
      CostTotals t = store.totals().await().get(k);
      assertThat(t.spans()).isEqualTo(50);
      assertThat(t.costUsd()).isCloseTo(25, within(1e-9));
      assertThat(store.unflushedKeys()).isZero();

      // every total lives in one partition, whatever its key, so a flush is one operation
      CostKey odd = new CostKey("vertex_ai", "claude-3@20240229", "goblin%40@x");
      store.add(Map.of(odd, new CostTotals(1, 1, 1, 1, 0))).await();
      assertThat(store.totals().await()).containsKeys(k, odd);
      assertThat(store.instance().getConfig().getMapConfig(HazelcastCostStore.TOTALS)
          .getPartitioningStrategyConfig().getPartitioningStrategyClass())
          .isEqualTo(StringPartitioningStrategy.class.getName());
      assertThat(store.instance().<String, double[]>getMap(HazelcastCostStore.TOTALS).keySet())
          .hasSize(2)
          .allSatisfy(key -> assertThat(new StringPartitioningStrategy().getPartitionKey(key))
              .isEqualTo(HazelcastCostStore.TOTALS_PARTITION_KEY));
    } finally {
      store.close().await();
    }
  }

  @Test
  void mapKeysEscapeAtSignsAndRoundTrip() {
    for (String encoded : List.of("openai\0gpt-4o\0g", "vertex_ai\0claude-3@2024\0a%40b@c", "%\0@\0%25")) {
      String mapKey = HazelcastCostStore.mapKey(encoded);
      assertThat(mapKey).endsWith("@" + HazelcastCostStore.TOTALS_PARTITION_KEY);
      assertThat(mapKey.indexOf('@')).isEqualTo(mapKey.length() - HazelcastCostStore.TOTALS_PARTITION_KEY.length() - 1);
      assertThat(HazelcastCostStore.costKeyOf(mapKey)).isEqualTo(encoded);
    }
  }

  @Test
  void flushIntervalIsParsedAndZeroMeansEveryRequest() {
    assertThat(Contexts.parse("processors::cost", "{}", CostConfig::parse).hazelcast().flushInterval())
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(Contexts.parse("processors::cost", "hazelcast: {flush_interval: 0s}", CostConfig::parse)
        .hazelcast().flushInterval()).isZero();
  }

  @Test
  void costProcessorOnAnEmbeddedMember() throws Exception {
    Files.writeString(dir.resolve("prices.yaml"),
        "models: [{provider: openai, model: \"gpt-4o*\", input_per_mtok: 2.5, output_per_mtok: 10}]");
    int port = freePort();
    CostConfig cfg = Contexts.parse("processors::cost", """
        prices_file: prices.yaml
        hazelcast:
          cluster_name: goblin-single-%d
          port: %d
          port_auto_increment: false
        """.formatted(System.nanoTime(), port), CostConfig::parse);
    Sink<ExportTraceServiceRequest> sink = new Sink<>();
    var ctx = Contexts.context(vertx, new SimpleMeterRegistry(), "cost", dir);
    CostProcessor p = (CostProcessor) (Object) new CostProcessorFactory().create(ctx, cfg,
        io.goblinos.gateway.api.signal.Signal.TRACES, sink);
    try {
      p.start(new TestHost()).await();
      assertThat(p.store()).isInstanceOf(HazelcastCostStore.class);
      p.consume(traces.request(GoblinTraces.task().goblin("g").tokens(1_000_000, 0))).await();
      assertThat(p.store().totals().await().get(new CostKey("openai", "gpt-4o-2024-08-06", "g")).costUsd())
          .isCloseTo(2.5, within(1e-9));
    } finally {
      p.shutdown().await();
      p.shutdown().await();
    }
  }
}
