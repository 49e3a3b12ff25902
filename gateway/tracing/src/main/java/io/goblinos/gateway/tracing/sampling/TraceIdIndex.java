package io.goblinos.gateway.tracing.sampling;

import io.goblinos.gateway.tracing.internal.Otlp;

/**
 * Open-addressing hash index from a 128-bit trace id to a small integer reference (a slot or ring position). The
 * table stores only {@code ref + 1} (0 = empty); the id of a reference is read back from the owner's arrays through
 * {@link Keys}, so an entry costs 4 bytes of table per free cell (load factor at most 1/2). Linear probing with
 * backward-shift deletion, no tombstones. Not thread-safe: the owning shard's lock guards it.
 */
final class TraceIdIndex {

  /** Where the index reads the trace id of a reference. */
  interface Keys {
    long high(int ref);

    long low(int ref);
  }

  private final Keys keys;
  private int[] table;
  private int mask;
  private int size;

  TraceIdIndex(Keys keys, int expected) {
    this.keys = keys;
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    table = new int[cap];
    mask = cap - 1;
  }

  static int hash(long high, long low) {
    return (int) Otlp.mix64(low * 0x9E3779B97F4A7C15L ^ high);
  }

  int size() {
    return size;
  }

  /** Bytes held by the table (for memory accounting). */
  long tableBytes() {
    return 16L + 4L * table.length;
  }

  /** The reference stored for the id, or -1. */
  int find(long high, long low) {
    int i = hash(high, low) & mask;
    while (true) {
      int v = table[i];
      if (v == 0) {
        return -1;
      }
      int ref = v - 1;
      if (keys.low(ref) == low && keys.high(ref) == high) {
        return ref;
      }
      i = (i + 1) & mask;
    }
  }

  /** Adds {@code ref}, whose id must not be present yet. */
  void insert(int ref) {
    if ((size + 1) * 2 > table.length) {
      rehash(table.length * 2);
    }
    put(table, mask, ref);
    size++;
  }

  /** Removes {@code ref}; its id must still be readable through {@link Keys}. */
  void remove(int ref) {
    int i = hash(keys.high(ref), keys.low(ref)) & mask;
    while (table[i] != ref + 1) {
      if (table[i] == 0) {
        throw new IllegalStateException("reference " + ref + " is not in the index");
      }
      i = (i + 1) & mask;
    }
    table[i] = 0;
    size--;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      int v = table[j];
      if (v == 0) {
        return;
      }
      int home = hash(keys.high(v - 1), keys.low(v - 1)) & mask;
      // the entry at j may move to the hole at i unless its home lies cyclically in (i, j]
      boolean stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!stays) {
        table[i] = v;
        table[j] = 0;
        i = j;
      }
    }
  }

  private void put(int[] t, int m, int ref) {
    int i = hash(keys.high(ref), keys.low(ref)) & m;
    while (t[i] != 0) {
      i = (i + 1) & m;
    }
    t[i] = ref + 1;
  }

  private void rehash(int capacity) {
    int[] t = new int[capacity];
    int m = capacity - 1;
    for (int v : table) {
      if (v != 0) {
        put(t, m, v - 1);
      }
    }
    table = t;
    mask = m;
  }
}
