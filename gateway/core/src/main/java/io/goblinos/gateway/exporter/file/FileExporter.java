package io.goblinos.gateway.exporter.file;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Exporter;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.otlp.OtlpJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Writes each export request as one line of OTLP/JSON to {@code <directory>/<signal>.jsonl}. When the file reaches
 * the rotation size it is renamed {@code <signal>-<n>.jsonl} (n grows) and only the newest {@code max_backups}
 * such files are kept.
 *
 * <p>Threading: encoding and writing run on a worker executor of one thread owned by this exporter, so lines never
 * interleave and the event loop never touches the disk. At most {@code max_pending_requests} requests wait for
 * that thread; beyond, {@link #consume} fails with THROTTLED. {@link #consume} completes once the line is written
 * to the operating system (not fsynced).
 */
final class FileExporter<T extends Message> implements Exporter<T> {
  private static final Logger LOG = Logger.getLogger(FileExporter.class.getName());

  private final ComponentContext context;
  private final FileExporterConfig config;
  private final Signal<T> signal;
  private final Path directory;
  private final Path current;
  private final AtomicInteger pending = new AtomicInteger();
  private final Counter written;
  private final Counter failed;
  private WorkerExecutor worker;
  private OutputStream out;
  private long size;
  private long nextBackup;
  private volatile boolean started;
  private boolean stopped;

  FileExporter(ComponentContext context, FileExporterConfig config, Signal<T> signal) {
    this.context = context;
    this.config = config;
    this.signal = signal;
    this.directory = context.resolve(config.directory());
    this.current = directory.resolve(signal.name() + ".jsonl");
    String id = context.id().toString();
    this.written = Counter.builder("gateway.exporter.sent." + signal.itemName()).tag("exporter", id).register(context.meters());
    this.failed = Counter.builder("gateway.exporter.send_failed." + signal.itemName()).tag("exporter", id).register(context.meters());
    Gauge.builder("gateway.exporter.queue.size", pending, AtomicInteger::get)
        .tag("exporter", id)
        .tag("signal", signal.name())
        .register(context.meters());
  }

  @Override
  public synchronized Future<Void> start(Host host) {
    worker = context.vertx().createSharedWorkerExecutor("exporter-" + context.id() + "-" + signal.name(), 1);
    return worker.<Void>executeBlocking(() -> {
      Files.createDirectories(directory);
      nextBackup = highestBackup() + 1;
      open();
      return null;
    }).onSuccess(v -> {
      started = true;
      LOG.info(() -> "exporter started: exporter=" + context.id() + " signal=" + signal.name() + " file=" + current);
    });
  }

  @Override
  public Future<Void> consume(T data) {
    if (!started) {
      return Future.failedFuture(ConsumeException.unavailable("file exporter " + context.id() + " is not running", null));
    }
    if (pending.incrementAndGet() > config.maxPendingRequests()) {
      pending.decrementAndGet();
      return Future.failedFuture(ConsumeException.throttled(
          "file exporter " + context.id() + " has " + config.maxPendingRequests() + " requests waiting to be written",
          Duration.ofSeconds(1)));
    }
    int items = signal.itemCount(data);
    return worker.<Void>executeBlocking(() -> {
      try {
        write(OtlpJson.encode(data));
        written.increment(items);
        return null;
      } catch (IOException e) {
        failed.increment(items);
        throw ConsumeException.unavailable("file exporter " + context.id() + " cannot write " + current + ": " + e.getMessage(), null);
      }
    }).eventually(() -> {
      pending.decrementAndGet();
      return Future.succeededFuture();
    });
  }

  /** Runs on the exporter's single worker thread. */
  private void write(byte[] line) throws IOException {
    if (size > 0 && size + line.length + 1 > config.maxFileBytes()) {
      rotate();
    }
    out.write(line);
    out.write('\n');
    out.flush();
    size += line.length + 1;
  }

  private void open() throws IOException {
    out = Files.newOutputStream(current, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    size = Files.size(current);
  }

  private void rotate() throws IOException {
    out.close();
    Path backup = directory.resolve(signal.name() + "-" + nextBackup++ + ".jsonl");
    Files.move(current, backup, StandardCopyOption.ATOMIC_MOVE);
    deleteOldBackups();
    open();
  }

  private void deleteOldBackups() throws IOException {
    List<Long> numbers = backups();
    numbers.sort(null);
    for (int i = 0; i < numbers.size() - config.maxBackups(); i++) {
      Files.deleteIfExists(directory.resolve(signal.name() + "-" + numbers.get(i) + ".jsonl"));
    }
  }

  private long highestBackup() throws IOException {
    return backups().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  private List<Long> backups() throws IOException {
    String prefix = signal.name() + "-";
    List<Long> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      files.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(prefix) && n.endsWith(".jsonl"))
          .forEach(n -> {
            try {
              out.add(Long.parseLong(n.substring(prefix.length(), n.length() - ".jsonl".length())));
            } catch (NumberFormatException ignored) {
              // not one of ours
            }
          });
    }
    return out;
  }

  @Override
  public synchronized Future<Void> shutdown() {
    if (stopped || worker == null) {
      stopped = true;
      return Future.succeededFuture();
    }
    stopped = true;
    started = false;
    WorkerExecutor w = worker;
    // Queued writes run before this close because the executor has one thread and runs tasks in order.
    return w.<Void>executeBlocking(() -> {
      if (out != null) {
        out.close();
      }
      return null;
    }).eventually(w::close);
  }
}
