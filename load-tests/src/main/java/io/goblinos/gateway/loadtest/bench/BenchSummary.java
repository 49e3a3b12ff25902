package io.goblinos.gateway.loadtest.bench;

import java.util.Locale;

/**
 * The benchmark's figures and its last output line. A figure that could not be measured is {@code NaN} and printed
 * {@code n/a}.
 */
public record BenchSummary(
    double spansPerSecond,
    double limitSpansPerSecond,
    double cpuSecondsPerMillionSpans,
    double p50Ms,
    double p99Ms,
    double rssMb,
    double auditEventsPerSecond,
    double ed25519VerificationsPerSecond,
    double bytesPerPendingTrace) {

  public double pipelineRatio() {
    return spansPerSecond / limitSpansPerSecond;
  }

  public double auditRatio() {
    return auditEventsPerSecond / ed25519VerificationsPerSecond;
  }

  /** {@code RESULT spans_per_s=… limit_spans_per_s=… … bytes_per_pending_trace=…}. */
  public String resultLine() {
    return "RESULT spans_per_s=" + fmt(spansPerSecond, 0)
        + " limit_spans_per_s=" + fmt(limitSpansPerSecond, 0)
        + " pipeline_ratio=" + fmt(pipelineRatio(), 2)
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
