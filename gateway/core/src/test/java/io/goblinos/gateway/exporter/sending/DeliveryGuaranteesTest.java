package io.goblinos.gateway.exporter.sending;

import static io.goblinos.gateway.testing.Futures.failure;
import static io.goblinos.gateway.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.signal.Signal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wait_for_result, full_policy and dead letters of the exporter helper (memory queue). */
class DeliveryGuaranteesTest {
  static Vertx vertx;
  SimpleMeterRegistry meters;
  @TempDir Path dir;

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

  QueuedRetryExporter<ExportTraceServiceRequest> exporter(QueueSettings q, RetrySettings r, Sender<ExportTraceServiceRequest> sender) {
    ComponentContext ctx = new ComponentContext(ComponentId.parse("otlp/test"), "", vertx, meters, dir);
    return new QueuedRetryExporter<>(ctx, Signal.TRACES, new ExporterHelperConfig(Duration.ofSeconds(5), q, r), sender, () -> 0.5);
  }

  static QueueSettings queue(int consumers, int size) {
    return new QueueSettings(true, consumers, size, 64L << 20, null, Duration.ofSeconds(5));
  }

  double count(String name) {
    return meters.get(name).tag("exporter", "otlp/test").counter().count();
  }

  double functionCount(String name) {
    return meters.get(name).tag("exporter", "otlp/test").functionCounter().count();
  }

  @Test
  void newKeysAreParsedWithDefaults() {
    ConfigNode empty = ConfigNode.empty("exporters::otlp::sending_queue");
    QueueSettings d = QueueSettings.parse(empty);
    assertThat(d.fullPolicy()).isEqualTo(QueueSettings.FullPolicy.BACKPRESSURE);
    assertThat(d.waitForResult()).isFalse();
    assertThat(d.deadLetterFile()).isNull();
    assertThat(d).isEqualTo(QueueSettings.DEFAULT);

    ConfigNode node = new ConfigNode("exporters::otlp::sending_queue", Map.of(
        "full_policy", "drop_oldest", "wait_for_result", "true", "dead_letter_file", "dlq/x.jsonl",
        "dead_letter_max_size", "10MiB"), new io.goblinos.gateway.api.config.ConfigErrors());
    QueueSettings s = QueueSettings.parse(node);
    node.finish();
    assertThat(node.errors().messages()).isEmpty();
    assertThat(s.fullPolicy()).isEqualTo(QueueSettings.FullPolicy.DROP_OLDEST);
    assertThat(s.waitForResult()).isTrue();
    assertThat(s.deadLetterFile()).isEqualTo("dlq/x.jsonl");
    assertThat(s.deadLetterMaxSize()).isEqualTo(10L << 20);

    ConfigNode bad = new ConfigNode("exporters::otlp::sending_queue", Map.of("full_policy", "block"),
        new io.goblinos.gateway.api.config.ConfigErrors());
    QueueSettings.parse(bad);
    assertThat(bad.errors().messages()).anyMatch(m -> m.contains("sending_queue::full_policy") && m.contains("drop_oldest"));
  }

  @Test
  void waitForResultAnswersOnlyAfterTheExport() throws Exception {
    ScriptedSender<ExportTraceServiceRequest> sender = new ScriptedSender<ExportTraceServiceRequest>().thenHold();
    var exporter = exporter(queue(2, 10).withWaitForResult(true), FAST, sender);
    get(exporter.start(Host.class.cast(new Host() {})));
    Future<Void> consumed = exporter.consume(TestRequests.traces("a", 2));
    await().until(() -> sender.held.size() == 1);
    assertThat(consumed.isComplete()).isFalse(); // queued, but not yet exported
    sender.held.get(0).complete(SendResult.OK);
    get(consumed);

    sender.always(() -> Future.failedFuture(ExportException.permanent("400 bad span")));
    Throwable t = failure(exporter.consume(TestRequests.traces("b", 1)));
    assertThat(((ConsumeException) t).kind()).isEqualTo(ConsumeException.Kind.PERMANENT);
    assertThat(t).hasMessageContaining("400 bad span");
    get(exporter.shutdown());
  }

