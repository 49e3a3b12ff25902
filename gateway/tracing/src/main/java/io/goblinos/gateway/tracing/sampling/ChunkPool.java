package io.goblinos.gateway.tracing.sampling;

import java.util.ArrayDeque;

/**
 * Free {@link FrameLog} chunks kept for reuse by the shards of one processor, so that in the steady state a log takes
 * the chunk another one just freed instead of allocating. At the default size a chunk is a G1 humongous object, and
 * G1 answers a humongous allocation made while the old generation is above its occupancy threshold with a young
 * pause and a concurrent cycle: allocating a chunk per megabyte of spans caused a pause every few hundred ms under load.
 *
 * <p>Bounded at {@code maxChunks}; a chunk freed when the pool is full, or of another size (a frame larger than a
 * chunk gets its own), is left to the garbage collector. Thread-safe.
 */
final class ChunkPool {
  private final int chunkBytes;
  private final int maxChunks;
  private final ArrayDeque<byte[]> free = new ArrayDeque<>();

  ChunkPool(int chunkBytes, int maxChunks) {
    this.chunkBytes = Math.max(FrameLog.MIN_CHUNK_BYTES, Math.min(FrameLog.MAX_CHUNK_BYTES, chunkBytes));
    this.maxChunks = Math.max(0, maxChunks);
  }

  int chunkBytes() {
    return chunkBytes;
  }

  /** A chunk of at least {@code minBytes}: a pooled one when it is large enough, else a new one. */
  byte[] take(int minBytes) {
    if (minBytes <= chunkBytes) {
      synchronized (this) {
        byte[] chunk = free.pollLast();
        if (chunk != null) {
          return chunk;
        }
      }
      return new byte[chunkBytes];
    }
    return new byte[minBytes];
  }

  /** Returns a chunk no frame refers to any more. */
  void give(byte[] chunk) {
    if (chunk.length != chunkBytes) {
      return;
    }
    synchronized (this) {
      if (free.size() < maxChunks) {
        free.addLast(chunk);
      }
    }
  }

  /** Bytes of the chunks waiting for reuse. */
  synchronized long pooledBytes() {
    return (long) free.size() * chunkBytes;
  }
}
