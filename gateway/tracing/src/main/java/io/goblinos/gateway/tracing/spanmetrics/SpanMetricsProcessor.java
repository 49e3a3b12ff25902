package io.goblinos.gateway.tracing.spanmetrics;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.tracing.internal.LabelGuard;
import io.goblinos.gateway.tracing.internal.Otlp;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * Metrics computed from every span before sampling (so they are exact), passing spans on unchanged:
 *
 * <ul>
 *   <li>{@code goblin.task.latency} (Prometheus {@code goblin_task_latency_seconds}, a histogram) by
 *       {@code goblin_id}, {@code guild}, {@code task}: the duration of each task span (a span carrying the task
 *       attribute itself);
 *   <li>{@code goblin.service.requests} / {@code goblin.service.errors} ({@code goblin_service_requests_total},
 *       {@code goblin_service_errors_total}) by {@code service}: entry spans (SERVER or CONSUMER kind, or roots),
 *       errors = status ERROR;
 *   <li>{@code goblin.provider.requests} / {@code goblin.provider.errors} by {@code provider}: LLM spans
 *       ({@code gen_ai.provider.name} or {@code gen_ai.system}).
 * </ul>
 *
 * Extra labels come only from the {@code dimensions} allow-list. Every label value passes a cardinality guard: past
 * {@code max_label_values} distinct values per metric and label, new values become {@code other}, counted in
 * {@code gateway.processor.label.overflow}. The same series are pushed as cumulative OTLP metrics into
 * {@code metrics_pipeline} every {@code flush_interval}.
 */
public final class SpanMetricsProcessor implements Processor<ExportTraceServiceRequest> {
  private static final Logger LOG = Logger.getLogger(SpanMetricsProcessor.class.getName());
  static final String TASK_LATENCY = "goblin.task.latency";
  static final String SERVICE_REQUESTS = "goblin.service.requests";
  static final String SERVICE_ERRORS = "goblin.service.errors";
  static final String PROVIDER_REQUESTS = "goblin.provider.requests";
  static final String PROVIDER_ERRORS = "goblin.provider.errors";

  private final ComponentContext context;
  private final SpanMetricsConfig config;
  private final Consumer<ExportTraceServiceRequest> next;
  private final MeterRegistry registry;
  private final double[] bounds;
  private final Duration[] slos;
  private final List<String> dimensionLabels;
  private static final int PROVIDER_NAME_HASH = "gen_ai.provider.name".hashCode();
  private static final int SYSTEM_HASH = "gen_ai.system".hashCode();
  private final int taskHash;
  private final int goblinHash;
  private final int guildHash;
  private final Map<String, Map<String, LabelGuard>> guards = new ConcurrentHashMap<>();
  private final Map<List<String>, HistogramSeries> latency = new ConcurrentHashMap<>();
  /**
   * Counter series by metric and label values: each counted once, in the adder that both Prometheus (a
   * FunctionCounter over it) and the OTLP push read.
   */
  private final Map<String, Map<List<String>, LongAdder>> counters = new ConcurrentHashMap<>();
  private final long startNanos = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
  private volatile Host host;
  private volatile long flushTimer = -1;
  private volatile boolean warnedNoPipeline;
  private Future<Void> shutdownFuture;

  /**
   * One latency series: the Micrometer Timer that Prometheus scrapes, and the per-bucket counts, sum and count that
   * the OTLP push reads. Striped adders: the event loops record into the same series without sharing a cache line.
   */
  private static final class HistogramSeries {
    final Timer timer;
    final LongAdder[] buckets;
    final DoubleAdder sum = new DoubleAdder();
    final LongAdder count = new LongAdder();

    HistogramSeries(Timer timer, int buckets) {
      this.timer = timer;
      this.buckets = new LongAdder[buckets];
      for (int i = 0; i < buckets; i++) {
        this.buckets[i] = new LongAdder();
      }
    }
  }