  @Test
  void waitForResultFailsWaitersAtShutdown() throws Exception {
    ScriptedSender<ExportTraceServiceRequest> sender = new ScriptedSender<ExportTraceServiceRequest>()
        .always(() -> Future.failedFuture(ExportException.retryable("503", null)));
    QueueSettings q = new QueueSettings(true, 1, 10, 1 << 20, null, Duration.ofMillis(100))
        .withWaitForResult(true);
    var exporter = exporter(q, FAST, sender);
    get(exporter.start(new Host() {}));
    Future<Void> consumed = exporter.consume(TestRequests.traces("a", 1));
    await().until(() -> sender.calls.size() > 2);
    get(exporter.shutdown());
    Throwable t = failure(consumed);
    assertThat(((ConsumeException) t).kind()).isEqualTo(ConsumeException.Kind.UNAVAILABLE);
  }

  @Test
  void dropOldestMakesRoomAndCounts() throws Exception {
    ScriptedSender<ExportTraceServiceRequest> sender = new ScriptedSender<ExportTraceServiceRequest>();
    Promise<SendResult> gate = Promise.promise();
    sender.always(() -> gate.future());
    var exporter = exporter(queue(1, 3).withFullPolicy(QueueSettings.FullPolicy.DROP_OLDEST), FAST, sender);
    get(exporter.start(new Host() {}));
    for (int i = 0; i < 6; i++) {
      get(exporter.consume(TestRequests.traces("r" + i, 2))); // never refused
      if (i == 0) {
        await().until(() -> sender.calls.size() == 1); // r0 is being sent
      }
    }
    assertThat(functionCount("gateway.exporter.queue.dropped.spans")).isEqualTo(6); // r1, r2, r3
    gate.complete(SendResult.OK);
    await().until(() -> count("gateway.exporter.sent.spans") == 6); // r0, r4, r5
    assertThat(sender.calls).extracting(r -> r.getResourceSpans(0).getScopeSpans(0).getSpans(0).getName())
        .containsExactly("r0-0", "r4-0", "r5-0");
    get(exporter.shutdown());
  }

  @Test
  void givenUpRequestsGoToTheDeadLetterFile() throws Exception {
    ScriptedSender<ExportTraceServiceRequest> sender = new ScriptedSender<ExportTraceServiceRequest>()
        .thenFail(ExportException.permanent("400 invalid span"))
        .always(() -> Future.failedFuture(ExportException.retryable("503 down", null)));
    RetrySettings shortRetries =
        new RetrySettings(true, Duration.ofMillis(5), 0.0, 1.0, Duration.ofMillis(5), Duration.ofMillis(50));
    var exporter = exporter(queue(1, 10).withDeadLetterFile("dead/letters.jsonl"), shortRetries, sender);
    get(exporter.start(new Host() {}));
    get(exporter.consume(TestRequests.traces("bad", 2)));
    get(exporter.consume(TestRequests.traces("late", 3)));
    await().until(() -> count("gateway.exporter.dead_lettered.spans") == 5);
    assertThat(count("gateway.exporter.send_failed.spans")).isEqualTo(5);
    List<String> lines = Files.readAllLines(dir.resolve("dead/letters.jsonl"), StandardCharsets.UTF_8);
    assertThat(lines).hasSize(2);
    JsonObject first = new JsonObject(lines.get(0));
    assertThat(first.getString("reason")).contains("permanent error").contains("400 invalid span");
    assertThat(first.getString("exporter")).isEqualTo("otlp/test");
    assertThat(first.getString("signal")).isEqualTo("traces");
    assertThat(first.getInteger("items")).isEqualTo(2);
    assertThat(first.getString("time")).endsWith("Z");
    assertThat(first.getJsonObject("request").encode()).contains("bad-0", "bad-1");
    assertThat(new JsonObject(lines.get(1)).getString("reason")).contains("max_elapsed_time");
    get(exporter.shutdown());
  }
}
