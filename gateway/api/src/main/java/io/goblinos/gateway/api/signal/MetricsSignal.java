package io.goblinos.gateway.api.signal;

import com.google.protobuf.Parser;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
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
    return RequestShape.METRICS.itemCount(request);
  }

  @Override
  public ExportMetricsServiceRequest merge(List<ExportMetricsServiceRequest> requests) {
    return RequestShape.METRICS.merge(requests);
  }

  @Override
  public List<ExportMetricsServiceRequest> split(ExportMetricsServiceRequest request, int maxItems) {
    return RequestShape.METRICS.split(request, maxItems);
  }
}
