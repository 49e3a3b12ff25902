package io.goblinos.gateway.tracing.cost;

/**
 * The mutable sums of one key's increments (cost, tokens, spans), added to under the tally's own lock so that the five
 * sums always move together; uncontended, that is one compare-and-set per add, no allocation. A tally can be closed
 * once: it then hands its sums out and refuses later adds, which the caller takes elsewhere (how
 * {@link HazelcastCostStore} flushes without losing or double-counting an add that races the flush).
 */
class Tally {
  private double costUsd;
  private long inputTokens;
  private long outputTokens;
  private long spans;
  private long unpricedSpans;
  private boolean touched;
  private boolean closed;

  /** Adds an increment; false (nothing added) when the tally is closed. */
  final synchronized boolean tryAdd(double cost, long in, long out, long llmSpans, long unpriced) {
    if (closed) {
      return false;
    }
    costUsd += cost;
    inputTokens += in;
    outputTokens += out;
    spans += llmSpans;
    unpricedSpans += unpriced;
    touched = true;
    return true;
  }

  /** The sums so far, or null when nothing was ever added. */
  final synchronized CostTotals totals() {
    return touched ? new CostTotals(costUsd, inputTokens, outputTokens, spans, unpricedSpans) : null;
  }

  /** Closes the tally: later adds are refused. Returns the sums, or null when nothing was ever added. */
  final synchronized CostTotals close() {
    closed = true;
    return totals();
  }
}
