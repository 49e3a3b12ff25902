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
 * <p>A trace lives in a slot: parallel arrays hold its id {@code (hi, lo)}, first-seen time, span count, seen-hop
 * mask and the first and last of its span nodes; a {@link LongPairIndex} finds the slot of an id; {@code older} /
 * {@code newer} link the slots in first-seen order (oldest first), so the oldest is found, and any trace unlinked,
 * in O(1). A span is a node in a shared pool (span id, parent id, hop, service, next node); a trace's nodes form a
 * list in arrival order. Freed slots and nodes are reused (free lists). Slots grow by doubling up to
 * {@code maxTraces}, nodes as needed (lengths from {@link Sizes}); {@link #shrinkIfSparse()} renumbers everything into smaller arrays when at
 * most a quarter is in use, so a burst does not hold its peak memory for ever.
 *
 * <p>Service names that the processor could not intern are kept per trace in {@link #overflowNames} (rare). The
 * caller keeps the bounds: {@link #add} only when {@link #size()} &lt; {@code maxTraces}, {@link #addSpan} only
 * below the per-trace span limit. Not thread-safe.
 */
final class TraceTable {
  static final int NONE = -1;
  private static final int MIN_SLOTS = Sizes.atLeast(1000);
  private static final int MIN_NODES = Sizes.atLeast(4000);

  private final int maxTraces;
  private final int minSlots;
  private final long seed;
  private LongPairIndex index;

  // per slot
  private long[] his;
  private long[] los;
  private long[] firstSeen;
  private int[] seenHops;
  private int[] spanCount;
  private int[] firstNode;
  private int[] lastNode;
  private int[] older;
  private int[] newer; // also the free-slot list
  private int size;
  private int usedSlots;
  private int freeSlots = NONE;
  private int oldest = NONE;
  private int newest = NONE;

  // per span node
  private long[] spanIds;
  private long[] parentIds;
  private byte[] hops;
  private int[] services;
  private int[] nextNode; // also the free-node list
  private int nodes;
  private int usedNodes;
  private int freeNodes = NONE;

  private Map<Integer, List<String>> overflow = new HashMap<>();

  TraceTable(int maxTraces, long seed) {
    this.maxTraces = maxTraces;
    this.minSlots = Math.min(maxTraces, MIN_SLOTS);
    this.seed = seed;
    allocateSlots(minSlots);
    allocateNodes(MIN_NODES);
    index = new LongPairIndex(minSlots, seed);
  }

  private void allocateSlots(int n) {
    his = new long[n];
    los = new long[n];
    firstSeen = new long[n];
    seenHops = new int[n];
    spanCount = new int[n];
    firstNode = new int[n];
    lastNode = new int[n];
    older = new int[n];
    newer = new int[n];
  }

  private void allocateNodes(int n) {
    spanIds = new long[n];
    parentIds = new long[n];
    hops = new byte[n];
    services = new int[n];
    nextNode = new int[n];
  }

  int size() {
    return size;
  }

  /** Slots allocated; visible for tests. */
  int slotCapacity() {
    return his.length;
  }

  /** Span nodes allocated; visible for tests. */
  int nodeCapacity() {
    return spanIds.length;
  }

  /** The slot of trace {@code (hi, lo)}, or {@link #NONE}. */
  int find(long hi, long lo) {
    return size == 0 ? NONE : index.find(hi, lo, his, los);
  }

  /** Tracks a new trace, newest in first-seen order; requires it absent and size() &lt; maxTraces. */
  int add(long hi, long lo, long now) {
    if (size >= maxTraces) {
      throw new IllegalStateException("table full: " + size + " traces, want < " + maxTraces);
    }
    int s;
    if (freeSlots != NONE) {
      s = freeSlots;
      freeSlots = newer[s];
    } else {
      if (usedSlots == his.length) {
        growSlots();
      }
      s = usedSlots++;
    }
    his[s] = hi;
    los[s] = lo;
    firstSeen[s] = now;
    seenHops[s] = 0;
    spanCount[s] = 0;
    firstNode[s] = NONE;
    lastNode[s] = NONE;
    older[s] = newest;
    newer[s] = NONE;
    if (newest != NONE) {
      newer[newest] = s;
    } else {
      oldest = s;
    }
    newest = s;
    index.insert(s, his, los);
    size++;
    return s;
  }

  private void growSlots() {
    int n = Math.min(maxTraces, Sizes.grow(his.length));
    his = Arrays.copyOf(his, n);
    los = Arrays.copyOf(los, n);
    firstSeen = Arrays.copyOf(firstSeen, n);
    seenHops = Arrays.copyOf(seenHops, n);
    spanCount = Arrays.copyOf(spanCount, n);
    firstNode = Arrays.copyOf(firstNode, n);
    lastNode = Arrays.copyOf(lastNode, n);
    older = Arrays.copyOf(older, n);
    newer = Arrays.copyOf(newer, n);
  }

  /** Forgets the trace in slot {@code s}: its slot and span nodes are free for reuse. */
  void remove(int s) {
    index.remove(s, his, los);
    int o = older[s];
    int w = newer[s];
    if (o != NONE) {
      newer[o] = w;
    } else {
      oldest = w;
    }
    if (w != NONE) {
      older[w] = o;
    } else {
      newest = o;
    }
    if (firstNode[s] != NONE) {
      nextNode[lastNode[s]] = freeNodes;
      freeNodes = firstNode[s];
      nodes -= spanCount[s];
    }
    if (!overflow.isEmpty()) {
      overflow.remove(s);
    }
    newer[s] = freeSlots;
    freeSlots = s;
    size--;
  }

  /** Appends a span to the trace in slot {@code s}; {@code hop} is the chain index it stands for, or -1. */
  void addSpan(int s, long spanId, long parentId, int hop, int service) {
    int k;
    if (freeNodes != NONE) {
      k = freeNodes;
      freeNodes = nextNode[k];
    } else {
      if (usedNodes == spanIds.length) {
        growNodes();
      }
      k = usedNodes++;
    }
    spanIds[k] = spanId;
    parentIds[k] = parentId;
    hops[k] = (byte) hop;
    services[k] = service;
    nextNode[k] = NONE;
    if (lastNode[s] != NONE) {
      nextNode[lastNode[s]] = k;
    } else {
      firstNode[s] = k;
    }
    lastNode[s] = k;
    spanCount[s]++;
    if (hop >= 0) {
      seenHops[s] |= 1 << hop;
    }
    nodes++;
  }

  private void growNodes() {
    if (spanIds.length >= Sizes.MAX) {
      throw new IllegalStateException("span node pool full at " + spanIds.length);
    }
    int n = Sizes.grow(spanIds.length);
    spanIds = Arrays.copyOf(spanIds, n);
    parentIds = Arrays.copyOf(parentIds, n);
    hops = Arrays.copyOf(hops, n);
    services = Arrays.copyOf(services, n);
    nextNode = Arrays.copyOf(nextNode, n);
  }

  /** The oldest trace in first-seen order, or {@link #NONE}. */
  int oldest() {
    return oldest;
  }

  /** The trace first seen after slot {@code s}, or {@link #NONE}; visible for tests. */
  int newerThan(int s) {
    return newer[s];
  }

  long hi(int s) {
    return his[s];
  }

  long lo(int s) {
    return los[s];
  }

  long firstSeen(int s) {
    return firstSeen[s];
  }

  int seenHops(int s) {
    return seenHops[s];
  }

  int spanCount(int s) {
    return spanCount[s];
  }

  int firstNode(int s) {
    return firstNode[s];
  }

  int nextNode(int node) {
    return nextNode[node];
  }

  long spanId(int node) {
    return spanIds[node];
  }

  long parentId(int node) {
    return parentIds[node];
  }

  int hop(int node) {
    return hops[node];
  }

  int service(int node) {
    return services[node];
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
    int nodeTarget = Math.max(MIN_NODES, Sizes.atLeast(2L * nodes));
    boolean slotsSparse = size <= his.length / 4 && slotTarget < his.length;
    boolean nodesSparse = nodes <= spanIds.length / 4 && nodeTarget < spanIds.length;
    if (!slotsSparse && !nodesSparse) {
      return false;
    }
    int slotCap = slotsSparse ? slotTarget : his.length;
    int nodeCap = nodesSparse ? nodeTarget : spanIds.length;
    long[] oHis = his;
    long[] oLos = los;
    long[] oFirstSeen = firstSeen;
    int[] oSeenHops = seenHops;
    int[] oSpanCount = spanCount;
    int[] oFirstNode = firstNode;
    int[] oNewer = newer;
    long[] oSpanIds = spanIds;
    long[] oParentIds = parentIds;
    byte[] oHops = hops;
    int[] oServices = services;
    int[] oNextNode = nextNode;
    Map<Integer, List<String>> oOverflow = overflow;
    allocateSlots(slotCap);
    allocateNodes(nodeCap);
    overflow = new HashMap<>();
    index = new LongPairIndex(slotCap, seed);
    int j = 0;
    int k = 0;
    for (int s = oldest; s != NONE; s = oNewer[s], j++) {
      his[j] = oHis[s];
      los[j] = oLos[s];
      firstSeen[j] = oFirstSeen[s];
      seenHops[j] = oSeenHops[s];
      spanCount[j] = oSpanCount[s];
      older[j] = j - 1;
      newer[j] = NONE;
      if (j > 0) {
        newer[j - 1] = j;
      }
      firstNode[j] = NONE;
      lastNode[j] = NONE;
      for (int n = oFirstNode[s]; n != NONE; n = oNextNode[n], k++) {
        spanIds[k] = oSpanIds[n];
        parentIds[k] = oParentIds[n];
        hops[k] = oHops[n];
        services[k] = oServices[n];
        nextNode[k] = NONE;
        if (lastNode[j] != NONE) {
          nextNode[lastNode[j]] = k;
        } else {
          firstNode[j] = k;
        }
        lastNode[j] = k;
      }
      if (!oOverflow.isEmpty()) {
        List<String> names = oOverflow.get(s);
        if (names != null) {
          overflow.put(j, names);
        }
      }
      index.insert(j, his, los);
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
