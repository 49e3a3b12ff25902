package io.goblinos.gateway.service;

import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;

/**
 * Stands in for a pipeline's exporters when {@code TELEMETRY_ENABLED=false}: accepts and drops, counting
 * {@code gateway_pipeline_discarded_<items>_total{pipeline}}.
 */
final class DiscardingConsumer<T extends com.google.protobuf.Message> implements Consumer<T> {
  private final Signal<T> signal;
  private final Counter discarded;

  DiscardingConsumer(Signal<T> signal, String pipeline, MeterRegistry meters) {
    this.signal = signal;
    this.discarded = Counter.builder("gateway.pipeline.discarded." + signal.itemName())
        .description("Items dropped because exporting is disabled (TELEMETRY_ENABLED=false)")
        .tag("pipeline", pipeline)
        .register(meters);
  }

  @Override
  public Future<Void> consume(T data) {
    discarded.increment(signal.itemCount(data));
    return Future.succeededFuture();
  }
}
