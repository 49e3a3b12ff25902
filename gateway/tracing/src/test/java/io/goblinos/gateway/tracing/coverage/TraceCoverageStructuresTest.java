package io.goblinos.gateway.tracing.coverage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.goblinos.gateway.tracing.internal.LongPairIndex;
import io.goblinos.gateway.tracing.internal.RecentTraceIds;
import io.goblinos.gateway.tracing.internal.Sizes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The primitive tables behind trace_coverage: {@link LongPairIndex}, {@link RecentTraceIds}, {@link TraceTable}. */
class TraceCoverageStructuresTest {
  private static final long SEED = 42;

  @Test
  void sizesAreAPowerOfTwoLessSlack() {
    assertThat(Sizes.atLeast(0)).isEqualTo(16);
    assertThat(Sizes.atLeast(16)).isEqualTo(16);
    assertThat(Sizes.atLeast(17)).isEqualTo(48);
    assertThat(Sizes.atLeast(1000)).isEqualTo(1008);
    assertThat(Sizes.grow(1008)).isEqualTo(2032);
    assertThat(Sizes.atLeast(Long.MAX_VALUE)).isEqualTo(Sizes.MAX);
  }

  /** Keys kept the way the owners keep them: at the start of each id's record, here of three longs. */
  private static final class Keys {
    static final int STRIDE = 3;
    final long[] records = new long[64 * STRIDE];

    void set(int id, long hi, long lo) {
      records[id * STRIDE] = hi;
      records[id * STRIDE + 1] = lo;
      records[id * STRIDE + 2] = -1; // the rest of the record: never read as a key
    }

    long hi(int id) {
      return records[id * STRIDE];
    }

    long lo(int id) {
      return records[id * STRIDE + 1];
    }
  }

  @Test
  void indexFindsEveryKeyOfACollidingRunThatWrapsAround() {
    Keys k = new Keys();
    LongPairIndex index = new LongPairIndex(8, SEED); // table of 16 - stays: at most 8 ids
    int last = index.tableLength() - 1;
    // six keys whose home is the last position, so their run wraps to the start of the table, and two homed at 0
    List<long[]> keys = new ArrayList<>();
    List<long[]> atZero = new ArrayList<>();
    for (long hi = 1; keys.size() < 6 || atZero.size() < 2; hi++) {
      int home = index.home(hi, ~hi);
      if (home == last && keys.size() < 6) {
        keys.add(new long[] {hi, ~hi});
      } else if (home == 0 && atZero.size() < 2) {
        atZero.add(new long[] {hi, ~hi});
      }
    }
    keys.add(1, atZero.get(0));
    keys.add(atZero.get(1));
    for (int id = 0; id < keys.size(); id++) {
      k.set(id, keys.get(id)[0], keys.get(id)[1]);
      index.insert(id, k.records, Keys.STRIDE);
    }
    assertThat(index.tableLength()).isEqualTo(16);
    for (int id = 0; id < keys.size(); id++) {
      assertThat(index.find(k.hi(id), k.lo(id), k.records, Keys.STRIDE)).isEqualTo(id);
    }
    assertThat(index.find(12345, 678, k.records, Keys.STRIDE)).isEqualTo(-1);
    // removing entries from the middle of the run must shift the rest back, across the wrap
    for (int id : new int[] {2, 0, 5}) {
      index.remove(id, k.records, Keys.STRIDE);
      assertThat(index.find(k.hi(id), k.lo(id), k.records, Keys.STRIDE)).isEqualTo(-1);
    }
    for (int id : new int[] {1, 3, 4, 6, 7}) {
      assertThat(index.find(k.hi(id), k.lo(id), k.records, Keys.STRIDE)).as("id %d", id).isEqualTo(id);
    }
    assertThat(index.size()).isEqualTo(5);
    assertThatThrownBy(() -> index.remove(0, k.records, Keys.STRIDE)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void indexAgreesWithAHashMapUnderRandomInsertsAndRemoves() {
    Random random = new Random(7);
    int ids = 3000;
    long[] keys = new long[2 * ids]; // id's key at 2 * id (hi) and 2 * id + 1 (lo), as RecentTraceIds keeps them
    LongPairIndex index = new LongPairIndex(4, SEED); // grows several times
    Map<Long, Integer> model = new HashMap<>(); // key (hi of a small pool, lo = hi * 31) -> id
    List<Integer> freeIds = new ArrayList<>();
    for (int i = ids - 1; i >= 0; i--) {
      freeIds.add(i);
    }
    for (int step = 0; step < 200_000; step++) {
      long hi = random.nextInt(4000);
      long lo = hi * 31;
      Integer id = model.get(hi);
      assertThat(index.find(hi, lo, keys, 2)).isEqualTo(id == null ? -1 : id);
      if (id == null && !freeIds.isEmpty() && random.nextInt(3) > 0) {
        int fresh = freeIds.remove(freeIds.size() - 1);
        keys[2 * fresh] = hi;
        keys[2 * fresh + 1] = lo;
        index.insert(fresh, keys, 2);
        model.put(hi, fresh);
      } else if (id != null) {
        index.remove(id, keys, 2);
        model.remove(hi);
        freeIds.add(id);
      }
      assertThat(index.size()).isEqualTo(model.size());
    }
    model.forEach((hi, id) -> assertThat(index.find(hi, hi * 31, keys, 2)).isEqualTo(id));
    assertThat(index.tableLength()).isGreaterThanOrEqualTo(2 * model.size());
  }

  @Test
  void judgedSetForgetsTheOldestInsertionFirst() {
    RecentTraceIds set = new RecentTraceIds(3, SEED);
    assertThat(set.add(1, 1)).isTrue();
    assertThat(set.add(2, 2)).isTrue();
    assertThat(set.add(3, 3)).isTrue();
    assertThat(set.add(1, 1)).isFalse(); // already there: not moved to the end
    assertThat(set.add(4, 4)).isTrue();
    assertThat(set.contains(1, 1)).isFalse();
    assertThat(set.contains(2, 2)).isTrue();
    assertThat(set.contains(4, 4)).isTrue();
    assertThat(set.contains(2, 3)).isFalse(); // both longs count
    assertThat(set.size()).isEqualTo(3);
  }

  @Test
  void judgedSetAgreesWithABoundedLinkedHashMapWhileGrowingAndWrapping() {
    int max = 5000; // more than the ring's first length, so it grows, then wraps many times
    RecentTraceIds set = new RecentTraceIds(max, SEED);
    Map<Long, Boolean> model = new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
        return size() > max;
      }
    };
    Random random = new Random(11);
    for (int step = 0; step < 60_000; step++) {
      long id = step < 20_000 ? step : random.nextInt(30_000);
      assertThat(set.contains(id, -id)).isEqualTo(model.containsKey(id));
      boolean absent = !model.containsKey(id);
      assertThat(set.add(id, -id)).isEqualTo(absent);
      if (absent) {
        model.put(id, Boolean.TRUE);
      }
      assertThat(set.size()).isEqualTo(model.size());
    }
    for (long id = 0; id < 30_000; id++) {
      assertThat(set.contains(id, -id)).as("id %d", id).isEqualTo(model.containsKey(id));
    }
    assertThatThrownBy(() -> new RecentTraceIds(-1, SEED)).isInstanceOf(IllegalArgumentException.class);
    // 0 keeps nothing (tail_sampling's decision_cache sizes may be 0)
    RecentTraceIds none = new RecentTraceIds(0, SEED);
    assertThat(none.add(1, 2)).isFalse();
    assertThat(none.contains(1, 2)).isFalse();
    assertThat(none.size()).isZero();
  }

