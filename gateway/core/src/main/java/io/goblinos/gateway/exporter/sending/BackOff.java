package io.goblinos.gateway.exporter.sending;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter for one request (not thread-safe; one instance per delivery). Mirrors the
 * Collector's (cenkalti) ExponentialBackOff: {@code next = interval * (1 + factor * (2r - 1))}, r uniform in [0,1).
 */
public final class BackOff {
  private final RetrySettings settings;
  private final DoubleSupplier random;
  private double intervalNanos;

  public BackOff(RetrySettings settings, DoubleSupplier random) {
    this.settings = settings;
    this.random = random;
    this.intervalNanos = settings.initialInterval().toNanos();
  }

  /** The next delay, and grows the interval. */
  public Duration next() {
    double f = settings.randomizationFactor();
    double delta = f * intervalNanos;
    double min = intervalNanos - delta;
    double max = intervalNanos + delta;
    long delay = (long) (min + random.getAsDouble() * (max - min));
    double maxNanos = settings.maxInterval().toNanos();
    intervalNanos = Math.min(intervalNanos * settings.multiplier(), maxNanos);
    return Duration.ofNanos(Math.max(0, delay));
  }
}
