package io.goblinos.gateway.auditservice;

import io.goblinos.gateway.api.consumer.Consumer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Sits in front of the logs pipelines of every receiver: a log record whose event name is {@code goblin.audit}
 * (the LogRecord {@code event_name} field, or the attribute {@code event.name}) and whose body is the event JSON
 * goes through the same verification into the same audit log as {@code POST /v1/audit}. The request is
 * acknowledged only after those events are durably appended (or quarantined); the log records also continue down
 * the logs pipelines unchanged. Requests without audit records pass straight through.
 *
 * <p>Refused audit events are quarantined and counted ({@code gateway_audit_rejected_events_total{reason}}); they
 * do not fail the OTLP request, whose other records are valid logs.
 */
final class AuditLogTap implements Consumer<ExportLogsServiceRequest> {
  static final String EVENT_NAME = "goblin.audit";
  static final String PRINCIPAL_ATTRIBUTE = "gateway.auth.principal";

  private final Consumer<ExportLogsServiceRequest> next;
  private final AuditService audit;

  AuditLogTap(Consumer<ExportLogsServiceRequest> next, AuditService audit) {
    this.next = next;
    this.audit = audit;
  }

  @Override
  public Future<Void> consume(ExportLogsServiceRequest request) {
    List<String> events = null;
    String principal = null;
    for (ResourceLogs rl : request.getResourceLogsList()) {
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord r : sl.getLogRecordsList()) {
          if (isAuditEvent(r) && r.getBody().hasStringValue()) {
            if (events == null) {
              events = new ArrayList<>();
              principal = stringAttribute(rl.getResource().getAttributesList(), PRINCIPAL_ATTRIBUTE);
            }
            events.add(r.getBody().getStringValue());
          }
        }
      }
    }
    if (events == null) {
      return next.consume(request);
    }
    return audit.submit(events, principal, "otlp_logs").compose(results -> next.consume(request));
  }

  static boolean isAuditEvent(LogRecord r) {
    if (EVENT_NAME.equals(r.getEventName())) {
      return true;
    }
    return EVENT_NAME.equals(stringAttribute(r.getAttributesList(), "event.name"));
  }

  private static String stringAttribute(List<KeyValue> attributes, String key) {
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals(key) && kv.getValue().getValueCase() == AnyValue.ValueCase.STRING_VALUE) {
        return kv.getValue().getStringValue();
      }
    }
    return null;
  }
}
