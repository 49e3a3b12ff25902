package io.goblinos.gateway.receiver;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per principal ({@code rate_limit: {requests_per_second, burst}}): each request takes one token;
 * buckets refill at {@code requests_per_second} up to {@code burst}. Thread-safe, never blocks.
 *
 * <p>Bounded: at most {@code maxKeys} buckets. When a new principal would exceed it, buckets that are full again are
 * dropped (a full bucket is the same as a new one, so nothing is lost); if every bucket is still in use, the
 * newcomers share one overflow bucket, so a flood of identities cannot grow memory or escape the limit.
 */
public final class PrincipalRateLimiter {
  public static final int DEFAULT_MAX_KEYS = 10_000;
  static final String OVERFLOW = "\u0000overflow";

  private final double perNano;
  private final double burst;
  private final int maxKeys;
  private final LongSupplier clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private volatile long lastSweep;

  public PrincipalRateLimiter(double requestsPerSecond, int burst) {
    this(requestsPerSecond, burst, DEFAULT_MAX_KEYS, System::nanoTime);
  }

  PrincipalRateLimiter(double requestsPerSecond, int burst, int maxKeys, LongSupplier clock) {
    if (!(requestsPerSecond > 0) || burst < 1 || maxKeys < 1) {
      throw new IllegalArgumentException("requestsPerSecond > 0, burst >= 1 and maxKeys >= 1 are required");
    }
    this.perNano = requestsPerSecond / 1e9;
    this.burst = burst;
    this.maxKeys = maxKeys;
    this.clock = clock;
    this.lastSweep = clock.getAsLong();
  }

  private final class Bucket {
    private double tokens = burst;
    private long updated = clock.getAsLong();

    /** 0 when a token was taken, else nanoseconds until one is available. */
    synchronized long take(long now) {
      refill(now);
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
    }

    synchronized boolean full(long now) {
      refill(now);
      return tokens >= burst;
    }

    private void refill(long now) {
      long elapsed = now - updated;
      if (elapsed > 0) {
        tokens = Math.min(burst, tokens + elapsed * perNano);
        updated = now;
      }
    }
  }

  /** Takes a token for {@code key}: 0 when admitted, else the nanoseconds until the next token. */
  public long tryAcquire(String key) {
    long now = clock.getAsLong();
    Bucket b = buckets.get(key);
    if (b == null) {
      if (buckets.size() >= maxKeys) {
        sweep(now);
      }
      b = buckets.size() >= maxKeys
          ? buckets.computeIfAbsent(OVERFLOW, k -> new Bucket())
          : buckets.computeIfAbsent(key, k -> new Bucket());
    }
    return b.take(now);
  }

  /** Buckets held (for the gauge and tests). */
  public int size() {
    return buckets.size();
  }

  private void sweep(long now) {
    // At most one sweep per second: with every bucket busy, sweeping again would find nothing to drop.
    long last = lastSweep;
    if (now - last < 1_000_000_000L) {
      return;
    }
    lastSweep = now;
    for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
      if (it.next().getValue().full(now)) {
        it.remove();
      }
    }
  }
}
