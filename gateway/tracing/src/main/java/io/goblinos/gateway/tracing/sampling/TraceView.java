package io.goblinos.gateway.tracing.sampling;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.List;
import java.util.function.Predicate;

/**
 * What a policy sees of one pending trace: the summary kept while the trace waits (span count, time range, status
 * codes seen) and, on demand, its spans decoded from their stored bytes. Only attribute policies decode spans, once
 * per trace, at decision time.
 */
public interface TraceView {

  long traceIdHigh();

  long traceIdLow();

  /** The 16 bytes of the trace id. */
  byte[] traceIdBytes();

  int spanCount();

  /** Latest end minus earliest start over all spans, in nanoseconds (0 for a trace without timestamps). */
  long durationNanos();

  /** Whether any span has this status code. */
  boolean hasStatus(Status.StatusCode code);

  /** Stored size of the trace's spans in bytes (protobuf encoding). */
  long sizeBytes();

  /** The decoded spans (decoded once, then reused by every policy). */
  List<Span> spans();

  /** The resource attributes of the resource of each span in {@link #spans()}, index for index. */
  List<List<KeyValue>> resourceAttributes();

  /** True when a resource attribute or span attribute {@code key} of any span satisfies {@code test}. */
  default boolean anyAttribute(String key, Predicate<AnyValue> test) {
    List<Span> spans = spans();
    List<List<KeyValue>> resources = resourceAttributes();
    List<KeyValue> lastResource = null;
    for (int i = 0; i < spans.size(); i++) {
      List<KeyValue> r = resources.get(i);
      if (r != lastResource) {
        lastResource = r;
        for (KeyValue kv : r) {
          if (kv.getKey().equals(key) && test.test(kv.getValue())) {
            return true;
          }
        }
      }
      for (KeyValue kv : spans.get(i).getAttributesList()) {
        if (kv.getKey().equals(key) && test.test(kv.getValue())) {
          return true;
        }
      }
    }
    return false;
  }
}
