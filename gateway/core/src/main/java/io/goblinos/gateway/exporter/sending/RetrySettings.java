package io.goblinos.gateway.exporter.sending;

import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.config.Durations;
import java.time.Duration;

/**
 * {@code retry_on_failure}: exponential backoff with jitter for retryable failures, as the Collector's
 * exporterhelper. The n-th delay is drawn uniformly from {@code interval * [1 - randomization_factor,
 * 1 + randomization_factor]}, where the interval starts at {@code initial_interval} and is multiplied by
 * {@code multiplier} after each retry up to {@code max_interval}; a delay the backend asked for (Retry-After,
 * RetryInfo) wins when longer. Retries stop once {@code max_elapsed_time} would be exceeded (0 = never stop).
 */
public record RetrySettings(
    boolean enabled,
    Duration initialInterval,
    double randomizationFactor,
    double multiplier,
    Duration maxInterval,
    Duration maxElapsedTime) {

  public static final RetrySettings DEFAULT = new RetrySettings(
      true, Duration.ofSeconds(5), 0.5, 1.5, Duration.ofSeconds(30), Duration.ofSeconds(300));

  public static RetrySettings parse(ConfigNode node) {
    RetrySettings d = DEFAULT;
    boolean enabled = node.bool("enabled", d.enabled());
    Duration initial = node.duration("initial_interval", d.initialInterval(), Duration.ofMillis(1));
    double factor = node.number("randomization_factor", d.randomizationFactor(), 0.0, 1.0);
    double multiplier = node.number("multiplier", d.multiplier(), 1.0, 100.0);
    Duration max = node.duration("max_interval", d.maxInterval(), Duration.ofMillis(1));
    Duration maxElapsed = node.duration("max_elapsed_time", d.maxElapsedTime(), Duration.ZERO);
    if (max.compareTo(initial) < 0) {
      node.invalid("max_interval", Durations.format(max), "at least initial_interval (" + Durations.format(initial) + ")");
      max = initial;
    }
    return new RetrySettings(enabled, initial, factor, multiplier, max, maxElapsed);
  }
}
