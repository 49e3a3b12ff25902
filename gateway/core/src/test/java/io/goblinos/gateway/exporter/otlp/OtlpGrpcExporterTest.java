package io.goblinos.gateway.exporter.otlp;

import static io.goblinos.gateway.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.component.Exporter;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.component.NextConsumers;
import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.exporter.sending.TestRequests;
import io.goblinos.gateway.receiver.ReceiverMetrics;
import io.goblinos.gateway.receiver.otlp.grpc.OtlpGrpcServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The otlp exporter against a real OtlpGrpcServer whose pipeline answers from a script. */
class OtlpGrpcExporterTest {
  static Vertx vertx;
  /** A host without extensions. */
  static final Host HOST = new Host() {};

  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final List<ExportTraceServiceRequest> received = new CopyOnWriteArrayList<>();
  final ConcurrentLinkedQueue<Supplier<Future<Void>>> script = new ConcurrentLinkedQueue<>();
  OtlpGrpcServer server;
  Exporter<ExportTraceServiceRequest> exporter;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    get(vertx.close());
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (exporter != null) {
      get(exporter.shutdown());
    }
    if (server != null) {
      get(server.stop());
    }
  }

  int backend(int maxBytes) throws Exception {
    Consumer<ExportTraceServiceRequest> pipeline = r -> {
      received.add(r);
      Supplier<Future<Void>> next = script.poll();
      return next == null ? Future.succeededFuture() : next.get();
    };
    server = new OtlpGrpcServer(vertx, "127.0.0.1", 0, new NextConsumers(Map.of(Signal.TRACES, pipeline)),
        new ReceiverMetrics(meters, "otlp"), maxBytes);
    return get(server.start());
  }

  Exporter<ExportTraceServiceRequest> exporter(Map<String, Object> config) throws Exception {
    OtlpGrpcExporterFactory factory = new OtlpGrpcExporterFactory(name -> null);
    ConfigNode node = new ConfigNode("exporters::otlp/backend", config, new ConfigErrors());
    OtlpGrpcExporterConfig c = factory.parseConfig(node);
    node.finish();
    assertThat(node.errors().messages()).isEmpty();
    ComponentContext ctx = new ComponentContext(ComponentId.parse("otlp/backend"), "", vertx, meters, Path.of("."));
    exporter = factory.create(ctx, c, Signal.TRACES);
    get(exporter.start(HOST));
    return exporter;
  }

  static Map<String, Object> config(int port) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("endpoint", "127.0.0.1:" + port);
    c.put("tls", Map.of("insecure", true));
    c.put("headers", Map.of("X-Scope-OrgID", "goblins"));
    c.put("retry_on_failure", Map.of("initial_interval", "5ms", "max_interval", "5ms", "randomization_factor", 0));
    return c;
  }

  double count(String name) {
    return meters.get(name).tag("exporter", "otlp/backend").counter().count();
  }

  @Test
  void deliversToAnOtlpGrpcServer() throws Exception {
    var e = exporter(config(backend(4 << 20)));
    ExportTraceServiceRequest r1 = TestRequests.traces("one", 3);
    ExportTraceServiceRequest r2 = TestRequests.traces("two", 2);
    get(e.consume(r1));
    get(e.consume(r2));
    await().until(() -> count("gateway.exporter.sent.spans") == 5);
    assertThat(received).containsExactlyInAnyOrder(r1, r2);
  }

  @Test
  void retryableStatusesAreRetriedHonouringRetryInfo() throws Exception {
    var e = exporter(config(backend(4 << 20)));
    script.add(() -> Future.failedFuture(ConsumeException.throttled("busy", Duration.ofMillis(200)))); // RESOURCE_EXHAUSTED + RetryInfo
    script.add(() -> Future.failedFuture(ConsumeException.unavailable("down", null)));                // UNAVAILABLE
    ExportTraceServiceRequest r = TestRequests.traces("retried", 4);
    long start = System.nanoTime();
    get(e.consume(r));
    await().until(() -> count("gateway.exporter.sent.spans") == 4);
    assertThat(received).containsExactly(r, r, r);
    assertThat(meters.get("gateway.exporter.retries").counter().count()).isEqualTo(2);
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
  }

  @Test
  void invalidArgumentIsPermanent() throws Exception {
    var e = exporter(config(backend(4 << 20)));
    script.add(() -> Future.failedFuture(ConsumeException.permanent("bad data")));
    get(e.consume(TestRequests.traces("bad", 2)));
    await().until(() -> count("gateway.exporter.send_failed.spans") == 2);
    assertThat(received).hasSize(1);
    assertThat(meters.get("gateway.exporter.retries").counter().count()).isZero();
  }

  @Test
  void resourceExhaustedWithoutRetryInfoIsPermanent() throws Exception {
    var e = exporter(config(backend(200))); // message too large: RESOURCE_EXHAUSTED, no RetryInfo
    get(e.consume(TestRequests.traces("big", 20)));
    await().until(() -> count("gateway.exporter.send_failed.spans") == 20);
    assertThat(received).isEmpty();
    assertThat(meters.get("gateway.exporter.retries").counter().count()).isZero();
  }

  @Test
  void partialSuccessIsCountedNotRetried() throws Exception {
    var e = exporter(config(backend(4 << 20)));
    ExportTraceServiceRequest good = TestRequests.traces("good", 2);
    ExportTraceServiceRequest mixed = good.toBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()
            .addSpans(Span.newBuilder().setName("no ids"))))
        .build();
    get(e.consume(mixed));
    await().until(() -> count("gateway.exporter.send_failed.spans") == 1);
    assertThat(count("gateway.exporter.sent.spans")).isEqualTo(2);
    assertThat(received).containsExactly(good);
  }

  @Test
  void unreachableBackendIsRetriedUntilItComesUp() throws Exception {
    int port = backend(4 << 20);
    get(server.stop());
    server = null;
    var e = exporter(config(port));
    get(e.consume(TestRequests.traces("later", 1)));
    await().until(() -> meters.get("gateway.exporter.retries").counter().count() >= 2);
    // the backend comes back on the same port
    server = new OtlpGrpcServer(vertx, new OtlpGrpcServer.Options("127.0.0.1", port, 4 << 20),
        new NextConsumers(Map.of(Signal.TRACES, (Consumer<ExportTraceServiceRequest>) r -> {
          received.add(r);
          return Future.succeededFuture();
        })), new ReceiverMetrics(meters, "otlp"));
    get(server.start());
    await().until(() -> count("gateway.exporter.sent.spans") == 1);
    assertThat(received).hasSize(1);
  }

  @Test
  void endpointForms() {
    assertThat(OtlpGrpcExporterFactory.parseTarget("tempo:4317")).isEqualTo(new OtlpGrpcExporterFactory.Target("tempo", 4317, null));
    assertThat(OtlpGrpcExporterFactory.parseTarget("http://tempo")).isEqualTo(new OtlpGrpcExporterFactory.Target("tempo", 4317, false));
    assertThat(OtlpGrpcExporterFactory.parseTarget("https://tempo:443")).isEqualTo(new OtlpGrpcExporterFactory.Target("tempo", 443, true));
    assertThat(OtlpGrpcExporterFactory.parseTarget("dns:///[::1]:4317")).isEqualTo(new OtlpGrpcExporterFactory.Target("::1", 4317, null));
  }

  @Test
  void configDefaultsEnvironmentAndErrors() {
    ConfigNode empty = new ConfigNode("exporters::otlp", Map.of(), new ConfigErrors());
    new OtlpGrpcExporterFactory(n -> null).parseConfig(empty);
    assertThat(empty.errors().messages()).containsExactly("exporters::otlp::endpoint: " + OtlpGrpcExporterFactory.MISSING_ENDPOINT);

    ConfigNode env = new ConfigNode("exporters::otlp", Map.of(), new ConfigErrors());
    OtlpGrpcExporterConfig fromEnv = new OtlpGrpcExporterFactory(
        n -> n.equals("OTEL_EXPORTER_OTLP_ENDPOINT") ? "http://collector:4317" : null).parseConfig(env);
    assertThat(env.errors().messages()).isEmpty();
    assertThat(fromEnv.host()).isEqualTo("collector");
    assertThat(fromEnv.useTls()).isFalse();
    assertThat(fromEnv.compression()).isEqualTo("gzip");
    assertThat(fromEnv.helper().timeout()).isEqualTo(Duration.ofSeconds(5));

    ConfigNode tls = new ConfigNode("exporters::otlp", Map.of("endpoint", "tempo:4317"), new ConfigErrors());
    assertThat(new OtlpGrpcExporterFactory(n -> null).parseConfig(tls).useTls()).isTrue();

    ConfigNode bad = new ConfigNode("exporters::otlp",
        Map.of("endpoint", "ftp://x", "compression", "zstd"), new ConfigErrors());
    new OtlpGrpcExporterFactory(n -> null).parseConfig(bad);
    assertThat(bad.errors().messages())
        .anySatisfy(m -> assertThat(m).startsWith("exporters::otlp::endpoint: was 'ftp://x'"))
        .anySatisfy(m -> assertThat(m).startsWith("exporters::otlp::compression: was 'zstd'"));

    assertThat(new OtlpGrpcExporterFactory(n -> null).defaultConfig().endpoint()).isNull();
  }
}
