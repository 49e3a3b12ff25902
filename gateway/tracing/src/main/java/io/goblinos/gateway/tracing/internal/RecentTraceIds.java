package io.goblinos.gateway.tracing.internal;

import java.util.Arrays;

/**
 * The most recent trace ids, at most {@code max} of them: adding one more forgets the oldest (insertion order, FIFO;
 * adding an id already present changes nothing). A ring of {@code (hi, lo)} pairs, grown up to {@code max}, plus a
 * {@link LongPairIndex} over ring positions: about 32 bytes per id and no object per id. {@code max} 0 keeps nothing.
 * Used for trace_coverage's judged traces and tail_sampling's decision caches. Not thread-safe.
 */
public final class RecentTraceIds {
  private static final int INITIAL = Sizes.atLeast(1000);

  private final int max;
  private final LongPairIndex index;
  private long[] his;
  private long[] los;
  private int head;
  private int size;

  public RecentTraceIds(int max, long seed) {
    if (max < 0) {
      throw new IllegalArgumentException("max was " + max + " but it must be >= 0");
    }
    this.max = max;
    int initial = Math.min(max, INITIAL);
    this.his = new long[initial];
    this.los = new long[initial];
    this.index = new LongPairIndex(initial, seed);
  }

  public int size() {
    return size;
  }

  public boolean contains(long hi, long lo) {
    return size > 0 && index.find(hi, lo, his, los) >= 0;
  }

  /** Adds the id unless present; returns whether it was added. */
  public boolean add(long hi, long lo) {
    if (max == 0 || contains(hi, lo)) {
      return false;
    }
    if (size == max) {
      // full: the ring has its final length max; forget the oldest
      index.remove(head, his, los);
      head = head + 1 == max ? 0 : head + 1;
      size--;
    } else if (size == his.length) {
      // never full before, so nothing was forgotten yet: head is 0 and the ring is not wrapped
      int length = Math.min(max, Sizes.grow(his.length));
      his = Arrays.copyOf(his, length);
      los = Arrays.copyOf(los, length);
    }
    int pos = head + size;
    if (pos >= his.length) {
      pos -= his.length;
    }
    his[pos] = hi;
    los[pos] = lo;
    index.insert(pos, his, los);
    size++;
    return true;
  }
}
