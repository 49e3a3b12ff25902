package io.goblinos.gateway.exporter.prometheusremotewrite;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;

/**
 * Builds the part of an incoming request that one shard sends: the data points routed to it, under copies of their
 * resource, scope and metric, plus a marker scope for each resource whose {@code target_info} series belongs to
 * this shard: one gauge point "target_info" = 1 at the time computed when the request was split (it counts as one
 * item: the exporter helper does not queue requests without items, and the sample is sent like any other). Points arrive in request order (resource, scope, metric, point),
 * which lets the builder extend the entry it built last. Not thread-safe.
 */
final class ShardRequestBuilder {
  private final ExportMetricsServiceRequest source;
  private final ExportMetricsServiceRequest.Builder out = ExportMetricsServiceRequest.newBuilder();
  private int r = -1;
  private int s = -1;
  private int m = -1;
  private ResourceMetrics.Builder rb;
  private ScopeMetrics.Builder sb;
  private Metric.Builder mb;
  private int points;

  ShardRequestBuilder(ExportMetricsServiceRequest source) {
    this.source = source;
  }

  void point(int ri, int si, int mi, int pi) {
    ResourceMetrics rm = source.getResourceMetrics(ri);
    if (ri != r) {
      flushResource();
      r = ri;
      rb = ResourceMetrics.newBuilder().setResource(rm.getResource()).setSchemaUrl(rm.getSchemaUrl());
    }
    ScopeMetrics sm = rm.getScopeMetrics(si);
    if (si != s) {
      flushScope();
      s = si;
      sb = ScopeMetrics.newBuilder().setScope(sm.getScope()).setSchemaUrl(sm.getSchemaUrl());
    }
    Metric metric = sm.getMetrics(mi);
    if (mi != m) {
      flushMetric();
      m = mi;
      mb = Metric.newBuilder().setName(metric.getName()).setDescription(metric.getDescription())
          .setUnit(metric.getUnit()).addAllMetadata(metric.getMetadataList());
      switch (metric.getDataCase()) {
        case GAUGE -> mb.setGauge(Gauge.newBuilder());
        case SUM -> mb.setSum(Sum.newBuilder().setAggregationTemporality(metric.getSum().getAggregationTemporality())
            .setIsMonotonic(metric.getSum().getIsMonotonic()));
        case HISTOGRAM -> mb.setHistogram(Histogram.newBuilder()
            .setAggregationTemporality(metric.getHistogram().getAggregationTemporality()));
        case SUMMARY -> mb.setSummary(Summary.newBuilder());
        default -> throw new IllegalStateException("not routed: " + metric.getDataCase());
      }
    }
    switch (metric.getDataCase()) {
      case GAUGE -> mb.getGaugeBuilder().addDataPoints(metric.getGauge().getDataPoints(pi));
      case SUM -> mb.getSumBuilder().addDataPoints(metric.getSum().getDataPoints(pi));
      case HISTOGRAM -> mb.getHistogramBuilder().addDataPoints(metric.getHistogram().getDataPoints(pi));
      case SUMMARY -> mb.getSummaryBuilder().addDataPoints(metric.getSummary().getDataPoints(pi));
      default -> throw new IllegalStateException("not routed: " + metric.getDataCase());
    }
    points++;
  }

  /** Marks resource {@code ri}: this shard writes its target_info at {@code timeUnixNano}. */
  void targetInfo(int ri, long timeUnixNano) {
    ResourceMetrics rm = source.getResourceMetrics(ri);
    if (ri != r) {
      flushResource();
      r = ri;
      rb = ResourceMetrics.newBuilder().setResource(rm.getResource()).setSchemaUrl(rm.getSchemaUrl());
    }
    flushScope();
    s = -1;
    rb.addScopeMetrics(ScopeMetrics.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName(MetricTranslator.TARGET_INFO_MARKER))
        .addMetrics(Metric.newBuilder().setName("target_info").setGauge(Gauge.newBuilder()
            .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(timeUnixNano).setAsDouble(1)))));
    points++;
  }

  /** Data points added. */
  int points() {
    return points;
  }

  boolean isEmpty() {
    return r < 0;
  }

  ExportMetricsServiceRequest build() {
    flushResource();
    r = -1;
    return out.build();
  }

  private void flushMetric() {
    if (mb != null) {
      sb.addMetrics(mb);
      mb = null;
    }
    m = -1;
  }

  private void flushScope() {
    flushMetric();
    if (sb != null) {
      rb.addScopeMetrics(sb);
      sb = null;
    }
    s = -1;
  }

  private void flushResource() {
    flushScope();
    if (rb != null) {
      out.addResourceMetrics(rb);
      rb = null;
    }
  }
}
