package io.goblinos.gateway.tracing.cost;

import io.vertx.core.Future;
import java.util.List;

/**
 * The model price table, shared by every gateway of a cluster. {@link #current()} is a local snapshot that never
 * blocks (the hot path reads it per LLM span); {@link #replaceAll} changes the table for everyone without a restart.
 */
public interface PriceTable {

  /** The latest snapshot seen by this member. */
  PriceIndex current();

  /** Replaces the whole table; completes once this member's snapshot shows it. */
  Future<Void> replaceAll(List<PriceEntry> entries);
}
