package io.goblinos.gateway.loadtest.bench;

/** Reads sample values out of a Prometheus text exposition. */
public final class PrometheusText {
  private PrometheusText() {}

  /**
   * The sum of every sample of {@code name} (any labels), or 0 when there is none. Matches the exact metric name:
   * {@code gateway_receiver_accepted_spans_total} does not match {@code gateway_receiver_accepted_spans_total_x}.
   */
  public static double sum(String exposition, String name) {
    double total = 0;
    for (String line : exposition.split("\n")) {
      if (line.isEmpty() || line.charAt(0) == '#' || !line.startsWith(name)) {
        continue;
      }
      int rest = name.length();
      if (line.length() == rest) {
        continue;
      }
      char c = line.charAt(rest);
      int valueStart;
      if (c == '{') {
        int close = line.lastIndexOf('}');
        if (close < 0) {
          continue;
        }
        valueStart = close + 1;
      } else if (c == ' ') {
        valueStart = rest;
      } else {
        continue;
      }
      String[] parts = line.substring(valueStart).trim().split(" +");
      total += Double.parseDouble(parts[0]);
    }
    return total;
  }
}
