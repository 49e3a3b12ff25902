package io.goblinos.gateway.loadtest.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code wrk --latency} printed: completed requests, seconds, requests/s, non-2xx responses, socket errors and
 * latency percentiles (ms; -1 when absent).
 */
public record WrkReport(long requests, double seconds, double requestsPerSecond, long non2xx, long socketErrors,
    double p50Ms, double p90Ms, double p99Ms) {

  private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m)");
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
  private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
  private static final Pattern SOCKET = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

  /** Requests that failed: non-2xx answers plus socket errors. */
  public long errors() {
    return non2xx + socketErrors;
  }

  public static WrkReport parse(String out) {
    Matcher total = TOTAL.matcher(out);
    Matcher rps = RPS.matcher(out);
    if (!total.find() || !rps.find()) {
      throw new IllegalArgumentException("not wrk output (no 'N requests in T' / 'Requests/sec'): " + out);
    }
    long requests = Long.parseLong(total.group(1));
    double seconds = duration(Double.parseDouble(total.group(2)), total.group(3)) / 1000.0;
    Matcher non2xx = NON2XX.matcher(out);
    Matcher socket = SOCKET.matcher(out);
    long socketErrors = 0;
    if (socket.find()) {
      for (int g = 1; g <= 4; g++) {
        socketErrors += Long.parseLong(socket.group(g));
      }
    }
    return new WrkReport(requests, seconds, Double.parseDouble(rps.group(1)), non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0,
        socketErrors, percentile(out, "50"), percentile(out, "90"), percentile(out, "99"));
  }

  private static double percentile(String out, String p) {
    Matcher m = Pattern.compile("(?m)^\\s+" + p + "(?:\\.0+)?%\\s+([\\d.]+)(us|ms|s|m)\\s*$").matcher(out);
    return m.find() ? duration(Double.parseDouble(m.group(1)), m.group(2)) : -1;
  }

  /** A wrk duration in milliseconds. */
  static double duration(double value, String unit) {
    return switch (unit) {
      case "us" -> value / 1000.0;
      case "ms" -> value;
      case "s" -> value * 1000.0;
      case "m" -> value * 60_000.0;
      default -> throw new IllegalArgumentException("unknown wrk unit " + unit);
    };
  }
}
