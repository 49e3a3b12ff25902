package io.goblinos.gateway.otlp;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.signal.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

/** Export responses: full success leaves {@code partial_success} unset, as the OTLP specification requires. */
public final class OtlpResponses {
  private OtlpResponses() {}

  public static Message success(Signal<?> signal, int rejected, String message) {
    if (signal == Signal.TRACES) {
      ExportTraceServiceResponse.Builder b = ExportTraceServiceResponse.newBuilder();
      if (rejected > 0) {
        b.setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(rejected).setErrorMessage(message));
      }
      return b.build();
    }
    if (signal == Signal.METRICS) {
      ExportMetricsServiceResponse.Builder b = ExportMetricsServiceResponse.newBuilder();
      if (rejected > 0) {
        b.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder().setRejectedDataPoints(rejected).setErrorMessage(message));
      }
      return b.build();
    }
    ExportLogsServiceResponse.Builder b = ExportLogsServiceResponse.newBuilder();
    if (rejected > 0) {
      b.setPartialSuccess(ExportLogsPartialSuccess.newBuilder().setRejectedLogRecords(rejected).setErrorMessage(message));
    }
    return b.build();
  }
}
