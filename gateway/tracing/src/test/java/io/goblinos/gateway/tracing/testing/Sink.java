package io.goblinos.gateway.tracing.testing;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.consumer.Consumer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/** A consumer that keeps what it receives. */
public final class Sink<T extends Message> implements Consumer<T> {
  private final List<T> received = new ArrayList<>();

  @Override
  public synchronized Future<Void> consume(T data) {
    received.add(data);
    return Future.succeededFuture();
  }

  public synchronized List<T> received() {
    return List.copyOf(received);
  }

  public synchronized void clear() {
    received.clear();
  }

  /** All spans of all received trace requests. */
  public static List<Span> spans(List<ExportTraceServiceRequest> requests) {
    List<Span> out = new ArrayList<>();
    for (ExportTraceServiceRequest r : requests) {
      for (ResourceSpans rs : r.getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          out.addAll(ss.getSpansList());
        }
      }
    }
    return out;
  }
}