  public SpanMetricsProcessor(ComponentContext context, SpanMetricsConfig config,
                              Consumer<ExportTraceServiceRequest> next) {
    this.context = context;
    this.config = config;
    this.next = next;
    this.registry = context.meters();
    this.bounds = config.latencyBuckets().stream().mapToDouble(Double::doubleValue).toArray();
    this.slos = new Duration[bounds.length];
    for (int i = 0; i < bounds.length; i++) {
      slos[i] = Duration.ofNanos((long) (bounds[i] * 1e9));
    }
    List<String> labels = new ArrayList<>();
    config.dimensions().forEach(d -> labels.add(d.replace('.', '_').replace('-', '_')));
    this.dimensionLabels = List.copyOf(labels);
    this.taskHash = config.taskAttribute().hashCode();
    this.goblinHash = config.goblinIdAttribute().hashCode();
    this.guildHash = config.guildAttribute().hashCode();
  }

  @Override
  public Future<Void> start(Host host) {
    this.host = host;
    if (!config.metricsPipeline().isEmpty()) {
      if (host.pipeline(Signal.METRICS, config.metricsPipeline()).isEmpty()) {
        LOG.warning("spanmetrics " + context.id() + ": metrics pipeline '" + config.metricsPipeline()
            + "' not found yet; will retry at each flush");
        warnedNoPipeline = true;
      }
      flushTimer = context.vertx().setPeriodic(config.flushInterval().toMillis(), id -> flush());
    }
    LOG.info(() -> "spanmetrics " + context.id() + " started: metrics_pipeline="
        + (config.metricsPipeline().isEmpty() ? "(none)" : config.metricsPipeline()));
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> shutdown() {
    if (shutdownFuture != null) {
      return shutdownFuture;
    }
    if (flushTimer >= 0) {
      context.vertx().cancelTimer(flushTimer);
    }
    shutdownFuture = host == null ? Future.succeededFuture() : flush().recover(t -> Future.succeededFuture());
    return shutdownFuture;
  }

  @Override
  public Future<Void> consume(ExportTraceServiceRequest request) {
    for (ResourceSpans rs : request.getResourceSpansList()) {
      Resource resource = rs.getResource();
      String service = Otlp.asString(Otlp.find(resource.getAttributesList(), "service.name"));
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          record(span, resource, service == null ? "unknown_service" : service);
        }
      }
    }
    return next.consume(request);
  }

  private void record(Span span, Resource resource, String service) {
    List<KeyValue> attrs = span.getAttributesList();
    boolean error = span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR;
    Span.SpanKind kind = span.getKind();
    if (kind == Span.SpanKind.SPAN_KIND_SERVER || kind == Span.SpanKind.SPAN_KIND_CONSUMER
        || span.getParentSpanId().isEmpty()) {
      List<String> values = values(SERVICE_REQUESTS, "service", service, span, resource);
      count(SERVICE_REQUESTS, "service", values);
      if (error) {
        count(SERVICE_ERRORS, "service", values);
      }
    }
    // one pass over the span's attributes for every key read below (the first attribute of a key counts)
    AnyValue providerName = null;
    AnyValue system = null;
    AnyValue taskValue = null;
    AnyValue goblinValue = null;
    AnyValue guildValue = null;
    String taskKey = config.taskAttribute();
    String goblinKey = config.goblinIdAttribute();
    String guildKey = config.guildAttribute();
    // keys compared by hash first: a decoded key is a shared instance that keeps its hash, so a key that is none of
    // these costs a few int comparisons, not five string comparisons
    for (int i = 0, n = attrs.size(); i < n; i++) {
      KeyValue kv = attrs.get(i);
      String key = kv.getKey();
      int h = key.hashCode();
      if (providerName == null && h == PROVIDER_NAME_HASH && key.equals("gen_ai.provider.name")) {
        providerName = kv.getValue();
      } else if (system == null && h == SYSTEM_HASH && key.equals("gen_ai.system")) {
        system = kv.getValue();
      }
      if (taskValue == null && h == taskHash && key.equals(taskKey)) {
        taskValue = kv.getValue();
      }
      if (goblinValue == null && h == goblinHash && key.equals(goblinKey)) {
        goblinValue = kv.getValue();
      }
      if (guildValue == null && h == guildHash && key.equals(guildKey)) {
        guildValue = kv.getValue();
      }
    }
    String provider = Otlp.asString(providerName);
    if (provider == null) {
      provider = Otlp.asString(system);
    }
    if (provider != null) {
      List<String> values = values(PROVIDER_REQUESTS, "provider", provider, span, resource);
      count(PROVIDER_REQUESTS, "provider", values);
      if (error) {
        count(PROVIDER_ERRORS, "provider", values);
      }
    }
    String task = Otlp.asString(taskValue);
    if (task != null) {
      long end = span.getEndTimeUnixNano();
      long start = span.getStartTimeUnixNano();
      if (end >= start && start != 0) {
        String goblin = Otlp.orResource(Otlp.asString(goblinValue), resource, goblinKey);
        String guild = Otlp.orResource(Otlp.asString(guildValue), resource, guildKey);
        List<String> key = List.of(guard(TASK_LATENCY, "goblin_id").admit(goblin),
            guard(TASK_LATENCY, "guild").admit(guild), guard(TASK_LATENCY, "task").admit(task));
        observe(key, end - start);
      }
    }
  }

  private List<String> values(String metric, String label, String value, Span span, Resource resource) {
    List<String> values = new ArrayList<>(1 + dimensionLabels.size());
    values.add(guard(metric, label).admit(value));
    for (int i = 0; i < dimensionLabels.size(); i++) {
      values.add(guard(metric, dimensionLabels.get(i)).admit(Otlp.string(span, resource, config.dimensions().get(i))));
    }
    return values;
  }

  private LabelGuard guard(String metric, String label) {
    // two-level lookup: no "metric|label" key string built per span (hot path); guards still created on first use
    Map<String, LabelGuard> byLabel = guards.get(metric);
    if (byLabel == null) {
      byLabel = guards.computeIfAbsent(metric, k -> new ConcurrentHashMap<>());
    }
    LabelGuard g = byLabel.get(label);
    if (g == null) {
      g = byLabel.computeIfAbsent(label,
          k -> new LabelGuard(registry, context.id().toString(), metric, label, config.maxLabelValues()));
    }
    return g;
  }

  private void count(String metric, String label, List<String> values) {
    // errors share the guard of their requests metric, so both carry the same label values
    Map<List<String>, LongAdder> byValues = counters.get(metric);
    if (byValues == null) {
      byValues = counters.computeIfAbsent(metric, k -> new ConcurrentHashMap<>());
    }
    LongAdder count = byValues.get(values);
    if (count == null) {
      count = byValues.computeIfAbsent(values, v -> {
        LongAdder value = new LongAdder();
        FunctionCounter.Builder<LongAdder> b = FunctionCounter.builder(metric, value, LongAdder::sum)
            .tag(label, v.get(0));
        for (int i = 0; i < dimensionLabels.size(); i++) {
          b.tag(dimensionLabels.get(i), v.get(i + 1));
        }
        b.description(describe(metric)).register(registry);
        return value;
      });
    }
    count.increment();
  }

  private static String describe(String metric) {
    return switch (metric) {
      case SERVICE_REQUESTS -> "Entry spans (server, consumer or root) per service";
      case SERVICE_ERRORS -> "Entry spans with status ERROR per service";
      case PROVIDER_REQUESTS -> "LLM provider calls (spans with gen_ai attributes)";
      default -> "LLM provider calls with status ERROR";
    };
  }

  private void observe(List<String> key, long nanos) {
    HistogramSeries s = latency.get(key);
    if (s == null) {
      s = latency.computeIfAbsent(key, k -> new HistogramSeries(
        Timer.builder(TASK_LATENCY)
            .description("Duration of goblin task spans, computed before sampling")
            .tag("goblin_id", k.get(0)).tag("guild", k.get(1)).tag("task", k.get(2))
            .serviceLevelObjectives(slos)
            .register(registry),
          bounds.length + 1));
    }
    s.timer.record(nanos, TimeUnit.NANOSECONDS);
    double seconds = nanos / 1e9;
    int b = 0;
    while (b < bounds.length && seconds > bounds[b]) {
      b++;
    }
    s.buckets[b].increment();
    s.sum.add(seconds);
    s.count.increment();
  }

  /** Pushes every series as cumulative OTLP metrics into the metrics pipeline. */
  Future<Void> flush() {
    if (config.metricsPipeline().isEmpty() || host == null) {
      return Future.succeededFuture();
    }
    Optional<Consumer<ExportMetricsServiceRequest>> pipeline = host.pipeline(Signal.METRICS, config.metricsPipeline());
    if (pipeline.isEmpty()) {
      if (!warnedNoPipeline) {
        warnedNoPipeline = true;
        LOG.warning("spanmetrics " + context.id() + ": metrics pipeline '" + config.metricsPipeline() + "' not found");
      }
      return Future.succeededFuture();
    }
    ExportMetricsServiceRequest req = toOtlp(TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()));
    if (req.getResourceMetricsCount() == 0) {
      return Future.succeededFuture();
    }
    return pipeline.get().consume(req);
  }

  /** The current cumulative values as an OTLP metrics request (empty when nothing was recorded). */
  ExportMetricsServiceRequest toOtlp(long nowNanos) {
    ScopeMetrics.Builder scope = ScopeMetrics.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName("io.goblinos.gateway.tracing.spanmetrics"));
    if (!latency.isEmpty()) {
      Histogram.Builder h = Histogram.newBuilder()
          .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
      latency.forEach((k, s) -> {
        HistogramDataPoint.Builder p = HistogramDataPoint.newBuilder()
            .setStartTimeUnixNano(startNanos).setTimeUnixNano(nowNanos)
            .addAttributes(kv("goblin_id", k.get(0))).addAttributes(kv("guild", k.get(1)))
            .addAttributes(kv("task", k.get(2)))
            .setCount(s.count.sum()).setSum(s.sum.sum());
        for (double bound : bounds) {
          p.addExplicitBounds(bound);
        }
        for (LongAdder bucket : s.buckets) {
          p.addBucketCounts(bucket.sum());
        }
        h.addDataPoints(p);
      });
      scope.addMetrics(Metric.newBuilder().setName(TASK_LATENCY).setUnit("s")
          .setDescription("Duration of goblin task spans").setHistogram(h));
    }
    for (String metric : List.of(SERVICE_REQUESTS, SERVICE_ERRORS, PROVIDER_REQUESTS, PROVIDER_ERRORS)) {
      Map<List<String>, LongAdder> series = counters.get(metric);
      if (series == null || series.isEmpty()) {
        continue;
      }
      String label = metric.startsWith("goblin.service") ? "service" : "provider";
      Sum.Builder sum = Sum.newBuilder().setIsMonotonic(true)
          .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
      series.forEach((values, count) -> {
        NumberDataPoint.Builder p = NumberDataPoint.newBuilder()
            .setStartTimeUnixNano(startNanos).setTimeUnixNano(nowNanos)
            .setAsInt(count.sum()).addAttributes(kv(label, values.get(0)));
        for (int i = 0; i < dimensionLabels.size(); i++) {
          p.addAttributes(kv(dimensionLabels.get(i), values.get(i + 1)));
        }
        sum.addDataPoints(p);
      });
      scope.addMetrics(Metric.newBuilder().setName(metric).setUnit("1").setDescription(describe(metric)).setSum(sum));
    }
    if (scope.getMetricsCount() == 0) {
      return ExportMetricsServiceRequest.getDefaultInstance();
    }
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
            .setResource(Resource.newBuilder()
                .addAttributes(kv("service.name", "goblin-gateway"))
                .addAttributes(kv("gateway.processor", context.id().toString())))
            .addScopeMetrics(scope))
        .build();
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(Otlp.stringValue(v == null ? "" : v)).build();
  }
}
