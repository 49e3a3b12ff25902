package io.goblinos.gateway.api.signal;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
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

  /** Decoded with this thread's {@link LeanSpanDecoder}: the same request as the parser's, with fewer objects. */
  @Override
  public ExportTraceServiceRequest parse(byte[] bytes) throws InvalidProtocolBufferException {
    return LeanSpanDecoder.forThisThread().request(bytes, 0, bytes.length);
  }

  /** As {@link #parse}, with where each span sits in {@code bytes} as the decoder found it. */
  @Override
  public WireBytes parseWithWire(byte[] bytes) throws InvalidProtocolBufferException {
    LeanSpanDecoder decoder = LeanSpanDecoder.forThisThread();
    ExportTraceServiceRequest request = decoder.request(bytes, 0, bytes.length);
    return new WireBytes(request, bytes, decoder.lastSpanRanges());
  }

  @Override
  public ExportTraceServiceRequest empty() {
    return ExportTraceServiceRequest.getDefaultInstance();
  }

  @Override
  public int itemCount(ExportTraceServiceRequest request) {
    return RequestShape.TRACES.itemCount(request);
  }

  @Override
  public ExportTraceServiceRequest merge(List<ExportTraceServiceRequest> requests) {
    return RequestShape.TRACES.merge(requests);
  }

  @Override
  public List<ExportTraceServiceRequest> split(ExportTraceServiceRequest request, int maxItems) {
    return RequestShape.TRACES.split(request, maxItems);
  }
}
