package io.goblinos.gateway.processor.memorylimiter;

import java.time.Duration;

/**
 * Config of the {@code memory_limiter} processor, with the Collector's keys and semantics. Exactly as in the
 * Collector, {@code limit_mib} wins when both it and {@code limit_percentage} are set; the spike limit defaults to
 * 20% of the limit. Percentages are of the JVM's maximum heap ({@code -Xmx}, or physical memory when unbounded).
 *
 * @param checkInterval how often heap in use is measured
 * @param limitMib hard limit in MiB, or 0 to use {@code limitPercentage}
 * @param spikeLimitMib expected growth between two checks in MiB, or 0 for 20% of the limit
 * @param limitPercentage hard limit as a percentage of the maximum heap, or 0
 * @param spikeLimitPercentage spike limit as a percentage of the maximum heap, or 0 for 20% of the limit
 */
public record MemoryLimiterConfig(
    Duration checkInterval, long limitMib, long spikeLimitMib, int limitPercentage, int spikeLimitPercentage) {

  public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(1);
  static final long MIB = 1024L * 1024L;

  /** The hard limit in bytes, given the maximum heap. */
  public long hardLimitBytes(long maxHeapBytes) {
    return limitMib > 0 ? limitMib * MIB : maxHeapBytes / 100 * limitPercentage;
  }

  /** The soft limit (hard limit minus spike limit) in bytes, given the maximum heap. */
  public long softLimitBytes(long maxHeapBytes) {
    long hard = hardLimitBytes(maxHeapBytes);
    long spike;
    if (limitMib > 0) {
      spike = spikeLimitMib > 0 ? spikeLimitMib * MIB : hard / 5;
    } else {
      spike = spikeLimitPercentage > 0 ? maxHeapBytes / 100 * spikeLimitPercentage : hard / 5;
    }
    return Math.max(0, hard - spike);
  }
}
