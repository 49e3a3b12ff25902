package io.goblinos.gateway.exporter.sending;

import io.goblinos.gateway.api.config.ConfigNode;
import java.time.Duration;

/**
 * {@code sending_queue}: the bounded queue in front of an exporter's senders.
 *
 * @param enabled false sends in the caller's request: {@code consume} completes when the export (with retries) does
 * @param numConsumers concurrent sends in flight
 * @param queueSize most requests queued (waiting, in flight or waiting for a retry)
 * @param queueSizeBytes most bytes queued (serialized size of the requests)
 * @param storage id of a storage extension giving a persistent queue, or null for memory
 * @param drainTimeout at shutdown, how long queued requests may take to be sent before the rest is dropped
 * @param fullPolicy what a full queue does with a new request: refuse it (backpressure, the default) or drop the
 *     oldest waiting requests to make room
 * @param waitForResult end-to-end mode: {@code consume} completes only when the request was exported (or failed
 *     for good), not when it was queued
 * @param deadLetterFile where requests given up on (permanent errors, retries exhausted) are written as JSON lines,
 *     or null: then a persistent queue's storage extension names the file, and a memory queue writes none
 * @param deadLetterMaxSize most bytes the dead-letter file grows to; beyond, requests are only counted and logged
 */
public record QueueSettings(
    boolean enabled,
    int numConsumers,
    int queueSize,
    long queueSizeBytes,
    String storage,
    Duration drainTimeout,
    FullPolicy fullPolicy,
    boolean waitForResult,
    String deadLetterFile,
    long deadLetterMaxSize) {

  /** What a full queue does. */
  public enum FullPolicy {
    /** Refuse the new request with THROTTLED: senders get 429 / RESOURCE_EXHAUSTED with retry info. */
    BACKPRESSURE("backpressure"),
    /** Drop the oldest requests that are waiting (not being sent) until the new one fits; counted. */
    DROP_OLDEST("drop_oldest");

    private final String configName;

    FullPolicy(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }
  }

  public static final boolean DEFAULT_ENABLED = true;
  public static final int DEFAULT_NUM_CONSUMERS = 10;
  public static final int DEFAULT_QUEUE_SIZE = 1000;
  public static final long DEFAULT_QUEUE_SIZE_BYTES = 64L * 1024 * 1024;
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
  public static final FullPolicy DEFAULT_FULL_POLICY = FullPolicy.BACKPRESSURE;
  public static final long DEFAULT_DEAD_LETTER_MAX_SIZE = 1024L * 1024 * 1024;

  public static final QueueSettings DEFAULT = new QueueSettings(
      DEFAULT_ENABLED, DEFAULT_NUM_CONSUMERS, DEFAULT_QUEUE_SIZE, DEFAULT_QUEUE_SIZE_BYTES, null, DEFAULT_DRAIN_TIMEOUT);

  public QueueSettings {
    fullPolicy = fullPolicy == null ? DEFAULT_FULL_POLICY : fullPolicy;
    deadLetterFile = deadLetterFile == null || deadLetterFile.isBlank() ? null : deadLetterFile;
    deadLetterMaxSize = deadLetterMaxSize <= 0 ? DEFAULT_DEAD_LETTER_MAX_SIZE : deadLetterMaxSize;
  }

  /** The settings of the first version (backpressure, no end-to-end wait, dead letters as the storage decides). */
  public QueueSettings(
      boolean enabled, int numConsumers, int queueSize, long queueSizeBytes, String storage, Duration drainTimeout) {
    this(enabled, numConsumers, queueSize, queueSizeBytes, storage, drainTimeout, DEFAULT_FULL_POLICY, false, null,
        DEFAULT_DEAD_LETTER_MAX_SIZE);
  }

  /** Reads a {@code sending_queue} mapping; problems are recorded on {@code node} with their key path. */
  public static QueueSettings parse(ConfigNode node) {
    boolean enabled = node.bool("enabled", DEFAULT_ENABLED);
    int numConsumers = node.integer("num_consumers", DEFAULT_NUM_CONSUMERS, 1, 10_000);
    int queueSize = node.integer("queue_size", DEFAULT_QUEUE_SIZE, 1, 10_000_000);
    long queueSizeBytes = node.byteSize("queue_size_bytes", DEFAULT_QUEUE_SIZE_BYTES, 1024);
    boolean blocking = node.bool("blocking", false);
    if (blocking) {
      node.invalid("blocking", true, "false: a full queue answers senders with 429 / RESOURCE_EXHAUSTED instead of blocking");
    }
    String storage = node.string("storage", null);
    if (storage != null && storage.isBlank()) {
      storage = null;
    }
    Duration drainTimeout = node.duration("drain_timeout", DEFAULT_DRAIN_TIMEOUT, Duration.ZERO);
    String policy = node.oneOf("full_policy", DEFAULT_FULL_POLICY.configName(), "backpressure", "drop_oldest");
    FullPolicy fullPolicy = "drop_oldest".equals(policy) ? FullPolicy.DROP_OLDEST : FullPolicy.BACKPRESSURE;
    boolean waitForResult = node.bool("wait_for_result", false);
    if (waitForResult && !enabled) {
      node.invalid("wait_for_result", true, "false when sending_queue::enabled is false (without a queue every "
          + "consume already waits for the export)");
    }
    String deadLetterFile = node.string("dead_letter_file", null);
    long deadLetterMaxSize = node.byteSize("dead_letter_max_size", DEFAULT_DEAD_LETTER_MAX_SIZE, 1024);
    return new QueueSettings(enabled, numConsumers, queueSize, queueSizeBytes, storage, drainTimeout, fullPolicy,
        waitForResult, deadLetterFile, deadLetterMaxSize);
  }

  public QueueSettings withStorage(String s) {
    return new QueueSettings(enabled, numConsumers, queueSize, queueSizeBytes, s, drainTimeout, fullPolicy,
        waitForResult, deadLetterFile, deadLetterMaxSize);
  }

  public QueueSettings withFullPolicy(FullPolicy p) {
    return new QueueSettings(enabled, numConsumers, queueSize, queueSizeBytes, storage, drainTimeout, p,
        waitForResult, deadLetterFile, deadLetterMaxSize);
  }

  public QueueSettings withWaitForResult(boolean w) {
    return new QueueSettings(enabled, numConsumers, queueSize, queueSizeBytes, storage, drainTimeout, fullPolicy,
        w, deadLetterFile, deadLetterMaxSize);
  }

  public QueueSettings withDeadLetterFile(String f) {
    return new QueueSettings(enabled, numConsumers, queueSize, queueSizeBytes, storage, drainTimeout, fullPolicy,
        waitForResult, f, deadLetterMaxSize);
  }
}
