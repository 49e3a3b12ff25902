package io.goblinos.gateway.exporter.otlphttp;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.exporter.sending.SendResult;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

/** Reads OTLP {@code partial_success} from export responses, for the otlp and otlphttp exporters. */
public final class OtlpPartialSuccess {
  private OtlpPartialSuccess() {}

  /** The response message type of a signal, empty. */
  public static Message emptyResponse(Signal<?> signal) {
    if (signal == Signal.TRACES) {
      return ExportTraceServiceResponse.getDefaultInstance();
    }
    if (signal == Signal.METRICS) {
      return ExportMetricsServiceResponse.getDefaultInstance();
    }
    return ExportLogsServiceResponse.getDefaultInstance();
  }

  /** {@link SendResult#OK}, or the rejected count and message of a response's partial_success. */
  public static SendResult of(Message response) {
    if (response instanceof ExportTraceServiceResponse r && r.hasPartialSuccess()) {
      return SendResult.partial(r.getPartialSuccess().getRejectedSpans(), r.getPartialSuccess().getErrorMessage());
    }
    if (response instanceof ExportMetricsServiceResponse r && r.hasPartialSuccess()) {
      return SendResult.partial(
          r.getPartialSuccess().getRejectedDataPoints(), r.getPartialSuccess().getErrorMessage());
    }
    if (response instanceof ExportLogsServiceResponse r && r.hasPartialSuccess()) {
      return SendResult.partial(
          r.getPartialSuccess().getRejectedLogRecords(), r.getPartialSuccess().getErrorMessage());
    }
    return SendResult.OK;
  }
}
