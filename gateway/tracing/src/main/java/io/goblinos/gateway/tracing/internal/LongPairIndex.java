package io.goblinos.gateway.tracing.internal;

/**
 * An open-addressing (linear probing) index from a 128-bit key, two longs {@code (hi, lo)}, to a small int id. The
 * keys themselves live in the owner's array of records, passed to every call with the record's length in longs
 * ({@code stride}): id's key is {@code keys[id * stride]} (hi) and {@code keys[id * stride + 1]} (lo), next to the
 * rest of the owner's record, so that reading the key and then the record is one cache miss rather than one per
 * array. The index itself is one {@code long[]} kept at most half full. Removal shifts later entries back (no tombstones). The hash is seeded
 * so that chosen trace ids cannot pile up in one run of the table. The table's length is a power of two less
 * {@link Sizes#SLACK}, so that a large one does not spill into one more G1 heap region for its array header; a hash
 * is mapped onto it by multiplication. Used for trace ids by tail_sampling (pending traces, decision caches) and
 * trace_coverage. Not thread-safe.
 *
 * <p>An entry is {@code id + 1} (0 = empty) in its low 32 bits and the low 32 bits of the key's hash above them. The
 * tables are large and probed at random (fresh trace ids mostly miss), so each read of the owner's key arrays is a
 * cache miss. With the hash in the entry, a probe reads the keys only when 32 bits of hash
 * match (nearly always the key itself), and neither removal's backward shift nor growth reads any key: an entry's
 * home follows from its own bits.
 */
public final class LongPairIndex {
  private static final int MIN_TABLE = 16;
  private static final long ID_BITS = 0xffffffffL;

  private final long seed;
  /** The bits of the hash an entry keeps: all 32 (tests keep fewer, to force runs and equal stored hashes). */
  private final long hashMask;
  private long[] table;
  private int size;

  /** @param expected ids expected at once (the table starts at twice that, rounded up to a power of two) */
  public LongPairIndex(int expected, long seed) {
    this(expected, seed, 32);
  }

  /** Keeping only the top {@code hashBits} of the 32 hash bits (tests: many keys then share a home and a stored hash). */
  LongPairIndex(int expected, long seed, int hashBits) {
    if (hashBits < 1 || hashBits > 32) {
      throw new IllegalArgumentException("hashBits was " + hashBits + " but it must be in [1, 32]");
    }
    this.seed = seed;
    this.hashMask = ID_BITS & (ID_BITS << (32 - hashBits));
    this.table = new long[Sizes.atLeast(Math.max(MIN_TABLE, 2L * expected))];
  }

  public int size() {
    return size;
  }

  /** Bytes held by the table (for memory accounting). */
  public long tableBytes() {
    return 16L + 8L * table.length;
  }

  /** Length of the table; visible for tests. */
  public int tableLength() {
    return table.length;
  }

  /** The home position of a key in the current table; visible for tests. */
  public int home(long hi, long lo) {
    return home(hash(hi, lo), table.length);
  }

  /** The 32 hash bits an entry keeps for a key, as the low bits of a long. */
  private long hash(long hi, long lo) {
    return Otlp.mix64(Otlp.mix64(lo + seed) ^ hi) & hashMask;
  }

  /** The home position of a stored hash in a table of {@code length}. */
  private static int home(long hash, int length) {
    return (int) ((hash * length) >>> 32);
  }

  /** The id whose key is {@code (hi, lo)}, or -1. */
  public int find(long hi, long lo, long[] keys, int stride) {
    long[] t = table;
    long h = hash(hi, lo);
    int i = home(h, t.length);
    while (true) {
      long e = t[i];
      if (e == 0) {
        return -1;
      }
      if (e >>> 32 == h) {
        int id = (int) (e & ID_BITS) - 1;
        int at = id * stride;
        if (keys[at] == hi && keys[at + 1] == lo) {
          return id;
        }
      }
      if (++i == t.length) {
        i = 0;
      }
    }
  }

  /**
   * Adds {@code id} (at most {@code Integer.MAX_VALUE - 1}), whose key the caller has already stored in its record of
   * {@code keys} and is absent.
   */
  public void insert(int id, long[] keys, int stride) {
    if (id < 0 || id == Integer.MAX_VALUE) {
      throw new IllegalArgumentException("id was " + id + " but it must be in [0, " + (Integer.MAX_VALUE - 1) + "]");
    }
    if (2L * (size + 1) > table.length && table.length < Sizes.MAX) {
      rebuild(Sizes.grow(table.length));
    }
    place(hash(keys[id * stride], keys[id * stride + 1]) << 32 | (id + 1));
    size++;
  }

  private void place(long entry) {
    long[] t = table;
    int i = home(entry >>> 32, t.length);
    while (t[i] != 0) {
      if (++i == t.length) {
        i = 0;
      }
    }
    t[i] = entry;
  }

  /** Places every entry again in a new table of {@code length} (from the hashes they keep: no key is read). */
  private void rebuild(int length) {
    long[] old = table;
    table = new long[length];
    for (long e : old) {
      if (e != 0) {
        place(e);
      }
    }
  }

  /** Removes {@code id}, which must be present; its key must still be in its record of {@code keys}. */
  public void remove(int id, long[] keys, int stride) {
    long[] t = table;
    int len = t.length;
    long wanted = hash(keys[id * stride], keys[id * stride + 1]) << 32 | (id + 1);
    int i = home(wanted >>> 32, len);
    while (t[i] != wanted) {
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
      long e = t[j];
      if (e == 0) {
        break;
      }
      int home = home(e >>> 32, len);
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
