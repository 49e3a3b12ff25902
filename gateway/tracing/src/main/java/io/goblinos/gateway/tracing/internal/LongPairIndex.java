package io.goblinos.gateway.tracing.internal;

/**
 * An open-addressing (linear probing) index from a 128-bit key, two longs {@code (hi, lo)}, to a small int id. The
 * keys themselves live in the owner's arrays ({@code his[id]}, {@code los[id]}), passed to every call, so the index
 * is one {@code int[]} (id + 1, 0 = empty) kept at most half full. Removal shifts later entries back (no
 * tombstones). The hash is seeded so that chosen trace ids cannot pile up in one run of the table. The table's length
 * is a power of two less {@link Sizes#SLACK}, so that a large one does not spill into one more G1 heap region for
 * its array header; a hash is mapped onto it by multiplication. Used for trace ids by tail_sampling (pending traces,
 * decision caches) and trace_coverage. Not thread-safe.
 */
public final class LongPairIndex {
  private static final int MIN_TABLE = 16;

  private final long seed;
  private int[] table;
  private int size;

  /** @param expected ids expected at once (the table starts at twice that, rounded up to a power of two) */
  public LongPairIndex(int expected, long seed) {
    this.seed = seed;
    this.table = new int[Sizes.atLeast(Math.max(MIN_TABLE, 2L * expected))];
  }

  public int size() {
    return size;
  }

  /** Bytes held by the table (for memory accounting). */
  public long tableBytes() {
    return 16L + 4L * table.length;
  }

  /** Length of the table; visible for tests. */
  public int tableLength() {
    return table.length;
  }

  /** The home position of a key in the current table; visible for tests. */
  public int home(long hi, long lo) {
    return home(hi, lo, table.length);
  }

  /** The home position of a key in a table of {@code length}. */
  private int home(long hi, long lo, int length) {
    long h = Otlp.mix64(Otlp.mix64(lo + seed) ^ hi);
    return (int) (((h & 0xffffffffL) * length) >>> 32);
  }

  /** The id whose key is {@code (hi, lo)}, or -1. */
  public int find(long hi, long lo, long[] his, long[] los) {
    int[] t = table;
    int i = home(hi, lo, t.length);
    while (true) {
      int e = t[i];
      if (e == 0) {
        return -1;
      }
      if (his[e - 1] == hi && los[e - 1] == lo) {
        return e - 1;
      }
      if (++i == t.length) {
        i = 0;
      }
    }
  }

  /** Adds {@code id}, whose key the caller has already stored in {@code his[id]}, {@code los[id]} and is absent. */
  public void insert(int id, long[] his, long[] los) {
    if (2L * (size + 1) > table.length && table.length < Sizes.MAX) {
      grow(his, los);
    }
    place(id, his, los);
    size++;
  }

  private void place(int id, long[] his, long[] los) {
    int[] t = table;
    int i = home(his[id], los[id], t.length);
    while (t[i] != 0) {
      if (++i == t.length) {
        i = 0;
      }
    }
    t[i] = id + 1;
  }

  private void grow(long[] his, long[] los) {
    int[] old = table;
    table = new int[Sizes.grow(old.length)];
    for (int e : old) {
      if (e != 0) {
        place(e - 1, his, los);
      }
    }
  }

  /** Removes {@code id}, which must be present; its key must still be in {@code his[id]}, {@code los[id]}. */
  public void remove(int id, long[] his, long[] los) {
    int[] t = table;
    int len = t.length;
    int i = home(his[id], los[id], len);
    while (t[i] != id + 1) {
      if (t[i] == 0) {
        throw new IllegalStateException("id " + id + " is not in the index");
      }
      if (++i == len) {
        i = 0;
      }
    }
    // backward-shift deletion: move up every later entry of the run whose home is not in (i, j]
    int j = i;
    while (true) {
      if (++j == len) {
        j = 0;
      }
      int e = t[j];
      if (e == 0) {
        break;
      }
      int home = home(his[e - 1], los[e - 1], len);
      boolean stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) {
        t[i] = e;
        i = j;
      }
    }
    t[i] = 0;
    size--;
  }
}
