package io.goblinos.gateway.auth;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.signal.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.List;

/**
 * Sets {@value Principal#RESOURCE_ATTRIBUTE} on every resource of a request (a new message: protobuf messages are
 * immutable). A value the sender put there itself is always removed, so that the attribute can be trusted; with no
 * principal (a receiver without auth) it is only removed.
 */
public final class ResourcePrincipal {
  private ResourcePrincipal() {}

  /** The request with the attribute set to {@code principal} (or removed when null) on every resource. */
  @SuppressWarnings("unchecked")
  public static <T extends Message> T apply(Signal<T> signal, T request, String principal) {
    if (signal == Signal.TRACES) {
      return (T) traces((ExportTraceServiceRequest) request, principal);
    }
    if (signal == Signal.METRICS) {
      return (T) metrics((ExportMetricsServiceRequest) request, principal);
    }
    return (T) logs((ExportLogsServiceRequest) request, principal);
  }

  private static ExportTraceServiceRequest traces(ExportTraceServiceRequest r, String principal) {
    if (principal == null && r.getResourceSpansList().stream().noneMatch(x -> has(x.getResource()))) {
      return r;
    }
    ExportTraceServiceRequest.Builder b = r.toBuilder();
    for (int i = 0; i < b.getResourceSpansCount(); i++) {
      b.getResourceSpansBuilder(i).setResource(with(b.getResourceSpans(i).getResource(), principal));
    }
    return b.build();
  }

  private static ExportMetricsServiceRequest metrics(ExportMetricsServiceRequest r, String principal) {
    if (principal == null && r.getResourceMetricsList().stream().noneMatch(x -> has(x.getResource()))) {
      return r;
    }
    ExportMetricsServiceRequest.Builder b = r.toBuilder();
    for (int i = 0; i < b.getResourceMetricsCount(); i++) {
      b.getResourceMetricsBuilder(i).setResource(with(b.getResourceMetrics(i).getResource(), principal));
    }
    return b.build();
  }

  private static ExportLogsServiceRequest logs(ExportLogsServiceRequest r, String principal) {
    if (principal == null && r.getResourceLogsList().stream().noneMatch(x -> has(x.getResource()))) {
      return r;
    }
    ExportLogsServiceRequest.Builder b = r.toBuilder();
    for (int i = 0; i < b.getResourceLogsCount(); i++) {
      b.getResourceLogsBuilder(i).setResource(with(b.getResourceLogs(i).getResource(), principal));
    }
    return b.build();
  }

  private static boolean has(Resource resource) {
    for (KeyValue kv : resource.getAttributesList()) {
      if (kv.getKey().equals(Principal.RESOURCE_ATTRIBUTE)) {
        return true;
      }
    }
    return false;
  }

  private static Resource with(Resource resource, String principal) {
    Resource.Builder b = resource.toBuilder();
    if (has(resource)) {
      List<KeyValue> kept = resource.getAttributesList().stream()
          .filter(kv -> !kv.getKey().equals(Principal.RESOURCE_ATTRIBUTE))
          .toList();
      b.clearAttributes().addAllAttributes(kept);
    }
    if (principal != null) {
      b.addAttributes(KeyValue.newBuilder()
          .setKey(Principal.RESOURCE_ATTRIBUTE)
          .setValue(AnyValue.newBuilder().setStringValue(principal)));
    }
    return b.build();
  }
}
