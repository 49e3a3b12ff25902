package io.goblinos.gateway.tracing.sampling;

import com.google.protobuf.ByteString;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.config.Durations;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.WireBytes;
import io.goblinos.gateway.tracing.internal.Otlp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tail sampling: holds the spans of each trace for {@code decision_wait} after its first span, then decides with
 * the configured policies and passes kept traces on whole, re-grouped by resource and scope: their spans wait as bytes
 * ({@link KeptSpans}) until {@code emit_batch_size} are ready or {@code emit_timeout} has passed, and leave as one
 * request. Spans that arrive after the decision follow it through the decision caches.
 *
 * <p>Traces are sharded by trace id ({@link #shardOf}); each shard has its own lock, so concurrent requests for
 * different shards do not contend. Decisions are made on a timer ({@code decision_tick}), oldest first, never by
 * scanning all traces per request. The bounds {@code num_traces} and {@code max_pending_bytes} are global; when a
 * new trace or span would exceed one, the oldest traces of the shard being written are decided early (counted in
 * {@code traces.evicted_early}), never dropped silently. (Shard-local eviction keeps the hot path to one lock; with
 * random trace ids a shard's oldest trace is within a fraction of a second of the globally oldest.)
 *
 * <p>Meters (tag {@code processor}): {@code gateway.processor.tail_sampling.traces.pending},
 * {@code .pending.bytes}, {@code .chunk_pool.bytes}, {@code .kept.bytes}, {@code .traces.decided{decision}}, {@code .policy.decisions{policy, decision}},
 * {@code .traces.evicted_early}, {@code .late.spans{decision}}, {@code .traces.too_large},
 * {@code .export.failed.spans}.
 */
public final class TailSamplingProcessor implements Processor<ExportTraceServiceRequest> {
  private static final Logger LOG = Logger.getLogger(TailSamplingProcessor.class.getName());
  /**
   * Most traces decided in one turn of the event loop (spread over the shards); the rest follow in further turns, so
   * requests on the same event loop, and on others waiting for a shard's lock, wait for one slice at most.
   */
  static final int TICK_SLICE_TRACES = 512;
  /** Most kept spans decoded in one turn of the event loop when a batch of them leaves. */
  static final int EMIT_SLICE_SPANS = 1024;

  private final ComponentContext context;
  private final TailSamplingConfig config;
  private final Consumer<ExportTraceServiceRequest> next;
  private final LongSupplier clock;
  private final Shard[] shards;
  private final ChunkPool chunkPool;
  private final KeptSpans kept;
  private final SpanGroups.RecentKeys recentKeys = new SpanGroups.RecentKeys();
  /** Emissions of kept spans under way (decoding in slices, or handed on and not yet answered). */
  private final Set<Future<Void>> emitting = ConcurrentHashMap.newKeySet();
  private final PolicyEngine engine;
  private final long waitNanos;
  private final Counter evictedEarly;
  private final Counter lateSampled;
  private final Counter lateNotSampled;
  private final Counter tooLarge;
  private final Counter exportFailed;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final AtomicLong lastFailureLog = new AtomicLong(Long.MIN_VALUE);
  private volatile long timerId = -1;
  private volatile boolean started;
  private Future<Void> shutdownFuture;

  public TailSamplingProcessor(ComponentContext context, TailSamplingConfig config,
                               Consumer<ExportTraceServiceRequest> next) {
    this(context, config, next, System::nanoTime);
  }

  /** With an explicit clock (nanoseconds, monotonic) for tests and the benchmark. */
  TailSamplingProcessor(ComponentContext context, TailSamplingConfig config,
                        Consumer<ExportTraceServiceRequest> next, LongSupplier clock) {
    this.context = context;
    this.config = config;
    this.next = next;
    this.clock = clock;
    this.waitNanos = config.decisionWait().toNanos();
    MeterRegistry registry = context.meters();
    String id = context.id().toString();
    this.engine = new PolicyEngine(config.policies(), config.sampleOnFirstMatch(), registry, id);
    this.evictedEarly = counter(registry, id, "traces.evicted_early", "Traces decided before decision_wait because the processor was full");
    this.lateSampled = Counter.builder("gateway.processor.tail_sampling.late.spans").tag("processor", id)
        .tag("decision", "sampled").description("Spans that arrived after their trace was decided").register(registry);
    this.lateNotSampled = Counter.builder("gateway.processor.tail_sampling.late.spans").tag("processor", id)
        .tag("decision", "not_sampled").description("Spans that arrived after their trace was decided").register(registry);
    this.tooLarge = counter(registry, id, "traces.too_large", "Traces dropped for exceeding maximum_trace_size_bytes");
    this.exportFailed = counter(registry, id, "export.failed.spans", "Spans of kept traces the next consumer refused");
    int n = config.shards();
    Shard.Budget budget = new Shard.Budget();
    int sampledPerShard = config.sampledCacheSize() == 0 ? 0 : Math.max(1, config.sampledCacheSize() / n);
    int notSampledPerShard = config.nonSampledCacheSize() == 0 ? 0 : Math.max(1, config.nonSampledCacheSize() / n);
    Shard.Sink sink = new Shard.Sink() {
      @Override
      public Decision decide(TraceView trace, long nowNanos) {
        return engine.decide(trace, nowNanos);
      }

      @Override
      public void evictedEarly() {
        evictedEarly.increment();
      }

      @Override
      public void lateSpan(boolean sampled) {
        (sampled ? lateSampled : lateNotSampled).increment();
      }

      @Override
      public void tooLarge() {
        tooLarge.increment();
      }

      @Override
      public void droppedUnevaluated() {
        engine.countDroppedUnevaluated();
      }
    };
    shards = new Shard[n];
    // free chunks shared by the shards, so that in the steady state a log reuses a chunk another one freed. Chunks are
    // freed in bursts (a decision tick's worth of traces) and taken one by one: the pool holds up to an eighth of the
    // pending-bytes budget (32 chunks by default), which absorbs a tick's frees at a few hundred thousand spans/s
    int chunkBytes = FrameLog.chunkBytesFor(config.maxPendingBytes(), n);
    chunkPool = new ChunkPool(chunkBytes, (int) Math.max(2, Math.min(Integer.MAX_VALUE, config.maxPendingBytes() / 8 / chunkBytes)));
    kept = new KeptSpans(chunkPool, config.emitBatchSize(), config.emitTimeout().toNanos());
    for (int i = 0; i < n; i++) {
      shards[i] = new Shard(budget, config.numTraces(), config.maxPendingBytes(), config.maximumTraceSizeBytes(), sampledPerShard,
          notSampledPerShard, chunkPool, kept, sink);
    }
    Gauge.builder("gateway.processor.tail_sampling.traces.pending", this, TailSamplingProcessor::pendingTraces)
        .description("Traces waiting for a decision").tag("processor", id).register(registry);
    Gauge.builder("gateway.processor.tail_sampling.pending.bytes", this, TailSamplingProcessor::pendingBytes)
        .description("Bytes of spans (and interned resources) waiting for a decision").baseUnit("bytes")
        .tag("processor", id).register(registry);
    Gauge.builder("gateway.processor.tail_sampling.chunk_pool.bytes", chunkPool, ChunkPool::pooledBytes)
        .description("Free span-log chunks kept for reuse (at most half a chunk per shard)").baseUnit("bytes")
        .tag("processor", id).register(registry);
    Gauge.builder("gateway.processor.tail_sampling.kept.bytes", kept, KeptSpans::heldBytes)
        .description("Chunks holding spans of kept traces not yet passed on (waiting for emit_batch_size or "
            + "emit_timeout, or being decoded)").baseUnit("bytes").tag("processor", id).register(registry);
  }

  private static Counter counter(MeterRegistry registry, String id, String name, String description) {
    return Counter.builder("gateway.processor.tail_sampling." + name).description(description)
        .tag("processor", id).register(registry);
  }

  /**
   * The shard that owns a trace id: {@code floorMod(mix64(high ^ rotl(low, 32)), shards)} over the id's two
   * big-endian 64-bit halves, with Murmur3's finalizer as {@code mix64}. Stable across versions and processes, so a
   * cluster can route each trace to the member owning its shard. Requires {@code shards > 0}.
   */
  public static int shardOf(ByteString traceId, int shards) {
    return shardOf(Otlp.high(traceId), Otlp.low(traceId), shards);
  }

  public static int shardOf(long high, long low, int shards) {
    return (int) Math.floorMod(Otlp.mix64(high ^ Long.rotateLeft(low, 32)), (long) shards);
  }

  @Override
  public Future<Void> start(Host host) {
    Vertx vertx = context.vertx();
    long tickMs = Math.max(1, config.tickInterval().toMillis());
    timerId = vertx.setPeriodic(tickMs, id -> tick());
    started = true;
    LOG.info(() -> "tail_sampling " + context.id() + " started: decision_wait=" + Durations.format(config.decisionWait())
        + " num_traces=" + config.numTraces() + " max_pending_bytes=" + config.maxPendingBytes()
        + " shards=" + config.shards() + " policies=" + config.policies().size());
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> shutdown() {
    if (shutdownFuture != null) {
      return shutdownFuture;
    }
    stopped.set(true);
    if (timerId >= 0) {
      context.vertx().cancelTimer(timerId);
    }
    long now = clock.getAsLong();
    for (Shard s : shards) {
      s.lock.lock();
      try {
        s.drainAll(config.dropPendingTracesOnShutdown(), now);
      } finally {
        s.lock.unlock();
      }
    }
    emitKept(now, true); // whatever waits, however little
    shutdownFuture = Future.join(new ArrayList<>(emitting)).<Void>mapEmpty().recover(t -> Future.succeededFuture());
    if (started) {
      LOG.info(() -> "tail_sampling " + context.id() + " stopped");
    }
    return shutdownFuture;
  }

  @Override
  public Future<Void> consume(ExportTraceServiceRequest request) {
    if (stopped.get()) {
      return Future.failedFuture(ConsumeException.unavailable("tail_sampling " + context.id() + " is stopped", null));
    }
    int n = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        n += ss.getSpansCount();
      }
    }
    if (n == 0) {
      return Future.succeededFuture();
    }
    // the bytes each unchanged span was received as, to store it without serializing it again
    SpanWire wire = SpanWire.locate(WireBytes.current(), request, n);
    byte[] wireBytes = wire == null ? null : wire.bytes();
    // flatten, then bucket by shard (counting sort) so that each shard is locked once per request; in this thread's
    // scratch arrays (a new set when a consume on this thread is already using them)
    Scratch scratch = SCRATCH.get();
    if (scratch.inUse) {
      scratch = new Scratch();
    }
    SpanGroups late = new SpanGroups();
    long now;
    scratch.take(n, shards.length);
    try {
      bucketByShard(request, scratch, n);
      now = clock.getAsLong();
      addToShards(scratch, n, wire, wireBytes, now, late);
    } finally {
      scratch.release(n);
    }
    emitKept(now, false); // traces decided early to make room; failures are counted there, this request's spans are held
    if (!late.isEmpty()) {
      return next.consume(late.build());
    }
    return Future.succeededFuture();
  }

  /**
   * Flattens the request's {@code n} spans into {@code scratch} (span, origin, trace id, shard) and orders them by
   * shard: {@code order[counts[s] .. counts[s + 1])} are shard s's, in request order.
   */
  private void bucketByShard(ExportTraceServiceRequest request, Scratch scratch, int n) {
    int[] counts = scratch.counts;
    int k = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      SpanGroups.ResourceKey rk = null;
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        if (ss.getSpansCount() == 0) {
          continue;
        }
        if (rk == null) {
          rk = SpanGroups.Origin.resourceKey(rs);
        }
        SpanGroups.Origin origin = SpanGroups.Origin.of(rs, ss, recentKeys.canonical(SpanGroups.Origin.scopeKey(rk, ss)));
        for (Span span : ss.getSpansList()) {
          ByteString tid = span.getTraceId();
          long hi = Otlp.high(tid);
          long lo = Otlp.low(tid);
          scratch.spans[k] = span;
          scratch.origins[k] = origin;
          scratch.his[k] = hi;
          scratch.los[k] = lo;
          int s = shardOf(hi, lo, shards.length);
          scratch.shardIdx[k] = s;
          counts[s + 1]++;
          k++;
        }
      }
    }
    for (int i = 0; i < shards.length; i++) {
      counts[i + 1] += counts[i];
    }
    int[] pos = scratch.pos;
    System.arraycopy(counts, 0, pos, 0, shards.length + 1);
    for (int i = 0; i < n; i++) {
      scratch.order[pos[scratch.shardIdx[i]]++] = i;
    }
  }

  /** Adds the bucketed spans of {@code scratch} shard by shard, each shard locked once. */
  private void addToShards(Scratch scratch, int n, SpanWire wire, byte[] wireBytes, long now, SpanGroups late) {
    int[] counts = scratch.counts;
    int[] order = scratch.order;
    for (int s = 0; s < shards.length; s++) {
      int from = counts[s];
      int to = counts[s + 1];
      if (from == to) {
        continue;
      }
      Shard shard = shards[s];
      shard.lock.lock();
      try {
        shard.beginBatch();
        for (int i = from; i < to; i++) {
          int j = order[i];
          shard.add(scratch.his[j], scratch.los[j], scratch.spans[j], wireBytes, wire == null ? -1 : wire.range(j),
              wire == null ? null : wire.extra(j), scratch.origins[j], now, late);
        }
      } finally {
        shard.commitBudget();
        shard.lock.unlock();
      }
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /**
   * One thread's arrays for flattening a request's spans and bucketing them by shard, reused from request to request
   * (grown to the largest request seen, up to {@value #KEEP_SPANS} spans kept); the references are cleared after
   * each request, so no span outlives it here.
   */
  private static final class Scratch {
    private static final int KEEP_SPANS = 8192;
    Span[] spans = new Span[0];
    SpanGroups.Origin[] origins = new SpanGroups.Origin[0];
    long[] his = new long[0];
    long[] los = new long[0];
    int[] shardIdx = new int[0];
    int[] order = new int[0];
    int[] counts = new int[0];
    int[] pos = new int[0];
    boolean inUse;

    void take(int n, int shards) {
      inUse = true;
      if (spans.length < n) {
        spans = new Span[n];
        origins = new SpanGroups.Origin[n];
        his = new long[n];
        los = new long[n];
        shardIdx = new int[n];
        order = new int[n];
      }
      if (counts.length != shards + 1) {
        counts = new int[shards + 1];
        pos = new int[shards + 1];
      } else {
        Arrays.fill(counts, 0);
      }
    }

    void release(int n) {
      Arrays.fill(spans, 0, n, null);
      Arrays.fill(origins, 0, n, null);
      if (spans.length > KEEP_SPANS) {
        spans = new Span[0];
        origins = new SpanGroups.Origin[0];
        his = new long[0];
        los = new long[0];
        shardIdx = new int[0];
        order = new int[0];
      }
      inUse = false;
    }
  }

  /**
   * Decides every trace whose decision_wait has passed, a slice per turn of the event loop; completes when all of
   * them are decided and passed on. Called by the timer; visible for tests and the bench.
   */
  Future<Void> tick() {
    long now = clock.getAsLong();
    long dueBefore = now - waitNanos;
    boolean more = false;
    int perShard = Math.max(16, TICK_SLICE_TRACES / shards.length);
    for (Shard s : shards) {
      s.lock.lock();
      try {
        more |= s.decideDue(dueBefore, now, perShard) == perShard;
      } finally {
        s.lock.unlock();
      }
    }
    Future<Void> emitted = emitKept(now, false);
    if (more && !stopped.get()) {
      Promise<Void> rest = Promise.promise();
      context.vertx().runOnContext(v -> tick().onComplete(rest));
      return Future.join(emitted, rest.future()).mapEmpty();
    }
    return emitted;
  }

  /**
   * Passes on the waiting kept spans when they make a batch, or with {@code all} in any case ({@link KeptSpans#take}):
   * decoded
   * {@value #EMIT_SLICE_SPANS} per turn of the event loop, then handed on as one request. Completes when that request
   * was answered (at once when nothing was taken).
   */
  private Future<Void> emitKept(long now, boolean all) {
    KeptSpans.Batch batch = kept.take(now, all);
    if (batch == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    Future<Void> f = done.future();
    emitting.add(f);
    f.onComplete(ar -> emitting.remove(f));
    decodeSlice(batch, 0, new SpanGroups(), done);
    return f;
  }

  private void decodeSlice(KeptSpans.Batch batch, int from, SpanGroups out, Promise<Void> done) {
    int to = Math.min(batch.count(), from + EMIT_SLICE_SPANS);
    try {
      batch.decodeInto(from, to, out);
    } catch (RuntimeException e) {
      batch.release();
      exportFailed.increment(batch.count());
      LOG.log(Level.SEVERE, "tail_sampling " + context.id() + ": kept spans could not be decoded", e);
      done.fail(e);
      return;
    }
    if (to < batch.count()) {
      context.vertx().runOnContext(v -> decodeSlice(batch, to, out, done));
      return;
    }
    batch.release();
    emit(out).onComplete(done);
  }

  private Future<Void> emit(SpanGroups out) {
    if (out.isEmpty()) {
      return Future.succeededFuture();
    }
    int spans = out.spanCount();
    Future<Void> f;
    try {
      f = next.consume(out.build());
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.onFailure(t -> {
      exportFailed.increment(spans);
      long now = System.nanoTime();
      long last = lastFailureLog.get();
      if ((last == Long.MIN_VALUE || now - last > Duration.ofMinutes(1).toNanos())
          && lastFailureLog.compareAndSet(last, now)) {
        LOG.log(Level.WARNING, "tail_sampling " + context.id() + ": next consumer refused kept spans: "
            + t.getMessage() + " (logged at most once a minute; see export.failed.spans)");
      }
    });
  }

  public long pendingTraces() {
    long n = 0;
    for (Shard s : shards) {
      n += s.pending();
    }
    return n;
  }

  public long pendingBytes() {
    long n = 0;
    for (Shard s : shards) {
      n += s.pendingBytes();
    }
    return n;
  }

  /** Bytes of bookkeeping arrays (slots, FIFO, index) across shards, for the benchmark. */
  long overheadBytes() {
    long n = 0;
    for (Shard s : shards) {
      s.lock.lock();
      try {
        n += s.overheadBytes();
      } finally {
        s.lock.unlock();
      }
    }
    return n;
  }

  TailSamplingConfig config() {
    return config;
  }
}
