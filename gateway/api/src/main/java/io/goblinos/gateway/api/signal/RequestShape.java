package io.goblinos.gateway.api.signal;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The three levels every OTLP export request has (request, resource entries, scope entries, entries' items), given
 * as accessor functions, and the walks over them that do not depend on the signal: counting, merging, splitting and
 * filtering items. {@link #TRACES}, {@link #METRICS} and {@link #LOGS} describe the three signals; the items of
 * metrics are whole metrics weighing their data points.
 *
 * @param <R> the export request
 * @param <RE> its resource entry ({@code ResourceSpans}, ...)
 * @param <SE> the scope entry ({@code ScopeSpans}, ...)
 * @param <I> the item a scope entry holds ({@code Span}, {@code Metric}, {@code LogRecord})
 */
public final class RequestShape<R, RE, SE, I> {

  public static final RequestShape<ExportTraceServiceRequest, ResourceSpans, ScopeSpans, Span> TRACES =
      new RequestShape<>(
          ExportTraceServiceRequest::getResourceSpansList,
          ResourceSpans::getScopeSpansList,
          ScopeSpans::getSpansList,
          null,
          resources -> ExportTraceServiceRequest.newBuilder().addAllResourceSpans(resources).build(),
          (rs, scopes) -> rs.toBuilder().clearScopeSpans().addAllScopeSpans(scopes).build(),
          (ss, spans) -> ss.toBuilder().clearSpans().addAllSpans(spans).build());

  public static final RequestShape<ExportMetricsServiceRequest, ResourceMetrics, ScopeMetrics, Metric> METRICS =
      new RequestShape<>(
          ExportMetricsServiceRequest::getResourceMetricsList,
          ResourceMetrics::getScopeMetricsList,
          ScopeMetrics::getMetricsList,
          MetricsSignal::pointCount,
          resources -> ExportMetricsServiceRequest.newBuilder().addAllResourceMetrics(resources).build(),
          (rm, scopes) -> rm.toBuilder().clearScopeMetrics().addAllScopeMetrics(scopes).build(),
          (sm, metrics) -> sm.toBuilder().clearMetrics().addAllMetrics(metrics).build());

  public static final RequestShape<ExportLogsServiceRequest, ResourceLogs, ScopeLogs, LogRecord> LOGS =
      new RequestShape<>(
          ExportLogsServiceRequest::getResourceLogsList,
          ResourceLogs::getScopeLogsList,
          ScopeLogs::getLogRecordsList,
          null,
          resources -> ExportLogsServiceRequest.newBuilder().addAllResourceLogs(resources).build(),
          (rl, scopes) -> rl.toBuilder().clearScopeLogs().addAllScopeLogs(scopes).build(),
          (sl, logs) -> sl.toBuilder().clearLogRecords().addAllLogRecords(logs).build());

  private final Function<R, List<RE>> resources;
  private final Function<RE, List<SE>> scopes;
  private final Function<SE, List<I>> items;
  /** How many items one item counts for; null: one each. */
  private final ToIntFunction<I> weight;
  private final Function<List<RE>, R> request;
  private final BiFunction<RE, List<SE>, RE> withScopes;
  private final BiFunction<SE, List<I>, SE> withItems;

  /**
   * @param resources the resource entries of a request
   * @param scopes the scope entries of a resource entry
   * @param items the items of a scope entry
   * @param weight how many items an item counts for (metrics: its data points); null: one each
   * @param request a request holding these resource entries
   * @param withScopes the resource entry with these scope entries instead of its own
   * @param withItems the scope entry with these items instead of its own
   */
  public RequestShape(Function<R, List<RE>> resources, Function<RE, List<SE>> scopes, Function<SE, List<I>> items,
      ToIntFunction<I> weight, Function<List<RE>, R> request, BiFunction<RE, List<SE>, RE> withScopes,
      BiFunction<SE, List<I>, SE> withItems) {
    this.resources = resources;
    this.scopes = scopes;
    this.items = items;
    this.weight = weight;
    this.request = request;
    this.withScopes = withScopes;
    this.withItems = withItems;
  }

  private int weight(I item) {
    return weight == null ? 1 : weight.applyAsInt(item);
  }

  /** The sum of the weights of the items of {@code r}. */
  public int itemCount(R r) {
    int n = 0;
    for (RE re : resources.apply(r)) {
      for (SE se : scopes.apply(re)) {
        List<I> list = items.apply(se);
        if (weight == null) {
          n += list.size();
        } else {
          for (I item : list) {
            n += weight.applyAsInt(item);
          }
        }
      }
    }
    return n;
  }

  /** A request holding every resource entry of {@code requests}, in order; the request itself when only one. */
  public R merge(List<R> requests) {
    if (requests.size() == 1) {
      return requests.get(0);
    }
    List<RE> all = new ArrayList<>();
    for (R r : requests) {
      all.addAll(resources.apply(r));
    }
    return request.apply(all);
  }

  /**
   * Splits {@code r} into requests of at most {@code maxItems} items (by weight), keeping resource and scope of
   * every item; an item heavier than {@code maxItems} goes alone. Always at least one request.
   *
   * @throws IllegalArgumentException unless {@code maxItems > 0}
   */
  public List<R> split(R r, int maxItems) {
    if (maxItems <= 0) {
      throw new IllegalArgumentException("maxItems must be > 0, was " + maxItems);
    }
    List<R> out = new ArrayList<>();
    List<RE> current = new ArrayList<>();
    int inCurrent = 0;
    boolean currentHasItems = false;
    for (RE re : resources.apply(r)) {
      List<SE> reScopes = null;
      for (SE se : scopes.apply(re)) {
        List<I> seItems = null;
        for (I item : items.apply(se)) {
          int w = weight(item);
          if (inCurrent > 0 && inCurrent + w > maxItems) {
            if (seItems != null) {
              reScopes.add(withItems.apply(se, seItems));
            }
            if (reScopes != null) {
              current.add(withScopes.apply(re, reScopes));
            }
            out.add(request.apply(current));
            current = new ArrayList<>();
            inCurrent = 0;
            currentHasItems = false;
            reScopes = null;
            seItems = null;
          }
          if (reScopes == null) {
            reScopes = new ArrayList<>();
          }
          if (seItems == null) {
            seItems = new ArrayList<>();
          }
          seItems.add(item);
          inCurrent += w;
          currentHasItems = true;
        }
        if (seItems != null) {
          reScopes.add(withItems.apply(se, seItems));
        }
      }
      if (reScopes != null) {
        current.add(withScopes.apply(re, reScopes));
      }
    }
    if (currentHasItems || out.isEmpty()) {
      out.add(request.apply(current));
    }
    return out;
  }

  /**
   * {@code r} with only the items that {@code keep} accepts; scope and resource entries left without items are
   * dropped (as are those that had none).
   */
  public R filter(R r, Predicate<I> keep) {
    List<RE> kept = new ArrayList<>();
    for (RE re : resources.apply(r)) {
      List<SE> keptScopes = new ArrayList<>();
      for (SE se : scopes.apply(re)) {
        List<I> keptItems = new ArrayList<>();
        for (I item : items.apply(se)) {
          if (keep.test(item)) {
            keptItems.add(item);
          }
        }
        if (!keptItems.isEmpty()) {
          keptScopes.add(withItems.apply(se, keptItems));
        }
      }
      if (!keptScopes.isEmpty()) {
        kept.add(withScopes.apply(re, keptScopes));
      }
    }
    return request.apply(kept);
  }

  /** Every item of {@code r}, in order. */
  public void forEachItem(R r, Consumer<I> action) {
    for (RE re : resources.apply(r)) {
      for (SE se : scopes.apply(re)) {
        items.apply(se).forEach(action);
      }
    }
  }
}
