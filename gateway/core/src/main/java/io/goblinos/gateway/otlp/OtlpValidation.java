package io.goblinos.gateway.otlp;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.signal.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

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
      return (Validated<T>) traces((ExportTraceServiceRequest) request);
    }
    if (signal == Signal.LOGS) {
      return (Validated<T>) logs((ExportLogsServiceRequest) request);
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

  private static Validated<ExportTraceServiceRequest> traces(ExportTraceServiceRequest request) {
    String first = null;
    int rejected = 0;
    // Fast path: nothing to remove, keep the request as it is.
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          String p = spanProblem(s);
          if (p != null) {
            rejected++;
            if (first == null) {
              first = p;
            }
          }
        }
      }
    }
    if (rejected == 0) {
      return new Validated<>(request, 0, null);
    }
    ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      ResourceSpans.Builder rsb = rs.toBuilder().clearScopeSpans();
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        ScopeSpans.Builder ssb = ss.toBuilder().clearSpans();
        for (Span s : ss.getSpansList()) {
          if (spanProblem(s) == null) {
            ssb.addSpans(s);
          }
        }
        if (ssb.getSpansCount() > 0) {
          rsb.addScopeSpans(ssb);
        }
      }
      if (rsb.getScopeSpansCount() > 0) {
        b.addResourceSpans(rsb);
      }
    }
    return new Validated<>(b.build(), rejected, first);
  }

  private static Validated<ExportLogsServiceRequest> logs(ExportLogsServiceRequest request) {
    String first = null;
    int rejected = 0;
    for (ResourceLogs rl : request.getResourceLogsList()) {
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord r : sl.getLogRecordsList()) {
          String p = logProblem(r);
          if (p != null) {
            rejected++;
            if (first == null) {
              first = p;
            }
          }
        }
      }
    }
    if (rejected == 0) {
      return new Validated<>(request, 0, null);
    }
    ExportLogsServiceRequest.Builder b = ExportLogsServiceRequest.newBuilder();
    for (ResourceLogs rl : request.getResourceLogsList()) {
      ResourceLogs.Builder rlb = rl.toBuilder().clearScopeLogs();
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        ScopeLogs.Builder slb = sl.toBuilder().clearLogRecords();
        for (LogRecord r : sl.getLogRecordsList()) {
          if (logProblem(r) == null) {
            slb.addLogRecords(r);
          }
        }
        if (slb.getLogRecordsCount() > 0) {
          rlb.addScopeLogs(slb);
        }
      }
      if (rlb.getScopeLogsCount() > 0) {
        b.addResourceLogs(rlb);
      }
    }
    return new Validated<>(b.build(), rejected, first);
  }
}
