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
 */
public record QueueSettings(
    boolean enabled, int numConsumers, int queueSize, long queueSizeBytes, String storage, Duration drainTimeout) {

  public static final boolean DEFAULT_ENABLED = true;
  public static final int DEFAULT_NUM_CONSUMERS = 10;
  public static final int DEFAULT_QUEUE_SIZE = 1000;
  public static final long DEFAULT_QUEUE_SIZE_BYTES = 64L * 1024 * 1024;
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  public static final QueueSettings DEFAULT = new QueueSettings(
      DEFAULT_ENABLED, DEFAULT_NUM_CONSUMERS, DEFAULT_QUEUE_SIZE, DEFAULT_QUEUE_SIZE_BYTES, null, DEFAULT_DRAIN_TIMEOUT);

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
    return new QueueSettings(enabled, numConsumers, queueSize, queueSizeBytes, storage, drainTimeout);
  }
}
