package io.goblinos.gateway.api.signal;

import com.google.protobuf.Parser;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.util.ArrayList;
import java.util.List;

final class MetricsSignal extends Signal<ExportMetricsServiceRequest> {
  static final MetricsSignal INSTANCE = new MetricsSignal();

  private MetricsSignal() {}

  @Override
  public String name() {
    return "metrics";
  }

  @Override
  public String itemName() {
    return "metric_points";
  }

  @Override
  public Class<ExportMetricsServiceRequest> requestType() {
    return ExportMetricsServiceRequest.class;
  }

  @Override
  public Parser<ExportMetricsServiceRequest> parser() {
    return ExportMetricsServiceRequest.parser();
  }

  @Override
  public ExportMetricsServiceRequest empty() {
    return ExportMetricsServiceRequest.getDefaultInstance();
  }

  /** Number of data points of one metric, whatever its type. */
  public static int pointCount(Metric m) {
    switch (m.getDataCase()) {
      case GAUGE:
        return m.getGauge().getDataPointsCount();
      case SUM:
        return m.getSum().getDataPointsCount();
      case HISTOGRAM:
        return m.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM:
        return m.getExponentialHistogram().getDataPointsCount();
      case SUMMARY:
        return m.getSummary().getDataPointsCount();
      default:
        return 0;
    }
  }

  @Override
  public int itemCount(ExportMetricsServiceRequest request) {
    int n = 0;
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          n += pointCount(m);
        }
      }
    }
    return n;
  }

  @Override
  public ExportMetricsServiceRequest merge(List<ExportMetricsServiceRequest> requests) {
    if (requests.size() == 1) {
      return requests.get(0);
    }
    ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
    for (ExportMetricsServiceRequest r : requests) {
      b.addAllResourceMetrics(r.getResourceMetricsList());
    }
    return b.build();
  }

  @Override
  public List<ExportMetricsServiceRequest> split(ExportMetricsServiceRequest request, int maxItems) {
    if (maxItems <= 0) {
      throw new IllegalArgumentException("maxItems must be > 0, was " + maxItems);
    }
    List<ExportMetricsServiceRequest> out = new ArrayList<>();
    ExportMetricsServiceRequest.Builder current = ExportMetricsServiceRequest.newBuilder();
    int inCurrent = 0;
    boolean currentHasMetrics = false;
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      ResourceMetrics.Builder rmb = null;
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        ScopeMetrics.Builder smb = null;
        for (Metric metric : sm.getMetricsList()) {
          int points = pointCount(metric);
          if (inCurrent > 0 && inCurrent + points > maxItems) {
            if (smb != null) {
              rmb.addScopeMetrics(smb);
            }
            if (rmb != null) {
              current.addResourceMetrics(rmb);
            }
            out.add(current.build());
            current = ExportMetricsServiceRequest.newBuilder();
            inCurrent = 0;
            currentHasMetrics = false;
            rmb = null;
            smb = null;
          }
          if (rmb == null) {
            rmb = rm.toBuilder().clearScopeMetrics();
          }
          if (smb == null) {
            smb = sm.toBuilder().clearMetrics();
          }
          smb.addMetrics(metric);
          inCurrent += points;
          currentHasMetrics = true;
        }
        if (smb != null) {
          rmb.addScopeMetrics(smb);
        }
      }
      if (rmb != null) {
        current.addResourceMetrics(rmb);
      }
    }
    if (currentHasMetrics || out.isEmpty()) {
      out.add(current.build());
    }
    return out;
  }
}
