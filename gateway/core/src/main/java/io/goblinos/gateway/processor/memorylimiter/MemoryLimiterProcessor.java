package io.goblinos.gateway.processor.memorylimiter;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Refuses data while the heap is above the soft limit ({@code limit - spike_limit}), so that senders back off
 * before the gateway runs out of memory: {@link #consume} then fails at once with a THROTTLED
 * {@link ConsumeException} (HTTP 429 / gRPC RESOURCE_EXHAUSTED with a retry delay of {@code check_interval}, at
 * least 1s), and the refused items are counted. Data below the limit passes through untouched; the future is the
 * next consumer's.
 *
 * <p>Heap in use is measured on a Vert.x periodic timer every {@code check_interval}, never per request: the hot
 * path reads one volatile boolean. When a measurement is above the hard limit, a collection is forced
 * ({@link System#gc()}) on a worker thread, at most once per check interval for the whole process
 * ({@link GcGate}), and the heap is measured again after it, as the Collector does. When the JVM runs
 * {@code System.gc()} as a concurrent cycle ({@link GcGate#concurrent()}: {@code bin/goblin-gateway} sets
 * {@code -XX:+ExplicitGCInvokesConcurrent}), one is also asked for above the soft limit: a JVM's old generation holds
 * garbage that its collector has not marked yet, so a measurement above the soft limit may be mostly garbage. Data is
 * refused from that measurement on, as before, and accepted again as soon as the measurement after the cycle is below
 * the soft limit, instead of at the next check. (Under load, G1 let the old generation grow past a 1 GiB heap's
 * soft limit before its own first cycle, and the limiter refused two requests in three for about ten seconds.)
 */
public final class MemoryLimiterProcessor<T extends Message> implements Processor<T> {
  private static final Logger LOG = Logger.getLogger(MemoryLimiterProcessor.class.getName());
  private static final long MIB = 1024L * 1024L;

  private final ComponentContext context;
  private final MemoryLimiterConfig config;
  private final Signal<T> signal;
  private final Consumer<T> next;
  private final MemoryProbe probe;
  private final GcGate gcGate;
  private final long hardLimit;
  private final long softLimit;
  private final Duration retryAfter;
  private final Counter refused;
  private final Counter forcedGcs;
  private final List<Meter> gauges = new ArrayList<>();

  private volatile boolean refusing;
  private volatile long lastUsed;
  private long timerId = -1; // guarded by this
  private boolean started; // guarded by this
  private boolean stopped; // guarded by this

  public MemoryLimiterProcessor(
      ComponentContext context, MemoryLimiterConfig config, Signal<T> signal, Consumer<T> next, MemoryProbe probe,
      GcGate gcGate) {
    this.context = context;
    this.config = config;
    this.signal = signal;
    this.next = next;
    this.probe = probe;
    this.gcGate = gcGate;
    long max = probe.maxBytes();
    this.hardLimit = config.hardLimitBytes(max);
    this.softLimit = config.softLimitBytes(max);
    this.retryAfter = config.checkInterval().compareTo(Duration.ofSeconds(1)) < 0
        ? Duration.ofSeconds(1)
        : config.checkInterval();
    Tags tags = Tags.of("processor", context.id().toString(), "pipeline", context.pipeline());
    this.refused = Counter.builder("gateway.processor.refused." + signal.itemName())
        .description("Items refused by a processor (memory limit, batch backlog)")
        .tags(tags)
        .register(context.meters());
    this.forcedGcs = Counter.builder("gateway.processor.memory_limiter.forced_gc")
        .description("Garbage collections forced because heap in use was above the hard limit (or above the soft "
            + "limit, when the JVM collects concurrently on request)")
        .tags(tags)
        .register(context.meters());
  }

  @Override
  public synchronized Future<Void> start(Host host) {
    if (started || stopped) {
      return Future.succeededFuture();
    }
    started = true;
    Tags tags = Tags.of("processor", context.id().toString(), "pipeline", context.pipeline());
    gauges.add(Gauge.builder("gateway.processor.memory_limiter.refusing", this, p -> p.refusing ? 1 : 0)
        .description("1 while the memory limiter refuses data, else 0")
        .tags(tags)
        .register(context.meters()));
    gauges.add(Gauge.builder("gateway.processor.memory_limiter.heap.used", this, p -> p.lastUsed)
        .description("Heap in use at the memory limiter's last check")
        .baseUnit("bytes")
        .tags(tags)
        .register(context.meters()));
    gauges.add(Gauge.builder("gateway.processor.memory_limiter.limit", this, p -> p.softLimit)
        .description("Memory limiter limits: data is refused above the soft limit, GC is forced above the hard one")
        .baseUnit("bytes")
        .tags(tags.and("limit", "soft"))
        .register(context.meters()));
    gauges.add(Gauge.builder("gateway.processor.memory_limiter.limit", this, p -> p.hardLimit)
        .baseUnit("bytes")
        .tags(tags.and("limit", "hard"))
        .register(context.meters()));
    check();
    timerId = context.vertx().setPeriodic(config.checkInterval().toMillis(), id -> check());
    long max = probe.maxBytes();
    LOG.info(() -> "memory_limiter " + context.id() + " (" + context.pipeline() + "): refusing data above "
        + softLimit / MIB + " MiB of heap" + (gcGate.concurrent() ? " (asking for a concurrent GC there)" : "")
        + ", forcing GC above " + hardLimit / MIB + " MiB (max heap " + max / MIB + " MiB), checked every "
        + config.checkInterval().toMillis() + "ms");
    if (hardLimit >= max) {
      LOG.warning("memory_limiter " + context.id() + ": the hard limit " + hardLimit / MIB
          + " MiB is not below the maximum heap " + max / MIB + " MiB: the JVM may run out of memory first");
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> shutdown() {
    if (stopped) {
      return Future.succeededFuture();
    }
    stopped = true;
    if (timerId >= 0) {
      context.vertx().cancelTimer(timerId);
      timerId = -1;
    }
    gauges.forEach(context.meters()::remove);
    gauges.clear();
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> consume(T data) {
    if (refusing) {
      refused.increment(signal.itemCount(data));
      return Future.failedFuture(ConsumeException.throttled(
          "memory_limiter " + context.id() + ": the gateway is above its memory limit, data refused; retry later",
          retryAfter));
    }
    return next.consume(data);
  }

  /** True while data is refused. */
  public boolean refusing() {
    return refusing;
  }

  /**
   * Measures the heap, forces a GC above the hard limit (above the soft limit when the GC is concurrent), updates the
   * refusing state, and again after the GC. Runs on the timer.
   */
  void check() {
    long used = probe.usedBytes();
    boolean collect = used > hardLimit || used > softLimit && gcGate.concurrent();
    if (collect && gcGate.tryAcquire(config.checkInterval().toNanos(), System.nanoTime())) {
      context.vertx().executeBlocking(() -> {
        gcGate.gc();
        return null;
      }, false).onComplete(ar -> {
        gcGate.release();
        forcedGcs.increment();
        update(probe.usedBytes());
      });
    }
    update(used);
  }

  private synchronized void update(long used) {
    lastUsed = used;
    boolean refuse = used > softLimit;
    if (refuse != refusing) {
      refusing = refuse;
      if (refuse) {
        LOG.warning("memory_limiter " + context.id() + " (" + context.pipeline() + "): heap in use "
            + used / MIB + " MiB is above the soft limit " + softLimit / MIB + " MiB: refusing data");
      } else {
        LOG.info("memory_limiter " + context.id() + " (" + context.pipeline() + "): heap in use "
            + used / MIB + " MiB is below the soft limit " + softLimit / MIB + " MiB again: accepting data");
      }
    }
  }
}
