package io.goblinos.gateway.tracing.internal;

/**
 * Array lengths for the trace-id tables: a power of two less {@link #SLACK}, so that a large array plus its header
 * fills whole G1 heap regions (whose size is a power of two) instead of spilling into one more, mostly empty, region.
 */
public final class Sizes {
  /** Elements left off a power of two: room for an array header of up to 16 bytes even for byte[]. */
  public static final int SLACK = 16;
  /** The largest length handed out: 2^30 less SLACK. */
  public static final int MAX = (1 << 30) - SLACK;

  private Sizes() {}

  /** The smallest length of the form 2^k - SLACK (k &gt;= 5) that is at least {@code n}, at most {@link #MAX}. */
  public static int atLeast(long n) {
    long p = 32;
    while (p - SLACK < n && p < 1L << 30) {
      p <<= 1;
    }
    return (int) (p - SLACK);
  }

  /** The next length after {@code length} (about twice it), at most {@link #MAX}. */
  public static int grow(int length) {
    return atLeast(length + 1L);
  }
}
