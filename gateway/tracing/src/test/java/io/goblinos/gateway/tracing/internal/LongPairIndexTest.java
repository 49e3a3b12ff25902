package io.goblinos.gateway.tracing.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The index against a HashMap model: random inserts, removals and lookups, with all hash bits kept and with few. */
class LongPairIndexTest {
  private static final int IDS = 3000;

  private record Key(long hi, long lo) {}

  /** Keys as an owner keeps them: at the start of each id's record, here of three longs (the third never a key). */
  private static final class Records {
    static final int STRIDE = 3;
    final long[] keys;

    Records(int ids) {
      keys = new long[ids * STRIDE];
      java.util.Arrays.fill(keys, -7L);
    }

    void setHi(int id, long hi) {
      keys[id * STRIDE] = hi;
    }

    void setLo(int id, long lo) {
      keys[id * STRIDE + 1] = lo;
    }

    long hi(int id) {
      return keys[id * STRIDE];
    }

    long lo(int id) {
      return keys[id * STRIDE + 1];
    }
  }

  @Test
  void agreesWithAMapUnderRandomChurn() {
    churn(new LongPairIndex(8, 42L), 200_000, 7L);
  }

  @Test
  void agreesWithAMapWhenManyKeysShareAHomeAndAStoredHash() {
    // six stored hash bits: 64 homes at most, long runs that wrap, and keys told apart only by the key arrays
    churn(new LongPairIndex(8, 42L, 6), 200_000, 11L);
  }

  @Test
  void idsOutsideTheEntrysRangeAreRefused() {
    Records k = new Records(1);
    LongPairIndex index = new LongPairIndex(4, 0L);
    assertThatThrownBy(() -> index.insert(-1, k.keys, Records.STRIDE)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> index.insert(Integer.MAX_VALUE, k.keys, Records.STRIDE)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keysThatShareTheLowBitsOrTheHighBitsStayApart() {
    Records k = new Records(64);
    LongPairIndex index = new LongPairIndex(4, 0L);
    for (int id = 0; id < 64; id++) {
      k.setHi(id, id < 32 ? 0x1234L : id);   // the first half differ only in lo
      k.setLo(id, id < 32 ? id : 0x5678L);   // the second half only in hi
      index.insert(id, k.keys, Records.STRIDE);
    }
    for (int id = 0; id < 64; id++) {
      assertThat(index.find(k.hi(id), k.lo(id), k.keys, Records.STRIDE)).isEqualTo(id);
    }
    assertThat(index.find(0x1234L, 99, k.keys, Records.STRIDE)).isEqualTo(-1);
  }

  @Test
  void removingAnAbsentIdFails() {
    Records k = new Records(2);
    k.setHi(0, 1);
    k.setLo(0, 3);
    k.setHi(1, 2);
    k.setLo(1, 4);
    LongPairIndex index = new LongPairIndex(4, 0L);
    index.insert(0, k.keys, Records.STRIDE);
    assertThatThrownBy(() -> index.remove(1, k.keys, Records.STRIDE)).isInstanceOf(IllegalStateException.class);
  }

  /** Inserts and removes at random over {@link #IDS} id slots, checking every answer against a map. */
  private static void churn(LongPairIndex index, int steps, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Records k = new Records(IDS);
    Map<Key, Integer> model = new HashMap<>();
    ArrayDeque<Integer> free = new ArrayDeque<>();
    for (int id = 0; id < IDS; id++) {
      free.add(id);
    }
    Integer[] live = new Integer[IDS];
    int liveCount = 0;
    for (int step = 0; step < steps; step++) {
      int op = random.nextInt(10);
      if (op < 5 && !free.isEmpty()) {
        int id = free.poll();
        // small key space: some keys come back after their removal
        k.setHi(id, random.nextLong(50));
        k.setLo(id, random.nextLong());
        Key key = new Key(k.hi(id), k.lo(id));
        if (model.containsKey(key)) {
          free.addFirst(id);
          continue;
        }
        index.insert(id, k.keys, Records.STRIDE);
        model.put(key, id);
        live[liveCount++] = id;
      } else if (op < 8 && liveCount > 0) {
        int at = random.nextInt(liveCount);
        int id = live[at];
        live[at] = live[--liveCount];
        index.remove(id, k.keys, Records.STRIDE);
        model.remove(new Key(k.hi(id), k.lo(id)));
        free.add(id);
      } else if (liveCount > 0 && random.nextBoolean()) {
        int id = live[random.nextInt(liveCount)];
        assertThat(index.find(k.hi(id), k.lo(id), k.keys, Records.STRIDE)).isEqualTo(id);
      } else {
        long hi = random.nextLong(50);
        long lo = random.nextLong();
        Integer expected = model.get(new Key(hi, lo));
        assertThat(index.find(hi, lo, k.keys, Records.STRIDE)).isEqualTo(expected == null ? -1 : expected);
      }
      assertThat(index.size()).isEqualTo(model.size());
    }
    for (Map.Entry<Key, Integer> e : model.entrySet()) {
      assertThat(index.find(e.getKey().hi(), e.getKey().lo(), k.keys, Records.STRIDE)).isEqualTo(e.getValue());
    }
  }
}
