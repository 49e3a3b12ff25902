package io.goblinos.gateway.processor.batch;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * Gathers requests into batches, as the Collector's batch processor does, for any signal.
 *
 * <h2>When a batch is sent</h2>
 * <ul>
 *   <li><b>size</b>: as soon as {@code send_batch_size} items are pending. Batches are cut to at most
 *       {@code send_batch_max_size} items (splitting requests with {@link Signal#split}); what is left below the
 *       threshold stays pending.
 *   <li><b>timeout</b>: {@code timeout} after the first item entered an empty batch, everything pending is sent.
 *   <li><b>shutdown</b>: {@link #shutdown()} sends everything pending and completes once every batch handed to the
 *       next consumer has completed.
 * </ul>
 * With {@code timeout: 0} nothing is held: each request is sent at once, split by {@code send_batch_max_size}
 * (counted as trigger {@code size}).
 *
 * <h2>Futures and backpressure</h2>
 * With {@code acknowledge: on_enqueue} (the default, as in the Collector) {@link #consume} completes as soon as the
 * data is in the batch buffer; backpressure comes from the in-flight bound below (THROTTLED), and batches the next
 * stage refuses are counted in {@code gateway.processor.batch.export_failed.<items>} and logged (rate-limited).
 * With {@code acknowledge: on_export} the future returned by {@link #consume} completes with the outcome of the export of the batch (or batches) that
 * carry the caller's data: it succeeds when the next consumer accepted all of them and fails with the first
 * failure otherwise ({@link ConsumeException#of}, so THROTTLED / UNAVAILABLE / PERMANENT reach the sender). A
 * caller therefore waits up to {@code timeout} plus the downstream's own time, and a slow or refusing downstream
 * pushes back to the senders through their retries. When a caller's request was split over several batches and
 * only some failed, the whole request fails and the sender's retry may duplicate the part that was accepted
 * (at-least-once). Callbacks run on the caller's Vert.x context when it had one.
 *
 * <h2>Bounds</h2>
 * <ul>
 *   <li>Pending items never exceed the flush threshold when {@code consume} returns: {@code send_batch_size}, or
 *       {@code send_batch_max_size} when the size is 0, or {@value #UNBOUNDED_FLUSH_THRESHOLD} items when both are
 *       0 (the Collector would hold everything until the timeout).
 *   <li>Items handed to the next consumer but not yet acknowledged ("in flight") are limited to
 *       {@value #IN_FLIGHT_BATCHES} times the flush threshold: beyond that, new data is refused at once with a
 *       THROTTLED {@link ConsumeException} (retry after {@code timeout}, clamped to 1s..5s) and counted in
 *       {@code gateway.processor.refused.<items>}. A downstream with its own bounded queue normally acknowledges
 *       quickly, so this limit only bites when it stalls.
 * </ul>
 *
 * <h2>Threading</h2>
 * {@link #consume} is called concurrently from several event loops. Pending data is guarded by one lock held only
 * for list manipulation (and for splitting at most one request of at most {@code send_batch_max_size} items);
 * merging and handing batches to the next consumer happen outside it, on the thread that triggered the send (a
 * caller's event loop, or the timer's).
 *
 * <h2>Meters</h2>
 * Tags {@code processor} and {@code pipeline}: {@code gateway.processor.batch.send.size} (items per sent batch),
 * {@code gateway.processor.batch.flushes{trigger=size|timeout|shutdown}}, gauges
 * {@code gateway.processor.batch.pending} and {@code gateway.processor.batch.in_flight} (items), and
 * {@code gateway.processor.refused.<items>}.
 */
public final class BatchProcessor<T extends Message> implements Processor<T> {
  private static final Logger LOG = Logger.getLogger(BatchProcessor.class.getName());

  /** Flush threshold when neither send_batch_size nor send_batch_max_size bounds the pending batch. */
  static final int UNBOUNDED_FLUSH_THRESHOLD = 65_536;
  /** In-flight limit, in flush thresholds. */
  static final int IN_FLIGHT_BATCHES = 8;

  private static final Duration MIN_RETRY_AFTER = Duration.ofSeconds(1);
  private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(5);

  /** Why a batch was sent: the {@code trigger} tag of {@code gateway.processor.batch.flushes}. */
  enum Trigger {
    SIZE,
    TIMEOUT,
    SHUTDOWN;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final ComponentContext context;
  private final Signal<T> signal;
  private final Consumer<T> next;
  private final int flushThreshold;
  private final int maxBatch;
  private final long maxInFlightItems;
  private final long timeoutMs;
  private final Duration retryAfter;

  private final Object lock = new Object();
  private final ArrayDeque<Piece<T>> pending = new ArrayDeque<>(); // guarded by lock
  private volatile int pendingItems; // written under lock
  private long timerId = -1; // guarded by lock
  private boolean started; // guarded by lock
  private Promise<Void> shutdownPromise; // guarded by lock; non-null once shutdown began
  private final AtomicLong inFlightItems = new AtomicLong();
  private final Set<Future<Void>> inFlight = ConcurrentHashMap.newKeySet();

  private final DistributionSummary batchSizes;
  private final Map<Trigger, Counter> flushes = new EnumMap<>(Trigger.class);
  private final Counter refused;
  private final Counter exportFailed;
  private static final io.goblinos.gateway.exporter.sending.RateLimitedLog FAILURE_LOG =
      new io.goblinos.gateway.exporter.sending.RateLimitedLog(LOG, 10, java.util.concurrent.TimeUnit.SECONDS);
  private final List<Meter> gauges = new ArrayList<>();

  private final boolean acknowledgeOnExport;

  public BatchProcessor(ComponentContext context, BatchConfig config, Signal<T> signal, Consumer<T> next) {
    this.context = context;
    this.signal = signal;
    this.next = next;
    this.acknowledgeOnExport = config.acknowledgeOnExport();
    this.maxBatch = config.sendBatchMaxSize() > 0 ? config.sendBatchMaxSize() : Integer.MAX_VALUE;
    this.flushThreshold = config.sendBatchSize() > 0
        ? config.sendBatchSize()
        : config.sendBatchMaxSize() > 0 ? config.sendBatchMaxSize() : UNBOUNDED_FLUSH_THRESHOLD;
    this.maxInFlightItems = (long) IN_FLIGHT_BATCHES * flushThreshold;
    this.timeoutMs = config.timeout().isZero() ? 0 : Math.max(1, config.timeout().toMillis()); // timers are in ms
    this.retryAfter = clamp(config.timeout(), MIN_RETRY_AFTER, MAX_RETRY_AFTER);

    Tags tags = tags();
    this.batchSizes = DistributionSummary.builder("gateway.processor.batch.send.size")
        .description("Items per batch sent by the batch processor")
        .baseUnit("items")
        .serviceLevelObjectives(10, 100, 1_000, 2_000, 5_000, 8_192, 10_000, 20_000, 50_000, 100_000)
        .tags(tags)
        .register(context.meters());
    for (Trigger t : Trigger.values()) {
      flushes.put(t, Counter.builder("gateway.processor.batch.flushes")
          .description("Batches sent by the batch processor, by what triggered them")
          .tags(tags.and("trigger", t.tag()))
          .register(context.meters()));
    }
    this.exportFailed = Counter.builder("gateway.processor.batch.export_failed." + signal.itemName())
        .tags(tags)
        .register(context.meters());
    this.refused = Counter.builder("gateway.processor.refused." + signal.itemName())
        .description("Items refused by a processor (memory limit, batch backlog)")
        .tags(tags)
        .register(context.meters());
  }

  private static Duration clamp(Duration d, Duration min, Duration max) {
    return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
  }

  private Tags tags() {
    return Tags.of("processor", context.id().toString(), "pipeline", context.pipeline());
  }

  @Override
  public Future<Void> start(Host host) {
    synchronized (lock) {
      if (started || shutdownPromise != null) {
        return Future.succeededFuture();
      }
      started = true;
      gauges.add(Gauge.builder("gateway.processor.batch.pending", this, p -> p.pendingItems)
          .description("Items waiting in the batch processor")
          .baseUnit("items")
          .tags(tags())
          .register(context.meters()));
      gauges.add(Gauge.builder("gateway.processor.batch.in_flight", inFlightItems, AtomicLong::get)
          .description("Items sent by the batch processor and not yet acknowledged by the next consumer")
          .baseUnit("items")
          .tags(tags())
          .register(context.meters()));
    }
    LOG.fine(() -> "batch processor " + context.id() + " started in pipeline " + context.pipeline()
        + ": flush at " + flushThreshold + " items or after " + timeoutMs + "ms, at most "
        + (maxBatch == Integer.MAX_VALUE ? "unlimited" : maxBatch) + " items per batch");
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> consume(T data) {
    int n = signal.itemCount(data);
    if (n == 0) {
      return next.consume(data); // nothing to batch (e.g. resources without items)
    }
    List<T> parts = n > maxBatch ? signal.split(data, maxBatch) : List.of(data);
    Tracker tracker = new Tracker(parts.size(), Vertx.currentContext());
    List<Batch<T>> ready;
    synchronized (lock) {
      if (shutdownPromise != null) {
        return Future.failedFuture(
            ConsumeException.unavailable("batch processor " + context.id() + " is shut down", null));
      }
      if (inFlightItems.get() >= maxInFlightItems) {
        refused.increment(n);
        return Future.failedFuture(ConsumeException.throttled("batch processor " + context.id() + ": "
            + inFlightItems.get() + " " + signal.itemName() + " sent downstream are not acknowledged yet (limit "
            + maxInFlightItems + "); retry later", retryAfter));
      }
      int added = 0;
      for (T part : parts) {
        int c = parts.size() == 1 ? n : signal.itemCount(part);
        pending.addLast(new Piece<>(part, c, tracker));
        added += c;
      }
      pendingItems += added;
      if (timeoutMs == 0) {
        ready = cutAll();
      } else {
        ready = cutWhileAtLeast(flushThreshold);
        updateTimer();
      }
    }
    send(ready, Trigger.SIZE);
    return acknowledgeOnExport ? tracker.future() : Future.succeededFuture();
  }

  @Override
  public Future<Void> shutdown() {
    List<Batch<T>> ready;
    Promise<Void> promise;
    synchronized (lock) {
      if (shutdownPromise != null) {
        return shutdownPromise.future();
      }
      promise = Promise.promise();
      shutdownPromise = promise;
      cancelTimer();
      ready = cutAll();
    }
    send(ready, Trigger.SHUTDOWN);
    Future.join(new ArrayList<>(inFlight)).onComplete(ar -> {
      synchronized (lock) {
        gauges.forEach(context.meters()::remove);
        gauges.clear();
      }
      promise.complete();
    });
    return promise.future();
  }

  /** Items pending (for tests and the gauge). */
  int pendingItems() {
    return pendingItems;
  }

  /** Items sent and not yet acknowledged (for tests and the gauge). */
  long inFlightItems() {
    return inFlightItems.get();
  }

  // ---- under lock ----

  private void updateTimer() {
    if (pending.isEmpty()) {
      cancelTimer();
    } else if (timerId < 0) {
      timerId = context.vertx().setTimer(timeoutMs, this::onTimer);
    }
  }

  private void cancelTimer() {
    if (timerId >= 0) {
      context.vertx().cancelTimer(timerId);
      timerId = -1;
    }
  }

  private List<Batch<T>> cutWhileAtLeast(int threshold) {
    List<Batch<T>> out = new ArrayList<>();
    while (pendingItems >= threshold && !pending.isEmpty()) {
      out.add(cutOne());
    }
    return out;
  }

  private List<Batch<T>> cutAll() {
    List<Batch<T>> out = new ArrayList<>();
    while (!pending.isEmpty()) {
      out.add(cutOne());
    }
    return out;
  }

  /**
   * Takes up to {@link #maxBatch} items from the head of the pending queue, splitting the piece at the boundary.
   * Takes at least one piece (or part of one), so the queue always shrinks.
   */
  private Batch<T> cutOne() {
    List<Piece<T>> taken = new ArrayList<>();
    int items = 0;
    while (!pending.isEmpty()) {
      Piece<T> p = pending.peekFirst();
      if ((long) items + p.items() <= maxBatch) {
        pending.pollFirst();
        taken.add(p);
        items += p.items();
        continue;
      }
      int room = maxBatch - items;
      if (room <= 0) {
        break;
      }
      List<T> chunks = signal.split(p.data(), room);
      T first = chunks.get(0);
      int firstItems = signal.itemCount(first);
      if (chunks.size() > 1 && (firstItems <= room || items == 0)) {
        pending.pollFirst();
        p.owner().addPiece();
        taken.add(new Piece<>(first, firstItems, p.owner()));
        T rest = signal.merge(chunks.subList(1, chunks.size()));
        pending.addFirst(new Piece<>(rest, p.items() - firstItems, p.owner()));
        items += firstItems;
      } else if (items == 0) {
        // cannot be split below the limit (one metric with more points than send_batch_max_size): send it whole
        pending.pollFirst();
        taken.add(p);
        items += p.items();
      }
      break;
    }
    pendingItems -= items;
    return new Batch<>(taken, items);
  }

  // ---- outside the lock ----

  private void onTimer(long id) {
    List<Batch<T>> ready;
    synchronized (lock) {
      if (id != timerId) {
        return; // cancelled or replaced while this firing was queued
      }
      timerId = -1;
      ready = cutAll();
    }
    send(ready, Trigger.TIMEOUT);
  }

  private void send(List<Batch<T>> batches, Trigger trigger) {
    for (Batch<T> b : batches) {
      List<T> data = new ArrayList<>(b.pieces().size());
      for (Piece<T> p : b.pieces()) {
        data.add(p.data());
      }
      batchSizes.record(b.items());
      flushes.get(trigger).increment();
      inFlightItems.addAndGet(b.items());
      Future<Void> result;
      try {
        result = next.consume(signal.merge(data));
      } catch (RuntimeException e) {
        result = Future.failedFuture(ConsumeException.of(e));
      }
      if (result == null) {
        result = Future.succeededFuture();
      }
      Promise<Void> done = Promise.promise();
      Future<Void> tracked = done.future();
      inFlight.add(tracked);
      result.onComplete(ar -> {
        if (ar.failed() && !acknowledgeOnExport) {
          // Already acknowledged to the senders: count and log (rate-limited) what the next stage refused.
          exportFailed.increment(b.items());
          FAILURE_LOG.log(java.util.logging.Level.WARNING, "batch processor " + context.id() + ": next consumer refused "
              + b.items() + " " + signal.itemName() + " acknowledged on enqueue: " + ar.cause().getMessage());
        }
        inFlightItems.addAndGet(-b.items());
        for (Piece<T> p : b.pieces()) {
          p.owner().pieceDone(ar);
        }
        inFlight.remove(tracked);
        done.complete();
      });
    }
  }

  /** Part of one caller's data waiting in the batch. */
  private record Piece<T>(T data, int items, Tracker owner) {}

  /** Pieces sent together as one request. */
  private record Batch<T>(List<Piece<T>> pieces, int items) {}

  /** One caller's future: completes when every piece of its data has been acknowledged downstream. */
  private static final class Tracker {
    private final Promise<Void> promise = Promise.promise();
    private final AtomicInteger remaining;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Context callerContext;

    Tracker(int pieces, Context callerContext) {
      this.remaining = new AtomicInteger(pieces);
      this.callerContext = callerContext;
    }

    Future<Void> future() {
      return promise.future();
    }

    void addPiece() {
      remaining.incrementAndGet();
    }

    void pieceDone(AsyncResult<Void> ar) {
      if (ar.failed()) {
        failure.compareAndSet(null, ConsumeException.of(ar.cause()));
      }
      if (remaining.decrementAndGet() == 0) {
        if (callerContext == null || Vertx.currentContext() == callerContext) {
          complete();
        } else {
          callerContext.runOnContext(v -> complete());
        }
      }
    }

    private void complete() {
      Throwable f = failure.get();
      if (f == null) {
        promise.tryComplete();
      } else {
        promise.tryFail(f);
      }
    }
  }
}
