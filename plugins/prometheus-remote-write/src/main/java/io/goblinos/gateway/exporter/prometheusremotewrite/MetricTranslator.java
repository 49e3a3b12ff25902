package io.goblinos.gateway.exporter.prometheusremotewrite;

import io.goblinos.gateway.exporter.prometheusremotewrite.PrometheusNaming.Kind;
import io.goblinos.gateway.otlp.AttributeValues;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Translates OTLP metrics to Prometheus samples, per the OpenTelemetry specification "Prometheus and OpenMetrics
 * Compatibility":
 *
 * <ul>
 *   <li>gauges and non-monotonic cumulative sums: one sample named after the metric (unit suffix; {@code _ratio} for
 *       unit "1" gauges);
 *   <li>monotonic cumulative sums: counters, {@code _total};
 *   <li>cumulative histograms: {@code _bucket{le}} (cumulative counts, {@code le="+Inf"} = count), {@code _sum}
 *       (when present), {@code _count};
 *   <li>summaries: one sample per {@code quantile}, {@code _sum}, {@code _count};
 *   <li>exponential histograms and delta (or unspecified) temporality are not translated: dropped and counted
 *       (reasons {@code exponential_histogram}, {@code delta_temporality});
 *   <li>labels: data point attributes (sanitized; keys that collide after sanitizing get their values joined with
 *       ';' in key order), {@code otel_scope_name}/{@code otel_scope_version}, {@code job} = service.namespace/service.name,
 *       {@code instance} = service.instance.id, every resource attribute with {@code resource_to_telemetry_conversion},
 *       external labels where the series has no such label; empty values are dropped (Prometheus: absent);
 *   <li>{@code target_info} (value 1) per resource with its other attributes; the {@code NoRecordedValue} flag
 *       becomes the Prometheus staleness marker.
 * </ul>
 *
 * <p>Samples are produced in the order of the request. Not thread-safe per call; instances are immutable and shared.
 */
final class MetricTranslator {
  /** Prometheus' staleness marker: a NaN with this exact bit pattern (prometheus/model/value.StaleNaN). */
  static final long STALE_NAN_BITS = 0x7ff0000000000002L;
  static final double STALE_NAN = Double.longBitsToDouble(STALE_NAN_BITS);
  /** DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK. */
  static final int FLAG_NO_RECORDED_VALUE = 1;

  /**
   * The scope name of the marker entry that tells a shard to write the {@code target_info} of its resource: one gauge
   * point whose time was computed when the request was split into shards.
   */
  static final String TARGET_INFO_MARKER = "io.goblinos.gateway.prometheusremotewrite/target_info";

  static final String REASON_EXPONENTIAL = "exponential_histogram";
  static final String REASON_DELTA = "delta_temporality";
  static final String REASON_NO_VALUE = "no_value";
  static final String REASON_INVALID = "invalid_histogram";

  private static final String NAME = "__name__";

  /** What the translation produces; every method is optional. */
  interface Output {
    /** A data point that will be translated, and the hash of its series (same series, same hash). */
    default void point(int r, int s, int m, int p, long seriesHash) {}

    /** One sample; {@code labels} are name/value pairs sorted by name, {@code __name__} included. */
    default void sample(String[] labels, long timestampMs, double value) {}

    /** The target_info of resource {@code r} (only in {@link Mode#SPLIT}). */
    default void targetInfo(int r, long timeUnixNano, long seriesHash) {}

    /** Data points that cannot be translated. */
    default void dropped(String reason, int points) {}
  }

  enum Mode {
    /** Routing pass over an incoming request: target_info computed from the resource's points. */
    SPLIT,
    /** Sending pass over one shard's request: target_info only where a marker says so. */
    SHARD
  }

  private final PrometheusRemoteWriteConfig.Translation settings;
  private final LongSupplier nowNanos;

  MetricTranslator(PrometheusRemoteWriteConfig.Translation settings) {
    this(settings, () -> System.currentTimeMillis() * 1_000_000L);
  }

  MetricTranslator(PrometheusRemoteWriteConfig.Translation settings, LongSupplier nowNanos) {
    this.settings = settings;
    this.nowNanos = nowNanos;
  }

