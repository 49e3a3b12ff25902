package io.goblinos.gateway.exporter.sending;

import io.goblinos.gateway.api.component.Host;
import io.vertx.core.Future;

/**
 * Sends one request to a backend, once: the transport half of an exporter. {@link QueuedRetryExporter} adds the
 * queue, the per-attempt timeout, retries with backoff, metrics and shutdown.
 *
 * <p>{@link #send} is called from the exporter's event-loop context, with at most {@code num_consumers} calls in
 * flight at a time; it must not block. It completes with a {@link SendResult} when the backend accepted the request
 * (fully, or partially with a count of rejected items), and fails with an {@link ExportException} that says whether
 * the request may be retried and after what delay the backend asked for. Any other failure is classified by
 * {@link ExportException#of(Throwable)} (transport errors are retryable).
 *
 * @param <T> the request type
 */
public interface Sender<T> {

  /** Opens clients, loads certificates. Called once by {@link QueuedRetryExporter#start(Host)}. */
  default Future<Void> start(Host host) {
    return Future.succeededFuture();
  }

  /** One attempt to deliver {@code request}. */
  Future<SendResult> send(T request);

  /** Releases clients and connections; requests still in flight may fail. Called once, after draining. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
