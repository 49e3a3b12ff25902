package io.goblinos.gateway.exporter.otlphttp;

import static io.goblinos.gateway.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.luben.zstd.Zstd;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.component.Exporter;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.exporter.sending.TestRequests;
import io.goblinos.gateway.otlp.OtlpJson;
import io.goblinos.gateway.receiver.StatusMapping;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The otlphttp exporter against a small Vert.x HTTP backend on port 0 that answers from a script. */
class OtlpHttpExporterTest {
  static Vertx vertx;
  /** A host without extensions. */
  static final Host HOST = new Host() {};

  record Received(String path, MultiMap headers, byte[] body) {}

  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final List<Received> received = new CopyOnWriteArrayList<>();
  final ConcurrentLinkedQueue<java.util.function.Consumer<HttpServerResponse>> script = new ConcurrentLinkedQueue<>();
  HttpServer backend;
  Exporter<?> exporter;

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
    if (backend != null) {
      get(backend.close());
    }
  }

  int backend() throws Exception {
    backend = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      received.add(new Received(req.path(), MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body.getBytes()));
      java.util.function.Consumer<HttpServerResponse> answer = script.poll();
      if (answer == null) {
        answer = ok(ExportTraceServiceResponse.getDefaultInstance().toByteArray());
      }
      answer.accept(req.response());
    }));
    return get(backend.listen(0, "127.0.0.1")).actualPort();
  }

  static java.util.function.Consumer<HttpServerResponse> ok(byte[] protoBody) {
    return r -> r.putHeader("content-type", "application/x-protobuf").end(Buffer.buffer(protoBody));
  }

  static java.util.function.Consumer<HttpServerResponse> status(int code, String retryAfter, String message) {
    return r -> {
      r.setStatusCode(code).putHeader("content-type", "application/x-protobuf");
      if (retryAfter != null) {
        r.putHeader("retry-after", retryAfter);
      }
      r.end(Buffer.buffer(StatusMapping.protocol(code, message).statusProto()));
    };
  }

  <T extends com.google.protobuf.Message> Exporter<T> exporter(Map<String, Object> config, Signal<T> signal) throws Exception {
    OtlpHttpExporterFactory factory = new OtlpHttpExporterFactory(name -> null);
    ConfigNode node = new ConfigNode("exporters::otlphttp/backend", config, new ConfigErrors());
    OtlpHttpExporterConfig c = factory.parseConfig(node);
    node.finish();
    assertThat(node.errors().messages()).isEmpty();
    ComponentContext ctx = new ComponentContext(ComponentId.parse("otlphttp/backend"), "", vertx, meters, Path.of("."));
    Exporter<T> e = factory.create(ctx, c, signal);
    exporter = e;
    get(e.start(HOST));
    return e;
  }

  static Map<String, Object> config(int port) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("endpoint", "http://127.0.0.1:" + port + "/otlp/");
    c.put("headers", Map.of("X-Scope-OrgID", "goblins"));
    c.put("retry_on_failure", Map.of("initial_interval", "5ms", "max_interval", "5ms", "randomization_factor", 0));
    return c;
  }

  double count(String name) {
    return meters.get(name).tag("exporter", "otlphttp/backend").counter().count();
  }

  double retries() {
    return meters.get("gateway.exporter.retries").counter().count();
  }

  static byte[] gunzip(byte[] b) throws Exception {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
      return in.readAllBytes();
    }
  }

  @Test
  void postsGzippedProtobufToTheSignalPath() throws Exception {
    var e = exporter(config(backend()), Signal.TRACES);
    ExportTraceServiceRequest r = TestRequests.traces("a", 3);
    get(e.consume(r));
    await().until(() -> count("gateway.exporter.sent.spans") == 3);
    Received got = received.get(0);
    assertThat(got.path()).isEqualTo("/otlp/v1/traces");
    assertThat(got.headers().get("content-type")).isEqualTo("application/x-protobuf");
    assertThat(got.headers().get("content-encoding")).isEqualTo("gzip");
    assertThat(got.headers().get("x-scope-orgid")).isEqualTo("goblins");
    assertThat(ExportTraceServiceRequest.parseFrom(gunzip(got.body()))).isEqualTo(r);
  }

  @Test
  void jsonAndZstdAndSignalEndpoint() throws Exception {
    int port = backend();
    Map<String, Object> c = config(port);
    c.remove("endpoint");
    c.put("metrics_endpoint", "http://127.0.0.1:" + port + "/custom/metrics");
    c.put("encoding", "json");
    c.put("compression", "zstd");
    var e = exporter(c, Signal.METRICS);
    ExportMetricsServiceRequest m = ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(io.opentelemetry.proto.metrics.v1.ResourceMetrics.newBuilder()
            .addScopeMetrics(io.opentelemetry.proto.metrics.v1.ScopeMetrics.newBuilder()
                .addMetrics(io.opentelemetry.proto.metrics.v1.Metric.newBuilder().setName("tasks")
                    .setGauge(io.opentelemetry.proto.metrics.v1.Gauge.newBuilder()
                        .addDataPoints(io.opentelemetry.proto.metrics.v1.NumberDataPoint.newBuilder().setAsInt(7))))))
        .build();
    get(e.consume(m));
    await().until(() -> count("gateway.exporter.sent.metric_points") == 1);
    Received got = received.get(0);
    assertThat(got.path()).isEqualTo("/custom/metrics");
    assertThat(got.headers().get("content-type")).isEqualTo("application/json");
    assertThat(got.headers().get("content-encoding")).isEqualTo("zstd");
    byte[] json = Zstd.decompress(got.body(), 1 << 20);
    assertThat((ExportMetricsServiceRequest) OtlpJson.decode(json, ExportMetricsServiceRequest.newBuilder())).isEqualTo(m);
  }

  @Test
  void retryableStatusesAreRetriedHonouringRetryAfter() throws Exception {
    var e = exporter(config(backend()), Signal.TRACES);
    script.add(status(503, "1", "overloaded"));
    script.add(status(429, null, "slow down"));
    script.add(status(502, null, "bad gateway"));
    script.add(status(504, null, "gateway timeout"));
    long start = System.nanoTime();
    get(e.consume(TestRequests.traces("r", 2)));
    await().until(() -> count("gateway.exporter.sent.spans") == 2);
    assertThat(received).hasSize(5);
    assertThat(retries()).isEqualTo(4);
    // Retry-After: 1 second, longer than the 5 ms backoff, was waited for
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofSeconds(1).toNanos());
  }

  @Test
  void otherStatusesArePermanent() throws Exception {
    var e = exporter(config(backend()), Signal.TRACES);
    script.add(status(400, null, "span 3 has no trace id"));
    script.add(status(401, null, "who are you"));
    script.add(status(500, null, "internal"));
    get(e.consume(TestRequests.traces("a", 1)));
    get(e.consume(TestRequests.traces("b", 2)));
    get(e.consume(TestRequests.traces("c", 4)));
    await().until(() -> count("gateway.exporter.send_failed.spans") == 7);
    assertThat(received).hasSize(3);
    assertThat(retries()).isZero();
  }

  @Test
  void partialSuccessIsCountedNotRetried() throws Exception {
    var e = exporter(config(backend()), Signal.TRACES);
    script.add(ok(ExportTraceServiceResponse.newBuilder()
        .setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(2).setErrorMessage("too old"))
        .build().toByteArray()));
    get(e.consume(TestRequests.traces("a", 5)));
    await().until(() -> count("gateway.exporter.send_failed.spans") == 2);
    assertThat(count("gateway.exporter.sent.spans")).isEqualTo(3);
    assertThat(received).hasSize(1);
  }

  @Test
  void fullQueueThrottlesAndShutdownDrains() throws Exception {
    int port = backend();
    List<HttpServerResponse> held = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 2; i++) {
      script.add(held::add);
    }
    Map<String, Object> c = config(port);
    c.put("sending_queue", Map.of("num_consumers", 1, "queue_size", 2));
    var e = exporter(c, Signal.TRACES);
    get(e.consume(TestRequests.traces("a", 1)));
    get(e.consume(TestRequests.traces("b", 1)));
    Throwable refused = e.consume(TestRequests.traces("c", 1)).toCompletionStage().toCompletableFuture()
        .handle((v, t) -> t).get(10, TimeUnit.SECONDS);
    assertThat(refused).isInstanceOf(ConsumeException.class);
    assertThat(((ConsumeException) refused).kind()).isEqualTo(ConsumeException.Kind.THROTTLED);
    assertThat(count("gateway.exporter.enqueue_failed.spans")).isEqualTo(1);

    await().until(() -> held.size() == 1);
    Future<Void> stopped = e.shutdown();
    held.get(0).end(); // the backend answers: the queued request goes out before shutdown completes
    await().until(() -> held.size() == 2);
    held.get(1).end();
    get(stopped);
    assertThat(count("gateway.exporter.sent.spans")).isEqualTo(2);
    exporter = null;
  }

  @Test
  void configDefaultsEnvironmentAndErrors() {
    ConfigNode empty = new ConfigNode("exporters::otlphttp", Map.of(), new ConfigErrors());
    new OtlpHttpExporterFactory(n -> null).parseConfig(empty);
    assertThat(empty.errors().messages())
        .containsExactly("exporters::otlphttp::endpoint: " + OtlpHttpExporterFactory.MISSING_ENDPOINT);
    assertThat(new OtlpHttpExporterFactory(n -> null).defaultConfig().endpoint()).isNull();

    ConfigNode env = new ConfigNode("exporters::otlphttp", Map.of(), new ConfigErrors());
    OtlpHttpExporterConfig fromEnv = new OtlpHttpExporterFactory(
        n -> n.equals("OTEL_EXPORTER_OTLP_ENDPOINT") ? "https://tempo.example:4318" : null).parseConfig(env);
    assertThat(env.errors().messages()).isEmpty();
    assertThat(fromEnv.url(Signal.LOGS)).isEqualTo("https://tempo.example:4318/v1/logs");
    assertThat(fromEnv.compression()).isEqualTo("gzip");
    assertThat(fromEnv.encoding()).isEqualTo("proto");

    ConfigNode bad = new ConfigNode("exporters::otlphttp",
        Map.of("endpoint", "tempo:4318", "encoding", "xml", "tls", Map.of("cert_file", "c.pem")), new ConfigErrors());
    new OtlpHttpExporterFactory(n -> null).parseConfig(bad);
    bad.finish();
    assertThat(bad.errors().messages())
        .anySatisfy(m -> assertThat(m).startsWith("exporters::otlphttp::endpoint: was 'tempo:4318'"))
        .anySatisfy(m -> assertThat(m).startsWith("exporters::otlphttp::encoding: was 'xml'"))
        .anySatisfy(m -> assertThat(m).startsWith("exporters::otlphttp::tls::key_file: cert_file and key_file"));
  }
}
