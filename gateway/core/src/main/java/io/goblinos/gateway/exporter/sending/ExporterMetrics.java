package io.goblinos.gateway.exporter.sending;

import io.goblinos.gateway.api.signal.Signal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
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
 * {@code gateway.exporter.queue.size}, {@code gateway.exporter.queue.capacity}, {@code gateway.exporter.queue.bytes},
 * {@code gateway.exporter.queue.capacity_bytes}; counters read from the queue:
 * {@code gateway.exporter.queue.dropped.<items>} ({@code full_policy: drop_oldest}),
 * {@code gateway.exporter.queue.corrupted_records}, {@code gateway.exporter.queue.recovered.<items>},
 * {@code gateway.exporter.queue.redelivered.<items>} (persistent queues); and
 * {@code gateway.exporter.dead_lettered.<items>} (written to the dead-letter file).
 */
public final class ExporterMetrics {
  private final MeterRegistry registry;
  private final String exporter;
  private final Signal<?> signal;
  private final Counter sent;
  private final Counter sendFailed;
  private final Counter enqueueFailed;
  private final Counter retries;
  private final Counter deadLettered;
  private final List<Meter> gauges = new ArrayList<>();
  /** Held here because Micrometer keeps only weak references to a meter's state object. */
  private Supplier<ExportQueue<?>> queueRef;

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
    this.deadLettered = Counter.builder("gateway.exporter.dead_lettered." + items)
        .description("Items given up on (permanent error, retries exhausted) and written to the dead-letter file")
        .tag("exporter", exporter)
        .register(registry);
  }

  /** Registers the queue gauges; they are removed again by {@link #close()}. */
  public void bindQueue(Supplier<ExportQueue<?>> queue) {
    this.queueRef = queue;
    gauges.add(Gauge.builder("gateway.exporter.queue.size", queue, q -> q.get() == null ? 0 : q.get().size())
        .description("Requests in the sending queue, including those being sent")
        .tag("exporter", exporter)
        .tag("signal", signal.name())
        .strongReference(true) // the supplier is referenced by nothing else
        .register(registry));
    gauges.add(Gauge.builder("gateway.exporter.queue.capacity", queue, q -> q.get() == null ? 0 : q.get().capacity())
        .description("Most requests the sending queue holds")
        .tag("exporter", exporter)
        .tag("signal", signal.name())
        .strongReference(true) // the supplier is referenced by nothing else
        .register(registry));
    gauges.add(Gauge.builder("gateway.exporter.queue.bytes", queue, q -> q.get() == null ? 0 : q.get().bytes())
        .description("Bytes in the sending queue")
        .tag("exporter", exporter)
        .tag("signal", signal.name())
        .baseUnit("bytes")
        .strongReference(true) // the supplier is referenced by nothing else
        .register(registry));
    gauges.add(Gauge.builder("gateway.exporter.queue.capacity_bytes", queue, q -> q.get() == null ? 0 : q.get().capacityBytes())
        .description("Most bytes the sending queue holds")
        .tag("exporter", exporter)
        .tag("signal", signal.name())
        .baseUnit("bytes")
        .strongReference(true) // the supplier is referenced by nothing else
        .register(registry));
    String items = signal.itemName();
    gauges.add(FunctionCounter.builder("gateway.exporter.queue.dropped." + items, queue,
            q -> q.get() == null ? 0 : q.get().droppedItems())
        .description("Items dropped from the sending queue to make room (full_policy: drop_oldest)")
        .tag("exporter", exporter)
        .tag("signal", signal.name())
        .register(registry));
    gauges.add(FunctionCounter.builder("gateway.exporter.queue.corrupted_records", queue,
            q -> q.get() == null ? 0 : q.get().corruptedRecords())
        .description("Damaged records found in the persistent queue's files (torn or corrupted tail cut, unreadable record skipped)")
        .tag("exporter", exporter)
        .tag("signal", signal.name())
        .register(registry));
    gauges.add(FunctionCounter.builder("gateway.exporter.queue.recovered." + items, queue,
            q -> q.get() == null ? 0 : q.get().recoveredItems())
        .description("Items found un-acknowledged in the persistent queue at start, delivered again")
        .tag("exporter", exporter)
        .tag("signal", signal.name())
        .register(registry));
    gauges.add(FunctionCounter.builder("gateway.exporter.queue.redelivered." + items, queue,
            q -> q.get() == null ? 0 : q.get().redeliveredItems())
        .description("Recovered items that were being sent before the restart: the backend may receive them twice")
        .tag("exporter", exporter)
        .tag("signal", signal.name())
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

  public void deadLettered(long items) {
    deadLettered.increment(items);
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
