package io.goblinos.gateway.otlp;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.signal.RequestShape;
import io.goblinos.gateway.api.signal.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.function.Function;

/**
 * Item-level checks that decide OTLP partial success: a span must have a 16-byte trace id and an 8-byte span id
 * (parent id empty or 8 bytes); a log record's trace and span ids must be empty or of those lengths. Items that fail
 * are removed and counted; the rest goes on. Metrics are passed as they are.
 */
public final class OtlpValidation {

  /** The request without its invalid items, how many were removed and why (first reason only). */
  public record Validated<T>(T request, int rejected, String reason) {}

  private OtlpValidation() {}

  @SuppressWarnings("unchecked")
  public static <T extends Message> Validated<T> validate(Signal<T> signal, T request) {
    if (signal == Signal.TRACES) {
      return (Validated<T>) validate(RequestShape.TRACES, (ExportTraceServiceRequest) request, OtlpValidation::spanProblem);
    }
    if (signal == Signal.LOGS) {
      return (Validated<T>) validate(RequestShape.LOGS, (ExportLogsServiceRequest) request, OtlpValidation::logProblem);
    }
    return new Validated<>(request, 0, null);
  }

  static String spanProblem(Span s) {
    if (s.getTraceId().size() != 16) {
      return "span '" + s.getName() + "' has a trace id of " + s.getTraceId().size() + " bytes, want 16";
    }
    if (s.getSpanId().size() != 8) {
      return "span '" + s.getName() + "' has a span id of " + s.getSpanId().size() + " bytes, want 8";
    }
    if (!s.getParentSpanId().isEmpty() && s.getParentSpanId().size() != 8) {
      return "span '" + s.getName() + "' has a parent span id of " + s.getParentSpanId().size() + " bytes, want 8 or none";
    }
    return null;
  }

  static String logProblem(LogRecord r) {
    if (!r.getTraceId().isEmpty() && r.getTraceId().size() != 16) {
      return "log record has a trace id of " + r.getTraceId().size() + " bytes, want 16 or none";
    }
    if (!r.getSpanId().isEmpty() && r.getSpanId().size() != 8) {
      return "log record has a span id of " + r.getSpanId().size() + " bytes, want 8 or none";
    }
    return null;
  }

  /**
   * The items of {@code request} that {@code problem} finds fault with removed (with the scope and resource entries
   * left empty); the request itself when there are none.
   */
  private static <R, I> Validated<R> validate(RequestShape<R, ?, ?, I> shape, R request, Function<I, String> problem) {
    int[] rejected = {0};
    String[] first = {null};
    // Fast path: nothing to remove, keep the request as it is.
    shape.forEachItem(request, item -> {
      String p = problem.apply(item);
      if (p != null) {
        rejected[0]++;
        if (first[0] == null) {
          first[0] = p;
        }
      }
    });
    if (rejected[0] == 0) {
      return new Validated<>(request, 0, null);
    }
    return new Validated<>(shape.filter(request, item -> problem.apply(item) == null), rejected[0], first[0]);
  }
}
