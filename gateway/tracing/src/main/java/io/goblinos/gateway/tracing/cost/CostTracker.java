package io.goblinos.gateway.tracing.cost;

import io.vertx.core.Future;
import java.util.Map;

/**
 * Running LLM cost totals per provider, model and goblin, shared by every gateway of a cluster. {@link #add} takes
 * one request's increments at once (one call per request, never per span) and does not block.
 */
public interface CostTracker {

  /** Adds increments; completes when they are recorded locally (they reach the shared store shortly after). */
  Future<Void> add(Map<CostKey, CostTotals> increments);

  /** All totals, including every increment added before this call. */
  Future<Map<CostKey, CostTotals>> totals();
}
