package io.goblinos.gateway.loadtest.bench;

import java.util.Locale;

/**
 * One measured point of an open-loop run.
 *
 * @param target what was measured ({@code null_receiver}, {@code pipeline})
 * @param fraction offered load as a fraction of the target's saturation rate
 * @param offeredItemsPerSecond items (spans) per second offered
 * @param achievedItemsPerSecond items per second answered 2xx within the window
 * @param p50Ms median latency from the intended send time (coordinated omission included)
 * @param p90Ms 90th percentile latency
 * @param p99Ms 99th percentile latency
 * @param sent requests due in the window
 * @param errors requests answered non-2xx, failed, timed out or never sent
 */
public record LoadPoint(String target, double fraction, double offeredItemsPerSecond, double achievedItemsPerSecond,
    double p50Ms, double p90Ms, double p99Ms, long sent, long errors) {

  public static final String CSV_HEADER =
      "target,fraction,offered_items_per_s,achieved_items_per_s,p50_ms,p90_ms,p99_ms,sent,errors";

  public String toCsv() {
    return String.format(Locale.ROOT, "%s,%.3f,%.0f,%.0f,%.3f,%.3f,%.3f,%d,%d", target, fraction, offeredItemsPerSecond,
        achievedItemsPerSecond, p50Ms, p90Ms, p99Ms, sent, errors);
  }

  public static LoadPoint fromCsv(String line) {
    String[] f = line.split(",");
    if (f.length != 9) {
      throw new IllegalArgumentException("want 9 columns (" + CSV_HEADER + "), got " + f.length + ": " + line);
    }
    return new LoadPoint(f[0], Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
        Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]));
  }
}
