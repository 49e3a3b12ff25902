package io.goblinos.gateway.loadtest.bench;

import java.util.Locale;

/**
 * The benchmark's figures and its last output line. A figure that could not be measured is {@code NaN} and printed
 * {@code n/a}. {@code spansPerSecond} and {@code limitSpansPerSecond} are the medians of their saturation rounds;
 * {@code pipelineRatio} is the median of the rounds' own ratios (each round's pipeline rate over the null receiver's,
 * measured just before it), so it can differ from the ratio of the two medians ({@link #ratioOfMedians}).
 */
public record BenchSummary(
    double spansPerSecond,
    double limitSpansPerSecond,
    double pipelineRatio,
    double cpuSecondsPerMillionSpans,
    double p50Ms,
    double p99Ms,
    double rssMb,
    double auditEventsPerSecond,
    double ed25519VerificationsPerSecond,
    double bytesPerPendingTrace) {

  /** The median pipeline rate over the median null-receiver rate, which may come from different rounds. */
  public double ratioOfMedians() {
    return spansPerSecond / limitSpansPerSecond;
  }

  /**
   * The median of {@code pipeline[i] / limit[i]} over the rounds both were measured in (the lower middle for an even
   * count), or NaN when there is none.
   */
  public static double medianOfRatios(double[] pipeline, double[] limit) {
    int n = Math.min(pipeline.length, limit.length);
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = pipeline[i] / limit[i];
    }
    java.util.Arrays.sort(r);
    return n == 0 ? Double.NaN : r[(n - 1) / 2];
  }

  public double auditRatio() {
    return auditEventsPerSecond / ed25519VerificationsPerSecond;
  }

  /** {@code RESULT spans_per_s=… limit_spans_per_s=… … bytes_per_pending_trace=…}. */
  public String resultLine() {
    return "RESULT spans_per_s=" + fmt(spansPerSecond, 0)
        + " limit_spans_per_s=" + fmt(limitSpansPerSecond, 0)
        + " pipeline_ratio=" + fmt(pipelineRatio, 2)
        + " cpu_s_per_mspans=" + fmt(cpuSecondsPerMillionSpans, 2)
        + " p50_ms=" + fmt(p50Ms, 2)
        + " p99_ms=" + fmt(p99Ms, 2)
        + " rss_mb=" + fmt(rssMb, 0)
        + " audit_events_per_s=" + fmt(auditEventsPerSecond, 0)
        + " ed25519_verify_per_s=" + fmt(ed25519VerificationsPerSecond, 0)
        + " audit_ratio=" + fmt(auditRatio(), 2)
        + " bytes_per_pending_trace=" + fmt(bytesPerPendingTrace, 0);
  }

  static String fmt(double v, int decimals) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
