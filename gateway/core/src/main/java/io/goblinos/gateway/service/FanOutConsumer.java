package io.goblinos.gateway.service;

import io.goblinos.gateway.api.consumer.Consumer;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands the same data to several consumers (pipeline data is immutable, so nothing is copied). Completes when all
 * have accepted; fails with the first failure otherwise. Each exporter owns its queue, so a slow exporter delays
 * only the requests that its own full queue refuses.
 */
final class FanOutConsumer<T> implements Consumer<T> {
  private final List<Consumer<T>> consumers;

  FanOutConsumer(List<Consumer<T>> consumers) {
    this.consumers = List.copyOf(consumers);
  }

  static <T> Consumer<T> of(List<Consumer<T>> consumers) {
    return consumers.size() == 1 ? consumers.get(0) : new FanOutConsumer<>(consumers);
  }

  @Override
  public Future<Void> consume(T data) {
    List<Future<Void>> all = new ArrayList<>(consumers.size());
    for (Consumer<T> c : consumers) {
      Future<Void> f;
      try {
        f = c.consume(data);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      all.add(f);
    }
    return Future.join(all).transform(ar -> {
      for (Future<Void> f : all) {
        if (f.failed()) {
          return Future.failedFuture(f.cause());
        }
      }
      return Future.succeededFuture();
    });
  }
}
