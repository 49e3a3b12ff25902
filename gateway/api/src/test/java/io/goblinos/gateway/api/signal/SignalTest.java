package io.goblinos.gateway.api.signal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignalTest {

  static Span span(int i) {
    return Span.newBuilder().setName("s" + i).setSpanId(ByteString.copyFrom(new byte[] {(byte) i, 0, 0, 0, 0, 0, 0, 1})).build();
  }

  static ExportTraceServiceRequest traces(int resources, int spansEach) {
    ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
    int n = 0;
    for (int r = 0; r < resources; r++) {
      ScopeSpans.Builder ss = ScopeSpans.newBuilder();
      for (int i = 0; i < spansEach; i++) {
        ss.addSpans(span(n++));
      }
      b.addResourceSpans(ResourceSpans.newBuilder().setResource(Resource.newBuilder().setDroppedAttributesCount(r)).addScopeSpans(ss));
    }
    return b.build();
  }

  @Test
  void splitKeepsEveryItemWithItsResourceAndRespectsTheMaximum() {
    ExportTraceServiceRequest req = traces(3, 7);
    List<ExportTraceServiceRequest> parts = Signal.TRACES.split(req, 5);
    assertThat(parts).hasSize(5);
    assertThat(parts).allSatisfy(p -> assertThat(Signal.TRACES.itemCount(p)).isBetween(1, 5));
    ExportTraceServiceRequest merged = Signal.TRACES.merge(parts);
    assertThat(Signal.TRACES.itemCount(merged)).isEqualTo(21);
    List<String> names = merged.getResourceSpansList().stream()
        .flatMap(rs -> rs.getScopeSpansList().stream())
        .flatMap(ss -> ss.getSpansList().stream())
        .map(Span::getName)
        .toList();
    assertThat(names).hasSize(21).doesNotHaveDuplicates();
    assertThat(parts.get(1).getResourceSpans(0).getResource().getDroppedAttributesCount()).isEqualTo(0);
    assertThat(parts.get(1).getResourceSpans(1).getResource().getDroppedAttributesCount()).isEqualTo(1);
  }

  @Test
  void metricsSplitKeepsTrailingMetricsWithoutPoints() {
    Metric big = Metric.newBuilder().setName("big").setGauge(Gauge.newBuilder()
        .addDataPoints(NumberDataPoint.newBuilder().setAsInt(1))
        .addDataPoints(NumberDataPoint.newBuilder().setAsInt(2))
        .addDataPoints(NumberDataPoint.newBuilder().setAsInt(3))).build();
    Metric empty = Metric.newBuilder().setName("empty").build();
    ExportMetricsServiceRequest req = ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(big).addMetrics(empty)))
        .build();
    List<ExportMetricsServiceRequest> parts = Signal.METRICS.split(req, 2);
    List<String> names = parts.stream()
        .flatMap(p -> p.getResourceMetricsList().stream())
        .flatMap(rm -> rm.getScopeMetricsList().stream())
        .flatMap(sm -> sm.getMetricsList().stream())
        .map(Metric::getName)
        .toList();
    assertThat(names).containsExactly("big", "empty");
    assertThat(Signal.METRICS.itemCount(req)).isEqualTo(3);
  }
}
