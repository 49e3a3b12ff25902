package io.goblinos.gateway.tracing.cost;

import io.vertx.core.Future;

/** A backing store for both the price table and the cost totals, with a lifecycle. */
public interface CostStore extends PriceTable, CostTracker {

  /** Connects or starts what the store needs (off the event loop). */
  Future<Void> start();

  /** Flushes pending increments and releases everything. Idempotent; safe without start. */
  Future<Void> close();
}
