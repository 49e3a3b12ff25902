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
    long[] his = new long[1];
    long[] los = new long[1];
    LongPairIndex index = new LongPairIndex(4, 0L);
    assertThatThrownBy(() -> index.insert(-1, his, los)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> index.insert(Integer.MAX_VALUE, his, los)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keysThatShareTheLowBitsOrTheHighBitsStayApart() {
    long[] his = new long[64];
    long[] los = new long[64];
    LongPairIndex index = new LongPairIndex(4, 0L);
    for (int id = 0; id < 64; id++) {
      his[id] = id < 32 ? 0x1234L : id;   // the first half differ only in lo
      los[id] = id < 32 ? id : 0x5678L;   // the second half only in hi
      index.insert(id, his, los);
    }
    for (int id = 0; id < 64; id++) {
      assertThat(index.find(his[id], los[id], his, los)).isEqualTo(id);
    }
    assertThat(index.find(0x1234L, 99, his, los)).isEqualTo(-1);
  }

  @Test
  void removingAnAbsentIdFails() {
    long[] his = {1, 2};
    long[] los = {3, 4};
    LongPairIndex index = new LongPairIndex(4, 0L);
    index.insert(0, his, los);
    assertThatThrownBy(() -> index.remove(1, his, los)).isInstanceOf(IllegalStateException.class);
  }

  /** Inserts and removes at random over {@link #IDS} id slots, checking every answer against a map. */
  private static void churn(LongPairIndex index, int steps, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long[] his = new long[IDS];
    long[] los = new long[IDS];
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
        his[id] = random.nextLong(50);
        los[id] = random.nextLong();
        Key k = new Key(his[id], los[id]);
        if (model.containsKey(k)) {
          free.addFirst(id);
          continue;
        }
        index.insert(id, his, los);
        model.put(k, id);
        live[liveCount++] = id;
      } else if (op < 8 && liveCount > 0) {
        int at = random.nextInt(liveCount);
        int id = live[at];
        live[at] = live[--liveCount];
        index.remove(id, his, los);
        model.remove(new Key(his[id], los[id]));
        free.add(id);
      } else if (liveCount > 0 && random.nextBoolean()) {
        int id = live[random.nextInt(liveCount)];
        assertThat(index.find(his[id], los[id], his, los)).isEqualTo(id);
      } else {
        long hi = random.nextLong(50);
        long lo = random.nextLong();
        Integer expected = model.get(new Key(hi, lo));
        assertThat(index.find(hi, lo, his, los)).isEqualTo(expected == null ? -1 : expected);
      }
      assertThat(index.size()).isEqualTo(model.size());
    }
    for (Map.Entry<Key, Integer> e : model.entrySet()) {
      assertThat(index.find(e.getKey().hi(), e.getKey().lo(), his, los)).isEqualTo(e.getValue());
    }
  }
}
