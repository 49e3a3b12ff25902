package io.goblinos.gateway.tracing.coverage;

import io.goblinos.gateway.tracing.internal.LongPairIndex;
import io.goblinos.gateway.tracing.internal.Sizes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The traces being tracked, in primitive arrays: no object per trace or per span.
 *
 * <p>A trace lives in a slot, a record of {@value #SLOT} longs in one array: its id {@code (hi, lo)}, first-seen
 * time, span count and seen-hop mask, the first and last of its span nodes, and {@code older} / {@code newer}, which
 * link the slots in first-seen order (oldest first), so the oldest is found, and any trace unlinked, in O(1). A
 * {@link LongPairIndex} finds the slot of an id. A span is a node, a record of {@value #NODE} longs in a shared pool:
 * span id, parent id, and hop, service and next node packed in one long; a trace's nodes form a list in arrival
 * order. One record per slot or node, not one array per field: the table is far larger than the CPU caches, and a
 * slot's fields are read together (when a trace is evicted, a span added), so a slot costs one cache miss, not nine.
 * Freed slots and nodes are reused (free lists). Slots grow by doubling up to {@code maxTraces}, nodes as needed
 * (counts from {@link Sizes}); {@link #shrinkIfSparse()} renumbers everything into smaller arrays when at most a
 * quarter is in use, so a burst does not hold its peak memory for ever.
 *
 * <p>Service names that the processor could not intern are kept per trace in {@link #overflowNames} (rare). The
 * caller keeps the bounds: {@link #add} only when {@link #size()} &lt; {@code maxTraces}, {@link #addSpan} only
 * below the per-trace span limit. Not thread-safe.
 */
final class TraceTable {
  static final int NONE = -1;
  private static final int MIN_SLOTS = Sizes.atLeast(1000);
  private static final int MIN_NODES = Sizes.atLeast(4000);
  /** Most span nodes: a node is three longs of one array. */
  static final int MAX_NODES = (Integer.MAX_VALUE - 16) / 3;
  /** Services a node can hold: 24 bits, signed. */
  static final int MIN_SERVICE = -(1 << 23);
  static final int MAX_SERVICE = (1 << 23) - 1;

  // a slot: longs [s * SLOT, s * SLOT + SLOT)
  private static final int SLOT = 6;
  private static final int HI = 0;
  private static final int LO = 1;
  private static final int FIRST_SEEN = 2;
  /** span count (high 32 bits), seen-hop mask (low 32 bits) */
  private static final int COUNT_HOPS = 3;
  /** first node (high), last node (low) */
  private static final int FIRST_LAST = 4;
  /** older slot (high), newer slot (low; also the free-slot list) */
  private static final int OLDER_NEWER = 5;
  // a node: longs [k * NODE, k * NODE + NODE)
  private static final int NODE = 3;
  private static final int SPAN_ID = 0;
  private static final int PARENT_ID = 1;
  /** next node (high 32 bits; also the free-node list), service (next 24 bits, signed), hop (low 8 bits, signed) */
  private static final int NEXT_SERVICE_HOP = 2;

  private final int maxTraces;
  private final int minSlots;
  private final long seed;
  private LongPairIndex index;

  private long[] slots;
  private int size;
  private int usedSlots;
  private int freeSlots = NONE;
  private int oldest = NONE;
  private int newest = NONE;

  private long[] nodes;
  private int liveNodes;
  private int usedNodes;
  private int freeNodes = NONE;

  private Map<Integer, List<String>> overflow = new HashMap<>();

  TraceTable(int maxTraces, long seed) {
    this.maxTraces = maxTraces;
    this.minSlots = Math.min(maxTraces, MIN_SLOTS);
    this.seed = seed;
    slots = new long[minSlots * SLOT];
    nodes = new long[MIN_NODES * NODE];
    index = new LongPairIndex(minSlots, seed);
  }

  private static int high(long v) {
    return (int) (v >>> 32);
  }

  private static int low(long v) {
    return (int) v;
  }

  private static long pack(int high, int low) {
    return (long) high << 32 | (low & 0xffffffffL);
  }

  private static long withHigh(long v, int high) {
    return pack(high, low(v));
  }

  private static long withLow(long v, int low) {
    return pack(high(v), low);
  }

  private static long nodeMeta(int next, int service, int hop) {
    return pack(next, service << 8 | (hop & 0xff));
  }

  private void setNewer(int s, int newer) {
    int at = s * SLOT + OLDER_NEWER;
    slots[at] = withLow(slots[at], newer);
  }

  private void setOlder(int s, int older) {
    int at = s * SLOT + OLDER_NEWER;
    slots[at] = withHigh(slots[at], older);
  }

  private void setNext(int node, int next) {
    int at = node * NODE + NEXT_SERVICE_HOP;
    nodes[at] = withHigh(nodes[at], next);
  }

  int size() {
    return size;
  }

  /** Slots allocated; visible for tests. */
  int slotCapacity() {
    return slots.length / SLOT;
  }

  /** Span nodes allocated; visible for tests. */
  int nodeCapacity() {
    return nodes.length / NODE;
  }

  /** The slot of trace {@code (hi, lo)}, or {@link #NONE}. */
  int find(long hi, long lo) {
    return size == 0 ? NONE : index.find(hi, lo, slots, SLOT);
  }

  /** Tracks a new trace, newest in first-seen order; requires it absent and size() &lt; maxTraces. */
  int add(long hi, long lo, long now) {
    if (size >= maxTraces) {
      throw new IllegalStateException("table full: " + size + " traces, want < " + maxTraces);
    }
    int s;
    if (freeSlots != NONE) {
      s = freeSlots;
      freeSlots = low(slots[s * SLOT + OLDER_NEWER]);
    } else {
      if (usedSlots == slotCapacity()) {
        growSlots();
      }
      s = usedSlots++;
    }
    int at = s * SLOT;
    slots[at + HI] = hi;
    slots[at + LO] = lo;
    slots[at + FIRST_SEEN] = now;
    slots[at + COUNT_HOPS] = 0;
    slots[at + FIRST_LAST] = pack(NONE, NONE);
    slots[at + OLDER_NEWER] = pack(newest, NONE);
    if (newest != NONE) {
      setNewer(newest, s);
    } else {
      oldest = s;
    }
    newest = s;
    index.insert(s, slots, SLOT);
    size++;
    return s;
  }

  private void growSlots() {
    int n = Math.min(maxTraces, Sizes.grow(slotCapacity()));
    slots = Arrays.copyOf(slots, n * SLOT);
  }

  /** Forgets the trace in slot {@code s}: its slot and span nodes are free for reuse. */
  void remove(int s) {
    index.remove(s, slots, SLOT);
    int at = s * SLOT;
    long links = slots[at + OLDER_NEWER];
    int o = high(links);
    int w = low(links);
    if (o != NONE) {
      setNewer(o, w);
    } else {
      oldest = w;
    }
    if (w != NONE) {
      setOlder(w, o);
    } else {
      newest = o;
    }
    long firstLast = slots[at + FIRST_LAST];
    if (high(firstLast) != NONE) {
      setNext(low(firstLast), freeNodes);
      freeNodes = high(firstLast);
      liveNodes -= spanCount(s);
    }
    if (!overflow.isEmpty()) {
      overflow.remove(s);
    }
    slots[at + OLDER_NEWER] = pack(NONE, freeSlots);
    freeSlots = s;
    size--;
  }

  /**
   * Appends a span to the trace in slot {@code s}; {@code hop} is the chain index it stands for (-1 for none, at most
   * 31), {@code service} in [{@link #MIN_SERVICE}, {@link #MAX_SERVICE}].
   */
  void addSpan(int s, long spanId, long parentId, int hop, int service) {
    if (hop < -1 || hop > 31 || service < MIN_SERVICE || service > MAX_SERVICE) {
      throw new IllegalArgumentException("hop " + hop + " or service " + service + " out of range");
    }
    int k;
    if (freeNodes != NONE) {
      k = freeNodes;
      freeNodes = high(nodes[k * NODE + NEXT_SERVICE_HOP]);
    } else {
      if (usedNodes == nodeCapacity()) {
        growNodes();
      }
      k = usedNodes++;
    }
    int n = k * NODE;
    nodes[n + SPAN_ID] = spanId;
    nodes[n + PARENT_ID] = parentId;
    nodes[n + NEXT_SERVICE_HOP] = nodeMeta(NONE, service, hop);
    int at = s * SLOT;
    long firstLast = slots[at + FIRST_LAST];
    if (low(firstLast) != NONE) {
      setNext(low(firstLast), k);
      slots[at + FIRST_LAST] = withLow(firstLast, k);
    } else {
      slots[at + FIRST_LAST] = pack(k, k);
    }
    long countHops = slots[at + COUNT_HOPS];
    slots[at + COUNT_HOPS] = pack(high(countHops) + 1, hop >= 0 ? low(countHops) | 1 << hop : low(countHops));
    liveNodes++;
  }

  private void growNodes() {
    if (nodeCapacity() >= MAX_NODES) {
      throw new IllegalStateException("span node pool full at " + nodeCapacity());
    }
    int n = Math.min(MAX_NODES, Sizes.grow(nodeCapacity()));
    nodes = Arrays.copyOf(nodes, n * NODE);
  }

  /** The oldest trace in first-seen order, or {@link #NONE}. */
  int oldest() {
    return oldest;
  }

  /** The trace first seen after slot {@code s}, or {@link #NONE}; visible for tests. */
  int newerThan(int s) {
    return low(slots[s * SLOT + OLDER_NEWER]);
  }

  long hi(int s) {
    return slots[s * SLOT + HI];
  }

  long lo(int s) {
    return slots[s * SLOT + LO];
  }

  long firstSeen(int s) {
    return slots[s * SLOT + FIRST_SEEN];
  }

  int seenHops(int s) {
    return low(slots[s * SLOT + COUNT_HOPS]);
  }

  int spanCount(int s) {
    return high(slots[s * SLOT + COUNT_HOPS]);
  }

  int firstNode(int s) {
    return high(slots[s * SLOT + FIRST_LAST]);
  }

  int nextNode(int node) {
    return high(nodes[node * NODE + NEXT_SERVICE_HOP]);
  }

  long spanId(int node) {
    return nodes[node * NODE + SPAN_ID];
  }

  long parentId(int node) {
    return nodes[node * NODE + PARENT_ID];
  }

  int hop(int node) {
    return (byte) low(nodes[node * NODE + NEXT_SERVICE_HOP]);
  }

  int service(int node) {
    return low(nodes[node * NODE + NEXT_SERVICE_HOP]) >> 8;
  }

  /** Service names of slot {@code s} kept as strings (not interned); null when none and not {@code create}. */
  List<String> overflowNames(int s, boolean create) {
    List<String> l = overflow.get(s);
    if (l == null && create) {
      l = new ArrayList<>(4);
      overflow.put(s, l);
    }
    return l;
  }

  /**
   * When at most a quarter of the slots or of the span nodes is in use, copies the live traces, oldest first, into
   * arrays twice their need (slot numbers change). Returns whether it did.
   */
  boolean shrinkIfSparse() {
    int slotTarget = Math.min(maxTraces, Math.max(minSlots, Sizes.atLeast(2L * size)));
    int nodeTarget = Math.min(MAX_NODES, Math.max(MIN_NODES, Sizes.atLeast(2L * liveNodes)));
    boolean slotsSparse = size <= slotCapacity() / 4 && slotTarget < slotCapacity();
    boolean nodesSparse = liveNodes <= nodeCapacity() / 4 && nodeTarget < nodeCapacity();
    if (!slotsSparse && !nodesSparse) {
      return false;
    }
    int slotCap = slotsSparse ? slotTarget : slotCapacity();
    int nodeCap = nodesSparse ? nodeTarget : nodeCapacity();
    long[] oldSlots = slots;
    long[] oldNodes = nodes;
    Map<Integer, List<String>> oldOverflow = overflow;
    slots = new long[slotCap * SLOT];
    nodes = new long[nodeCap * NODE];
    overflow = new HashMap<>();
    index = new LongPairIndex(slotCap, seed);
    int j = 0;
    int k = 0;
    for (int s = oldest; s != NONE; s = low(oldSlots[s * SLOT + OLDER_NEWER]), j++) {
      int from = s * SLOT;
      int to = j * SLOT;
      slots[to + HI] = oldSlots[from + HI];
      slots[to + LO] = oldSlots[from + LO];
      slots[to + FIRST_SEEN] = oldSlots[from + FIRST_SEEN];
      slots[to + COUNT_HOPS] = oldSlots[from + COUNT_HOPS];
      slots[to + OLDER_NEWER] = pack(j - 1, NONE);
      if (j > 0) {
        setNewer(j - 1, j);
      }
      int first = NONE;
      int last = NONE;
      for (int n = high(oldSlots[from + FIRST_LAST]); n != NONE; n = high(oldNodes[n * NODE + NEXT_SERVICE_HOP]), k++) {
        nodes[k * NODE + SPAN_ID] = oldNodes[n * NODE + SPAN_ID];
        nodes[k * NODE + PARENT_ID] = oldNodes[n * NODE + PARENT_ID];
        nodes[k * NODE + NEXT_SERVICE_HOP] = withHigh(oldNodes[n * NODE + NEXT_SERVICE_HOP], NONE);
        if (last != NONE) {
          setNext(last, k);
        } else {
          first = k;
        }
        last = k;
      }
      slots[to + FIRST_LAST] = pack(first, last);
      if (!oldOverflow.isEmpty()) {
        List<String> names = oldOverflow.get(s);
        if (names != null) {
          overflow.put(j, names);
        }
      }
      index.insert(j, slots, SLOT);
    }
    oldest = size == 0 ? NONE : 0;
    newest = size - 1;
    usedSlots = size;
    freeSlots = NONE;
    usedNodes = k;
    freeNodes = NONE;
    return true;
  }
}
