package io.goblinos.gateway.exporter.sending;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/** Small OTLP trace requests for exporter tests. */
public final class TestRequests {
  private TestRequests() {}

  /** A request of {@code spans} valid spans named "{name}-{i}". */
  public static ExportTraceServiceRequest traces(String name, int spans) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (int i = 0; i < spans; i++) {
      byte[] trace = new byte[16];
      byte[] span = new byte[8];
      trace[0] = 1;
      trace[15] = (byte) i;
      span[0] = 2;
      span[7] = (byte) (i + 1);
      ss.addSpans(Span.newBuilder()
          .setName(name + "-" + i)
          .setTraceId(ByteString.copyFrom(trace))
          .setSpanId(ByteString.copyFrom(span))
          .setStartTimeUnixNano(1_700_000_000_000_000_000L + i)
          .setEndTimeUnixNano(1_700_000_000_000_000_100L + i));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder()
                .setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue("goblin-test"))))
            .addScopeSpans(ss))
        .build();
  }
}
