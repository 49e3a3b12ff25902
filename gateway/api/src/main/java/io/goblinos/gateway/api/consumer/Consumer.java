package io.goblinos.gateway.api.consumer;

import io.vertx.core.Future;

/**
 * Accepts pipeline data. The returned future completes when the data has been accepted by this consumer (queued,
 * batched, exported or durably stored, as the consumer documents); it fails with a {@link ConsumeException} that
 * says whether the sender should retry.
 *
 * <p>Consumers are called from any event-loop thread, concurrently: implementations are thread-safe and never block.
 *
 * @param <T> the OTLP export request type
 */
@FunctionalInterface
public interface Consumer<T> {

  Future<Void> consume(T data);
}
