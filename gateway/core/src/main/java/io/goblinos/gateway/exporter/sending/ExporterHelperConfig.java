package io.goblinos.gateway.exporter.sending;

import io.goblinos.gateway.api.config.ConfigNode;
import java.time.Duration;

/**
 * The settings every exporter shares, read from its config block with the Collector's key names:
 * {@code timeout}, {@code sending_queue} and {@code retry_on_failure}.
 *
 * @param timeout per attempt; {@link Duration#ZERO} means none
 */
public record ExporterHelperConfig(Duration timeout, QueueSettings queue, RetrySettings retry) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  public static final ExporterHelperConfig DEFAULT =
      new ExporterHelperConfig(DEFAULT_TIMEOUT, QueueSettings.DEFAULT, RetrySettings.DEFAULT);

  /**
   * Reads {@code timeout}, {@code sending_queue} and {@code retry_on_failure} from an exporter's node (marking them
   * read); the exporter reads its other keys itself.
   */
  public static ExporterHelperConfig parse(ConfigNode exporterNode) {
    return parse(exporterNode, DEFAULT_TIMEOUT);
  }

  /** As {@link #parse(ConfigNode)} with another default timeout. */
  public static ExporterHelperConfig parse(ConfigNode exporterNode, Duration defaultTimeout) {
    Duration timeout = exporterNode.duration("timeout", defaultTimeout, Duration.ZERO);
    QueueSettings queue = QueueSettings.parse(exporterNode.child("sending_queue"));
    RetrySettings retry = RetrySettings.parse(exporterNode.child("retry_on_failure"));
    return new ExporterHelperConfig(timeout, queue, retry);
  }

  public ExporterHelperConfig withQueue(QueueSettings q) {
    return new ExporterHelperConfig(timeout, q, retry);
  }

  public ExporterHelperConfig withRetry(RetrySettings r) {
    return new ExporterHelperConfig(timeout, queue, r);
  }

  public ExporterHelperConfig withTimeout(Duration t) {
    return new ExporterHelperConfig(t, queue, retry);
  }
}
