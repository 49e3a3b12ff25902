package io.goblinos.gateway.tracing.sampling;

import io.goblinos.gateway.api.config.ConfigNode;
import java.time.Duration;
import java.util.List;

/**
 * Config of the {@code tail_sampling} processor. The Collector's keys keep their names and meaning; the keys marked
 * (goblin) are ours.
 *
 * @param decisionWait time from a trace's first span to its decision ({@code decision_wait}, default 30s)
 * @param numTraces most traces pending at once ({@code num_traces}, default 50000)
 * @param expectedNewTracesPerSec sizing hint ({@code expected_new_traces_per_sec}, default 0)
 * @param sampledCacheSize trace ids of kept traces remembered for late spans ({@code decision_cache::
 *     sampled_cache_size}; default: {@code num_traces}; 0 disables)
 * @param nonSampledCacheSize same for dropped traces ({@code decision_cache::non_sampled_cache_size})
 * @param policies the policies ({@code policies}; default: one {@code always_sample})
 * @param sampleOnFirstMatch stop at the first policy that samples ({@code sample_on_first_match}, default false)
 * @param dropPendingTracesOnShutdown drop instead of deciding pending traces at shutdown
 *     ({@code drop_pending_traces_on_shutdown}, default false)
 * @param maxPendingBytes (goblin) most bytes of stored spans pending at once ({@code max_pending_bytes}, default
 *     256MiB)
 * @param maximumTraceSizeBytes a trace whose stored spans exceed this is dropped whole, counted
 *     ({@code maximum_trace_size_bytes}, default 0 = no limit)
 * @param shards (goblin) number of trace-id shards, each with its own lock ({@code shards}, default: one per available
 *     processor, at most {@code num_traces})
 * @param tickInterval (goblin) how often due traces are decided ({@code decision_tick}, default min(250ms,
 *     decision_wait/20), at least 10ms)
 * @param emitBatchSize (goblin) the spans of kept traces wait, as bytes, until this many are ready
 *     ({@code emit_batch_size}, default 8192, the batch processor's default {@code send_batch_size}) ...
 * @param emitTimeout (goblin) ... or until the first of them has waited this long ({@code emit_timeout}, default 1s;
 *     0s: passed on after each decision pass). They are then decoded and passed on as one request.
 */
public record TailSamplingConfig(
    Duration decisionWait,
    int numTraces,
    int expectedNewTracesPerSec,
    int sampledCacheSize,
    int nonSampledCacheSize,
    List<PolicySpec> policies,
    boolean sampleOnFirstMatch,
    boolean dropPendingTracesOnShutdown,
    long maxPendingBytes,
    long maximumTraceSizeBytes,
    int shards,
    Duration tickInterval,
    int emitBatchSize,
    Duration emitTimeout) {

  public static final Duration DEFAULT_DECISION_WAIT = Duration.ofSeconds(30);
  public static final int DEFAULT_NUM_TRACES = 50_000;
  /** The most {@code num_traces} accepted (a shard's slot records must fit one Java array). */
  public static final int MAX_NUM_TRACES = 200_000_000;
  public static final long DEFAULT_MAX_PENDING_BYTES = 256L * 1024 * 1024;
  /**
   * The default {@code shards}: one per available processor, as many as the event loops by default. Each shard a
   * request writes to costs a lock and the shard's hot lines (its log's tail, slot records, interned origins) moving
   * to that core, so fewer shards are cheaper as long as the event loops seldom want the same one: on 2 vCPUs, 2 shards
   * took 540-560k spans/s through the default pipeline where 16 took 350-440k (docs/performance.md, session 8).
   */
  public static int defaultShards() {
    return Math.max(1, Math.min(4096, Runtime.getRuntime().availableProcessors()));
  }
  static final Duration MAX_DEFAULT_TICK = Duration.ofMillis(250);
  public static final int DEFAULT_EMIT_BATCH_SIZE = 8192;
  public static final Duration DEFAULT_EMIT_TIMEOUT = Duration.ofSeconds(1);

  public TailSamplingConfig {
    policies = List.copyOf(policies);
  }

  static TailSamplingConfig parse(ConfigNode node) {
    Duration wait = node.duration("decision_wait", DEFAULT_DECISION_WAIT, Duration.ofMillis(1));
    // a shard keeps its slots in one long[] of Shard.SLOT longs per trace: at most MAX_NUM_TRACES of them
    int numTraces = node.integer("num_traces", DEFAULT_NUM_TRACES, 1, MAX_NUM_TRACES);
    int expected = node.integer("expected_new_traces_per_sec", 0, 0, Integer.MAX_VALUE);
    ConfigNode cache = node.child("decision_cache");
    int sampled = cache.integer("sampled_cache_size", numTraces, 0, Integer.MAX_VALUE / 4);
    int nonSampled = cache.integer("non_sampled_cache_size", numTraces, 0, Integer.MAX_VALUE / 4);
    List<PolicySpec> policies = PolicySpec.parseAll(node.childList("policies"));
    if (!node.has("policies")) {
      policies = List.of(new PolicySpec("always_sample", "always_sample", () -> new Policy.AlwaysSample("always_sample")));
    }
    boolean firstMatch = node.bool("sample_on_first_match", false);
    boolean dropOnShutdown = node.bool("drop_pending_traces_on_shutdown", false);
    long maxBytes = node.byteSize("max_pending_bytes", DEFAULT_MAX_PENDING_BYTES, 1024);
    long maxTrace = node.byteSize("maximum_trace_size_bytes", 0, 0);
    int shards = node.integer("shards", Math.min(defaultShards(), numTraces), 1, 4096);
    // small ticks: the decisions of a tick run on an event loop, so the work is spread thin
    Duration defaultTick = wait.dividedBy(20).compareTo(MAX_DEFAULT_TICK) < 0 ? wait.dividedBy(20) : MAX_DEFAULT_TICK;
    if (defaultTick.compareTo(Duration.ofMillis(10)) < 0) {
      defaultTick = Duration.ofMillis(10);
    }
    Duration tick = node.duration("decision_tick", defaultTick, Duration.ofMillis(1));
    int emitBatchSize = node.integer("emit_batch_size", DEFAULT_EMIT_BATCH_SIZE, 1, 1 << 20);
    Duration emitTimeout = node.duration("emit_timeout", DEFAULT_EMIT_TIMEOUT, Duration.ZERO);
    if (shards > numTraces) {
      node.invalid("shards", shards, "at most num_traces (" + numTraces + ")");
      shards = 1;
    }
    return new TailSamplingConfig(wait, numTraces, expected, sampled, nonSampled, policies, firstMatch,
        dropOnShutdown, maxBytes, maxTrace, shards, tick, emitBatchSize, emitTimeout);
  }
}
