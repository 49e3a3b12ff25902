package io.goblinos.gateway.extension.filestorage;

import static io.goblinos.gateway.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.component.Kind;
import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.config.ComponentRegistry;
import io.goblinos.gateway.exporter.sending.ExportException;
import io.goblinos.gateway.exporter.sending.ExporterHelperConfig;
import io.goblinos.gateway.exporter.sending.QueueSettings;
import io.goblinos.gateway.exporter.sending.QueuedRetryExporter;
import io.goblinos.gateway.exporter.sending.RetrySettings;
import io.goblinos.gateway.exporter.sending.SendResult;
import io.goblinos.gateway.exporter.sending.Sender;
import io.goblinos.gateway.exporter.sending.TestRequests;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStorageExtensionTest {
  static Vertx vertx;
  @TempDir Path dir;

  static final RetrySettings FAST =
      new RetrySettings(true, Duration.ofMillis(5), 0.0, 1.0, Duration.ofMillis(5), Duration.ZERO);

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    get(vertx.close());
  }

  @Test
  void defaultsAndErrorsNameTheirKeys() {
    FileStorageConfig d = new FileStorageExtensionFactory().defaultConfig();
    assertThat(d.directory()).isEqualTo("file_storage");
    assertThat(d.fsync()).isEqualTo(FileStorageConfig.Fsync.ALWAYS);
    assertThat(d.segmentSize()).isEqualTo(8L << 20);
    assertThat(d.maxSizePerQueue()).isZero();
    assertThat(d.compaction()).isEqualTo(FileStorageConfig.Compaction.DEFAULT);

    ConfigNode collectorStyle = new ConfigNode("extensions::file_storage", Map.of("directory", "/var/lib/q", "fsync", false),
        new ConfigErrors());
    assertThat(FileStorageConfig.parse(collectorStyle).fsync()).isEqualTo(FileStorageConfig.Fsync.NEVER);

    ConfigNode bad = new ConfigNode("extensions::file_storage", Map.of(
        "fsync", "sometimes", "segment_size", "1KiB", "max_size_per_queue", "10KiB", "compaction", Map.of("live_ratio", 2)),
        new ConfigErrors());
    FileStorageConfig.parse(bad);
    bad.finish();
    assertThat(bad.errors().messages()).anyMatch(m -> m.startsWith("extensions::file_storage::fsync"))
        .anyMatch(m -> m.startsWith("extensions::file_storage::segment_size"))
        .anyMatch(m -> m.startsWith("extensions::file_storage::compaction::live_ratio"));
  }

  @Test
  void theFactoryIsFoundUnderItsType() {
    assertThat(ComponentRegistry.discover().find(Kind.EXTENSION, "file_storage"))
        .get().isInstanceOf(FileStorageExtensionFactory.class);
  }

  @Test
  void shutdownIsSafeWithoutStartAndTwice() throws Exception {
    var ext = new FileStorageExtension(context("file_storage"), new FileStorageExtensionFactory().defaultConfig());
    get(ext.shutdown());
    get(ext.shutdown());
  }

  ComponentContext context(String id) {
    return new ComponentContext(ComponentId.parse(id), "", vertx, new SimpleMeterRegistry(), dir);
  }

  /** A sender whose backend is down until {@code up} is set. */
  static final class Backend implements Sender<ExportTraceServiceRequest> {
    final AtomicBoolean up = new AtomicBoolean();
    final List<String> received = new CopyOnWriteArrayList<>();

    @Override
    public Future<SendResult> send(ExportTraceServiceRequest r) {
      if (!up.get()) {
        return Future.failedFuture(ExportException.retryable("503 down", null));
      }
      received.add(r.getResourceSpans(0).getScopeSpans(0).getSpans(0).getName());
      return Future.succeededFuture(SendResult.OK);
    }
  }

  @Test
  void anExporterResumesItsQueueAfterARestart() throws Exception {
    FileStorageConfig cfg = new FileStorageExtensionFactory().defaultConfig();
    QueueSettings qs = new QueueSettings(true, 2, 100, 1 << 20, "file_storage", Duration.ofMillis(100));
    ExporterHelperConfig helper = new ExporterHelperConfig(Duration.ofSeconds(1), qs, FAST);

    var ext = new FileStorageExtension(context("file_storage"), cfg);
    Host host = hostWith(ext);
    get(ext.start(host));
    Backend down = new Backend();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    var exporter = new QueuedRetryExporter<>(new ComponentContext(ComponentId.parse("otlp/x"), "", vertx, meters, dir),
        Signal.TRACES, helper, down);
    get(exporter.start(host));
    for (int i = 0; i < 5; i++) {
      get(exporter.consume(TestRequests.traces("r" + i, 2)));
    }
    get(exporter.shutdown()); // drain deadline passes: the persistent queue keeps everything
    get(ext.shutdown());
    assertThat(meters.get("gateway.exporter.send_failed.spans").counter().count()).isZero();
    assertThat(Files.isDirectory(dir.resolve("file_storage/exporter_otlp_x_traces"))).isTrue();

    var ext2 = new FileStorageExtension(context("file_storage"), cfg);
    Host host2 = hostWith(ext2);
    get(ext2.start(host2));
    Backend upNow = new Backend();
    upNow.up.set(true);
    SimpleMeterRegistry meters2 = new SimpleMeterRegistry();
    var again = new QueuedRetryExporter<>(new ComponentContext(ComponentId.parse("otlp/x"), "", vertx, meters2, dir),
        Signal.TRACES, helper, upNow);
    get(again.start(host2));
    await().until(() -> upNow.received.size() == 5);
    assertThat(upNow.received).containsExactlyInAnyOrder("r0-0", "r1-0", "r2-0", "r3-0", "r4-0");
    assertThat(meters2.get("gateway.exporter.queue.recovered.spans").functionCounter().count()).isEqualTo(10);
    assertThat(meters2.get("gateway.exporter.queue.redelivered.spans").functionCounter().count()).isBetween(0.0, 10.0);
    assertThat(ext2.deadLetterFile(ComponentId.parse("otlp/x"), Signal.TRACES))
        .isEqualTo(dir.resolve("file_storage/dead_letter/exporter_otlp_x_traces.jsonl"));
    get(again.shutdown());
    get(ext2.shutdown());
  }

  static Host hostWith(FileStorageExtension ext) {
    return new Host() {
      @Override
      public <E> Optional<E> extension(ComponentId id, Class<E> type) {
        return id.type().equals("file_storage") && type.isInstance(ext) ? Optional.of(type.cast(ext)) : Optional.empty();
      }
    };
  }
}
