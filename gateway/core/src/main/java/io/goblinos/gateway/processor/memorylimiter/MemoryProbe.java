package io.goblinos.gateway.processor.memorylimiter;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;

/** Measures memory for the memory limiter. Must be cheap and non-blocking: it runs on an event loop. */
public interface MemoryProbe {

  /** Bytes of heap in use now (live data plus garbage not yet collected, like Go's HeapAlloc). */
  long usedBytes();

  /** The most the heap can grow to: the base of {@code limit_percentage}. */
  long maxBytes();

  /** The JVM heap: {@link MemoryMXBean#getHeapMemoryUsage()} and {@link Runtime#maxMemory()}. */
  static MemoryProbe heap() {
    MemoryMXBean bean = ManagementFactory.getMemoryMXBean();
    return new MemoryProbe() {
      @Override
      public long usedBytes() {
        return bean.getHeapMemoryUsage().getUsed();
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
