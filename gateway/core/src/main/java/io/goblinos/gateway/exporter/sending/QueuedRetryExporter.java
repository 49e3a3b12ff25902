package io.goblinos.gateway.exporter.sending;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.component.Exporter;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.config.Durations;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.signal.Signal;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The exporter helper every exporter is built on (the Collector's exporterhelper): {@link #consume} puts a request
 * in a bounded {@link ExportQueue} and returns; {@code num_consumers} loops take requests from the queue and hand
 * them to the {@link Sender}, each attempt bounded by {@code timeout}; retryable failures are retried with
 * exponential backoff and jitter ({@link RetrySettings}), never sooner than the backend asked; permanent failures
 * are dropped, counted and logged (rate-limited).
 *
 * <p>A full queue refuses with {@link ConsumeException#throttled}: the receivers answer 429 / RESOURCE_EXHAUSTED with
 * a retry delay, so senders back off. With {@code sending_queue.enabled: false} there is no queue: {@code consume}
 * completes when the request is delivered (or fails with the reason it was not).
 *
 * <p>Shutdown stops accepting, lets the queue drain for {@code sending_queue.drain_timeout}, then cancels what is
 * left (retries waiting, requests queued: counted as failed; a durable queue keeps them for the next start), closes
 * the sender and removes the queue gauges.
 *
 * <p>Requests given up on (permanent error, retries exhausted) are written to the dead-letter file when there is one
 * ({@code sending_queue.dead_letter_file}, or the one the storage extension names) and counted in
 * {@code gateway.exporter.dead_lettered.<items>}. With {@code sending_queue.wait_for_result: true}, {@code consume}
 * completes only when its request was exported (end-to-end acknowledgement); the queue still bounds and, when
 * persistent, protects the data.
 *
 * <p>Threading: {@code consume} is thread-safe and never blocks. Sends, retry timers and completions run on one
 * event-loop context owned by this exporter.
 *
 * @param <T> the OTLP request type
 */
public class QueuedRetryExporter<T extends Message> implements Exporter<T> {
  private static final Logger LOG = Logger.getLogger(QueuedRetryExporter.class.getName());

  private enum State { NEW, STARTING, STARTED, STOPPING, STOPPED }

  /** How a delivery ended. */
  private enum Outcome { SENT, FAILED, CANCELLED }

  private final ComponentContext context;
  private final Signal<T> signal;
  private final ExporterHelperConfig config;
  private final Sender<T> sender;
  private final DoubleSupplier random;
  private final String name;
  private final Vertx vertx;
  private final ExporterMetrics metrics;
  private final RateLimitedLog failureLog;
  private final RateLimitedLog refusalLog;

  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final Set<Delivery> deliveries = ConcurrentHashMap.newKeySet();
  private final AtomicInteger runningWorkers = new AtomicInteger();
  private final Promise<Void> drained = Promise.promise();
  private final AtomicLong sentRequests = new AtomicLong();
  private final AtomicLong failedRequests = new AtomicLong();
  /** wait_for_result: callers waiting for the export of a request, by request identity (several for one object). */
  private final Map<T, ArrayDeque<Promise<Void>>> waiters = new IdentityHashMap<>();
  private volatile DeadLetterLog<T> deadLetters;
  private volatile ExportQueue<T> queue;
  private volatile Context loop;
  private volatile boolean cancelled;
  private Future<Void> startFuture;
  private Future<Void> shutdownFuture;

  public QueuedRetryExporter(ComponentContext context, Signal<T> signal, ExporterHelperConfig config, Sender<T> sender) {
    this(context, signal, config, sender, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** @param random source of the backoff jitter, uniform in [0, 1) (tests pass a constant) */
  public QueuedRetryExporter(
      ComponentContext context, Signal<T> signal, ExporterHelperConfig config, Sender<T> sender, DoubleSupplier random) {
    this.context = context;
    this.signal = signal;
    this.config = config;
    this.sender = sender;
    this.random = random;
    this.name = "exporter " + context.id() + " (" + signal.name() + ")";
    this.vertx = context.vertx();
    this.metrics = new ExporterMetrics(context.meters(), context.id().toString(), signal);
    Logger log = Logger.getLogger(QueuedRetryExporter.class.getName());
    this.failureLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    this.refusalLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    metrics.bindQueue(() -> queue);
  }

  public ExporterHelperConfig config() {
    return config;
  }

  /** The queue while started (null before, or when {@code sending_queue.enabled} is false). */
  public ExportQueue<T> queue() {
    return queue;
  }

  @Override
  public synchronized Future<Void> start(Host host) {
    if (!state.compareAndSet(State.NEW, State.STARTING)) {
      return Future.failedFuture(new IllegalStateException(name + " was already started"));
    }
    // One event loop per exporter, so that exporters spread over the loops instead of sharing the starter's.
    loop = vertx instanceof VertxInternal vi ? vi.createEventLoopContext() : vertx.getOrCreateContext();
    QueueSettings qs = config.queue();
    startFuture = sender.start(host)
        .compose(v -> openQueue(host, qs))
        .compose(q -> {
          queue = q;
          deadLetters = deadLetterLog(host, qs);
          if (!state.compareAndSet(State.STARTING, State.STARTED)) {
            return Future.succeededFuture(); // shut down while starting: shutdown() takes it from here
          }
          int workers = q == null ? 0 : qs.numConsumers();
          runningWorkers.set(workers);
          for (int i = 0; i < workers; i++) {
            loop.runOnContext(v -> worker());
          }
          LOG.info(() -> name + " started: " + describe()
              + (deadLetters == null ? "" : ", dead letters to " + deadLetters.file()));
          return Future.<Void>succeededFuture();
        })
        .onFailure(err -> state.compareAndSet(State.STARTING, State.STOPPED));
    return startFuture;
  }

  private String describe() {
    QueueSettings qs = config.queue();
    RetrySettings rs = config.retry();
    String q = !qs.enabled()
        ? "no sending queue"
        : "sending queue of " + qs.queueSize() + " requests / " + qs.queueSizeBytes() + " bytes"
            + (qs.storage() == null ? " in memory" : " in " + qs.storage()) + ", " + qs.numConsumers() + " consumers"
            + ", when full " + qs.fullPolicy().configName() + (qs.waitForResult() ? ", acknowledged after export" : "");
    String r = !rs.enabled()
        ? "no retries"
        : "retries from " + Durations.format(rs.initialInterval()) + " to " + Durations.format(rs.maxInterval())
            + " for " + (rs.maxElapsedTime().isZero() ? "ever" : Durations.format(rs.maxElapsedTime()));
    return q + ", " + r + ", timeout " + Durations.format(config.timeout());
  }

  private Future<ExportQueue<T>> openQueue(Host host, QueueSettings qs) {
    if (!qs.enabled()) {
      return Future.succeededFuture(null);
    }
    if (qs.storage() == null) {
      return Future.succeededFuture(new MemoryExportQueue<>(
          name, qs.queueSize(), qs.queueSizeBytes(), Message::getSerializedSize, signal::itemCount, qs.fullPolicy()));
    }
    ComponentId storageId;
    try {
      storageId = ComponentId.parse(qs.storage());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException(
          "exporters::" + context.id() + "::sending_queue::storage: " + e.getMessage()));
    }
    return host.extension(storageId, ExportQueueProvider.class)
        .map(p -> p.openQueue(context.id(), signal, qs))
        .orElseGet(() -> Future.failedFuture(new IllegalArgumentException("exporters::" + context.id()
            + "::sending_queue::storage: '" + qs.storage() + "' is not a started storage extension"
            + " (list it under service::extensions)")));
  }

  private DeadLetterLog<T> deadLetterLog(Host host, QueueSettings qs) {
    Path file = null;
    if (qs.deadLetterFile() != null) {
      file = context.resolve(qs.deadLetterFile());
    } else if (qs.enabled() && qs.storage() != null) {
      try {
        file = host.extension(ComponentId.parse(qs.storage()), ExportQueueProvider.class)
            .map(p -> p.deadLetterFile(context.id(), signal))
            .orElse(null);
      } catch (IllegalArgumentException e) {
        file = null;
      }
    }
    return file == null ? null
        : new DeadLetterLog<>(vertx, file, context.id().toString(), signal, qs.deadLetterMaxSize(), metrics);
  }

  @Override
  public Future<Void> consume(T request) {
    if (state.get() != State.STARTED) {
      return Future.failedFuture(ConsumeException.unavailable(name + " is not running", null));
    }
    int items = signal.itemCount(request);
    if (items == 0) {
      return Future.succeededFuture();
    }
    ExportQueue<T> q = queue;
    if (q == null) {
      Delivery d = new Delivery(request, items);
      deliveries.add(d);
      loop.runOnContext(v -> d.attempt());
      return d.result.future().transform(ar -> {
        if (ar.succeeded() && ar.result() == Outcome.SENT) {
          return Future.succeededFuture();
        }
        ExportException last = d.lastError;
        if (last != null && !last.retryable()) {
          return Future.failedFuture(ConsumeException.permanent(name + ": " + last.getMessage()));
        }
        return Future.failedFuture(ConsumeException.unavailable(
            name + ": " + (last == null ? "shut down" : last.getMessage()), last == null ? null : last.retryAfter()));
      });
    }
    Promise<Void> waiter = null;
    if (config.queue().waitForResult()) {
      waiter = Promise.promise();
      synchronized (waiters) {
        waiters.computeIfAbsent(request, k -> new ArrayDeque<>(1)).add(waiter);
      }
    }
    Promise<Void> w = waiter;
    Future<Void> queued = q.offer(request).recover(err -> {
      if (w != null) {
        removeWaiter(request, w);
      }
      metrics.enqueueFailed(items);
      ConsumeException ce = ConsumeException.of(err);
      refusalLog.log(Level.WARNING, name + " refused " + items + " " + signal.itemName() + ": " + ce.getMessage());
      return Future.failedFuture(ce);
    });
    return w == null ? queued : queued.compose(v -> w.future());
  }

  private void removeWaiter(T request, Promise<Void> w) {
    synchronized (waiters) {
      ArrayDeque<Promise<Void>> list = waiters.get(request);
      if (list != null) {
        list.remove(w);
        if (list.isEmpty()) {
          waiters.remove(request);
        }
      }
    }
  }

  /** wait_for_result: tells one caller waiting for {@code request} how its export ended. */
  private void answerWaiter(T request, Outcome outcome, ExportException last) {
    if (!config.queue().waitForResult()) {
      return;
    }
    Promise<Void> w;
    synchronized (waiters) {
      ArrayDeque<Promise<Void>> list = waiters.get(request);
      if (list == null) {
        return; // recovered from a persistent queue after a restart: nobody waits
      }
      w = list.poll();
      if (list.isEmpty()) {
        waiters.remove(request);
      }
    }
    if (w != null) {
      io.vertx.core.AsyncResult<Void> r = outcomeResult(outcome, last);
      if (r.succeeded()) {
        w.tryComplete();
      } else {
        w.tryFail(r.cause());
      }
    }
  }

  private io.vertx.core.AsyncResult<Void> outcomeResult(Outcome outcome, ExportException last) {
    if (outcome == Outcome.SENT) {
      return Future.succeededFuture();
    }
    if (last != null && !last.retryable()) {
      return Future.failedFuture(ConsumeException.permanent(name + ": " + last.getMessage()));
    }
    return Future.failedFuture(ConsumeException.unavailable(
        name + ": " + (last == null || outcome == Outcome.CANCELLED ? "shut down before the export finished" : last.getMessage()),
        last == null ? null : last.retryAfter()));
  }

  /** Fails every caller still waiting (shutdown). */
  private void failAllWaiters() {
    List<Promise<Void>> all = new ArrayList<>();
    synchronized (waiters) {
      waiters.values().forEach(all::addAll);
      waiters.clear();
    }
    all.forEach(p -> p.tryFail(ConsumeException.unavailable(name + " shut down before the export finished", null)));
  }

  /** One consumer loop: take a request, deliver it (with retries), repeat until the queue is sealed and empty. */
  private void worker() {
    ExportQueue<T> q = queue;
    if (cancelled || q == null) {
      workerEnded();
      return;
    }
    q.poll().onComplete(ar -> loop.runOnContext(v -> {
      ExportQueue.Entry<T> entry = ar.succeeded() ? ar.result() : null;
      if (entry == null) {
        workerEnded();
        return;
      }
      T request = entry.request();
      Delivery d = new Delivery(request, signal.itemCount(request));
      deliveries.add(d);
      d.result.future().onComplete(done -> {
        if (done.result() != Outcome.CANCELLED || !q.durable()) {
          entry.done();
        }
        answerWaiter(request, done.result(), d.lastError);
        worker();
      });
      if (cancelled) {
        d.cancel();
      } else {
        d.attempt();
      }
    }));
  }

  private void workerEnded() {
    runningWorkers.decrementAndGet();
    checkDrained();
  }

  private void checkDrained() {
    State s = state.get();
    if ((s == State.STOPPING || s == State.STOPPED) && runningWorkers.get() <= 0 && deliveries.isEmpty()) {
      drained.tryComplete();
    }
  }

  @Override
  public synchronized Future<Void> shutdown() {
    if (shutdownFuture != null) {
      return shutdownFuture;
    }
    State prev = state.getAndSet(State.STOPPING);
    if (prev == State.NEW) {
      state.set(State.STOPPED);
      metrics.close();
      shutdownFuture = Future.succeededFuture();
      return shutdownFuture;
    }
    Future<Void> started = startFuture == null ? Future.succeededFuture() : startFuture;
    shutdownFuture = started.transform(ar -> {
      if (ar.failed()) {
        state.set(State.STOPPED);
        metrics.close();
        return sender.close().otherwiseEmpty();
      }
      return drainAndClose();
    });
    return shutdownFuture;
  }

  private Future<Void> drainAndClose() {
    ExportQueue<T> q = queue;
    if (q != null) {
      q.seal();
    }
    Duration drainTimeout = config.queue().drainTimeout();
    long timer = vertx.setTimer(Math.max(1, drainTimeout.toMillis()), id -> cancelAll(drainTimeout));
    checkDrained();
    return drained.future()
        .compose(v -> {
          vertx.cancelTimer(timer);
          return q == null ? Future.<Void>succeededFuture() : q.close().otherwiseEmpty();
        })
        .compose(v -> sender.close().otherwiseEmpty())
        .compose(v -> {
          failAllWaiters();
          DeadLetterLog<T> dl = deadLetters;
          return dl == null ? Future.<Void>succeededFuture() : dl.close().otherwiseEmpty();
        })
        .onComplete(v -> {
          state.set(State.STOPPED);
          metrics.close();
          LOG.info(() -> name + " stopped: " + sentRequests.get() + " requests sent, " + failedRequests.get()
              + " dropped");
        });
  }

  /** The drain deadline passed: stop retrying, drop what is queued (a durable queue keeps it). */
  private void cancelAll(Duration drainTimeout) {
    cancelled = true;
    // queued entries first: cancelling the last delivery can complete the drain, which closes the queue
    ExportQueue<T> q = queue;
    long droppedRequests = 0;
    long droppedItems = 0;
    if (q != null && !q.durable()) {
      // a sealed memory queue answers polls at once while it holds anything
      while (true) {
        Future<ExportQueue.Entry<T>> f = q.poll();
        if (!f.isComplete() || f.result() == null) {
          break;
        }
        ExportQueue.Entry<T> e = f.result();
        int items = signal.itemCount(e.request());
        droppedRequests++;
        droppedItems += items;
        metrics.sendFailed(items);
        e.done();
      }
    }
    int inFlight = 0;
    for (Delivery d : new ArrayList<>(deliveries)) {
      if (d.cancel()) {
        inFlight++;
      }
    }
    failedRequests.addAndGet(droppedRequests);
    if (q != null) {
      q.close();
    }
    String kept = q != null && q.durable() ? " (the persistent queue keeps them for the next start)" : "";
    LOG.warning(name + ": not drained within " + Durations.format(drainTimeout) + ": cancelled " + inFlight
        + " requests being sent or retried and dropped " + droppedRequests + " queued requests (" + droppedItems
        + " " + signal.itemName() + ")" + kept);
    checkDrained();
  }

  /** One request on its way: attempts, backoff, and the accounting when it ends. */
  private final class Delivery {
    final T request;
    final int items;
    final long startNanos = System.nanoTime();
    final BackOff backOff = new BackOff(config.retry(), random);
    final Promise<Outcome> result = Promise.promise();
    final AtomicBoolean finished = new AtomicBoolean();
    volatile long timerId = -1;
    volatile ExportException lastError;
    /** Being written to the dead-letter file: a shutdown deadline waits for it instead of cancelling. */
    volatile boolean dropping;

    Delivery(T request, int items) {
      this.request = request;
      this.items = items;
    }

    void attempt() {
      if (finished.get()) {
        return;
      }
      Future<SendResult> sent;
      try {
        sent = sender.send(request);
      } catch (RuntimeException e) {
        sent = Future.failedFuture(e);
      }
      long timeoutMs = config.timeout().toMillis();
      if (timeoutMs > 0 && !sent.isComplete()) {
        Promise<SendResult> bounded = Promise.promise();
        long t = vertx.setTimer(timeoutMs, id -> bounded.tryFail(
            ExportException.retryable("no response within " + Durations.format(config.timeout()), null)));
        sent.onComplete(ar -> {
          vertx.cancelTimer(t);
          if (ar.succeeded()) {
            bounded.tryComplete(ar.result());
          } else {
            bounded.tryFail(ar.cause());
          }
        });
        sent = bounded.future();
      }
      sent.onComplete(ar -> {
        if (ar.succeeded()) {
          onSent(ar.result() == null ? SendResult.OK : ar.result());
        } else {
          onFailure(ExportException.of(ar.cause()));
        }
      });
    }

    private void onSent(SendResult r) {
      if (finished.get()) {
        return;
      }
      long rejected = Math.min(r.rejectedItems(), items);
      metrics.sent(items - rejected);
      if (rejected > 0) {
        metrics.sendFailed(rejected);
        failureLog.log(Level.WARNING, name + ": the backend rejected " + rejected + " of " + items + " "
            + signal.itemName() + " (partial success, not retried): " + r.message());
      }
      sentRequests.incrementAndGet();
      finish(Outcome.SENT);
    }

    private void onFailure(ExportException e) {
      if (finished.get()) {
        return;
      }
      lastError = e;
      if (!e.retryable()) {
        drop("permanent error, not retried: " + e.getMessage());
        return;
      }
      RetrySettings rs = config.retry();
      if (!rs.enabled()) {
        drop("retry_on_failure is disabled: " + e.getMessage());
        return;
      }

      if (cancelled) {
        cancel();
        return;
      }
      Duration delay = backOff.next();
      if (e.retryAfter() != null && e.retryAfter().compareTo(delay) > 0) {
        delay = e.retryAfter();
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
      if (!rs.maxElapsedTime().isZero() && elapsed.plus(delay).compareTo(rs.maxElapsedTime()) > 0) {
        drop("no success within max_elapsed_time " + Durations.format(rs.maxElapsedTime()) + ", last error: "
            + e.getMessage());
        return;
      }
      metrics.retried();
      timerId = vertx.setTimer(Math.max(1, delay.toMillis()), id -> {
        timerId = -1;
        attempt();
      });
    }

    private void drop(String why) {
      metrics.sendFailed(items);
      failedRequests.incrementAndGet();
      DeadLetterLog<T> dl = deadLetters;
      failureLog.log(Level.WARNING, name + " dropped " + items + " " + signal.itemName() + ": " + why
          + (dl == null ? "" : " (written to the dead-letter file " + dl.file() + ")"));
      if (dl == null) {
        finish(Outcome.FAILED);
      } else {
        dropping = true;
        // the queue entry is released once the dead letter is written, so a crash in between redelivers it
        dl.write(request, why).onComplete(v -> finish(Outcome.FAILED));
      }
    }

    /** Stops this delivery (shutdown deadline). True when it was still going. */
    boolean cancel() {
      if (finished.get() || dropping) {
        return false;
      }
      long t = timerId;
      if (t >= 0) {
        vertx.cancelTimer(t);
      }
      ExportQueue<T> q = queue;
      if (finish(Outcome.CANCELLED)) {
        if (q == null || !q.durable()) {
          metrics.sendFailed(items);
          failedRequests.incrementAndGet();
        }
        return true;
      }
      return false;
    }

    private boolean finish(Outcome outcome) {
      if (!finished.compareAndSet(false, true)) {
        return false;
      }
      deliveries.remove(this);
      result.complete(outcome);
      checkDrained();
      return true;
    }
  }

  /** Requests being sent or waiting for a retry (for tests and diagnostics). */
  int inFlight() {
    return deliveries.size();
  }
}
