package io.goblinos.gateway.processor.memorylimiter;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;

/** Measures memory for the memory limiter. Must be cheap and non-blocking: it runs on an event loop. */
public interface MemoryProbe {

  /**
   * Bytes of heap retained now: every heap pool but the young generation's eden (survivors and old generation,
   * which may still hold garbage not yet collected). Eden is excluded because it is pure allocation space that the
   * next young collection empties: counting it made the limiter flap between refusing and accepting under steady
   * load while little was live.
   */
  long usedBytes();

  /** The most the heap can grow to: the base of {@code limit_percentage}. */
  long maxBytes();

  /** The JVM heap: its memory pools without eden, and {@link Runtime#maxMemory()}. */
  static MemoryProbe heap() {
    MemoryMXBean bean = ManagementFactory.getMemoryMXBean();
    java.util.List<java.lang.management.MemoryPoolMXBean> retained = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(pool -> pool.getType() == java.lang.management.MemoryType.HEAP)
        .filter(pool -> !pool.getName().contains("Eden"))
        .toList();
    return new MemoryProbe() {
      @Override
      public long usedBytes() {
        if (retained.isEmpty()) {
          return bean.getHeapMemoryUsage().getUsed(); // a collector without named pools: everything counts
        }
        long used = 0;
        for (java.lang.management.MemoryPoolMXBean pool : retained) {
          used += pool.getUsage().getUsed();
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
}
