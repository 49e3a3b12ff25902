package io.goblinos.gateway.exporter.sending;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs at most one line per interval and says how many were suppressed in between, so that a backend refusing
 * every request cannot flood the gateway's log. Thread-safe.
 */
public final class RateLimitedLog {
  private final Logger logger;
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final AtomicLong nextAllowed;
  private final AtomicLong suppressed = new AtomicLong();

  public RateLimitedLog(Logger logger, long interval, TimeUnit unit) {
    this(logger, unit.toNanos(interval), System::nanoTime);
  }

  RateLimitedLog(Logger logger, long intervalNanos, LongSupplier nanoClock) {
    this.logger = logger;
    this.intervalNanos = intervalNanos;
    this.nanoClock = nanoClock;
    this.nextAllowed = new AtomicLong(nanoClock.getAsLong());
  }

  /** Logs {@code message} unless a line was logged less than the interval ago. Returns true when logged. */
  public boolean log(Level level, String message) {
    long now = nanoClock.getAsLong();
    long next = nextAllowed.get();
    if (now - next >= 0 && nextAllowed.compareAndSet(next, now + intervalNanos)) {
      long s = suppressed.getAndSet(0);
      if (logger.isLoggable(level)) {
        logger.log(level, s == 0 ? message : message + " (" + s + " similar messages suppressed)");
      }
      return true;
    }
    suppressed.incrementAndGet();
    return false;
  }
}
