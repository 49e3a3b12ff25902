package io.goblinos.gateway.tracing.internal;

/**
 * An open-addressing (linear probing) index from a 128-bit key, two longs {@code (hi, lo)}, to a small int id. The
 * keys themselves live in the owner's arrays ({@code his[id]}, {@code los[id]}), passed to every call, so the index
 * is one {@code int[]} kept at most half full. Removal shifts later entries back (no tombstones). The hash is seeded so
 * that chosen trace ids cannot pile up in one run of the table. The table's length is a power of two less
 * {@link Sizes#SLACK}, so that a large one does not spill into one more G1 heap region for its array header; a hash
 * is mapped onto it by multiplication. Used for trace ids by tail_sampling (pending traces, decision caches) and
 * trace_coverage. Not thread-safe.
 *
 * <p>An entry is {@code id + 1} (0 = empty) in its low {@value #ID_BITS} bits and a 7-bit tag from the key's hash
 * above them: a probe compares tags first and reads the owner's key arrays only when they match. The tables are
 * large and probed at random (fresh trace ids mostly miss), so each key read is a cache miss; with tags, a miss reads
 * none in nearly every case. An id too large for {@value #ID_BITS} bits turns the tags off for good (the table is
 * rebuilt with plain {@code id + 1} entries).
 */
public final class LongPairIndex {
  private static final int MIN_TABLE = 16;
  /** Bits of an entry that hold {@code id + 1} while tags are on. */
  static final int ID_BITS = 24;

  private final long seed;
  private int[] table;
  private int size;
  /** {@code 2^idBits - 1} while tags are on; all 31 bits once an id did not fit. */
  private int idMask;
  /** The id bits while tags are on; 31 (every tag reads as 0) once off. */
  private int tagShift;

  /** @param expected ids expected at once (the table starts at twice that, rounded up to a power of two) */
  public LongPairIndex(int expected, long seed) {
    this(expected, seed, ID_BITS);
  }

  /** With tags above {@code idBits} bits of id (tests use few, to reach the untagged mode with small ids). */
  LongPairIndex(int expected, long seed, int idBits) {
    if (idBits < 2 || idBits > ID_BITS) {
      throw new IllegalArgumentException("idBits was " + idBits + " but it must be in [2, " + ID_BITS + "]");
    }
    this.seed = seed;
    this.table = new int[Sizes.atLeast(Math.max(MIN_TABLE, 2L * expected))];
    this.idMask = (1 << idBits) - 1;
    this.tagShift = idBits;
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

  /** Whether entries carry hash tags (an id beyond the id bits turns them off); visible for tests. */
  boolean tagged() {
    return tagShift != 31;
  }

  /** The home position of a key in the current table; visible for tests. */
  public int home(long hi, long lo) {
    return home(hash(hi, lo), table.length);
  }

  private long hash(long hi, long lo) {
    return Otlp.mix64(Otlp.mix64(lo + seed) ^ hi);
  }

  /** The home position of a hash in a table of {@code length}: from its low 32 bits. */
  private static int home(long h, int length) {
    return (int) (((h & 0xffffffffL) * length) >>> 32);
  }

  /** The tag of a hash: its top 7 bits (independent of the home position's), or 0 with tags off. */
  private int tag(long h) {
    return tagShift != 31 ? (int) (h >>> 57) : 0;
  }

  /** The id whose key is {@code (hi, lo)}, or -1. */
  public int find(long hi, long lo, long[] his, long[] los) {
    int[] t = table;
    long h = hash(hi, lo);
    int tag = tag(h);
    int shift = tagShift;
    int mask = idMask;
    int i = home(h, t.length);
    while (true) {
      int e = t[i];
      if (e == 0) {
        return -1;
      }
      if (e >>> shift == tag) {
        int id = (e & mask) - 1;
        if (his[id] == hi && los[id] == lo) {
          return id;
        }
      }
      if (++i == t.length) {
        i = 0;
      }
    }
  }

  /** Adds {@code id}, whose key the caller has already stored in {@code his[id]}, {@code los[id]} and is absent. */
  public void insert(int id, long[] his, long[] los) {
    if (id >= idMask) {
      untag(his, los); // id + 1 must fit the entry's id bits
    }
    if (2L * (size + 1) > table.length && table.length < Sizes.MAX) {
      grow(his, los);
    }
    place(id, his, los);
    size++;
  }

  private void place(int id, long[] his, long[] los) {
    int[] t = table;
    long h = hash(his[id], los[id]);
    int i = home(h, t.length);
    while (t[i] != 0) {
      if (++i == t.length) {
        i = 0;
      }
    }
    t[i] = tag(h) << tagShift | (id + 1);
  }

  private void grow(long[] his, long[] los) {
    rebuild(Sizes.grow(table.length), idMask, his, los);
  }

  /** Turns the tags off for good: entries become plain {@code id + 1}, which fits any id below 2^31 - 1. */
  private void untag(long[] his, long[] los) {
    if (!tagged()) {
      return;
    }
    int oldMask = idMask;
    tagShift = 31;
    idMask = Integer.MAX_VALUE;
    rebuild(table.length, oldMask, his, los);
  }

  /** Places every entry again in a new table of {@code length}; {@code oldMask} reads an old entry's id. */
  private void rebuild(int length, int oldMask, long[] his, long[] los) {
    int[] old = table;
    table = new int[length];
    for (int e : old) {
      if (e != 0) {
        place((e & oldMask) - 1, his, los);
      }
    }
  }

  /** Removes {@code id}, which must be present; its key must still be in {@code his[id]}, {@code los[id]}. */
  public void remove(int id, long[] his, long[] los) {
    int[] t = table;
    int len = t.length;
    int mask = idMask;
    int i = home(hash(his[id], los[id]), len);
    while ((t[i] & mask) != id + 1) {
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
      int eid = (e & mask) - 1;
      int home = home(hash(his[eid], los[eid]), len);
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
