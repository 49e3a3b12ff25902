package io.goblinos.gateway.tracing.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.goblinos.gateway.tracing.internal.Otlp;
import io.goblinos.gateway.tracing.testing.Contexts;
import io.goblinos.gateway.tracing.testing.GoblinTraces;
import io.goblinos.gateway.tracing.testing.Sink;
import io.goblinos.gateway.tracing.testing.TestHost;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CostProcessorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PRICES = """
      models:
        - {provider: openai, model: "gpt-4o*", input_per_mtok: 2.50, output_per_mtok: 10.00}
        - {provider: openai, model: "gpt-4o-mini*", input_per_mtok: 0.15, output_per_mtok: 0.60}
        - {provider: anthropic, model: claude-sonnet-4-5, input_per_mtok: 3.00, output_per_mtok: 15.00}
        - {provider: "gcp.*", model: "gemini-2.5-flash*", input_per_mtok: 0.30, output_per_mtok: 2.50}
      """;

  @TempDir Path dir;
  private Vertx vertx;
  private PrometheusMeterRegistry registry;
  private GoblinTraces traces;
  private final Sink<ExportTraceServiceRequest> sink = new Sink<>();
  private final TestHost host = new TestHost();
  private CostProcessor processor;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    traces = new GoblinTraces();
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(dir.resolve("conf/prices.yaml"), PRICES);
  }

  @AfterEach
  void tearDown() {
    if (processor != null) {
      processor.shutdown().await();
    }
    traces.close();
    vertx.close().await();
  }

  private CostProcessor start(String yaml) {
    CostConfig cfg = Contexts.parse("processors::cost", yaml, CostConfig::parse);
    processor = new CostProcessor(Contexts.context(vertx, registry, "cost", dir), cfg, new LocalCostStore(), sink);
    processor.start(host).await();
    return processor;
  }

  private Span providerSpan() {
    return Sink.spans(sink.received()).stream()
        .filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT).reduce((a, b) -> b).orElseThrow();
  }

  private static AnyValue attr(Span s, String key) {
    return Otlp.find(s.getAttributesList(), key);
  }

  @Test
  void computesCostTokensAndLatencyFromThePriceTable() {
    start("mode: local");
    processor.consume(traces.request(GoblinTraces.task().tokens(1200, 300))).await();
    Span s = providerSpan();
    // gpt-4o-2024-08-06 matches gpt-4o*: (1200 * 2.50 + 300 * 10.00) / 1e6 = 0.006
    assertThat(attr(s, "llm.cost").getDoubleValue()).isCloseTo(0.006, within(1e-12));
    assertThat(attr(s, "llm.tokens.total").getIntValue()).isEqualTo(1500);
    // provider span runs from start+3ms to end-3ms of an 800 ms task: 0.794 s
    assertThat(attr(s, "llm.latency").getDoubleValue()).isCloseTo(0.794, within(1e-9));
    assertThat(attr(s, "llm.cost.discrepancy")).isNull();
    // non-LLM spans are passed unchanged
    assertThat(Sink.spans(sink.received())).filteredOn(x -> x.getKind() != Span.SpanKind.SPAN_KIND_CLIENT)
        .allSatisfy(x -> assertThat(attr(x, "llm.cost")).isNull());
  }

  @Test
  void mostSpecificPatternAndLegacyAttributesWin() {
    start("mode: local");
    GoblinTraces.Task t = GoblinTraces.task().model("openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18").tokens(1_000_000, 1_000_000);
    processor.consume(traces.request(t)).await();
    assertThat(attr(providerSpan(), "llm.cost").getDoubleValue()).isCloseTo(0.75, within(1e-9));
    sink.clear();
    GoblinTraces.Task g = GoblinTraces.task().model("gemini", "gemini-2.5-flash", null).tokens(2_000_000, 0);
    g.legacySystemAttribute = true; // gen_ai.system: gemini -> gcp.gemini
    processor.consume(traces.request(g)).await();
    assertThat(attr(providerSpan(), "llm.cost").getDoubleValue()).isCloseTo(0.60, within(1e-9));
  }

  @Test
  void flagsDiscrepantClientReportedCost() {
    start("mode: local");
    processor.consume(traces.request(GoblinTraces.task().tokens(1200, 300).reportedCost(0.0062))).await();
    Span close = providerSpan();
    assertThat(attr(close, "llm.cost.discrepancy")).isNull(); // 3.3% off: within 5%
    sink.clear();
    processor.consume(traces.request(GoblinTraces.task().tokens(1200, 300).reportedCost(0.012))).await();
    Span off = providerSpan();
    assertThat(attr(off, "llm.cost").getDoubleValue()).isCloseTo(0.006, within(1e-12));
    assertThat(attr(off, "llm.cost.reported").getDoubleValue()).isEqualTo(0.012);
    assertThat(attr(off, "llm.cost.discrepancy").getBoolValue()).isTrue();
    assertThat(registry.scrape()).contains("llm_cost_discrepancy_total{model=\"gpt-4o-2024-08-06\",provider=\"openai\"} 1.0");
  }

  @Test
  void unknownModelIsCountedAndMarkedNeverGuessed() {
    start("mode: local");
    processor.consume(traces.request(GoblinTraces.task().model("openai", "gpt-7-turbo", null).reportedCost(0.5))).await();
    Span s = providerSpan();
    assertThat(attr(s, "llm.cost.unknown_model").getBoolValue()).isTrue();
    assertThat(attr(s, "llm.cost").getDoubleValue()).isEqualTo(0.5); // the client's own value, untouched
    assertThat(attr(s, "llm.tokens.total").getIntValue()).isEqualTo(1500);
    var totals = processor.store().totals().await();
    assertThat(totals.get(new CostKey("openai", "gpt-7-turbo", "goblin-7")))
        .isEqualTo(new CostTotals(0, 1200, 300, 1, 1));
    assertThat(registry.scrape()).contains("llm_cost_unknown_model_total{model=\"gpt-7-turbo\",provider=\"openai\"} 1.0");
  }

  @Test
  void prometheusNamesAndTotalsPerGoblin() {
    start("mode: local");
    processor.consume(traces.request(GoblinTraces.task().goblin("goblin-1").tokens(1000, 100))).await();
    processor.consume(traces.request(GoblinTraces.task().goblin("goblin-1").tokens(1000, 100))).await();
    processor.consume(traces.request(GoblinTraces.task().goblin("goblin-2").model("anthropic", "claude-sonnet-4-5", null).tokens(1000, 1000))).await();
    String scrape = registry.scrape();
    assertThat(scrape)
        .contains("# TYPE llm_cost_usd_total counter")
        .contains("llm_cost_usd_total{goblin_id=\"goblin-1\",model=\"gpt-4o-2024-08-06\",provider=\"openai\"} 0.007")
        .contains("llm_cost_usd_total{goblin_id=\"goblin-2\",model=\"claude-sonnet-4-5\",provider=\"anthropic\"} 0.018")
        .contains("llm_tokens_total{direction=\"input\",goblin_id=\"goblin-1\",model=\"gpt-4o-2024-08-06\",provider=\"openai\"} 2000.0")
        .contains("llm_tokens_total{direction=\"output\",goblin_id=\"goblin-2\",model=\"claude-sonnet-4-5\",provider=\"anthropic\"} 1000.0");
    var totals = processor.store().totals().await();
    assertThat(totals.get(new CostKey("openai", "gpt-4o-2024-08-06", "goblin-1")).costUsd()).isCloseTo(0.007, within(1e-12));
  }

  @Test
  void adminEndpointsServeCostsAndChangePricesAtRunTime() throws Exception {
    start("mode: local");
    HttpServer admin = host.startAdmin(vertx).await();
    // One connection per call and a connect timeout, so a pooled connection cannot be what hangs: this test hung at
    // the GET after the PUT in about 1 run in 3 on a loaded machine (never alone); the cause is not found yet.
    HttpClient client = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions().setKeepAlive(false)
        .setConnectTimeout(5_000));
    try {
      processor.consume(traces.request(GoblinTraces.task().goblin("goblin-9").tokens(1_000_000, 0))).await();
      JsonNode costs = call(client, admin, HttpMethod.GET, "/v1/costs?goblin_id=goblin-9", null, 200);
      assertThat(costs.get("total_cost_usd").asDouble()).isCloseTo(2.5, within(1e-9));
      assertThat(costs.get("totals").get(0).get("model").asText()).isEqualTo("gpt-4o-2024-08-06");
      // bad price tables are refused with the position of the problem
      JsonNode bad = call(client, admin, HttpMethod.PUT, "/v1/prices",
          "{\"models\":[{\"provider\":\"openai\",\"model\":\"gpt-4o*\",\"input_per_mtok\":\"free\",\"output_per_mtok\":1}]}", 400);
      assertThat(bad.get("error").asText()).contains("models[0].input_per_mtok: was 'free'");
      // a new price applies to the next span, no restart
      call(client, admin, HttpMethod.PUT, "/v1/prices",
          "{\"models\":[{\"provider\":\"openai\",\"model\":\"gpt-4o*\",\"input_per_mtok\":5.0,\"output_per_mtok\":20.0}]}", 200);
      assertThat(call(client, admin, HttpMethod.GET, "/v1/prices", null, 200).get("models")).hasSize(1);
      sink.clear();
      processor.consume(traces.request(GoblinTraces.task().goblin("goblin-9").tokens(1_000_000, 0))).await();
      assertThat(attr(providerSpan(), "llm.cost").getDoubleValue()).isCloseTo(5.0, within(1e-9));
      costs = call(client, admin, HttpMethod.GET, "/v1/costs?goblin_id=goblin-9", null, 200);
      assertThat(costs.get("total_cost_usd").asDouble()).isCloseTo(7.5, within(1e-9));
    } finally {
      client.close().await();
      admin.close().await();
    }
  }

  @Test
  void priceFileIsReloadedWhenItChanges() throws Exception {
    start("mode: local\nreload_interval: 0");
    Path file = dir.resolve("conf/prices.yaml");
    Files.writeString(file, "models: [{provider: openai, model: \"gpt-4o*\", input_per_mtok: 1, output_per_mtok: 1}]");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
    processor.loadPricesFile(false).await();
    processor.consume(traces.request(GoblinTraces.task().tokens(1_000_000, 1_000_000))).await();
    assertThat(attr(providerSpan(), "llm.cost").getDoubleValue()).isCloseTo(2.0, within(1e-9));
  }

  @Test
  void effectiveDatesSelectThePriceOfTheSpanDay() throws Exception {
    PriceIndex index = new PriceIndex(PriceList.parse("""
        models:
          - {provider: openai, model: "o3*", input_per_mtok: 10, output_per_mtok: 40, effective_until: 2025-06-10}
          - {provider: openai, model: "o3*", input_per_mtok: 2, output_per_mtok: 8, effective_from: 2025-06-10}
        """.getBytes()));
    long before = LocalDate.parse("2025-06-09").atStartOfDay().toEpochSecond(java.time.ZoneOffset.UTC) * 1_000_000_000L;
    long after = LocalDate.parse("2025-06-11").atStartOfDay().toEpochSecond(java.time.ZoneOffset.UTC) * 1_000_000_000L;
    assertThat(index.lookup("openai", "o3-2025-04-16", before).inputPerMtok()).isEqualTo(10);
    assertThat(index.lookup("openai", "o3-2025-04-16", after).inputPerMtok()).isEqualTo(2);
    assertThat(index.lookup("anthropic", "o3", after)).isNull();
  }

  @Test
  void shippedPriceFileIsValid() throws Exception {
    Path shipped = Path.of("../../conf/prices.yaml");
    List<PriceEntry> entries = PriceList.parse(Files.readAllBytes(shipped));
    PriceIndex index = new PriceIndex(entries);
    assertThat(index.lookup("openai", "gpt-4o-2024-08-06", 0).inputPerMtok()).isEqualTo(2.50);
    assertThat(index.lookup("openai", "gpt-4o-mini", 0).inputPerMtok()).isEqualTo(0.15);
    assertThat(index.lookup("anthropic", "claude-sonnet-4-5-20250929", 0).outputPerMtok()).isEqualTo(15.00);
    assertThat(index.lookup("gcp.vertex_ai", "gemini-2.5-pro", 0).inputPerMtok()).isEqualTo(1.25);
    assertThat(index.lookup("gemini", "gemini-2.5-flash-lite", 0).inputPerMtok()).isEqualTo(0.10);
  }

  @Test
  void lifecycleShutdownWithoutStartAndTwice() {
    CostConfig cfg = Contexts.parse("processors::cost", "mode: local", CostConfig::parse);
    CostProcessor p = new CostProcessor(Contexts.context(vertx, registry, "cost/x", dir), cfg, new LocalCostStore(), sink);
    p.shutdown().await();
    p.shutdown().await();
  }

  @Test
  void explicitMissingPriceFileFailsStart() {
    CostConfig cfg = Contexts.parse("processors::cost", "mode: local\nprices_file: nope.yaml", CostConfig::parse);
    CostProcessor p = new CostProcessor(Contexts.context(vertx, registry, "cost/y", dir), cfg, new LocalCostStore(), sink);
    assertThat(p.start(new TestHost()).toCompletionStage().toCompletableFuture())
        .failsWithin(java.time.Duration.ofSeconds(10))
        .withThrowableThat().withMessageContaining("nope.yaml does not exist");
    p.shutdown().await();
  }

  static JsonNode call(HttpClient client, HttpServer server, HttpMethod method, String uri, String body, int status)
      throws Exception {
    int[] code = new int[1];
    java.util.function.Supplier<io.vertx.core.Future<Buffer>> attempt = () -> client.request(new RequestOptions()
            .setMethod(method).setHost("127.0.0.1").setPort(server.actualPort()).setURI(uri)
            // a lost response fails the call instead of hanging the build
            .setIdleTimeout(10_000))
        .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
        .compose(resp -> {
          code[0] = resp.statusCode();
          return resp.body();
        });
    // GETs are idempotent: one retry on a connection-level failure (a pooled connection closed under us)
    Buffer b = method == HttpMethod.GET ? attempt.get().recover(err -> attempt.get()).await() : attempt.get().await();
    assertThat(code[0]).as(b.toString()).isEqualTo(status);
    return JSON.readTree(b.getBytes());
  }
}
