package io.goblinos.gateway.exporter.prometheusremotewrite;

import java.math.BigDecimal;
import java.util.Map;

/**
 * OTel to Prometheus names, per the OpenTelemetry specification "Prometheus and OpenMetrics Compatibility"
 * (and the Collector's translator where the specification leaves a choice). Pure functions.
 */
public final class PrometheusNaming {
  private PrometheusNaming() {}

  /** UCUM units to the words Prometheus uses as name suffixes. */
  private static final Map<String, String> UNITS = Map.ofEntries(
      Map.entry("d", "days"), Map.entry("h", "hours"), Map.entry("min", "minutes"), Map.entry("s", "seconds"),
      Map.entry("ms", "milliseconds"), Map.entry("us", "microseconds"), Map.entry("ns", "nanoseconds"),
      Map.entry("By", "bytes"), Map.entry("KiBy", "kibibytes"), Map.entry("MiBy", "mebibytes"),
      Map.entry("GiBy", "gibibytes"), Map.entry("TiBy", "tibibytes"), Map.entry("KBy", "kilobytes"),
      Map.entry("MBy", "megabytes"), Map.entry("GBy", "gigabytes"), Map.entry("TBy", "terabytes"),
      Map.entry("m", "meters"), Map.entry("V", "volts"), Map.entry("A", "amperes"), Map.entry("J", "joules"),
      Map.entry("W", "watts"), Map.entry("g", "grams"), Map.entry("Cel", "celsius"), Map.entry("Hz", "hertz"),
      Map.entry("1", ""), Map.entry("%", "percent"));

  /** The denominator of "x/y" units, singular. */
  private static final Map<String, String> PER_UNITS = Map.of(
      "s", "second", "m", "minute", "h", "hour", "d", "day", "w", "week", "mo", "month", "y", "year");

  /** What kind of Prometheus metric an OTLP metric becomes; decides the suffixes. */
  public enum Kind { GAUGE, COUNTER, HISTOGRAM, SUMMARY }

  /**
   * The Prometheus metric name of an OTLP metric: sanitized name, then (with {@code addSuffixes}) the unit suffix,
   * {@code _ratio} for gauges of unit "1", {@code _total} for counters; {@code namespace_} in front when set.
   * Histogram and summary series add {@code _bucket}/{@code _sum}/{@code _count} to this name.
   */
  public static String metricName(String otelName, String unit, Kind kind, boolean addSuffixes, String namespace) {
    String name = sanitizeMetricName(otelName);
    if (addSuffixes) {
      String unitSuffix = unitSuffix(unit);
      if (!unitSuffix.isEmpty() && !hasSuffixToken(name, unitSuffix)) {
        name = name + "_" + unitSuffix;
      }
      if (kind == Kind.GAUGE && "1".equals(stripAnnotations(unit).trim()) && !hasSuffixToken(name, "ratio")) {
        name = name + "_ratio";
      }
      if (kind == Kind.COUNTER && !name.endsWith("_total") && !name.equals("total")) {
        name = name + "_total";
      }
    }
    if (namespace != null && !namespace.isEmpty()) {
      name = namespace + "_" + name;
    }
    return name.isEmpty() ? "_" : name;
  }

  private static boolean hasSuffixToken(String name, String suffix) {
    return name.equals(suffix) || name.endsWith("_" + suffix) || name.contains("_" + suffix + "_");
  }

  /**
   * Replaces every character outside [a-zA-Z0-9_:] by '_', collapses runs of '_', drops leading and trailing '_',
   * and prefixes '_' when the result starts with a digit.
   */
  public static String sanitizeMetricName(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ':';
      char out = ok ? c : '_';
      if (out == '_' && (b.length() == 0 || b.charAt(b.length() - 1) == '_')) {
        continue;
      }
      b.append(out);
    }
    while (b.length() > 0 && b.charAt(b.length() - 1) == '_') {
      b.setLength(b.length() - 1);
    }
    if (b.length() > 0 && b.charAt(0) >= '0' && b.charAt(0) <= '9') {
      b.insert(0, '_');
    }
    return b.toString();
  }

  /**
   * A label name from an attribute key: characters outside [a-zA-Z0-9_] become '_'; a leading digit gets
   * {@code key_} in front and a leading {@code __} (reserved by Prometheus) gets {@code key}. Empty stays empty
   * (the caller drops it).
   */
  public static String sanitizeLabelName(String s) {
    if (s.isEmpty()) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length() + 4);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
      b.append(ok ? c : '_');
    }
    if (b.charAt(0) >= '0' && b.charAt(0) <= '9') {
      b.insert(0, "key_");
    } else if (b.length() >= 2 && b.charAt(0) == '_' && b.charAt(1) == '_') {
      b.insert(0, "key");
    }
    return b.toString();
  }

  /** The unit with its {@code {annotations}} removed. */
  static String stripAnnotations(String unit) {
    if (unit == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(unit.length());
    int depth = 0;
    for (int i = 0; i < unit.length(); i++) {
      char c = unit.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && depth > 0) {
        depth--;
      } else if (depth == 0) {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** The name suffix of a UCUM unit: "s" to "seconds", "By" to "bytes", "m/s" to "meters_per_second", "{x}" to "". */
  public static String unitSuffix(String unit) {
    String u = stripAnnotations(unit).trim();
    if (u.isEmpty() || u.equals("1")) {
      return "";
    }
    int slash = u.indexOf('/');
    if (slash >= 0) {
      String num = word(u.substring(0, slash).trim(), UNITS);
      String den = word(u.substring(slash + 1).trim(), PER_UNITS);
      if (den.isEmpty()) {
        return num;
      }
      return num.isEmpty() ? "per_" + den : num + "_per_" + den;
    }
    return word(u, UNITS);
  }

  private static String word(String u, Map<String, String> map) {
    if (u.isEmpty()) {
      return "";
    }
    String mapped = map.get(u);
    return mapped != null ? mapped : sanitizeMetricName(u);
  }

  /**
   * A float as Prometheus label values write it ({@code le}, {@code quantile}): shortest plain decimal,
   * {@code +Inf}, {@code -Inf}, {@code NaN}; integers without a fraction ("5", not "5.0").
   */
  public static String formatFloat(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
  }
}