  void translate(ExportMetricsServiceRequest request, Mode mode, Output out) {
    List<ResourceMetrics> resources = request.getResourceMetricsList();
    for (int r = 0; r < resources.size(); r++) {
      ResourceMetrics rm = resources.get(r);
      List<KeyValue> resAttrs = rm.getResource().getAttributesList();
      TreeMap<String, String> resourceLabels = resourceLabels(resAttrs);
      TreeMap<String, String> identity = identityLabels(resAttrs);
      long maxTime = Long.MIN_VALUE;
      Long markerTime = null;
      List<ScopeMetrics> scopes = rm.getScopeMetricsList();
      for (int s = 0; s < scopes.size(); s++) {
        ScopeMetrics sm = scopes.get(s);
        if (TARGET_INFO_MARKER.equals(sm.getScope().getName())) {
          markerTime = markerTime(sm);
          continue;
        }
        TreeMap<String, String> scopeLabels = scopeLabels(sm.getScope());
        List<Metric> metrics = sm.getMetricsList();
        for (int m = 0; m < metrics.size(); m++) {
          long t = metric(metrics.get(m), r, s, m, resourceLabels, scopeLabels, identity, out);
          maxTime = Math.max(maxTime, t);
        }
      }
      if (!settings.targetInfo()) {
        continue;
      }
      if (mode == Mode.SPLIT && maxTime != Long.MIN_VALUE) {
        String[] labels = targetInfoLabels(resAttrs, identity);
        if (labels != null) {
          out.targetInfo(r, maxTime, hash(labels));
        }
      } else if (mode == Mode.SHARD && markerTime != null) {
        String[] labels = targetInfoLabels(resAttrs, identity);
        if (labels != null) {
          out.sample(labels, markerTime / 1_000_000L, 1.0);
        }
      }
    }
  }

  private static Long markerTime(ScopeMetrics marker) {
    for (Metric m : marker.getMetricsList()) {
      if (m.hasGauge() && m.getGauge().getDataPointsCount() > 0) {
        return m.getGauge().getDataPoints(0).getTimeUnixNano();
      }
    }
    return null;
  }

  /** Translates one metric; returns the latest point time (ns) translated, or Long.MIN_VALUE. */
  private long metric(Metric metric, int r, int s, int m, TreeMap<String, String> resourceLabels,
      TreeMap<String, String> scopeLabels, TreeMap<String, String> identity, Output out) {
    long maxTime = Long.MIN_VALUE;
    switch (metric.getDataCase()) {
      case GAUGE -> {
        String name = name(metric, Kind.GAUGE);
        List<NumberDataPoint> points = metric.getGauge().getDataPointsList();
        for (int p = 0; p < points.size(); p++) {
          maxTime = Math.max(maxTime, number(points.get(p), name, r, s, m, p, resourceLabels, scopeLabels, identity, out));
        }
      }
      case SUM -> {
        var sum = metric.getSum();
        if (sum.getAggregationTemporality() != AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE) {
          out.dropped(REASON_DELTA, sum.getDataPointsCount());
          break;
        }
        String name = name(metric, sum.getIsMonotonic() ? Kind.COUNTER : Kind.GAUGE);
        List<NumberDataPoint> points = sum.getDataPointsList();
        for (int p = 0; p < points.size(); p++) {
          maxTime = Math.max(maxTime, number(points.get(p), name, r, s, m, p, resourceLabels, scopeLabels, identity, out));
        }
      }
      case HISTOGRAM -> {
        var h = metric.getHistogram();
        if (h.getAggregationTemporality() != AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE) {
          out.dropped(REASON_DELTA, h.getDataPointsCount());
          break;
        }
        String name = name(metric, Kind.HISTOGRAM);
        List<HistogramDataPoint> points = h.getDataPointsList();
        for (int p = 0; p < points.size(); p++) {
          maxTime = Math.max(maxTime, histogram(points.get(p), name, r, s, m, p, resourceLabels, scopeLabels, identity, out));
        }
      }
      case SUMMARY -> {
        String name = name(metric, Kind.SUMMARY);
        List<SummaryDataPoint> points = metric.getSummary().getDataPointsList();
        for (int p = 0; p < points.size(); p++) {
          maxTime = Math.max(maxTime, summary(points.get(p), name, r, s, m, p, resourceLabels, scopeLabels, identity, out));
        }
      }
      case EXPONENTIAL_HISTOGRAM -> out.dropped(REASON_EXPONENTIAL, metric.getExponentialHistogram().getDataPointsCount());
      default -> { /* a metric without data has no points */ }
    }
    return maxTime;
  }

  private String name(Metric metric, Kind kind) {
    return PrometheusNaming.metricName(metric.getName(), metric.getUnit(), kind, settings.addMetricSuffixes(),
        settings.namespace());
  }

