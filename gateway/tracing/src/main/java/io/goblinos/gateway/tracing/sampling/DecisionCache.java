package io.goblinos.gateway.tracing.sampling;

/**
 * The trace ids of recent decisions of one kind (sampled or not sampled), so that spans arriving after the decision
 * follow it. A ring of {@code capacity} ids: when full the oldest decision is forgotten (FIFO; the Collector uses an
 * LRU, which differs only for ids looked up again). 20 bytes per entry plus the index. Capacity 0 disables the
 * cache. Not thread-safe: guarded by the owning shard's lock.
 */
final class DecisionCache implements TraceIdIndex.Keys {
  private final int capacity;
  private final long[] high;
  private final long[] low;
  private final TraceIdIndex index;
  private int next;
  private int count;

  DecisionCache(int capacity) {
    this.capacity = capacity;
    this.high = new long[capacity];
    this.low = new long[capacity];
    this.index = capacity == 0 ? null : new TraceIdIndex(this, capacity);
  }

  @Override
  public long high(int ref) {
    return high[ref];
  }

  @Override
  public long low(int ref) {
    return low[ref];
  }

  boolean contains(long h, long l) {
    return index != null && index.find(h, l) >= 0;
  }

  void put(long h, long l) {
    if (index == null || index.find(h, l) >= 0) {
      return;
    }
    if (count == capacity) {
      index.remove(next);
    } else {
      count++;
    }
    high[next] = h;
    low[next] = l;
    index.insert(next);
    next = next + 1 == capacity ? 0 : next + 1;
  }

  int size() {
    return count;
  }
}
