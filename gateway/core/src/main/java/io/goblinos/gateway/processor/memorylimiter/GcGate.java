package io.goblinos.gateway.processor.memorylimiter;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rate-limits forced garbage collections. {@link System#gc()} acts on the whole process, so the gateway's
 * memory limiters (one per pipeline) share {@link #PROCESS}: at most one forced GC runs at a time and at most one
 * per check interval. Tests use their own gate with a counting action.
 *
 * <p>Whether a collection it runs is {@link #concurrent()} decides how early the memory limiter may ask for one: a
 * concurrent cycle (G1 or Shenandoah with {@code -XX:+ExplicitGCInvokesConcurrent}, which {@code bin/goblin-gateway}
 * sets; ZGC always) marks and reclaims the old generation while the application runs, so it is cheap enough to run
 * before refusing data; a stop-the-world full collection is kept for the hard limit.
 */
public final class GcGate {

  /** The process-wide gate calling {@link System#gc()}. */
  public static final GcGate PROCESS = new GcGate(System::gc, explicitGcIsConcurrent());

  private final Runnable gc;
  private final boolean concurrent;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicLong lastStartNanos = new AtomicLong();
  private volatile boolean everRan;

  /** A gate whose collections stop the world ({@link #concurrent()} false). */
  public GcGate(Runnable gc) {
    this(gc, false);
  }

  /** @param concurrent whether {@code gc} runs a concurrent cycle rather than a stop-the-world full collection */
  public GcGate(Runnable gc, boolean concurrent) {
    this.gc = gc;
    this.concurrent = concurrent;
  }

  /** True when a collection run through this gate is a concurrent cycle, without a long pause. */
  public boolean concurrent() {
    return concurrent;
  }

  /**
   * True when {@link System#gc()} starts a concurrent cycle in this JVM: ZGC, or a collector with
   * {@code ExplicitGCInvokesConcurrent} on (it matters for G1 and Shenandoah; the serial and parallel collectors
   * ignore it).
   */
  static boolean explicitGcIsConcurrent() {
    boolean concurrentCollector = false;
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      String name = bean.getName();
      if (name.startsWith("ZGC")) {
        return true;
      }
      concurrentCollector |= name.startsWith("G1") || name.startsWith("Shenandoah");
    }
    if (!concurrentCollector) {
      return false;
    }
    try {
      VMOption option = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
          .getVMOption("ExplicitGCInvokesConcurrent");
      return Boolean.parseBoolean(option.getValue());
    } catch (RuntimeException e) { // not a HotSpot JVM, or no such option
      return false;
    }
  }

  /** True when the caller may run {@link #gc()} now; it must then call {@link #release()}. */
  boolean tryAcquire(long minIntervalNanos, long nowNanos) {
    if (!running.compareAndSet(false, true)) {
      return false;
    }
    if (everRan && nowNanos - lastStartNanos.get() < minIntervalNanos) {
      running.set(false);
      return false;
    }
    everRan = true;
    lastStartNanos.set(nowNanos);
    return true;
  }

  /** Runs the collection (blocking: call it on a worker thread). */
  void gc() {
    gc.run();
  }

  void release() {
    running.set(false);
  }
}
