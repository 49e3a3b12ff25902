package io.goblinos.gateway.api.signal;

import com.google.protobuf.Parser;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
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
    return RequestShape.LOGS.itemCount(request);
  }

  @Override
  public ExportLogsServiceRequest merge(List<ExportLogsServiceRequest> requests) {
    return RequestShape.LOGS.merge(requests);
  }

  @Override
  public List<ExportLogsServiceRequest> split(ExportLogsServiceRequest request, int maxItems) {
    return RequestShape.LOGS.split(request, maxItems);
  }
}
