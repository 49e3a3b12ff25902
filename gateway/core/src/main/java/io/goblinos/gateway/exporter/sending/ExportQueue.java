package io.goblinos.gateway.exporter.sending;

import io.vertx.core.Future;

/**
 * The bounded queue between an exporter's {@code consume} and its senders. {@link MemoryExportQueue} is the
 * default; a persistent (write-ahead-log) queue implements the same interface and is found through an
 * {@link ExportQueueProvider} extension named by {@code sending_queue.storage}.
 *
 * <p>All methods are thread-safe and never block.
 *
 * @param <T> the request type
 */
public interface ExportQueue<T> {

  /**
   * Stores a request. Completes when it is stored (in memory: at once; persistent: when durable as the queue
   * documents); fails with {@link io.goblinos.gateway.api.consumer.ConsumeException#throttled} when the queue is
   * full (by requests or by bytes) and with {@link io.goblinos.gateway.api.consumer.ConsumeException#unavailable}
   * once {@link #seal()} or {@link #close()} was called.
   */
  Future<Void> offer(T request);

  /**
   * The next stored request: completes at once when one is waiting, otherwise when one is offered. Completes with
   * null once the queue is sealed and empty, or closed. The entry is in flight until {@link Entry#done()}.
   */
  Future<Entry<T>> poll();

  /** Refuses offers from now on; polls go on returning what is left, then null. Idempotent. */
  void seal();

  /**
   * Releases the queue: pending polls complete with null. Entries not {@link Entry#done() done} are lost for a
   * memory queue and kept for the next start by a persistent one. Idempotent.
   */
  Future<Void> close();

  /** Requests stored and not yet done (waiting or in flight). */
  int size();

  /** Bytes of the requests counted by {@link #size()}. */
  long bytes();

  /** Most requests the queue holds. */
  int capacity();

  /** Most bytes the queue holds. */
  long capacityBytes();

  /** True when entries survive a restart (then nothing is dropped at shutdown). */
  default boolean durable() {
    return false;
  }

  /** Items (spans, points, records) dropped to make room under {@code full_policy: drop_oldest}; monotonic. */
  default long droppedItems() {
    return 0;
  }

  /** Damaged records found (and cut or skipped) in a persistent queue's files; monotonic. */
  default long corruptedRecords() {
    return 0;
  }

  /** Items found stored and not acknowledged when a persistent queue was opened: they are delivered again. */
  default long recoveredItems() {
    return 0;
  }

  /**
   * Of {@link #recoveredItems()}, those that had already been handed to a sender before the restart: the backend
   * may have received them already, so they may arrive twice.
   */
  default long redeliveredItems() {
    return 0;
  }

  /** A request taken from the queue. */
  interface Entry<T> {
    T request();

    /** Removes the entry for good: sent, or given up on. Idempotent. */
    void done();
  }
}
