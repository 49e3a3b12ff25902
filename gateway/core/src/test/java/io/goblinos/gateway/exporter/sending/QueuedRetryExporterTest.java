package io.goblinos.gateway.exporter.sending;

import static io.goblinos.gateway.testing.Futures.failure;
import static io.goblinos.gateway.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.signal.Signal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QueuedRetryExporterTest {
  static Vertx vertx;
  SimpleMeterRegistry meters;

  static final Host NO_EXTENSIONS = new Host() {
    @Override
    public <E> Optional<E> extension(ComponentId id, Class<E> type) {
      return Optional.empty();
    }
  };

  /** Fast retries: 1 ms backoff without jitter, so counts (not time) are what the tests look at. */
  static final RetrySettings FAST =
      new RetrySettings(true, Duration.ofMillis(1), 0.0, 1.0, Duration.ofMillis(1), Duration.ofSeconds(60));

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void registry() {
    meters = new SimpleMeterRegistry();
  }

  QueuedRetryExporter<ExportTraceServiceRequest> exporter(ExporterHelperConfig config, Sender<ExportTraceServiceRequest> sender) {
    ComponentContext ctx = new ComponentContext(ComponentId.parse("otlp/test"), "", vertx, meters, Path.of("."));
    return new QueuedRetryExporter<>(ctx, Signal.TRACES, config, sender, () -> 0.5);
  }

  static ExporterHelperConfig config(QueueSettings q, RetrySettings r) {
    return new ExporterHelperConfig(Duration.ofSeconds(5), q, r);
  }

  static QueueSettings queue(int consumers, int size) {
    return new QueueSettings(true, consumers, size, 64L << 20, null, Duration.ofSeconds(30));
  }

  double count(String name) {
    return meters.get(name).tag("exporter", "otlp/test").counter().count();
  }

  @Test
  void retryableFailuresAreRetriedUntilSuccess() throws Exception {
    ScriptedSender<ExportTraceServiceRequest> sender = new ScriptedSender<ExportTraceServiceRequest>()
        .thenFail(ExportException.retryable("503", null))
        .thenFail(ExportException.retryable("503", null))
        .thenOk();
    var exporter = exporter(config(queue(2, 10), FAST), sender);
    get(exporter.start(NO_EXTENSIONS));
    get(exporter.consume(TestRequests.traces("a", 3)));

    await().until(() -> count("gateway.exporter.sent.spans") == 3);
    assertThat(sender.calls).hasSize(3);
    assertThat(meters.get("gateway.exporter.retries").counter().count()).isEqualTo(2);
    assertThat(count("gateway.exporter.send_failed.spans")).isZero();
    get(exporter.shutdown());
    assertThat(sender.closed).isTrue();
  }

  @Test
  void permanentFailuresAreNotRetried() throws Exception {
    ScriptedSender<ExportTraceServiceRequest> sender =
        new ScriptedSender<ExportTraceServiceRequest>().always(() -> Future.failedFuture(ExportException.permanent("400 bad")));
    var exporter = exporter(config(queue(1, 10), FAST), sender);
    get(exporter.start(NO_EXTENSIONS));
    get(exporter.consume(TestRequests.traces("a", 4)));
    get(exporter.consume(TestRequests.traces("b", 1)));

    await().until(() -> count("gateway.exporter.send_failed.spans") == 5);
    get(exporter.shutdown());
    assertThat(sender.calls).hasSize(2);
    assertThat(meters.get("gateway.exporter.retries").counter().count()).isZero();
    assertThat(count("gateway.exporter.sent.spans")).isZero();
  }

  @Test
  void programmingErrorsThrownBySenderArePermanent() throws Exception {
    ScriptedSender<ExportTraceServiceRequest> sender = new ScriptedSender<ExportTraceServiceRequest>()
        .always(() -> { throw new IllegalArgumentException("bug"); });
    var exporter = exporter(config(queue(1, 10), FAST), sender);
    get(exporter.start(NO_EXTENSIONS));
    get(exporter.consume(TestRequests.traces("a", 1)));
    await().until(() -> count("gateway.exporter.send_failed.spans") == 1);
    get(exporter.shutdown());
    assertThat(sender.calls).hasSize(1);
  }

  @Test
  void partialSuccessCountsRejectedItemsAndIsNotRetried() throws Exception {
    ScriptedSender<ExportTraceServiceRequest> sender = new ScriptedSender<ExportTraceServiceRequest>()
        .always(() -> Future.succeededFuture(SendResult.partial(2, "2 spans had no name")));
    var exporter = exporter(config(queue(1, 10), FAST), sender);
    get(exporter.start(NO_EXTENSIONS));
    get(exporter.consume(TestRequests.traces("a", 5)));
    await().until(() -> count("gateway.exporter.sent.spans") == 3);
    get(exporter.shutdown());
    assertThat(count("gateway.exporter.send_failed.spans")).isEqualTo(2);
    assertThat(sender.calls).hasSize(1);
  }

  @Test
  void serverRetryDelayWinsOverShorterBackoff() throws Exception {
    ScriptedSender<ExportTraceServiceRequest> sender = new ScriptedSender<ExportTraceServiceRequest>()
        .thenFail(ExportException.retryable("429", Duration.ofMillis(300)))
        .thenOk();
    var exporter = exporter(config(queue(1, 10), FAST), sender);
    get(exporter.start(NO_EXTENSIONS));
    get(exporter.consume(TestRequests.traces("a", 1)));
    await().until(() -> count("gateway.exporter.sent.spans") == 1);
    get(exporter.shutdown());
    assertThat(sender.callNanos).hasSize(2);
    // a timer never fires early: the second attempt is at least the server's delay after the first
    assertThat(sender.callNanos.get(1) - sender.callNanos.get(0)).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
  }

  @Test
  void givesUpWhenTheNextDelayWouldPassMaxElapsedTime() throws Exception {
    RetrySettings shortLived =
        new RetrySettings(true, Duration.ofMillis(1), 0.0, 1.0, Duration.ofMillis(1), Duration.ofMillis(200));
    ScriptedSender<ExportTraceServiceRequest> sender = new ScriptedSender<ExportTraceServiceRequest>()
        .always(() -> Future.failedFuture(ExportException.retryable("503", Duration.ofSeconds(10))));
    var exporter = exporter(config(queue(1, 10), shortLived), sender);
    get(exporter.start(NO_EXTENSIONS));
    get(exporter.consume(TestRequests.traces("a", 2)));
    await().until(() -> count("gateway.exporter.send_failed.spans") == 2);
    get(exporter.shutdown());
    assertThat(sender.calls).hasSize(1);
  }

  @Test
  void retriesDisabledDropsAfterOneAttempt() throws Exception {
    RetrySettings off = new RetrySettings(false, Duration.ofMillis(1), 0, 1, Duration.ofMillis(1), Duration.ZERO);
    ScriptedSender<ExportTraceServiceRequest> sender = new ScriptedSender<ExportTraceServiceRequest>()
        .always(() -> Future.failedFuture(ExportException.retryable("503", null)));
    var exporter = exporter(config(queue(1, 10), off), sender);
    get(exporter.start(NO_EXTENSIONS));
    get(exporter.consume(TestRequests.traces("a", 1)));
    await().until(() -> count("gateway.exporter.send_failed.spans") == 1);
    get(exporter.shutdown());
    assertThat(sender.calls).hasSize(1);
  }

  @Test
  void attemptsThatTakeLongerThanTheTimeoutAreRetried() throws Exception {
    ScriptedSender<ExportTraceServiceRequest> sender =
        new ScriptedSender<ExportTraceServiceRequest>().thenHold().thenOk();
    var exporter = exporter(new ExporterHelperConfig(Duration.ofMillis(50), queue(1, 10), FAST), sender);
    get(exporter.start(NO_EXTENSIONS));
    get(exporter.consume(TestRequests.traces("a", 1)));
    await().until(() -> count("gateway.exporter.sent.spans") == 1);
    get(exporter.shutdown());
    assertThat(sender.calls).hasSize(2);
    assertThat(meters.get("gateway.exporter.retries").counter().count()).isEqualTo(1);
  }

  @Test
  void fullQueueRefusesWithThrottled() throws Exception {
    ScriptedSender<ExportTraceServiceRequest> sender =
        new ScriptedSender<ExportTraceServiceRequest>().always(() -> {
          throw new AssertionError("unused");
        });
    sender.thenHold().thenHold().thenHold();
    var exporter = exporter(config(queue(1, 2), FAST), sender);
    get(exporter.start(NO_EXTENSIONS));
    get(exporter.consume(TestRequests.traces("a", 1)));
    get(exporter.consume(TestRequests.traces("b", 1)));
    assertThat(exporter.queue().size()).isEqualTo(2);
    assertThat(meters.get("gateway.exporter.queue.size").gauge().value()).isEqualTo(2);
    assertThat(meters.get("gateway.exporter.queue.capacity").gauge().value()).isEqualTo(2);

    Throwable refused = failure(exporter.consume(TestRequests.traces("c", 3)));
    assertThat(refused).isInstanceOf(ConsumeException.class);
    assertThat(((ConsumeException) refused).kind()).isEqualTo(ConsumeException.Kind.THROTTLED);
    assertThat(refused.getMessage()).contains("otlp/test").contains("full");
    assertThat(count("gateway.exporter.enqueue_failed.spans")).isEqualTo(3);

    // space frees once the first send completes: then the queue accepts again
    await().until(() -> sender.held.size() == 1);
    sender.held.get(0).complete(SendResult.OK);
    await().until(() -> exporter.queue().size() == 1);
    get(exporter.consume(TestRequests.traces("d", 1)));
    sender.always(() -> Future.succeededFuture(SendResult.OK));
    await().until(() -> sender.held.size() == 2);
    sender.held.get(1).complete(SendResult.OK);
    await().until(() -> sender.held.size() == 3);
    sender.held.get(2).complete(SendResult.OK);
    get(exporter.shutdown());
    assertThat(count("gateway.exporter.sent.spans")).isEqualTo(3);
  }

  @Test
  void byteBoundRefusesWithThrottled() throws Exception {
    ExportTraceServiceRequest big = TestRequests.traces("big", 50);
    ScriptedSender<ExportTraceServiceRequest> sender = new ScriptedSender<ExportTraceServiceRequest>().thenHold();
    long bound = big.getSerializedSize() + 10L;
    var exporter = exporter(config(new QueueSettings(true, 1, 100, bound, null, Duration.ofSeconds(5)), FAST), sender);
    get(exporter.start(NO_EXTENSIONS));
    get(exporter.consume(big));
    Throwable refused = failure(exporter.consume(TestRequests.traces("more", 5)));
    assertThat(((ConsumeException) refused).kind()).isEqualTo(ConsumeException.Kind.THROTTLED);
    assertThat(refused.getMessage()).contains("bytes");
    await().until(() -> sender.held.size() == 1);
    sender.held.get(0).complete(SendResult.OK);
    get(exporter.shutdown());
  }

  @Test
  void shutdownDrainsTheQueue() throws Exception {
    ScriptedSender<ExportTraceServiceRequest> sender = new ScriptedSender<ExportTraceServiceRequest>()
        .always(() -> {
          io.vertx.core.Promise<SendResult> p = io.vertx.core.Promise.promise();
          vertx.setTimer(5, id -> p.complete(SendResult.OK));
          return p.future();
        });
    var exporter = exporter(config(queue(2, 100), FAST), sender);
    get(exporter.start(NO_EXTENSIONS));
    for (int i = 0; i < 40; i++) {
      get(exporter.consume(TestRequests.traces("r" + i, 2)));
    }
    get(exporter.shutdown());
    assertThat(count("gateway.exporter.sent.spans")).isEqualTo(80);
    assertThat(sender.calls).hasSize(40);
    assertThat(sender.closed).isTrue();
    // stopped: refuses, and the queue gauges are gone
    Throwable refused = failure(exporter.consume(TestRequests.traces("late", 1)));
    assertThat(((ConsumeException) refused).kind()).isEqualTo(ConsumeException.Kind.UNAVAILABLE);
    assertThat(meters.find("gateway.exporter.queue.size").gauge()).isNull();
  }

  @Test
  void shutdownDeadlineCancelsRetriesAndDropsTheRest() throws Exception {
    ScriptedSender<ExportTraceServiceRequest> sender = new ScriptedSender<ExportTraceServiceRequest>()
        .always(() -> Future.failedFuture(ExportException.retryable("down", Duration.ofSeconds(30))));
    QueueSettings q = new QueueSettings(true, 1, 100, 64L << 20, null, Duration.ofMillis(100));
    var exporter = exporter(config(q, FAST), sender);
    get(exporter.start(NO_EXTENSIONS));
    for (int i = 0; i < 5; i++) {
      get(exporter.consume(TestRequests.traces("r" + i, 1)));
    }
    await().until(() -> sender.calls.size() == 1);
    get(exporter.shutdown());
    // The request whose retry was cancelled is counted when its cancellation lands, just after shutdown completes.
    await().untilAsserted(() -> assertThat(count("gateway.exporter.send_failed.spans")).isEqualTo(5));
    assertThat(count("gateway.exporter.sent.spans")).isZero();
    assertThat(sender.calls).hasSize(1);
    assertThat(sender.closed).isTrue();
  }

  @Test
  void withoutQueueConsumeWaitsForTheExport() throws Exception {
    QueueSettings off = new QueueSettings(false, 1, 1, 1024, null, Duration.ofSeconds(5));
    ScriptedSender<ExportTraceServiceRequest> sender = new ScriptedSender<ExportTraceServiceRequest>()
        .thenFail(ExportException.retryable("503", null))
        .thenOk()
        .thenFail(ExportException.permanent("400 bad data"));
    var exporter = exporter(config(off, FAST), sender);
    get(exporter.start(NO_EXTENSIONS));
    get(exporter.consume(TestRequests.traces("a", 2)));
    assertThat(count("gateway.exporter.sent.spans")).isEqualTo(2);
    assertThat(sender.calls).hasSize(2);

    Throwable failed = failure(exporter.consume(TestRequests.traces("b", 1)));
    assertThat(((ConsumeException) failed).kind()).isEqualTo(ConsumeException.Kind.PERMANENT);
    assertThat(failed.getMessage()).contains("400 bad data");
    assertThat(exporter.queue()).isNull();
    get(exporter.shutdown());
  }

  @Test
  void lifecycleContract() throws Exception {
    ScriptedSender<ExportTraceServiceRequest> sender = new ScriptedSender<>();
    var neverStarted = exporter(ExporterHelperConfig.DEFAULT, sender);
    get(neverStarted.shutdown());
    get(neverStarted.shutdown());
    assertThat(((ConsumeException) failure(neverStarted.consume(TestRequests.traces("a", 1)))).kind())
        .isEqualTo(ConsumeException.Kind.UNAVAILABLE);

    var exporter = exporter(ExporterHelperConfig.DEFAULT, sender);
    get(exporter.start(NO_EXTENSIONS));
    assertThat(failure(exporter.start(NO_EXTENSIONS))).isInstanceOf(IllegalStateException.class);
    get(exporter.consume(TestRequests.traces("a", 1)));
    get(exporter.consume(ExportTraceServiceRequest.getDefaultInstance())); // empty: nothing to send
    get(exporter.shutdown());
    get(exporter.shutdown());
    assertThat(sender.calls).hasSize(1);
  }

  @Test
  void unknownStorageExtensionFailsStartNamingTheKey() throws Exception {
    QueueSettings q = new QueueSettings(true, 1, 10, 1 << 20, "file_storage", Duration.ofSeconds(1));
    var exporter = exporter(config(q, FAST), new ScriptedSender<>());
    Throwable failed = failure(exporter.start(NO_EXTENSIONS));
    assertThat(failed.getMessage()).contains("exporters::otlp/test::sending_queue::storage").contains("file_storage");
    get(exporter.shutdown());
  }
}
