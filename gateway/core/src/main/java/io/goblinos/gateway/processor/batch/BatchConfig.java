package io.goblinos.gateway.processor.batch;

import java.time.Duration;

/**
 * Config of the {@code batch} processor (Collector keys and defaults).
 *
 * @param sendBatchSize items that trigger sending a batch at once; 0 = send on {@code timeout} only
 * @param sendBatchMaxSize most items in one outgoing batch (larger batches are split); 0 = no limit; when set it is
 *     at least {@code sendBatchSize}
 * @param timeout longest time the first item of a batch waits before the batch is sent; 0 = no batching (each
 *     request is sent at once, split by {@code sendBatchMaxSize})
 * @param acknowledgeOnExport {@code acknowledge: on_export}: a caller's future completes with the export of its
 *     batch (end-to-end backpressure, latency up to {@code timeout}); false ({@code on_enqueue}, the default, as the
 *     Collector) completes once the data is in the bounded batch buffer
 */
public record BatchConfig(int sendBatchSize, int sendBatchMaxSize, Duration timeout, boolean acknowledgeOnExport) {

  /** A config that acknowledges on export. */
  public BatchConfig(int sendBatchSize, int sendBatchMaxSize, Duration timeout) {
    this(sendBatchSize, sendBatchMaxSize, timeout, true);
  }

  public static final int DEFAULT_SEND_BATCH_SIZE = 8192;
  public static final int DEFAULT_SEND_BATCH_MAX_SIZE = 0;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);
}
