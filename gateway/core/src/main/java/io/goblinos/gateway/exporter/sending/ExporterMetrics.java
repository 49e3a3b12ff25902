package io.goblinos.gateway.exporter.sending;

import io.goblinos.gateway.api.signal.Signal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Meters of one exporter instance (one id and signal), tag {@code exporter} = component id:
 * {@code gateway.exporter.sent.<items>}, {@code gateway.exporter.send_failed.<items>},
 * {@code gateway.exporter.enqueue_failed.<items>} (items = spans, metric_points, log_records), and, tagged
 * {@code signal} too because one id serves several signals, {@code gateway.exporter.retries},
 * {@code gateway.exporter.queue.size}, {@code gateway.exporter.queue.capacity}, {@code gateway.exporter.queue.bytes}.
 */
public final class ExporterMetrics {
  private final MeterRegistry registry;
  private final String exporter;
  private final Signal<?> signal;
  private final Counter sent;
  private final Counter sendFailed;
  private final Counter enqueueFailed;
  private final Counter retries;
  private final List<Meter> gauges = new ArrayList<>();

  public ExporterMetrics(MeterRegistry registry, String exporter, Signal<?> signal) {
    this.registry = registry;
    this.exporter = exporter;
    this.signal = signal;
    String items = signal.itemName();
    this.sent = Counter.builder("gateway.exporter.sent." + items)
        .description("Items the backend accepted")
        .tag("exporter", exporter)
        .register(registry);
    this.sendFailed = Counter.builder("gateway.exporter.send_failed." + items)
        .description("Items dropped after a permanent error, exhausted retries, a partial success or the shutdown deadline")
        .tag("exporter", exporter)
        .register(registry);
    this.enqueueFailed = Counter.builder("gateway.exporter.enqueue_failed." + items)
        .description("Items refused because the sending queue was full or shut down")
        .tag("exporter", exporter)
        .register(registry);
    this.retries = Counter.builder("gateway.exporter.retries")
        .description("Send attempts that were retried")
        .tag("exporter", exporter)
        .tag("signal", signal.name())
        .register(registry);
  }

  /** Registers the queue gauges; they are removed again by {@link #close()}. */
  public void bindQueue(Supplier<ExportQueue<?>> queue) {
    gauges.add(Gauge.builder("gateway.exporter.queue.size", queue, q -> q.get() == null ? 0 : q.get().size())
        .description("Requests in the sending queue, including those being sent")
        .tag("exporter", exporter)
        .tag("signal", signal.name())
        .register(registry));
    gauges.add(Gauge.builder("gateway.exporter.queue.capacity", queue, q -> q.get() == null ? 0 : q.get().capacity())
        .description("Most requests the sending queue holds")
        .tag("exporter", exporter)
        .tag("signal", signal.name())
        .register(registry));
    gauges.add(Gauge.builder("gateway.exporter.queue.bytes", queue, q -> q.get() == null ? 0 : q.get().bytes())
        .description("Bytes in the sending queue")
        .tag("exporter", exporter)
        .tag("signal", signal.name())
        .baseUnit("bytes")
        .register(registry));
  }

  public void sent(long items) {
    sent.increment(items);
  }

  public void sendFailed(long items) {
    sendFailed.increment(items);
  }

  public void enqueueFailed(long items) {
    enqueueFailed.increment(items);
  }

  public void retried() {
    retries.increment();
  }

  /** Removes the gauges, which refer to this instance's queue. */
  public void close() {
    gauges.forEach(registry::remove);
    gauges.clear();
  }
}