  private long number(NumberDataPoint dp, String name, int r, int s, int m, int p, TreeMap<String, String> res,
      TreeMap<String, String> scope, TreeMap<String, String> identity, Output out) {
    double value;
    switch (dp.getValueCase()) {
      case AS_DOUBLE -> value = dp.getAsDouble();
      case AS_INT -> value = dp.getAsInt();
      default -> {
        if ((dp.getFlags() & FLAG_NO_RECORDED_VALUE) == 0) {
          out.dropped(REASON_NO_VALUE, 1);
          return Long.MIN_VALUE;
        }
        value = STALE_NAN;
      }
    }
    if ((dp.getFlags() & FLAG_NO_RECORDED_VALUE) != 0) {
      value = STALE_NAN;
    }
    TreeMap<String, String> base = pointLabels(res, dp.getAttributesList(), scope, identity);
    long timeNs = time(dp.getTimeUnixNano());
    out.point(r, s, m, p, seriesHash(name, base));
    out.sample(labels(base, name, null, null), timeNs / 1_000_000L, value);
    return timeNs;
  }

  private long histogram(HistogramDataPoint dp, String name, int r, int s, int m, int p, TreeMap<String, String> res,
      TreeMap<String, String> scope, TreeMap<String, String> identity, Output out) {
    int bounds = dp.getExplicitBoundsCount();
    int buckets = dp.getBucketCountsCount();
    if (buckets != 0 && buckets != bounds + 1) {
      out.dropped(REASON_INVALID, 1);
      return Long.MIN_VALUE;
    }
    boolean stale = (dp.getFlags() & FLAG_NO_RECORDED_VALUE) != 0;
    TreeMap<String, String> base = pointLabels(res, dp.getAttributesList(), scope, identity);
    long timeNs = time(dp.getTimeUnixNano());
    long ms = timeNs / 1_000_000L;
    out.point(r, s, m, p, seriesHash(name, base));
    String bucketName = name + "_bucket";
    long cumulative = 0;
    for (int i = 0; i < bounds && buckets > 0; i++) {
      cumulative += dp.getBucketCounts(i);
      out.sample(labels(base, bucketName, "le", PrometheusNaming.formatFloat(dp.getExplicitBounds(i))), ms,
          stale ? STALE_NAN : cumulative);
    }
    out.sample(labels(base, bucketName, "le", "+Inf"), ms, stale ? STALE_NAN : dp.getCount());
    if (dp.hasSum()) {
      out.sample(labels(base, name + "_sum", null, null), ms, stale ? STALE_NAN : dp.getSum());
    }
    out.sample(labels(base, name + "_count", null, null), ms, stale ? STALE_NAN : dp.getCount());
    return timeNs;
  }

  private long summary(SummaryDataPoint dp, String name, int r, int s, int m, int p, TreeMap<String, String> res,
      TreeMap<String, String> scope, TreeMap<String, String> identity, Output out) {
    boolean stale = (dp.getFlags() & FLAG_NO_RECORDED_VALUE) != 0;
    TreeMap<String, String> base = pointLabels(res, dp.getAttributesList(), scope, identity);
    long timeNs = time(dp.getTimeUnixNano());
    long ms = timeNs / 1_000_000L;
    out.point(r, s, m, p, seriesHash(name, base));
    for (SummaryDataPoint.ValueAtQuantile q : dp.getQuantileValuesList()) {
      out.sample(labels(base, name, "quantile", PrometheusNaming.formatFloat(q.getQuantile())), ms,
          stale ? STALE_NAN : q.getValue());
    }
    out.sample(labels(base, name + "_sum", null, null), ms, stale ? STALE_NAN : dp.getSum());
    out.sample(labels(base, name + "_count", null, null), ms, stale ? STALE_NAN : dp.getCount());
    return timeNs;
  }

  private long time(long timeUnixNano) {
    return timeUnixNano > 0 ? timeUnixNano : nowNanos.getAsLong();
  }

  // ---- labels -------------------------------------------------------------------------------------------------

  /** Resource attributes as labels when resource_to_telemetry_conversion is on, else empty. */
  private TreeMap<String, String> resourceLabels(List<KeyValue> attrs) {
    TreeMap<String, String> out = new TreeMap<>();
    if (settings.resourceToTelemetry()) {
      addAttributes(out, attrs, null);
    }
    return out;
  }

  /** {@code job} and {@code instance} from service.namespace, service.name and service.instance.id. */
  static TreeMap<String, String> identityLabels(List<KeyValue> attrs) {
    String name = null;
    String namespace = null;
    String instance = null;
    for (KeyValue kv : attrs) {
      switch (kv.getKey()) {
        case "service.name" -> name = text(kv.getValue());
        case "service.namespace" -> namespace = text(kv.getValue());
        case "service.instance.id" -> instance = text(kv.getValue());
        default -> { }
      }
    }
    TreeMap<String, String> out = new TreeMap<>();
    if (name != null && !name.isEmpty()) {
      out.put("job", namespace == null || namespace.isEmpty() ? name : namespace + "/" + name);
    }
    if (instance != null && !instance.isEmpty()) {
      out.put("instance", instance);
    }
    return out;
  }