  private static List<Long> order(TraceTable t) {
    List<Long> out = new ArrayList<>();
    for (int s = t.oldest(); s != TraceTable.NONE; s = t.newerThan(s)) {
      out.add(t.hi(s));
    }
    return out;
  }

  private static List<Long> spans(TraceTable t, int slot) {
    List<Long> out = new ArrayList<>();
    for (int n = t.firstNode(slot); n != TraceTable.NONE; n = t.nextNode(n)) {
      out.add(t.spanId(n));
    }
    return out;
  }

  @Test
  void aSpanNodeKeepsItsIdsHopAndServiceExactlyAtTheEndsOfTheirRanges() {
    TraceTable t = new TraceTable(4, SEED);
    int s = t.add(-1L, Long.MIN_VALUE, -5);
    int[] hops = {-1, 0, 30, 31, -1, 7};
    int[] services = {TraceTable.MIN_SERVICE, -34, -1, 0, 1023, TraceTable.MAX_SERVICE};
    for (int i = 0; i < hops.length; i++) {
      t.addSpan(s, Long.MIN_VALUE + i, -1L - i, hops[i], services[i]);
    }
    assertThat(t.find(-1L, Long.MIN_VALUE)).isEqualTo(s);
    assertThat(t.firstSeen(s)).isEqualTo(-5);
    assertThat(t.spanCount(s)).isEqualTo(hops.length);
    assertThat(t.seenHops(s)).isEqualTo(1 | 1 << 30 | 1 << 31 | 1 << 7);
    int node = t.firstNode(s);
    for (int i = 0; i < hops.length; i++, node = t.nextNode(node)) {
      assertThat(t.spanId(node)).isEqualTo(Long.MIN_VALUE + i);
      assertThat(t.parentId(node)).isEqualTo(-1L - i);
      assertThat(t.hop(node)).as("hop %d", i).isEqualTo(hops[i]);
      assertThat(t.service(node)).as("service %d", i).isEqualTo(services[i]);
    }
    assertThat(node).isEqualTo(TraceTable.NONE);
    assertThatThrownBy(() -> t.addSpan(s, 1, 0, 32, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.addSpan(s, 1, 0, 0, TraceTable.MAX_SERVICE + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(t.spanCount(s)).isEqualTo(hops.length);
  }

  @Test
  void tableKeepsFirstSeenOrderAndReusesSlotsAndNodes() {
    TraceTable t = new TraceTable(4, SEED);
    int a = t.add(1, 10, 100);
    int b = t.add(2, 20, 200);
    int c = t.add(3, 30, 300);
    t.addSpan(b, 21, 0, 0, 5);
    t.addSpan(b, 22, 21, 2, 6);
    t.addSpan(a, 11, 0, -1, -1);
    assertThat(order(t)).containsExactly(1L, 2L, 3L);
    assertThat(t.find(2, 20)).isEqualTo(b);
    assertThat(t.find(2, 21)).isEqualTo(TraceTable.NONE);
    assertThat(spans(t, b)).containsExactly(21L, 22L);
    assertThat(t.seenHops(b)).isEqualTo(0b101);
    assertThat(t.spanCount(b)).isEqualTo(2);
    assertThat(t.service(t.nextNode(t.firstNode(b)))).isEqualTo(6);

    t.remove(b); // from the middle
    assertThat(order(t)).containsExactly(1L, 3L);
    assertThat(t.find(2, 20)).isEqualTo(TraceTable.NONE);
    int d = t.add(4, 40, 400);
    assertThat(d).isEqualTo(b); // the freed slot
    assertThat(t.spanCount(d)).isZero();
    assertThat(t.seenHops(d)).isZero();
    assertThat(t.firstNode(d)).isEqualTo(TraceTable.NONE);
    t.addSpan(d, 41, 0, 1, -1);
    assertThat(spans(t, d)).containsExactly(41L);
    assertThat(order(t)).containsExactly(1L, 3L, 4L);
    t.remove(a); // the oldest
    t.remove(d); // the newest
    assertThat(order(t)).containsExactly(3L);
    assertThat(t.oldest()).isEqualTo(c);
    t.add(5, 50, 500);
    t.add(6, 60, 600);
    t.add(7, 70, 700);
    assertThat(t.size()).isEqualTo(4);
    assertThatThrownBy(() -> t.add(8, 80, 800)).isInstanceOf(IllegalStateException.class);
    assertThat(order(t)).containsExactly(3L, 5L, 6L, 7L);
    assertThat(t.firstSeen(t.find(6, 60))).isEqualTo(600);
  }

  @Test
  void tableGrowsToMaxTracesThenShrinksWhenSparseKeepingEverything() {
    int max = 20_000;
    TraceTable t = new TraceTable(max, SEED);
    int initialSlots = t.slotCapacity();
    int initialNodes = t.nodeCapacity();
    for (long i = 0; i < max; i++) {
      int s = t.add(i, ~i, i);
      for (int j = 0; j < 3; j++) {
        t.addSpan(s, i * 10 + j, j == 0 ? 0 : i * 10 + j - 1, j, (int) i);
      }
    }
    t.overflowNames(t.find(max - 1, ~(max - 1L)), true).add("rare-service");
    assertThat(t.slotCapacity()).isEqualTo(max);
    assertThat(t.nodeCapacity()).isGreaterThanOrEqualTo(3 * max);
    assertThat(t.shrinkIfSparse()).isFalse();
    // forget all but every 100th trace, out of order
    for (long i = 0; i < max; i++) {
      if (i % 100 != 0 && i != max - 1) {
        t.remove(t.find(i, ~i));
      }
    }
    int live = t.size();
    assertThat(live).isEqualTo(max / 100 + 1);
    assertThat(t.shrinkIfSparse()).isTrue();
    assertThat(t.slotCapacity()).isLessThan(max / 4).isGreaterThanOrEqualTo(initialSlots);
    assertThat(t.nodeCapacity()).isLessThan(3 * max / 4).isGreaterThanOrEqualTo(initialNodes);
    assertThat(t.shrinkIfSparse()).isFalse();
    List<Long> expectedOrder = new ArrayList<>();
    for (long i = 0; i < max; i++) {
      if (i % 100 == 0 || i == max - 1) {
        expectedOrder.add(i);
        int s = t.find(i, ~i);
        assertThat(s).isNotEqualTo(TraceTable.NONE);
        assertThat(t.firstSeen(s)).isEqualTo(i);
        assertThat(t.seenHops(s)).isEqualTo(0b111);
        assertThat(spans(t, s)).containsExactly(i * 10, i * 10 + 1, i * 10 + 2);
        assertThat(t.service(t.firstNode(s))).isEqualTo((int) i);
      }
    }
    assertThat(order(t)).isEqualTo(expectedOrder);
    assertThat(t.overflowNames(t.find(max - 1, ~(max - 1L)), false)).containsExactly("rare-service");
    assertThat(t.overflowNames(t.find(0, ~0L), false)).isNull();
    // and it keeps working after the move
    while (t.size() < max) {
      long i = max + t.size();
      t.addSpan(t.add(i, ~i, i), 1, 0, 0, -1);
    }
    assertThat(t.slotCapacity()).isEqualTo(max);
    while (t.size() > 0) {
      t.remove(t.oldest());
    }
    assertThat(t.shrinkIfSparse()).isTrue();
    assertThat(t.slotCapacity()).isEqualTo(initialSlots);
    assertThat(t.nodeCapacity()).isEqualTo(initialNodes);
    assertThat(t.oldest()).isEqualTo(TraceTable.NONE);
  }
}
