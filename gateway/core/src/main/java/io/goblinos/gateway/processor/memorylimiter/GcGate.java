package io.goblinos.gateway.processor.memorylimiter;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rate-limits forced garbage collections. {@link System#gc()} acts on the whole process, so the gateway's
 * memory limiters (one per pipeline) share {@link #PROCESS}: at most one forced GC runs at a time and at most one
 * per check interval. Tests use their own gate with a counting action.
 */
public final class GcGate {

  /** The process-wide gate calling {@link System#gc()}. */
  public static final GcGate PROCESS = new GcGate(System::gc);

  private final Runnable gc;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicLong lastStartNanos = new AtomicLong();
  private volatile boolean everRan;

  public GcGate(Runnable gc) {
    this.gc = gc;
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
