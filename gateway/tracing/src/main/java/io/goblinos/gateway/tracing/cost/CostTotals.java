package io.goblinos.gateway.tracing.cost;

/**
 * Running totals (or one request's increments) for one {@link CostKey}: cost in USD, input and output tokens,
 * LLM spans, and spans whose model had no price (their cost is not included, never guessed).
 */
public record CostTotals(double costUsd, long inputTokens, long outputTokens, long spans, long unpricedSpans) {
  public static final CostTotals ZERO = new CostTotals(0, 0, 0, 0, 0);

  public CostTotals plus(CostTotals o) {
    return new CostTotals(costUsd + o.costUsd, inputTokens + o.inputTokens, outputTokens + o.outputTokens,
        spans + o.spans, unpricedSpans + o.unpricedSpans);
  }

  /** As {@code double[5]}: the form kept in Hazelcast (a native array type, no custom serializer). */
  public double[] toArray() {
    return new double[] {costUsd, inputTokens, outputTokens, spans, unpricedSpans};
  }

  public static CostTotals fromArray(double[] a) {
    return a == null ? ZERO : new CostTotals(a[0], (long) a[1], (long) a[2], (long) a[3], (long) a[4]);
  }
}