  private static TreeMap<String, String> scopeLabels(InstrumentationScope scope) {
    TreeMap<String, String> out = new TreeMap<>();
    if (!scope.getName().isEmpty()) {
      out.put("otel_scope_name", scope.getName());
    }
    if (!scope.getVersion().isEmpty()) {
      out.put("otel_scope_version", scope.getVersion());
    }
    return out;
  }

  /** Precedence, lowest first: resource attributes, point attributes, scope labels, job/instance; external labels fill gaps. */
  private TreeMap<String, String> pointLabels(TreeMap<String, String> res, List<KeyValue> attrs,
      TreeMap<String, String> scope, TreeMap<String, String> identity) {
    TreeMap<String, String> out = new TreeMap<>(res);
    TreeMap<String, String> point = new TreeMap<>();
    addAttributes(point, attrs, null);
    out.putAll(point);
    out.putAll(scope);
    out.putAll(identity);
    settings.externalLabels().forEach(out::putIfAbsent);
    out.remove(NAME);
    return out;
  }

  /** target_info's labels, or null when the resource has nothing beyond its identity. */
  private String[] targetInfoLabels(List<KeyValue> attrs, TreeMap<String, String> identity) {
    TreeMap<String, String> out = new TreeMap<>();
    addAttributes(out, attrs, k -> k.equals("service.name") || k.equals("service.namespace")
        || k.equals("service.instance.id"));
    if (out.isEmpty()) {
      return null;
    }
    out.putAll(identity);
    settings.externalLabels().forEach(out::putIfAbsent);
    out.remove(NAME);
    String ns = settings.namespace();
    return labels(out, ns == null || ns.isEmpty() ? "target_info" : ns + "_target_info", null, null);
  }

  /**
   * Adds attributes as labels: keys sanitized; keys that collide after sanitizing have their values joined with ';'
   * in the order of the original keys; empty values are left out.
   */
  private static void addAttributes(TreeMap<String, String> out, List<KeyValue> attrs,
      java.util.function.Predicate<String> skip) {
    if (attrs.isEmpty()) {
      return;
    }
    List<KeyValue> sorted = attrs;
    if (attrs.size() > 1) {
      sorted = new ArrayList<>(attrs);
      sorted.sort(Comparator.comparing(KeyValue::getKey));
    }
    TreeMap<String, String> mine = new TreeMap<>();
    for (KeyValue kv : sorted) {
      if (skip != null && skip.test(kv.getKey())) {
        continue;
      }
      String name = PrometheusNaming.sanitizeLabelName(kv.getKey());
      String value = text(kv.getValue());
      if (name.isEmpty() || value.isEmpty()) {
        continue;
      }
      mine.merge(name, value, (a, b) -> a + ";" + b);
    }
    out.putAll(mine);
  }

  /** An attribute value as label text: strings as they are, numbers and booleans printed, the rest as JSON. */
  static String text(AnyValue v) {
    return AttributeValues.text(v, PrometheusNaming::formatFloat);
  }

  /** Sorted name/value pairs: {@code base} plus {@code __name__} and an optional extra label (le, quantile). */
  static String[] labels(Map<String, String> base, String name, String extraName, String extraValue) {
    TreeMap<String, String> all = new TreeMap<>(base);
    all.put(NAME, name);
    if (extraName != null) {
      all.put(extraName, extraValue);
    }
    String[] out = new String[all.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> e : all.entrySet()) {
      out[i++] = e.getKey();
      out[i++] = e.getValue();
    }
    return out;
  }

  private static long seriesHash(String familyName, TreeMap<String, String> base) {
    long h = fnv(0xcbf29ce484222325L, familyName);
    for (Map.Entry<String, String> e : base.entrySet()) {
      h = fnv(h, e.getKey());
      h = fnv(h, e.getValue());
    }
    return h;
  }

  static long hash(String[] labels) {
    long h = 0xcbf29ce484222325L;
    for (String s : labels) {
      h = fnv(h, s);
    }
    return h;
  }

  /** FNV-1a over the UTF-8 bytes of {@code s} and a 0xff separator (never part of UTF-8). */
  private static long fnv(long h, String s) {
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= 0xff;
    h *= 0x100000001b3L;
    return h;
  }
}
