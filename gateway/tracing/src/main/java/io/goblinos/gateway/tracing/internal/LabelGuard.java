package io.goblinos.gateway.tracing.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
  /** Admitted values, each mapped to its first instance (whose hash code is cached, unlike a just-decoded string's). */
  private final ConcurrentHashMap<String, String> admitted = new ConcurrentHashMap<>();
  /** Set once {@code maxValues} are admitted; the set never shrinks, so from then on new values need no lock. */
  private volatile boolean full;
  private final Counter overflow;

  public LabelGuard(MeterRegistry registry, String processor, String metric, String label, int maxValues) {
    this.maxValues = maxValues;
    this.full = maxValues <= 0;
    this.overflow = Counter.builder("gateway.processor.label.overflow")
        .description("Label values collapsed into 'other' by the cardinality guard")
        .tag("processor", processor)
        .tag("metric", metric)
        .tag("label", label)
        .register(registry);
  }

  /**
   * {@code value} when admitted (null becomes ""), as the instance first admitted, so later map lookups keyed by it
   * reuse its cached hash code; else {@value #OTHER}.
   */
  public String admit(String value) {
    String v = value == null ? "" : value;
    String known = admitted.get(v);
    if (known != null) {
      return known;
    }
    if (!full) {
      synchronized (this) {
        known = admitted.get(v);
        if (known != null) {
          return known;
        }
        if (admitted.size() < maxValues) {
          admitted.put(v, v);
          if (admitted.size() >= maxValues) {
            full = true;
          }
          return v;
        }
        full = true;
      }
    }
    overflow.increment();
    return OTHER;
  }

  public double overflowCount() {
    return overflow.count();
  }
}
