package io.goblinos.gateway.tracing.sampling;

import com.google.protobuf.InvalidProtocolBufferException;
import io.goblinos.gateway.api.signal.LeanSpanDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The spans of kept traces between their decision and the request that carries them on, held as their protobuf bytes
 * (copied from the shards' {@link FrameLog}s into pooled chunks) until {@code emit_batch_size} spans are waiting or
 * the first of them has waited {@code emit_timeout}. They are decoded only then, all together, so the decoded objects
 * live for the few event-loop turns of one emission instead of waiting in the next stage's batch: a young collection
 * that finds them alive has to copy them, and that copy was most of its pause under load.
 *
 * <p>The open batch is taken whole ({@link #take}) at the end of the decision pass that made it reach
 * {@code emit_batch_size} spans or {@value #MAX_BATCH_BYTES} bytes, so it holds at most that plus the kept traces of
 * one pass (a tick slice decides at most 512 traces).
 * Thread-safe: shards append under their own lock, one at a time here.
 */
final class KeptSpans {
  /** Most span bytes one batch holds: past this it is full, whatever its span count. */
  static final long MAX_BATCH_BYTES = 16L * 1024 * 1024;

  private final ChunkPool pool;
  private final int batchSpans;
  private final long timeoutNanos;
  /** Bytes of chunks held by the open batch and by taken batches not yet released: the gauge. */
  private final AtomicLong heldBytes = new AtomicLong();
  /**
   * The batch spans are appended to; written under this object's lock, and volatile so that {@link #take} can see
   * without the lock that nothing is due (every request's decision pass asks, and nearly always nothing is).
   */
  private volatile Batch open;

  /**
   * @param pool where chunks come from and go back to
   * @param batchSpans spans that make a batch full ({@code emit_batch_size}, at least 1)
   * @param timeoutNanos longest wait of a batch's first span ({@code emit_timeout}; 0: every pass takes what it finds)
   */
  KeptSpans(ChunkPool pool, int batchSpans, long timeoutNanos) {
    this.pool = pool;
    this.batchSpans = Math.max(1, batchSpans);
    this.timeoutNanos = timeoutNanos;
  }

  /**
   * Appends the spans of one kept trace: the frames {@code refs} of {@code log} (oldest first), each with the origin
   * {@code originOf} gives for its origin id.
   */
  synchronized void append(FrameLog log, long[] refs, java.util.function.IntFunction<SpanGroups.Origin> originOf,
                           long nowNanos) {
    if (refs.length == 0) {
      return;
    }
    Batch b = open;
    if (b == null) {
      b = new Batch(nowNanos);
      open = b;
    }
    for (long ref : refs) {
      long range = log.spanRange(ref);
      b.add(originOf.apply(log.originId(ref)), log.chunkHolding(ref), (int) (range >>> 32), (int) range);
    }
    if (b.count >= batchSpans || b.bytes >= MAX_BATCH_BYTES) {
      b.full = true;
    }
  }

  /**
   * The open batch, when it is full, its first span has waited {@code emit_timeout}, or {@code all}; else null.
   * The caller emits it and then {@link Batch#release releases} it.
   */
  Batch take(long nowNanos, boolean all) {
    if (!all && !due(open, nowNanos)) {
      return null; // nothing due, seen without the lock
    }
    synchronized (this) {
      Batch b = open;
      if (b == null || !all && !due(b, nowNanos)) {
        return null;
      }
      open = null;
      return b;
    }
  }

  private boolean due(Batch b, long nowNanos) {
    return b != null && (b.full || nowNanos - b.firstNanos >= timeoutNanos);
  }

  /** Bytes of chunks held by kept spans not yet emitted (waiting, or being decoded). */
  long heldBytes() {
    return heldBytes.get();
  }

  /** Kept spans as bytes: where each one is, and its origin. Written under the {@link KeptSpans} lock. */
  final class Batch {
    private final long firstNanos;
    private final List<byte[]> chunks = new ArrayList<>();
    private int writeAt;
    private SpanGroups.Origin[] origins = new SpanGroups.Origin[256];
    /** Per span: chunk index, offset in it, length. */
    private int[] chunkIndex = new int[256];
    private int[] offset = new int[256];
    private int[] length = new int[256];
    private int count;
    private long bytes;
    /** {@code emit_batch_size} spans or {@link #MAX_BATCH_BYTES} reached. */
    private volatile boolean full;
    private boolean released;

    private Batch(long firstNanos) {
      this.firstNanos = firstNanos;
    }

    private void add(SpanGroups.Origin origin, byte[] src, int from, int len) {
      byte[] chunk = chunks.isEmpty() ? null : chunks.get(chunks.size() - 1);
      if (chunk == null || chunk.length - writeAt < len) {
        chunk = pool.take(len);
        chunks.add(chunk);
        writeAt = 0;
        heldBytes.addAndGet(chunk.length);
      }
      if (count == origins.length) {
        int n = count * 2;
        origins = Arrays.copyOf(origins, n);
        chunkIndex = Arrays.copyOf(chunkIndex, n);
        offset = Arrays.copyOf(offset, n);
        length = Arrays.copyOf(length, n);
      }
      System.arraycopy(src, from, chunk, writeAt, len);
      origins[count] = origin;
      chunkIndex[count] = chunks.size() - 1;
      offset[count] = writeAt;
      length[count] = len;
      writeAt += len;
      count++;
      bytes += len;
    }

    int count() {
      return count;
    }

    /** Decodes spans {@code [from, to)} into {@code out}, under their origins. */
    void decodeInto(int from, int to, SpanGroups out) {
      LeanSpanDecoder decoder = LeanSpanDecoder.forThisThread();
      for (int i = from; i < to; i++) {
        try {
          out.add(origins[i], decoder.span(chunks.get(chunkIndex[i]), offset[i], length[i]));
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException("kept span bytes do not decode", e); // copied from frames we encoded: a bug
        }
      }
    }

    /** Gives the chunks back to the pool; the batch is then empty. Idempotent. */
    void release() {
      if (released) {
        return;
      }
      released = true;
      long n = 0;
      for (byte[] c : chunks) {
        n += c.length;
        pool.give(c);
      }
      chunks.clear();
      heldBytes.addAndGet(-n);
    }
  }
}
