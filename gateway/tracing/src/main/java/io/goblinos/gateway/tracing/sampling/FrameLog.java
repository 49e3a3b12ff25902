package io.goblinos.gateway.tracing.sampling;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.goblinos.gateway.api.signal.LeanSpanDecoder;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The span bytes of one shard's pending traces: frames appended in arrival order to large chunks, freed a whole chunk
 * at a time from the oldest end.
 *
 * <p>A frame is {@code prev ref (8 bytes), varint origin id, varint length, Span bytes}; a trace is the chain of its
 * frames, newest first, through {@code prev}. A ref is {@code chunk sequence << 32 | offset}, so refs grow with append
 * order. Traces are decided in first-seen order and a trace's first frame is written when it is first seen, so every
 * frame older than the first frame of the oldest pending trace is dead: {@link #releaseBefore} frees the chunks that
 * hold only such frames.
 *
 * <p>Why chunks rather than a byte array per trace: pending spans live for the decision wait (seconds), long enough
 * that a young collection copies each per-trace array several times and promotes it; growing an array copies it again.
 * A chunk is written once and never moves; at the default chunk size it fills one G1 region exactly (allocated as a
 * humongous object, which G1 never copies). Not thread-safe: the shard's lock guards it.
 */
final class FrameLog {
  /** Bytes per chunk at most: a 1 MiB G1 region (the region size of heaps up to 2 GiB) minus the array header. */
  static final int MAX_CHUNK_BYTES = (1 << 20) - 16;
  static final int MIN_CHUNK_BYTES = 4096;
  static final long NONE = -1L;
  private static final int PREV_BYTES = 8;

  private final ChunkPool pool;
  /** Decodes kept spans back into objects; not thread-safe, and the log is used under its shard's lock. */
  private final LeanSpanDecoder decoder = new LeanSpanDecoder();
  private final int chunkBytes;
  /** Chunks held, as a ring indexed by sequence number; {@code [firstSeq, nextSeq)} are held. */
  private byte[][] ring = new byte[8][];
  private long firstSeq;
  private long nextSeq;
  private int writeAt;
  private long heldBytes;

  /** @param pool where chunks come from and go back to (a frame larger than its chunks gets one of its own size) */
  FrameLog(ChunkPool pool) {
    this.pool = pool;
    this.chunkBytes = pool.chunkBytes();
  }

  /** The chunk size that suits a shard's share of a byte budget: an eighth of it, within the min and max. */
  static int chunkBytesFor(long maxBytes, int shards) {
    return (int) Math.max(MIN_CHUNK_BYTES, Math.min(MAX_CHUNK_BYTES, maxBytes / Math.max(1, shards) / 8));
  }

  /** Bytes of the chunks held (what the log costs in heap, dead frames included). */
  long heldBytes() {
    return heldBytes;
  }

  int chunkBytes() {
    return chunkBytes;
  }

  /** The frame size of a span of {@code spanBytes} serialized bytes from origin {@code originId}. */
  static int frameBytes(int originId, int spanBytes) {
    return PREV_BYTES + CodedOutputStream.computeUInt32SizeNoTag(originId)
        + CodedOutputStream.computeUInt32SizeNoTag(spanBytes) + spanBytes;
  }

  /**
   * Appends {@code span} ({@code spanBytes} = its serialized size) after frame {@code prev} of the same trace
   * ({@link #NONE} for a trace's first frame). Returns the new frame's ref. {@code heldDelta} receives the bytes of a
   * chunk this allocated (0 otherwise).
   */
  long append(long prev, int originId, Span span, int spanBytes, long[] heldDelta) {
    long ref = appendHeader(prev, originId, spanBytes, heldDelta);
    byte[] chunk = ring[index(ref >>> 32)];
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(chunk, writeAt - spanBytes, spanBytes);
      span.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ref;
  }

  /**
   * As {@link #append(long, int, Span, int, long[])}, with the span's encoding copied: {@code length} bytes of
   * {@code src} from {@code offset}, followed by {@code extra} (fields appended to it; null for none).
   */
  long append(long prev, int originId, byte[] src, int offset, int length, byte[] extra, long[] heldDelta) {
    int extraBytes = extra == null ? 0 : extra.length;
    long ref = appendHeader(prev, originId, length + extraBytes, heldDelta);
    byte[] chunk = ring[index(ref >>> 32)];
    int at = writeAt - length - extraBytes;
    System.arraycopy(src, offset, chunk, at, length);
    if (extraBytes != 0) {
      System.arraycopy(extra, 0, chunk, at + length, extraBytes);
    }
    return ref;
  }

  /** Writes a frame's header, reserves its span bytes (ending at the new {@code writeAt}) and returns its ref. */
  private long appendHeader(long prev, int originId, int spanBytes, long[] heldDelta) {
    int frame = frameBytes(originId, spanBytes);
    heldDelta[0] = 0;
    byte[] chunk = nextSeq == firstSeq ? null : ring[index(nextSeq - 1)];
    if (chunk == null || chunk.length - writeAt < frame) {
      chunk = pool.take(frame);
      if (nextSeq - firstSeq == ring.length) {
        growRing();
      }
      ring[index(nextSeq)] = chunk;
      nextSeq++;
      writeAt = 0;
      heldBytes += chunk.length;
      heldDelta[0] = chunk.length;
    }
    long ref = ((nextSeq - 1) << 32) | writeAt;
    int at = writeAt;
    for (int i = 0; i < PREV_BYTES; i++) {
      chunk[at++] = (byte) (prev >>> (56 - 8 * i));
    }
    at = writeVarint(chunk, at, originId);
    at = writeVarint(chunk, at, spanBytes);
    writeAt = at + spanBytes;
    return ref;
  }

  /**
   * Frees every chunk that holds only frames older than {@code oldestLive} ({@link #NONE}: nothing is live, free
   * all). Returns the bytes freed.
   */
  long releaseBefore(long oldestLive) {
    long keepFrom = oldestLive == NONE ? nextSeq : oldestLive >>> 32;
    long freed = 0;
    while (firstSeq < keepFrom) {
      int i = index(firstSeq);
      freed += ring[i].length;
      pool.give(ring[i]);
      ring[i] = null;
      firstSeq++;
    }
    if (firstSeq == nextSeq) {
      writeAt = 0;
    }
    heldBytes -= freed;
    return freed;
  }

  /** The frame before {@code ref} in its trace's chain, or {@link #NONE}. */
  long prev(long ref) {
    byte[] chunk = chunkOf(ref);
    int at = (int) ref;
    long v = 0;
    for (int i = 0; i < PREV_BYTES; i++) {
      v = (v << 8) | (chunk[at + i] & 0xff);
    }
    return v;
  }

  /** The origin id of the frame at {@code ref}. */
  int originId(long ref) {
    return (int) readVarint(chunkOf(ref), (int) ref + PREV_BYTES);
  }

  /** Decodes the span of the frame at {@code ref}. */
  Span span(long ref) {
    long range = spanRange(ref);
    try {
      return decoder.span(chunkOf(ref), (int) (range >>> 32), (int) range);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored span bytes do not decode", e); // we encoded them: a bug
    }
  }

  /** Where the span bytes of the frame at {@code ref} are in {@link #chunkHolding}: {@code offset << 32 | length}. */
  long spanRange(long ref) {
    byte[] chunk = chunkOf(ref);
    long originId = readVarint(chunk, (int) ref + PREV_BYTES);
    return readVarint(chunk, (int) (originId >>> 32)); // the length varint: the span starts where it ends
  }

  /** The chunk that holds the frame at {@code ref} (not to be modified). */
  byte[] chunkHolding(long ref) {
    return chunkOf(ref);
  }

  /** The refs of a trace's frames, oldest first, from its newest frame {@code last}; {@code count} frames. */
  long[] chain(long last, int count) {
    long[] refs = new long[count];
    long ref = last;
    for (int i = count - 1; i >= 0; i--) {
      if (ref == NONE) {
        throw new IllegalStateException("trace chain shorter than its span count"); // a bug
      }
      refs[i] = ref;
      ref = prev(ref);
    }
    return refs;
  }

  private byte[] chunkOf(long ref) {
    long seq = ref >>> 32;
    if (seq < firstSeq || seq >= nextSeq) {
      throw new IllegalStateException("frame " + Long.toHexString(ref) + " is not held"); // a bug
    }
    return ring[index(seq)];
  }

  private int index(long seq) {
    return (int) (seq & (ring.length - 1));
  }

  private void growRing() {
    byte[][] bigger = new byte[ring.length * 2][];
    for (long s = firstSeq; s < nextSeq; s++) {
      bigger[(int) (s & (bigger.length - 1))] = ring[index(s)];
    }
    ring = bigger;
  }

  private static int writeVarint(byte[] buf, int at, int v) {
    while ((v & ~0x7F) != 0) {
      buf[at++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[at++] = (byte) v;
    return at;
  }

  /** Reads a varint at {@code at}: the value in the low 32 bits, the next position in the high 32 bits. */
  private static long readVarint(byte[] buf, int at) {
    int v = 0;
    int shift = 0;
    while (true) {
      byte b = buf[at++];
      v |= (b & 0x7F) << shift;
      if (b >= 0) {
        return ((long) at << 32) | (v & 0xFFFFFFFFL);
      }
      shift += 7;
    }
  }

  @Override
  public String toString() {
    return "FrameLog[chunks=" + (nextSeq - firstSeq) + ", held=" + heldBytes + ", chunkBytes=" + chunkBytes + "]";
  }
}
