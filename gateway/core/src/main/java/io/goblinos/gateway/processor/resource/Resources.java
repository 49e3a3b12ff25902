package io.goblinos.gateway.processor.resource;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.signal.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Rewrites the {@link Resource} of every resource entry of a request of any signal. Protobuf messages are
 * immutable: the result is a new request, or the same instance when the function changed no resource (it returns
 * its argument), so untouched data is never copied.
 */
public final class Resources {

  private Resources() {}

  /** Applies {@code fn} to each resource of {@code request}; returns {@code request} itself when nothing changed. */
  @SuppressWarnings("unchecked")
  public static <T extends Message> T rewrite(Signal<T> signal, T request, UnaryOperator<Resource> fn) {
    if (signal == Signal.TRACES) {
      return (T) traces((ExportTraceServiceRequest) request, fn);
    }
    if (signal == Signal.METRICS) {
      return (T) metrics((ExportMetricsServiceRequest) request, fn);
    }
    return (T) logs((ExportLogsServiceRequest) request, fn);
  }

  private static ExportTraceServiceRequest traces(ExportTraceServiceRequest r, UnaryOperator<Resource> fn) {
    List<ResourceSpans> out = null;
    for (int i = 0; i < r.getResourceSpansCount(); i++) {
      ResourceSpans rs = r.getResourceSpans(i);
      Resource before = rs.getResource();
      Resource after = fn.apply(before);
      if (after != before && out == null) {
        out = new ArrayList<>(r.getResourceSpansList().subList(0, i));
      }
      if (out != null) {
        out.add(after == before ? rs : rs.toBuilder().setResource(after).build());
      }
    }
    return out == null ? r : r.toBuilder().clearResourceSpans().addAllResourceSpans(out).build();
  }

  private static ExportMetricsServiceRequest metrics(ExportMetricsServiceRequest r, UnaryOperator<Resource> fn) {
    List<ResourceMetrics> out = null;
    for (int i = 0; i < r.getResourceMetricsCount(); i++) {
      ResourceMetrics rm = r.getResourceMetrics(i);
      Resource before = rm.getResource();
      Resource after = fn.apply(before);
      if (after != before && out == null) {
        out = new ArrayList<>(r.getResourceMetricsList().subList(0, i));
      }
      if (out != null) {
        out.add(after == before ? rm : rm.toBuilder().setResource(after).build());
      }
    }
    return out == null ? r : r.toBuilder().clearResourceMetrics().addAllResourceMetrics(out).build();
  }

  private static ExportLogsServiceRequest logs(ExportLogsServiceRequest r, UnaryOperator<Resource> fn) {
    List<ResourceLogs> out = null;
    for (int i = 0; i < r.getResourceLogsCount(); i++) {
      ResourceLogs rl = r.getResourceLogs(i);
      Resource before = rl.getResource();
      Resource after = fn.apply(before);
      if (after != before && out == null) {
        out = new ArrayList<>(r.getResourceLogsList().subList(0, i));
      }
      if (out != null) {
        out.add(after == before ? rl : rl.toBuilder().setResource(after).build());
      }
    }
    return out == null ? r : r.toBuilder().clearResourceLogs().addAllResourceLogs(out).build();
  }

  /** The resources of a request, in order (for tests and diagnostics). */
  public static <T extends Message> List<Resource> list(Signal<T> signal, T request) {
    List<Resource> out = new ArrayList<>();
    rewrite(signal, request, res -> {
      out.add(res);
      return res;
    });
    return out;
  }

  /** The index of the first attribute named {@code key}, or -1. */
  public static int indexOf(List<KeyValue> attributes, String key) {
    for (int i = 0; i < attributes.size(); i++) {
      if (attributes.get(i).getKey().equals(key)) {
        return i;
      }
    }
    return -1;
  }

  /** The value of the first attribute named {@code key}, or null. */
  public static AnyValue get(Resource resource, String key) {
    int i = indexOf(resource.getAttributesList(), key);
    return i < 0 ? null : resource.getAttributes(i).getValue();
  }

  /** A string attribute value. */
  public static AnyValue string(String value) {
    return AnyValue.newBuilder().setStringValue(value).build();
  }

  /** An int attribute value. */
  public static AnyValue integer(long value) {
    return AnyValue.newBuilder().setIntValue(value).build();
  }
}
