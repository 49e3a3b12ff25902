package io.goblinos.gateway.processor.batch;

import com.google.protobuf.ByteString;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.component.Host;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builders of small OTLP requests and component contexts for the processor and exporter tests. */
public final class TestRequests {
  /** A host without extensions. */
  public static final Host HOST = new Host() {
    @Override
    public <E> Optional<E> extension(ComponentId id, Class<E> type) {
      return Optional.empty();
    }
  };

  private TestRequests() {}

  public static ComponentContext context(Vertx vertx, String id, String pipeline) {
    return new ComponentContext(ComponentId.parse(id), pipeline, vertx, new SimpleMeterRegistry(), Path.of("."));
  }

  public static Resource resource(String... keyValues) {
    Resource.Builder r = Resource.newBuilder();
    for (int i = 0; i < keyValues.length; i += 2) {
      r.addAttributes(attr(keyValues[i], keyValues[i + 1]));
    }
    return r.build();
  }

  public static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  /** One resource entry (service.name=service) with {@code spans} spans named prefix-0, prefix-1, ... */
  public static ExportTraceServiceRequest traces(String service, String prefix, int spans) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    ss.getScopeBuilder().setName("test-scope").setVersion("1.0");
    for (int i = 0; i < spans; i++) {
      ss.addSpans(Span.newBuilder()
          .setName(prefix + "-" + i)
          .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, (byte) i}))
          .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) i}))
          .setKind(Span.SpanKind.SPAN_KIND_SERVER)
          .setStartTimeUnixNano(1_700_000_000_000_000_000L)
          .setEndTimeUnixNano(1_700_000_000_012_000_000L)
          .addAttributes(attr("http.method", "GET")));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource("service.name", service)).addScopeSpans(ss))
        .build();
  }

  /** Span names of a traces request, in order. */
  public static List<String> spanNames(ExportTraceServiceRequest r) {
    List<String> out = new ArrayList<>();
    r.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss -> ss.getSpansList()
        .forEach(s -> out.add(s.getName()))));
    return out;
  }

  /** One resource entry with {@code metrics} gauges named prefix-i of {@code pointsEach} points each. */
  public static ExportMetricsServiceRequest metrics(String service, String prefix, int metrics, int pointsEach) {
    ScopeMetrics.Builder sm = ScopeMetrics.newBuilder();
    sm.getScopeBuilder().setName("test-scope");
    for (int i = 0; i < metrics; i++) {
      Gauge.Builder g = Gauge.newBuilder();
      for (int p = 0; p < pointsEach; p++) {
        g.addDataPoints(NumberDataPoint.newBuilder().setAsInt(p).setTimeUnixNano(1_700_000_000_000_000_000L)
            .addAttributes(attr("point", Integer.toString(p))));
      }
      sm.addMetrics(Metric.newBuilder().setName(prefix + "-" + i).setUnit("1").setGauge(g));
    }
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource("service.name", service))
            .addScopeMetrics(sm))
        .build();
  }

  /** One resource entry with {@code logs} log records whose bodies are prefix-i. */
  public static ExportLogsServiceRequest logs(String service, String prefix, int logs) {
    ScopeLogs.Builder sl = ScopeLogs.newBuilder();
    sl.getScopeBuilder().setName("test-scope");
    for (int i = 0; i < logs; i++) {
      sl.addLogRecords(LogRecord.newBuilder()
          .setTimeUnixNano(1_700_000_000_000_000_000L)
          .setSeverityText("INFO")
          .setBody(AnyValue.newBuilder().setStringValue(prefix + "-" + i)));
    }
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().setResource(resource("service.name", service)).addScopeLogs(sl))
        .build();
  }
}
