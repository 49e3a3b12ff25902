package io.goblinos.gateway.exporter.sending;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.otlp.OtlpJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The dead-letter file of one exporter instance: requests the exporter gave up on (permanent error, retries
 * exhausted), one JSON object per line:
 * {@code {"time":"2026-11-24T10:00:00.123Z","exporter":"otlp/tempo","signal":"traces","reason":"...","items":3,
 * "request":{...OTLP/JSON...}}}.
 *
 * <p>Writes run on one worker thread shared by every dead-letter file of the process ({@value #EXECUTOR}), so lines
 * of several exporters sharing a file never interleave and the event loop never touches the disk. Bounded: at most
 * {@value #MAX_PENDING} writes wait; beyond that, or once the file reached {@code maxSize}, the request is only
 * counted in {@code send_failed} and logged (rate-limited). Appends are not fsynced: a dead letter is diagnostic
 * data, not acknowledged data.
 */
public final class DeadLetterLog<T extends Message> {
  private static final Logger LOG = Logger.getLogger(DeadLetterLog.class.getName());
  static final String EXECUTOR = "gateway-dead-letter";
  static final int MAX_PENDING = 64;

  private final Path file;
  private final String exporter;
  private final Signal<T> signal;
  private final long maxSize;
  private final ExporterMetrics metrics;
  private final WorkerExecutor worker;
  private final RateLimitedLog problems = new RateLimitedLog(LOG, 10, TimeUnit.SECONDS);
  private final AtomicInteger pending = new AtomicInteger();

  public DeadLetterLog(Vertx vertx, Path file, String exporter, Signal<T> signal, long maxSize, ExporterMetrics metrics) {
    this.file = file;
    this.exporter = exporter;
    this.signal = signal;
    this.maxSize = maxSize;
    this.metrics = metrics;
    this.worker = vertx.createSharedWorkerExecutor(EXECUTOR, 1);
  }

  public Path file() {
    return file;
  }

  /** Appends the request with its reason; completes when written (or not, see the class comment). Never fails. */
  public Future<Void> write(T request, String reason) {
    int items = signal.itemCount(request);
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      problems.log(Level.WARNING, "exporter " + exporter + " (" + signal.name() + "): dead-letter writes are "
          + "backed up (" + MAX_PENDING + " pending); " + items + " " + signal.itemName() + " not written to " + file);
      return Future.succeededFuture();
    }
    return worker.<Void>executeBlocking(() -> {
      try {
        append(request, reason, items);
      } finally {
        pending.decrementAndGet();
      }
      return null;
    }, true).recover(err -> {
      problems.log(Level.WARNING, "exporter " + exporter + " (" + signal.name() + "): cannot write the dead-letter file "
          + file + ": " + err.getMessage());
      return Future.succeededFuture();
    });
  }

  private void append(T request, String reason, int items) throws IOException {
    if (Files.exists(file) && Files.size(file) >= maxSize) {
      problems.log(Level.WARNING, "exporter " + exporter + " (" + signal.name() + "): the dead-letter file " + file
          + " reached its limit of " + maxSize + " bytes; " + items + " " + signal.itemName() + " not written");
      return;
    }
    String head = new JsonObject()
        .put("time", Instant.now().toString())
        .put("exporter", exporter)
        .put("signal", signal.name())
        .put("reason", reason)
        .put("items", items)
        .encode();
    String line = head.substring(0, head.length() - 1) + ",\"request\":" + OtlpJson.encodeToString(request) + "}\n";
    Path parent = file.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(file, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE);
    metrics.deadLettered(items);
  }

  /** Waits for writes already queued, then releases the worker. */
  public Future<Void> close() {
    return worker.<Void>executeBlocking(() -> null, true).otherwiseEmpty().compose(v -> worker.close());
  }
}
