package io.goblinos.gateway.processor.memorylimiter;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.util.List;

/** Measures memory for the memory limiter. Must be cheap and non-blocking: it runs on an event loop. */
public interface MemoryProbe {

  /**
   * Bytes of heap retained now, as well as the collector lets us tell without collecting:
   * <ul>
   *   <li>a generational collector (G1, Parallel, Serial: pools named "… Eden Space"): every heap pool but eden
   *       (survivors and old generation, which may still hold garbage not yet collected). Eden is pure allocation
   *       space that the next young collection empties: counting it made the limiter flap between refusing and
   *       accepting under steady load while little was live;</li>
   *   <li>a single-generation collector (ZGC before JDK 21's generational mode, Shenandoah: one heap pool): the
   *       pool's use after its latest collection, since its current use counts every allocation since then, garbage
   *       included, and under load reads close to the whole heap however little is live. Before any collection, its
   *       current use.</li>
   * </ul>
   */
  long usedBytes();

  /** The most the heap can grow to: the base of {@code limit_percentage}. */
  long maxBytes();

  /** The JVM heap: its memory pools as described at {@link #usedBytes()}, and {@link Runtime#maxMemory()}. */
  static MemoryProbe heap() {
    return of(ManagementFactory.getMemoryPoolMXBeans(), ManagementFactory.getMemoryMXBean());
  }

  /** A probe over these pools (those of type HEAP are used); {@code bean} when there is no heap pool at all. */
  static MemoryProbe of(List<MemoryPoolMXBean> pools, MemoryMXBean bean) {
    List<MemoryPoolMXBean> heap = pools.stream().filter(pool -> pool.getType() == MemoryType.HEAP).toList();
    boolean generational = heap.stream().anyMatch(MemoryProbe::isEden);
    List<MemoryPoolMXBean> retained = heap.stream().filter(pool -> !isEden(pool)).toList();
    return new MemoryProbe() {
      @Override
      public long usedBytes() {
        if (retained.isEmpty()) {
          return bean.getHeapMemoryUsage().getUsed(); // a collector without named pools: everything counts
        }
        long used = 0;
        for (MemoryPoolMXBean pool : retained) {
          used += generational ? pool.getUsage().getUsed() : afterLastCollection(pool);
        }
        return used;
      }

      @Override
      public long maxBytes() {
        long max = Runtime.getRuntime().maxMemory();
        if (max != Long.MAX_VALUE) {
          return max;
        }
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
          return sun.getTotalMemorySize();
        }
        return Runtime.getRuntime().totalMemory();
      }
    };
  }

  private static boolean isEden(MemoryPoolMXBean pool) {
    return pool.getName().contains("Eden");
  }

  /** The pool's use after its latest collection, or its current use if it has not been collected yet. */
  private static long afterLastCollection(MemoryPoolMXBean pool) {
    MemoryUsage after = pool.getCollectionUsage(); // null when the pool does not report it
    if (after == null || after.getUsed() == 0 && after.getCommitted() == 0) {
      return pool.getUsage().getUsed();
    }
    return after.getUsed();
  }
}
