package io.goblinos.gateway.extension.filestorage;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.component.Extension;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.exporter.sending.ExportQueue;
import io.goblinos.gateway.exporter.sending.ExportQueueProvider;
import io.goblinos.gateway.exporter.sending.QueueSettings;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The {@code file_storage} extension: gives each exporter (id and signal) that names it in
 * {@code sending_queue.storage} a {@link WalQueue}, a write-ahead log in its own sub-directory of {@code directory}
 * ({@code exporter_<type>_<name>_<signal>}). Dead letters of those exporters go to
 * {@code <directory>/dead_letter/exporter_<type>_<name>_<signal>.jsonl} unless the exporter names its own file.
 *
 * <p>{@link #start} creates the directory (on a worker thread). Queues are closed by their exporters; a queue still
 * open when the extension shuts down (an exporter that failed to stop) is closed here.
 */
public final class FileStorageExtension implements Extension, ExportQueueProvider {
  private static final Logger LOG = Logger.getLogger(FileStorageExtension.class.getName());

  private final ComponentContext context;
  private final FileStorageConfig config;
  private final Path directory;
  private final Map<String, WalQueue<?>> open = new ConcurrentHashMap<>();
  private volatile boolean started;
  private Future<Void> shutdown;

  public FileStorageExtension(ComponentContext context, FileStorageConfig config) {
    this.context = context;
    this.config = config;
    this.directory = context.resolve(config.directory());
  }

  public Path directory() {
    return directory;
  }

  public FileStorageConfig config() {
    return config;
  }

  @Override
  public Future<Void> start(Host host) {
    return context.vertx().<Void>executeBlocking(() -> {
      try {
        Files.createDirectories(directory);
      } catch (IOException e) {
        throw new IOException("extensions::" + context.id() + "::directory: cannot create '" + directory + "': " + e, e);
      }
      if (!Files.isWritable(directory)) {
        throw new IOException("extensions::" + context.id() + "::directory: '" + directory + "' is not writable");
      }
      started = true;
      LOG.info(() -> "extension " + context.id() + " started: directory " + directory + ", fsync "
          + config.fsync().configName() + ", segments of " + config.segmentSize() + " bytes");
      return null;
    });
  }

  /** The sub-directory (and dead-letter file stem) of one exporter's queue: {@code exporter_otlp_tempo_traces}. */
  static String queueName(ComponentId exporter, Signal<?> signal) {
    String raw = "exporter_" + exporter.type() + (exporter.name().isEmpty() ? "" : "_" + exporter.name()) + "_" + signal.name();
    return raw.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  @Override
  public <T extends Message> Future<ExportQueue<T>> openQueue(ComponentId exporter, Signal<T> signal, QueueSettings settings) {
    if (!started) {
      return Future.failedFuture(new IllegalStateException("extension " + context.id() + " is not started"));
    }
    String name = queueName(exporter, signal);
    Path dir = directory.resolve(name);
    long maxDisk = config.maxSizePerQueue() > 0
        ? config.maxSizePerQueue()
        : 2 * settings.queueSizeBytes() + 2 * config.segmentSize();
    String display = "exporter " + exporter + " (" + signal.name() + ")";
    WorkerExecutor worker = context.vertx().createSharedWorkerExecutor("gateway-file-storage-" + context.id() + "-" + name, 1);
    WalQueue<T> q = new WalQueue<>(display, dir, signal, context.vertx(), worker, config, settings.queueSize(),
        settings.queueSizeBytes(), maxDisk, settings.fullPolicy());
    if (open.putIfAbsent(name, q) != null) {
      worker.close();
      return Future.failedFuture(new IllegalStateException(display + ": its queue in " + dir + " is already open"));
    }
    return q.open()
        .onComplete(ar -> {
          if (ar.failed()) {
            open.remove(name, q);
          }
        })
        .map(v -> {
          q.onClose(() -> open.remove(name, q));
          return (ExportQueue<T>) q;
        });
  }

  @Override
  public Path deadLetterFile(ComponentId exporter, Signal<?> signal) {
    return directory.resolve("dead_letter").resolve(queueName(exporter, signal) + ".jsonl");
  }

  @Override
  public synchronized Future<Void> shutdown() {
    if (shutdown != null) {
      return shutdown;
    }
    List<Future<Void>> closing = new ArrayList<>();
    for (WalQueue<?> q : List.copyOf(open.values())) {
      closing.add(q.close());
    }
    boolean wasStarted = started;
    started = false;
    shutdown = Future.join(closing).<Void>mapEmpty().otherwiseEmpty().onComplete(v -> {
      if (wasStarted) {
        LOG.info(() -> "extension " + context.id() + " stopped");
      }
    });
    return shutdown;
  }
}
