package io.goblinos.gateway.receiver;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;

/**
 * Collects a request body's chunks into one byte array, bounded at a limit. When the sender declared the body's
 * length, the array is allocated at that length (up to {@link #MAX_PRESIZE}), so a body read to its end is handed
 * on as is: no growth copies and no final copy. The body is then held once while it is decoded, not twice (a growing
 * buffer, then its copy), which matters for the garbage collector: requests in flight are what a young collection
 * copies. Not thread-safe: one per request, on its event loop.
 */
public final class BodyCollector {
  /** The most allocated before any data arrives; a larger declared body grows as it comes. */
  static final int MAX_PRESIZE = 1 << 20;
  private static final int INITIAL = 16 * 1024;

  private final long limit;
  private byte[] bytes;
  private int length;

  /** The length a {@code Content-Length} header declares: -1 when absent or not a number. */
  public static long declaredLength(String contentLength) {
    if (contentLength == null) {
      return -1;
    }
    try {
      return Long.parseLong(contentLength.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * @param declaredLength the Content-Length the sender declared, or -1 ({@link #declaredLength})
   * @param limit the most bytes accepted
   */
  public BodyCollector(long declaredLength, long limit) {
    this.limit = limit;
    long first = declaredLength >= 0 ? Math.min(declaredLength, MAX_PRESIZE) : INITIAL;
    this.bytes = new byte[(int) Math.max(0, Math.min(first, limit))];
  }

  /** Appends {@code chunk}; false (and nothing appended) when the body would exceed the limit. */
  public boolean add(Buffer chunk) {
    int n = chunk.length();
    if ((long) length + n > limit) {
      return false;
    }
    if (length + n > bytes.length) {
      long grown = Math.max((long) length + n, Math.min(limit, Math.max(INITIAL, 2L * bytes.length)));
      bytes = Arrays.copyOf(bytes, (int) grown);
    }
    chunk.getBytes(0, n, bytes, length);
    length += n;
    return true;
  }

  public int length() {
    return length;
  }

  /** The body: the collecting array itself when it is exactly full, else a copy of its used part. */
  public byte[] bytes() {
    return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
  }
}
