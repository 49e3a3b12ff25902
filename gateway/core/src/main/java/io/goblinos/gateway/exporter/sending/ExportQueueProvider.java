package io.goblinos.gateway.exporter.sending;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.signal.Signal;
import io.vertx.core.Future;
import java.nio.file.Path;

/**
 * Implemented by storage extensions (e.g. {@code file_storage}) that give exporters a persistent queue. An exporter
 * whose config says {@code sending_queue: {storage: file_storage}} looks the extension up through
 * {@link io.goblinos.gateway.api.component.Host#extension} at start and opens its queue here.
 */
public interface ExportQueueProvider {

  /** Opens (or reopens, resuming what is stored) the queue of one exporter and signal. */
  <T extends Message> Future<ExportQueue<T>> openQueue(ComponentId exporter, Signal<T> signal, QueueSettings settings);

  /**
   * Where the exporter writes requests it gives up on when {@code sending_queue.dead_letter_file} is not set, or
   * null for none.
   */
  default Path deadLetterFile(ComponentId exporter, Signal<?> signal) {
    return null;
  }
}
