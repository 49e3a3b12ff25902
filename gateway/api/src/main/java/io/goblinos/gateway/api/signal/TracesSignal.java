package io.goblinos.gateway.api.signal;

import com.google.protobuf.Parser;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;

final class TracesSignal extends Signal<ExportTraceServiceRequest> {
  static final TracesSignal INSTANCE = new TracesSignal();

  private TracesSignal() {}

  @Override
  public String name() {
    return "traces";
  }

  @Override
  public String itemName() {
    return "spans";
  }

  @Override
  public Class<ExportTraceServiceRequest> requestType() {
    return ExportTraceServiceRequest.class;
  }

  @Override
  public Parser<ExportTraceServiceRequest> parser() {
    return ExportTraceServiceRequest.parser();
  }

  @Override
  public ExportTraceServiceRequest empty() {
    return ExportTraceServiceRequest.getDefaultInstance();
  }

  @Override
  public int itemCount(ExportTraceServiceRequest request) {
    int n = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        n += ss.getSpansCount();
      }
    }
    return n;
  }

  @Override
  public ExportTraceServiceRequest merge(List<ExportTraceServiceRequest> requests) {
    if (requests.size() == 1) {
      return requests.get(0);
    }
    ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
    for (ExportTraceServiceRequest r : requests) {
      b.addAllResourceSpans(r.getResourceSpansList());
    }
    return b.build();
  }

  @Override
  public List<ExportTraceServiceRequest> split(ExportTraceServiceRequest request, int maxItems) {
    if (maxItems <= 0) {
      throw new IllegalArgumentException("maxItems must be > 0, was " + maxItems);
    }
    List<ExportTraceServiceRequest> out = new ArrayList<>();
    ExportTraceServiceRequest.Builder current = ExportTraceServiceRequest.newBuilder();
    int inCurrent = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      ResourceSpans.Builder rsb = null;
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        ScopeSpans.Builder ssb = null;
        for (Span span : ss.getSpansList()) {
          if (inCurrent == maxItems) {
            if (ssb != null) {
              rsb.addScopeSpans(ssb);
            }
            if (rsb != null) {
              current.addResourceSpans(rsb);
            }
            out.add(current.build());
            current = ExportTraceServiceRequest.newBuilder();
            inCurrent = 0;
            rsb = null;
            ssb = null;
          }
          if (rsb == null) {
            rsb = rs.toBuilder().clearScopeSpans();
          }
          if (ssb == null) {
            ssb = ss.toBuilder().clearSpans();
          }
          ssb.addSpans(span);
          inCurrent++;
        }
        if (ssb != null) {
          rsb.addScopeSpans(ssb);
        }
      }
      if (rsb != null) {
        current.addResourceSpans(rsb);
      }
    }
    if (inCurrent > 0 || out.isEmpty()) {
      out.add(current.build());
    }
    return out;
  }
}
