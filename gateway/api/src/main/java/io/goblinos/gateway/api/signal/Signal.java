package io.goblinos.gateway.api.signal;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.List;

/**
 * One of the three OTLP signals, and the operations the pipeline needs on its request type: counting items,
 * merging requests into one and splitting one into several.
 *
 * <p>Pipeline data is the OTLP export request message itself. Protobuf messages are immutable, so a request can be
 * handed to several consumers without copying; a processor that changes data builds a new message.
 *
 * <p>Items are spans for traces, data points for metrics and log records for logs, as in the Collector.
 *
 * @param <T> the OTLP export request type of this signal
 */
public abstract sealed class Signal<T extends Message> permits TracesSignal, MetricsSignal, LogsSignal {

  public static final Signal<ExportTraceServiceRequest> TRACES = TracesSignal.INSTANCE;
  public static final Signal<ExportMetricsServiceRequest> METRICS = MetricsSignal.INSTANCE;
  public static final Signal<ExportLogsServiceRequest> LOGS = LogsSignal.INSTANCE;

  private static final List<Signal<?>> ALL = List.of(TRACES, METRICS, LOGS);

  /** The three signals in the order traces, metrics, logs. */
  public static List<Signal<?>> all() {
    return ALL;
  }

  /** The signal whose {@link #name()} is {@code name} ("traces", "metrics" or "logs"), or null. */
  public static Signal<?> byName(String name) {
    for (Signal<?> s : ALL) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }

  /** "traces", "metrics" or "logs": the pipeline type and the OTLP/HTTP path segment. */
  public abstract String name();

  /** Singular item word used in metric names: "spans", "metric_points", "log_records". */
  public abstract String itemName();

  public abstract Class<T> requestType();

  public abstract Parser<T> parser();

  public T parse(byte[] bytes) throws InvalidProtocolBufferException {
    return parser().parseFrom(bytes);
  }

  /**
   * The request in {@code bytes} with those bytes, for {@link WireBytes#during}: what a processor that stores or
   * forwards unchanged messages can copy instead of serializing them again.
   */
  public WireBytes parseWithWire(byte[] bytes) throws InvalidProtocolBufferException {
    return new WireBytes(parse(bytes), bytes);
  }

  /** An empty request of this signal. */
  public abstract T empty();

  /** Number of items (spans, data points, log records) in the request. */
  public abstract int itemCount(T request);

  /** A request holding every resource entry of {@code requests}, in order. */
  public abstract T merge(List<T> requests);

  /**
   * Splits a request into requests of at most {@code maxItems} items each, keeping resource and scope of every
   * item. Metrics are split at metric granularity, so a metric with more than {@code maxItems} points stays whole.
   *
   * <p>Requires {@code maxItems > 0}.
   */
  public abstract List<T> split(T request, int maxItems);

  @Override
  public String toString() {
    return name();
  }
}
