package io.goblinos.gateway.tracing.cost;

import io.vertx.core.Future;
import java.util.Map;

/**
 * Running LLM cost totals per provider, model and goblin, shared by every gateway of a cluster. Increments are added
 * per LLM span to the {@link Account} of its key; callers keep accounts, so adding costs no map lookup, string or
 * allocation, and never blocks. {@link #endBatch} follows the adds of each request (one call per request, never per
 * span).
 */
public interface CostTracker {

  /** The account of {@code key}. It stays usable for the life of the tracker: callers keep it, add without lookups. */
  Account account(CostKey key);

  /** Ends the adds of one request; a tracker that sends per request sends them now. Does not block. */
  Future<Void> endBatch();

  /** Adds the increments of many keys at once (for tools and tests): each key's account, then {@link #endBatch}. */
  default Future<Void> add(Map<CostKey, CostTotals> increments) {
    increments.forEach((k, v) -> account(k).add(v.costUsd(), v.inputTokens(), v.outputTokens(), v.spans(),
        v.unpricedSpans()));
    return endBatch();
  }

  /** All totals, including every increment added before this call. */
  Future<Map<CostKey, CostTotals>> totals();

  /** Where the increments of one key go. Thread-safe; never blocks. */
  interface Account {
    /** Adds one increment: cost in USD, tokens, LLM spans and the unpriced ones among them. */
    void add(double costUsd, long inputTokens, long outputTokens, long spans, long unpricedSpans);
  }
}
