package io.goblinos.gateway.tracing.sampling;

import io.goblinos.gateway.tracing.internal.LongPairIndex;
import io.goblinos.gateway.tracing.internal.RecentTraceIds;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pending traces of one shard of the trace-id space, in compact form: per trace a slot, a record in one
 * primitive array (id, first-seen time, span count, bytes, time range, status codes seen, first and last frame), and
 * its spans as protobuf bytes in the shard's {@link FrameLog}, chained newest to oldest. Resources and scopes are
 * interned per shard, so a frame stores only a small origin id; an origin is dropped once the log holds no live frame
 * that uses it (swept when the log frees chunks). No protobuf objects are kept while a trace waits (the default policies decide
 * from the slot alone); a kept trace's span bytes are copied to {@link KeptSpans}, and decoded when they leave.
 *
 * <p>Traces leave in arrival order: a FIFO ring of slots is popped when its head is due ({@link #decideDue}) or when
 * the shard is over its trace or byte budget (decided early). Every method runs under {@link #lock}, except
 * {@link #pending()} and {@link #pendingBytes()}, which a gauge reads.
 */
final class Shard {
  private static final int INITIAL_SLOTS = 256;
  private static final int FLAG_TOO_LARGE = 0x80;

  /** Where decided traces and counters go; implemented by the processor. */
  interface Sink {
    Decision decide(TraceView trace, long nowNanos);

    void evictedEarly();

    void lateSpan(boolean sampled);

    void tooLarge();

    void droppedUnevaluated();
  }

  /** Totals shared by all shards of a processor: the bounds are global, eviction is shard-local. */
  static final class Budget {
    final AtomicLong traces = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
  }

  final ReentrantLock lock = new ReentrantLock();
  private final Budget budget;
  private final int maxTraces;
  private final long maxBytes;
  private final long maxTraceBytes;
  private final Sink sink;
  /** Where the spans of kept traces go, as bytes. */
  private final KeptSpans kept;
  /** Ids of recently decided traces, so that their late spans follow the decision. */
  final RecentTraceIds sampledCache;
  final RecentTraceIds notSampledCache;

  private int capacity;
  /**
   * One record of {@value #SLOT} longs per slot: the trace id, its frames, time range, span count and flags (one
   * long), bytes and first-seen time side by side, so that adding a span to a trace or deciding it reads one or two
   * cache lines rather than one per field (the slots of 100,000 pending traces are far larger than the CPU caches).
   */
  private long[] slots;
  private static final int SLOT = 9;
  private static final int HI = 0;
  private static final int LO = 1;
  private static final int LAST_REF = 2;
  private static final int FIRST_REF = 3;
  private static final int MIN_START = 4;
  private static final int MAX_END = 5;
  /** span count (low 32 bits) and flags (high 32 bits): {@link #FLAGS_SHIFT} */
  private static final int COUNT_FLAGS = 6;
  private static final int TRACE_BYTES = 7;
  private static final int FIRST_SEEN = 8;
  private static final int FLAGS_SHIFT = 32;
  private int[] freeSlots;
  private int freeCount;
  private int nextUnused;
  private int[] fifo;
  private int fifoHead;
  private int fifoSize;
  /** The slot of each pending trace id (keys in the slot records). */
  private final LongPairIndex index;
  private final FrameLog log;
  private final long[] heldDelta = new long[1];
  /**
   * The trace and origin of the span added last in the current request ({@link #beginBatch}): its slot (-1: none;
   * cleared when that slot is released) and the interned origin of that very {@code SpanGroups.Origin} object.
   */
  private int memoSlot = -1;
  private long memoHigh;
  private long memoLow;
  private SpanGroups.Origin memoOrigin;
  private Origin memoInterned;

  /**
   * Interned origins. A plain hash map: a lookup writes nothing (an access-ordered map relinked an entry, in the old
   * generation, on every lookup). Origins no live frame uses are swept out when the log frees chunks.
   */
  private final HashMap<SpanGroups.ScopeKey, Origin> origins = new HashMap<>();
  private final List<Origin> originById = new ArrayList<>();
  private int[] freeOriginIds = new int[16];
  private int freeOriginCount;

  /** Pending traces of this shard; written under the lock, read without it by the gauge (an int: never torn). */
  private int pending;
  /**
   * Traces this shard added (positive) or released (negative) since it last added them to {@link Budget#traces}
   * ({@link #commitBudget}, at the end of each request's spans and of each decision pass): one atomic update per
   * pass instead of two per trace on a counter every event loop writes. Other shards see this shard's traces that late,
   * so the total can pass {@code num_traces} by the traces of the passes under way (a request's traces at most, per
   * thread).
   */
  private int uncommittedTraces;
  private volatile long pendingBytes;

  /** An interned resource + scope, with the ref of the newest frame that uses it. */
  static final class Origin {
    final int id;
    final SpanGroups.Origin origin;
    long lastRef = FrameLog.NONE;
    /** No longer interned (no live frame used it). */
    boolean dropped;

    Origin(int id, SpanGroups.Origin origin) {
      this.id = id;
      this.origin = origin;
    }
  }

  Shard(Budget budget, int maxTraces, long maxBytes, long maxTraceBytes, int sampledCache, int notSampledCache,
        ChunkPool chunks, KeptSpans kept, Sink sink) {
    this.budget = budget;
    this.maxTraces = maxTraces;
    this.maxBytes = maxBytes;
    this.maxTraceBytes = maxTraceBytes;
    this.sink = sink;
    this.kept = kept;
    // seeded hashes: trace ids chosen by a sender cannot pile up in one run of a table
    this.sampledCache = new RecentTraceIds(sampledCache, ThreadLocalRandom.current().nextLong());
    this.notSampledCache = new RecentTraceIds(notSampledCache, ThreadLocalRandom.current().nextLong());
    allocate(Math.min(INITIAL_SLOTS, maxTraces));
    this.index = new LongPairIndex(capacity, ThreadLocalRandom.current().nextLong());
    this.log = new FrameLog(chunks);
  }

  int pending() {
    return pending;
  }

  long pendingBytes() {
    return pendingBytes;
  }

  /**
   * Adds one span of trace (hi, lo): appended to its pending trace, forwarded to {@code late} when the trace was kept,
   * discarded when it was not, or starts a new pending trace. Traces decided early to make room and kept go to
   * {@link KeptSpans}.
   * {@code wire} and {@code wireRange} ({@code offset << 32 | length}, or -1) locate the bytes {@code span} was parsed
   * from, when it is unchanged or only extended by {@code wireExtra} (encoded fields appended to those bytes; null for
   * none): they are copied instead of serializing the span. Call {@link #beginBatch} before a request's spans.
   */
  void add(long hi, long lo, Span span, byte[] wire, long wireRange, byte[] wireExtra, SpanGroups.Origin origin,
           long now, SpanGroups late) {
    // a request's spans of one trace usually come one after another: one table probe for the run of them
    int slot = memoSlot >= 0 && hi == memoHigh && lo == memoLow ? memoSlot : index.find(hi, lo, slots, SLOT);
    if (slot < 0) {
      if (sampledCache.contains(hi, lo)) {
        late.add(origin, span);
        sink.lateSpan(true);
        return;
      }
      if (notSampledCache.contains(hi, lo)) {
        sink.lateSpan(false);
        return;
      }
      while (budget.traces.get() + uncommittedTraces >= maxTraces && pending > 0) {
        sink.evictedEarly();
        decideHead(now);
      }
      slot = newSlot(hi, lo, now);
    }
    memoHigh = hi;
    memoLow = lo;
    memoSlot = slot;
    int at = slot * SLOT;
    long[] r = slots;
    if ((r[at + COUNT_FLAGS] >>> FLAGS_SHIFT & FLAG_TOO_LARGE) != 0) {
      return; // the trace is already marked for dropping; its spans are not stored
    }
    Origin o;
    if (origin == memoOrigin && !memoInterned.dropped) {
      o = memoInterned; // this request's previous span had the same origin, and it was looked up then
    } else {
      o = intern(origin);
      memoOrigin = origin;
      memoInterned = o;
    }
    int size;
    long ref;
    if (wire != null && wireRange >= 0) {
      size = (int) wireRange + (wireExtra == null ? 0 : wireExtra.length);
      ref = log.append(r[at + LAST_REF], o.id, wire, (int) (wireRange >>> 32), (int) wireRange, wireExtra, heldDelta);
    } else {
      size = span.getSerializedSize();
      ref = log.append(r[at + LAST_REF], o.id, span, size, heldDelta);
    }
    if (heldDelta[0] != 0) {
      addBytes(heldDelta[0]);
    }
    o.lastRef = ref;
    if (r[at + FIRST_REF] == FrameLog.NONE) {
      r[at + FIRST_REF] = ref;
    }
    r[at + LAST_REF] = ref;
    long traceBytes = r[at + TRACE_BYTES] + FrameLog.frameBytes(o.id, size);
    r[at + TRACE_BYTES] = traceBytes;
    r[at + COUNT_FLAGS]++; // the span count, in the low bits
    long start = span.getStartTimeUnixNano();
    long end = span.getEndTimeUnixNano();
    if (start != 0 && Long.compareUnsigned(start, r[at + MIN_START]) < 0) {
      r[at + MIN_START] = start;
    }
    if (end != 0 && Long.compareUnsigned(end, r[at + MAX_END]) > 0) {
      r[at + MAX_END] = end;
    }
    r[at + COUNT_FLAGS] |= 1L << (FLAGS_SHIFT + Math.min(span.getStatus().getCodeValue(), 6));
    if (maxTraceBytes > 0 && traceBytes > maxTraceBytes) {
      sink.tooLarge();
      r[at + COUNT_FLAGS] |= (long) FLAG_TOO_LARGE << FLAGS_SHIFT; // no more of its spans are stored; the log frees its frames in turn
    }
    while (budget.bytes.get() > maxBytes && pending > 1) {
      sink.evictedEarly();
      decideHead(now);
    }
  }

  /** Decides, oldest first, up to {@code budget} traces first seen at or before {@code dueBefore}. */
  int decideDue(long dueBefore, long now, int budget) {
    int n = 0;
    while (fifoSize > 0 && n < budget && slots[fifo[fifoHead] * SLOT + FIRST_SEEN] - dueBefore <= 0) {
      decideHead(now);
      n++;
    }
    commitBudget();
    return n;
  }

  /** Decides (or, with {@code drop}, drops) every pending trace. */
  void drainAll(boolean drop, long now) {
    while (fifoSize > 0) {
      if (drop) {
        int slot = popHead();
        sink.droppedUnevaluated();
        notSampledCache.add(slots[slot * SLOT + HI], slots[slot * SLOT + LO]);
        release(slot);
      } else {
        decideHead(now);
      }
    }
    releaseDeadFrames();
    commitBudget();
  }

  private void decideHead(long now) {
    int slot = popHead();
    int at = slot * SLOT;
    long hi = slots[at + HI];
    long lo = slots[at + LO];
    Decision d;
    SlotView view = new SlotView(slot);
    if ((slots[at + COUNT_FLAGS] >>> FLAGS_SHIFT & FLAG_TOO_LARGE) != 0) {
      sink.droppedUnevaluated();
      d = Decision.DROPPED;
    } else {
      d = sink.decide(view, now);
    }
    if (d == Decision.SAMPLED) {
      // as bytes: decoded when they leave, with the other kept spans of their batch
      kept.append(log, log.chain(slots[at + LAST_REF], (int) slots[at + COUNT_FLAGS]), id -> originById.get(id).origin,
          now);
      sampledCache.add(hi, lo);
    } else {
      notSampledCache.add(hi, lo);
    }
    release(slot);
    releaseDeadFrames();
  }

  private int popHead() {
    int slot = fifo[fifoHead];
    fifoHead = fifoHead + 1 == capacity ? 0 : fifoHead + 1;
    fifoSize--;
    return slot;
  }

  private int newSlot(long hi, long lo, long now) {
    int slot;
    if (freeCount > 0) {
      slot = freeSlots[--freeCount];
    } else {
      if (nextUnused == capacity) {
        grow();
      }
      slot = nextUnused++;
    }
    int at = slot * SLOT;
    long[] r = slots;
    r[at + HI] = hi;
    r[at + LO] = lo;
    r[at + LAST_REF] = FrameLog.NONE;
    r[at + FIRST_REF] = FrameLog.NONE;
    r[at + MIN_START] = -1L; // unsigned max
    r[at + MAX_END] = 0;
    r[at + COUNT_FLAGS] = 0;
    r[at + TRACE_BYTES] = 0;
    r[at + FIRST_SEEN] = now;
    index.insert(slot, r, SLOT);
    fifo[(fifoHead + fifoSize) % capacity] = slot;
    fifoSize++;
    pending++;
    uncommittedTraces++;
    return slot;
  }

  /** Adds the traces added and released since the last call to the shared count. Requires the lock. */
  void commitBudget() {
    if (uncommittedTraces != 0) {
      budget.traces.addAndGet(uncommittedTraces);
      uncommittedTraces = 0;
    }
  }

  /**
   * Starts a request's spans (end them with {@link #commitBudget}): forgets the previous request's remembered trace
   * and origin (the origin is looked up again, once per request that uses it).
   */
  void beginBatch() {
    memoSlot = -1;
    memoHigh = 0;
    memoLow = 0;
    memoOrigin = null;
    memoInterned = null;
  }

  private void release(int slot) {
    if (slot == memoSlot) {
      memoSlot = -1;
      memoHigh = 0;
      memoLow = 0;
    }
    index.remove(slot, slots, SLOT);
    freeSlots[freeCount++] = slot;
    pending--;
    uncommittedTraces--;
  }

  /**
   * Frees the log's chunks older than the oldest pending trace's first frame; when that freed any (or nothing is
   * pending any more), also the origins no live frame uses (those whose newest frame is older than that). Origins are
   * swept no more often than chunks are freed, so one may stay interned, and counted, until the next chunk goes.
   */
  private void releaseDeadFrames() {
    long oldestLive = fifoSize > 0 ? slots[fifo[fifoHead] * SLOT + FIRST_REF] : FrameLog.NONE;
    long freed = log.releaseBefore(oldestLive);
    if (freed != 0) {
      addBytes(-freed);
    }
    if (freed == 0 && oldestLive != FrameLog.NONE) {
      return;
    }
    Iterator<Origin> all = origins.values().iterator();
    while (all.hasNext()) {
      Origin o = all.next();
      if (oldestLive != FrameLog.NONE && o.lastRef >= oldestLive) {
        continue;
      }
      all.remove();
      o.dropped = true;
      originById.set(o.id, null);
      if (freeOriginCount == freeOriginIds.length) {
        freeOriginIds = Arrays.copyOf(freeOriginIds, freeOriginCount * 2);
      }
      freeOriginIds[freeOriginCount++] = o.id;
      addBytes(-o.origin.sizeBytes());
    }
  }

  private void addBytes(long delta) {
    pendingBytes += delta;
    budget.bytes.addAndGet(delta);
  }

  private Origin intern(SpanGroups.Origin origin) {
    Origin o = origins.get(origin.key());
    if (o != null) {
      return o;
    }
    int id;
    if (freeOriginCount > 0) {
      id = freeOriginIds[--freeOriginCount];
      o = new Origin(id, origin);
      originById.set(id, o);
    } else {
      id = originById.size();
      o = new Origin(id, origin);
      originById.add(o);
    }
    origins.put(origin.key(), o);
    addBytes(origin.sizeBytes());
    return o;
  }

  private void allocate(int cap) {
    capacity = cap;
    slots = new long[cap * SLOT];
    freeSlots = new int[cap];
    fifo = new int[cap];
  }

  private void grow() {
    int cap = (int) Math.min(maxTraces, Math.max(capacity + 1L, capacity * 2L));
    slots = Arrays.copyOf(slots, cap * SLOT);
    freeSlots = Arrays.copyOf(freeSlots, cap);
    int[] f = new int[cap];
    for (int i = 0; i < fifoSize; i++) {
      f[i] = fifo[(fifoHead + i) % capacity];
    }
    fifo = f;
    fifoHead = 0;
    capacity = cap;
  }

  /** Approximate heap held by this shard's bookkeeping (not counting span bytes and origins). */
  long overheadBytes() {
    return capacity * (SLOT * 8L + 4 + 4) + index.tableBytes();
  }

  /** A pending trace seen by policies; spans decoded on first use. Valid only under the lock, before release. */
  private final class SlotView implements TraceView {
    private final int slot;
    List<Span> spans;
    List<List<KeyValue>> resources;

    SlotView(int slot) {
      this.slot = slot;
    }

    void decode() {
      if (spans != null) {
        return;
      }
      long[] refs = log.chain(slots[slot * SLOT + LAST_REF], spanCount());
      spans = new ArrayList<>(refs.length);
      resources = new ArrayList<>(refs.length);
      for (long ref : refs) {
        spans.add(log.span(ref));
        resources.add(originById.get(log.originId(ref)).origin.resource().getAttributesList());
      }
    }

    @Override
    public long traceIdHigh() {
      return slots[slot * SLOT + HI];
    }

    @Override
    public long traceIdLow() {
      return slots[slot * SLOT + LO];
    }

    @Override
    public byte[] traceIdBytes() {
      byte[] b = new byte[16];
      long h = traceIdHigh();
      long l = traceIdLow();
      for (int i = 0; i < 8; i++) {
        b[i] = (byte) (h >>> (56 - 8 * i));
        b[8 + i] = (byte) (l >>> (56 - 8 * i));
      }
      return b;
    }

    @Override
    public int spanCount() {
      return (int) slots[slot * SLOT + COUNT_FLAGS];
    }

    @Override
    public long durationNanos() {
      long s = slots[slot * SLOT + MIN_START];
      long e = slots[slot * SLOT + MAX_END];
      return e == 0 || s == -1L || Long.compareUnsigned(e, s) < 0 ? 0 : e - s;
    }

    @Override
    public boolean hasStatus(Status.StatusCode code) {
      return (slots[slot * SLOT + COUNT_FLAGS] >>> FLAGS_SHIFT & (1 << code.getNumber())) != 0;
    }

    @Override
    public long sizeBytes() {
      return slots[slot * SLOT + TRACE_BYTES];
    }

    @Override
    public List<Span> spans() {
      decode();
      return spans;
    }

    @Override
    public List<List<KeyValue>> resourceAttributes() {
      decode();
      return resources;
    }
  }
}
