package io.goblinos.gateway.tracing.internal;

import java.util.Arrays;

/**
 * The most recent trace ids, at most {@code max} of them: adding one more forgets the oldest (insertion order, FIFO;
 * adding an id already present changes nothing). A ring of {@code (hi, lo)} pairs (side by side in one array), grown
 * up to {@code max}, plus a
 * {@link LongPairIndex} over ring positions: about 32 bytes per id and no object per id. {@code max} 0 keeps nothing.
 * Used for trace_coverage's judged traces and tail_sampling's decision caches. Not thread-safe.
 */
public final class RecentTraceIds {
  private static final int INITIAL = Sizes.atLeast(1000);

  private final int max;
  private final LongPairIndex index;
  /** The ring: position i's id is {@code ids[2 * i]} (hi), {@code ids[2 * i + 1]} (lo). */
  private long[] ids;
  private int head;
  private int size;

  public RecentTraceIds(int max, long seed) {
    if (max < 0) {
      throw new IllegalArgumentException("max was " + max + " but it must be >= 0");
    }
    this.max = max;
    int initial = Math.min(max, INITIAL);
    this.ids = new long[2 * initial];
    this.index = new LongPairIndex(initial, seed);
  }

  public int size() {
    return size;
  }

  public boolean contains(long hi, long lo) {
    return size > 0 && index.find(hi, lo, ids, 2) >= 0;
  }

  /** Adds the id unless present; returns whether it was added. */
  public boolean add(long hi, long lo) {
    if (max == 0 || contains(hi, lo)) {
      return false;
    }
    if (size == max) {
      // full: the ring has its final length max; forget the oldest
      index.remove(head, ids, 2);
      head = head + 1 == max ? 0 : head + 1;
      size--;
    } else if (size == ids.length / 2) {
      // never full before, so nothing was forgotten yet: head is 0 and the ring is not wrapped
      int length = Math.min(max, Sizes.grow(ids.length / 2));
      ids = Arrays.copyOf(ids, 2 * length);
    }
    int capacity = ids.length / 2;
    int pos = head + size;
    if (pos >= capacity) {
      pos -= capacity;
    }
    ids[2 * pos] = hi;
    ids[2 * pos + 1] = lo;
    index.insert(pos, ids, 2);
    size++;
    return true;
  }
}
