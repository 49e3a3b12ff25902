package io.goblinos.gateway.tracing.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cardinality guard for one label of one metric: the first {@code maxValues} distinct values pass, later new values
 * collapse into {@value #OTHER} and are counted in {@code gateway.processor.label.overflow{processor, metric,
 * label}} (Prometheus {@code gateway_processor_label_overflow_total}). Values seen once stay admitted for the life
 * of the process, so a series never flips between its value and {@code other}. Thread-safe; the admitted set is
 * bounded by {@code maxValues}.
 */
public final class LabelGuard {
  public static final String OTHER = "other";

  private final int maxValues;
  private final Set<String> admitted = ConcurrentHashMap.newKeySet();
  private final Counter overflow;

  public LabelGuard(MeterRegistry registry, String processor, String metric, String label, int maxValues) {
    this.maxValues = maxValues;
    this.overflow = Counter.builder("gateway.processor.label.overflow")
        .description("Label values collapsed into 'other' by the cardinality guard")
        .tag("processor", processor)
        .tag("metric", metric)
        .tag("label", label)
        .register(registry);
  }

  /** {@code value} when admitted (null becomes ""), else {@value #OTHER}. */
  public String admit(String value) {
    String v = value == null ? "" : value;
    if (admitted.contains(v)) {
      return v;
    }
    synchronized (this) {
      if (admitted.contains(v)) {
        return v;
      }
      if (admitted.size() < maxValues) {
        admitted.add(v);
        return v;
      }
    }
    overflow.increment();
    return OTHER;
  }

  public double overflowCount() {
    return overflow.count();
  }
}
