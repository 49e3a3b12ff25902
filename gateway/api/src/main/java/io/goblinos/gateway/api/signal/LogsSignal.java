package io.goblinos.gateway.api.signal;

import com.google.protobuf.Parser;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.LogRecord;
import java.util.ArrayList;
import java.util.List;

final class LogsSignal extends Signal<ExportLogsServiceRequest> {
  static final LogsSignal INSTANCE = new LogsSignal();

  private LogsSignal() {}

  @Override
  public String name() {
    return "logs";
  }

  @Override
  public String itemName() {
    return "log_records";
  }

  @Override
  public Class<ExportLogsServiceRequest> requestType() {
    return ExportLogsServiceRequest.class;
  }

  @Override
  public Parser<ExportLogsServiceRequest> parser() {
    return ExportLogsServiceRequest.parser();
  }

  @Override
  public ExportLogsServiceRequest empty() {
    return ExportLogsServiceRequest.getDefaultInstance();
  }

  @Override
  public int itemCount(ExportLogsServiceRequest request) {
    int n = 0;
    for (ResourceLogs rs : request.getResourceLogsList()) {
      for (ScopeLogs ss : rs.getScopeLogsList()) {
        n += ss.getLogRecordsCount();
      }
    }
    return n;
  }

  @Override
  public ExportLogsServiceRequest merge(List<ExportLogsServiceRequest> requests) {
    if (requests.size() == 1) {
      return requests.get(0);
    }
    ExportLogsServiceRequest.Builder b = ExportLogsServiceRequest.newBuilder();
    for (ExportLogsServiceRequest r : requests) {
      b.addAllResourceLogs(r.getResourceLogsList());
    }
    return b.build();
  }

  @Override
  public List<ExportLogsServiceRequest> split(ExportLogsServiceRequest request, int maxItems) {
    if (maxItems <= 0) {
      throw new IllegalArgumentException("maxItems must be > 0, was " + maxItems);
    }
    List<ExportLogsServiceRequest> out = new ArrayList<>();
    ExportLogsServiceRequest.Builder current = ExportLogsServiceRequest.newBuilder();
    int inCurrent = 0;
    for (ResourceLogs rs : request.getResourceLogsList()) {
      ResourceLogs.Builder rsb = null;
      for (ScopeLogs ss : rs.getScopeLogsList()) {
        ScopeLogs.Builder ssb = null;
        for (LogRecord log : ss.getLogRecordsList()) {
          if (inCurrent == maxItems) {
            if (ssb != null) {
              rsb.addScopeLogs(ssb);
            }
            if (rsb != null) {
              current.addResourceLogs(rsb);
            }
            out.add(current.build());
            current = ExportLogsServiceRequest.newBuilder();
            inCurrent = 0;
            rsb = null;
            ssb = null;
          }
          if (rsb == null) {
            rsb = rs.toBuilder().clearScopeLogs();
          }
          if (ssb == null) {
            ssb = ss.toBuilder().clearLogRecords();
          }
          ssb.addLogRecords(log);
          inCurrent++;
        }
        if (ssb != null) {
          rsb.addScopeLogs(ssb);
        }
      }
      if (rsb != null) {
        current.addResourceLogs(rsb);
      }
    }
    if (inCurrent > 0 || out.isEmpty()) {
      out.add(current.build());
    }
    return out;
  }
}
