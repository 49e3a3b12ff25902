package io.goblinos.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.e2e.GoblinOsServices.LlmCall;
import io.goblinos.gateway.e2e.GoblinOsServices.Sent;
import io.goblinos.gateway.e2e.GoblinOsServices.Task;
import io.goblinos.gateway.testing.Http;
import io.goblinos.gateway.testing.OtlpFiles;
import io.goblinos.gateway.testing.OtlpFiles.Row;
import io.goblinos.gateway.testing.SdkData;
import io.goblinos.gateway.testing.TestGateway;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * GoblinOS traces from the real OpenTelemetry Java SDK (Overmind over OTLP/gRPC, goblin-runtime and LiteBrain over
 * OTLP/HTTP protobuf, W3C trace context propagated between them) through a whole gateway running the default traces
 * pipeline of {@code conf/gateway.yaml} (memory_limiter -> cost -> spanmetrics -> trace_coverage -> tail_sampling ->
 * batch -> file), with short timings, an embedded Hazelcast cost member on a free port and a price file of our own.
 *
 * <p>Six task traces are sent once (see {@link #TASKS}); each test asserts one outcome and waits for it with
 * Awaitility: kept traces whole in traces.jsonl, the sampled-out ones absent, cost enrichment on the provider spans,
 * {@code GET /v1/costs} counting every LLM span (sampled or not), the Prometheus meters, and the span metrics in
 * metrics.jsonl.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GoblinTracesEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(45);

  // USD per million tokens; gpt-4o-mini matches both openai patterns: the longer one must win
  private static final String PRICES = """
      models:
        - {provider: openai, model: "gpt-4o*", input_per_mtok: 2.5, output_per_mtok: 10}
        - {provider: openai, model: "gpt-4o-mini*", input_per_mtok: 0.15, output_per_mtok: 0.6}
        - {provider: anthropic, model: "claude-sonnet-4*", input_per_mtok: 3, output_per_mtok: 15}
      """;

  /** Provider error: kept by the status_code policy. */
  private static final Task ERROR = Task.of("goblin-7", "scribes", "summarize",
      LlmCall.of("openai", "gpt-4o", 1200, 300)).lasting(800).failing();
  /** Fast and successful: dropped by probabilistic 0%, but its cost still counts. */
  private static final Task FAST_OK = Task.of("goblin-9", "miners", "dig",
      LlmCall.of("openai", "gpt-4o-mini", 500, 100)).lasting(300);
  /** 3 s: kept by the latency policy; legacy gen_ai.system; a client-reported cost within 5%. */
  private static final Task SLOW = Task.of("goblin-7", "scribes", "translate",
      LlmCall.of("anthropic", "claude-sonnet-4-5", 2000, 800).legacySystem().reporting(0.0185)).lasting(3000);
  /** A client-reported cost 60% above the computed one; an error, so kept. */
  private static final Task DISCREPANCY = Task.of("goblin-8", "smiths", "forge",
      LlmCall.of("openai", "gpt-4o", 1000, 1000).reporting(0.02)).lasting(600).failing();
  /** A model without a price; slow, so kept. */
  private static final Task UNKNOWN_MODEL = Task.of("goblin-8", "smiths", "appraise",
      LlmCall.of("openai", "gpt-9-preview", 100, 50)).lasting(2500);
  /** goblin-runtime calls the provider itself: LiteBrain is missing; fast and successful, so dropped. */
  private static final Task NO_LITEBRAIN = Task.of("goblin-9", "miners", "survey",
      LlmCall.of("openai", "gpt-4o-mini", 10, 10)).lasting(150).withoutLitebrain();
  private static final List<Task> TASKS = List.of(ERROR, FAST_OK, SLOW, DISCREPANCY, UNKNOWN_MODEL, NO_LITEBRAIN);
  private static final Set<Task> KEPT = Set.of(ERROR, SLOW, DISCREPANCY, UNKNOWN_MODEL);

  private static final Set<String> COST_ATTRIBUTES = Set.of("llm.cost", "llm.cost.reported", "llm.cost.discrepancy",
      "llm.cost.unknown_model", "llm.tokens.total", "llm.latency");

  @TempDir static Path dir;
  private TestGateway gateway;
  private GoblinOsServices services;
  private final Map<Task, Sent> sent = new LinkedHashMap<>();
  /** What the SDK exported, flattened to (resource, scope, span) rows, by trace id. */
  private Map<String, List<Row<Span>>> exported;

  private static double cost(long in, long out, double inPerMtok, double outPerMtok) {
    return (in * inPerMtok + out * outPerMtok) / 1_000_000.0;
  }

  @BeforeAll
  void sendGoblinTraffic() throws IOException {
    Path prices = Files.writeString(dir.resolve("prices.yaml"), PRICES);
    gateway = TestGateway.start("""
        receivers:
          otlp:
            protocols:
              grpc: {endpoint: 127.0.0.1:0}
              http: {endpoint: 127.0.0.1:0}
        processors:
          memory_limiter: {check_interval: 1s, limit_percentage: 80, spike_limit_percentage: 20}
          cost:
            prices_file: %s
            reload_interval: 0s
            hazelcast: {cluster_name: goblin-e2e-%s, port: %d, port_count: 20}
          spanmetrics:
            metrics_pipeline: metrics
            flush_interval: 200ms
          trace_coverage:
            incomplete_after: 5s
            check_interval: 100ms
          tail_sampling:
            decision_wait: 1s
            num_traces: 1000
            decision_cache: {sampled_cache_size: 1000, non_sampled_cache_size: 1000}
            policies:
              - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
              - {name: slow, type: latency, latency: {threshold_ms: 2000}}
              - {name: none-of-the-rest, type: probabilistic, probabilistic: {sampling_percentage: 0}}
          batch: {timeout: 100ms, send_batch_size: 8192}
        exporters:
          file: {directory: out}
        service:
          pipelines:
            traces:
              receivers: [otlp]
              processors: [memory_limiter, cost, spanmetrics, trace_coverage, tail_sampling, batch]
              exporters: [file]
            metrics:
              receivers: [otlp]
              processors: [memory_limiter, batch]
              exporters: [file]
        """.formatted(prices.toAbsolutePath(), UUID.randomUUID(), freePort()), dir);
    services = new GoblinOsServices(gateway.grpcPort(), gateway.httpPort());
    for (Task t : TASKS) {
      sent.put(t, services.run(t));
    }
    services.flush();
    exported = OtlpFiles.spans(List.of(SdkData.toProto(services.captured()))).stream()
        .collect(Collectors.groupingBy(r -> hex(r.item().getTraceId()), LinkedHashMap::new, Collectors.toList()));
    assertThat(exported).as("the SDK exported every task trace").hasSize(TASKS.size());
  }

  @AfterAll
  void stop() {
    if (services != null) {
      services.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  // ---- tail sampling: whole traces, errors and slow kept, the rest dropped

  @Test
  void keptTracesAreWholeAcrossServicesAndTheRestIsAbsent() {
    int keptSpans = KEPT.stream().mapToInt(t -> sent.get(t).serviceBySpanId().size()).sum();
    assertThat(keptSpans).isEqualTo(4 * 6);
    await().atMost(WAIT).untilAsserted(() -> {
      PrometheusText m = scrape();
      assertThat(m.value("gateway_processor_tail_sampling_traces_decided_total", "decision", "sampled")).hasValue(4.0);
      assertThat(m.value("gateway_processor_tail_sampling_traces_decided_total", "decision", "not_sampled")).hasValue(2.0);
      assertThat(m.value("gateway_processor_tail_sampling_traces_pending")).hasValue(0.0);
      assertThat(m.value("gateway_processor_tail_sampling_pending_bytes")).as("stored spans and resources freed")
          .hasValue(0.0);
      assertThat(written()).hasSize(keptSpans);
    });
    Map<String, List<Row<Span>>> byTrace = written().stream()
        .collect(Collectors.groupingBy(r -> hex(r.item().getTraceId())));
    assertThat(byTrace.keySet()).as("exactly the error and slow traces are in traces.jsonl")
        .containsExactlyInAnyOrderElementsOf(KEPT.stream().map(t -> sent.get(t).traceId()).toList());
    for (Task t : KEPT) {
      Sent s = sent.get(t);
      List<Row<Span>> rows = byTrace.get(s.traceId());
      // every span once, each under its own service's resource, parent links intact
      assertThat(rows).extracting(r -> hex(r.item().getSpanId()))
          .as("spans of %s", t.task()).containsExactlyInAnyOrderElementsOf(s.serviceBySpanId().keySet());
      for (Row<Span> r : rows) {
        assertThat(attr(r.resource().getAttributesList(), "service.name").getStringValue())
            .isEqualTo(s.serviceBySpanId().get(hex(r.item().getSpanId())));
      }
      assertThat(rows.stream().map(r -> attr(r.resource().getAttributesList(), "service.name").getStringValue())
          .distinct()).containsExactlyInAnyOrder("overmind", "goblin-runtime", "litebrain");
      // and, but for the cost attributes, exactly what the SDK sent: resource, scope, ids, times, attributes, status
      assertThat(rows.stream().map(GoblinTracesEndToEndTest::withoutCostAttributes).toList())
          .containsExactlyInAnyOrderElementsOf(exported.get(s.traceId()).stream()
              .map(GoblinTracesEndToEndTest::withoutCostAttributes).toList());
    }
    for (Task dropped : List.of(FAST_OK, NO_LITEBRAIN)) {
      assertThat(written()).noneMatch(r -> hex(r.item().getTraceId()).equals(sent.get(dropped).traceId()));
    }
    PrometheusText m = scrape();
    assertThat(m.value("gateway_processor_tail_sampling_policy_decisions_total", "policy", "errors", "decision", "sampled"))
        .hasValue(2.0);
    assertThat(m.value("gateway_processor_tail_sampling_policy_decisions_total", "policy", "slow", "decision", "sampled"))
        .hasValue(2.0);
    assertThat(m.value("gateway_processor_tail_sampling_policy_decisions_total", "policy", "none-of-the-rest",
        "decision", "sampled")).hasValue(0.0);
  }

  // ---- cost enrichment on the spans in the file

  @Test
  void providerSpansCarryTokensCostAndLatency() {
    Span error = awaitProviderSpan(ERROR);
    assertThat(attr(error.getAttributesList(), "llm.tokens.total").getIntValue()).isEqualTo(1500);
    assertThat(attr(error.getAttributesList(), "llm.cost").getDoubleValue())
        .isCloseTo(cost(1200, 300, 2.5, 10), within(1e-15)).isCloseTo(0.006, within(1e-12));
    assertThat(attr(error.getAttributesList(), "llm.latency").getDoubleValue())
        .isEqualTo((error.getEndTimeUnixNano() - error.getStartTimeUnixNano()) / 1e9)
        .isCloseTo(0.790, within(1e-9));
    assertThat(attr(error.getAttributesList(), "llm.cost.discrepancy")).isNull();
    assertThat(attr(error.getAttributesList(), "llm.cost.unknown_model")).isNull();

    // legacy gen_ai.system; reported 0.0185 is within 5% of 0.018: the computed cost stands, nothing flagged
    Span slow = awaitProviderSpan(SLOW);
    assertThat(attr(slow.getAttributesList(), "gen_ai.system").getStringValue()).isEqualTo("anthropic");
    assertThat(attr(slow.getAttributesList(), "llm.tokens.total").getIntValue()).isEqualTo(2800);
    assertThat(attr(slow.getAttributesList(), "llm.cost").getDoubleValue())
        .isCloseTo(cost(2000, 800, 3, 15), within(1e-15)).isCloseTo(0.018, within(1e-12));
    assertThat(attr(slow.getAttributesList(), "llm.latency").getDoubleValue()).isCloseTo(2.990, within(1e-9));
    assertThat(attr(slow.getAttributesList(), "llm.cost.reported")).isNull();
    assertThat(attr(slow.getAttributesList(), "llm.cost.discrepancy")).isNull();
  }

  @Test
  void aReportedCostOffByMoreThanFivePercentIsKeptAndFlagged() {
    Span span = awaitProviderSpan(DISCREPANCY);
    assertThat(attr(span.getAttributesList(), "llm.cost").getDoubleValue())
        .isCloseTo(cost(1000, 1000, 2.5, 10), within(1e-15)).isCloseTo(0.0125, within(1e-12));
    assertThat(attr(span.getAttributesList(), "llm.cost.reported").getDoubleValue()).isEqualTo(0.02);
    assertThat(attr(span.getAttributesList(), "llm.cost.discrepancy").getBoolValue()).isTrue();
    assertThat(attr(span.getAttributesList(), "llm.tokens.total").getIntValue()).isEqualTo(2000);
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        scrape().value("llm_cost_discrepancy_total", "provider", "openai", "model", "gpt-4o")).hasValue(1.0));
  }

  @Test
  void anUnknownModelIsMarkedAndCountedButNotPriced() {
    Span span = awaitProviderSpan(UNKNOWN_MODEL);
    assertThat(attr(span.getAttributesList(), "llm.cost.unknown_model").getBoolValue()).isTrue();
    assertThat(attr(span.getAttributesList(), "llm.cost")).as("no guessed price").isNull();
    assertThat(attr(span.getAttributesList(), "llm.tokens.total").getIntValue()).isEqualTo(150);
    assertThat(attr(span.getAttributesList(), "llm.latency").getDoubleValue()).isCloseTo(2.490, within(1e-9));
    await().atMost(WAIT).untilAsserted(() -> {
      PrometheusText m = scrape();
      assertThat(m.value("llm_cost_unknown_model_total", "provider", "openai", "model", "gpt-9-preview")).hasValue(1.0);
      assertThat(m.find("llm_cost_usd_total", "model", "gpt-9-preview")).allMatch(s -> s.value() == 0.0);
      assertThat(m.value("llm_tokens_total", "provider", "openai", "model", "gpt-9-preview", "goblin_id", "goblin-8",
          "direction", "input")).hasValue(100.0);
    });
  }

  // ---- GET /v1/costs: every LLM span, sampled or not

  @Test
  void costsEndpointTotalsEveryLlmSpanSampledOrNot() {
    double miniCost = cost(500, 100, 0.15, 0.6) + cost(10, 10, 0.15, 0.6);
    double total = cost(1200, 300, 2.5, 10) + miniCost + cost(2000, 800, 3, 15) + cost(1000, 1000, 2.5, 10);
    await().atMost(WAIT).untilAsserted(() -> {
      JsonObject body = costs("/v1/costs");
      assertThat(body.getString("currency")).isEqualTo("USD");
      Map<String, JsonObject> rows = rows(body.getJsonArray("totals"));
      assertThat(rows.keySet()).containsExactlyInAnyOrder(
          "openai|gpt-4o|goblin-7", "openai|gpt-4o-mini|goblin-9", "anthropic|claude-sonnet-4-5|goblin-7",
          "openai|gpt-4o|goblin-8", "openai|gpt-9-preview|goblin-8");
      assertRow(rows.get("openai|gpt-4o|goblin-7"), cost(1200, 300, 2.5, 10), 1200, 300, 1, 0);
      // both goblin-9 traces were sampled out; both are counted
      assertRow(rows.get("openai|gpt-4o-mini|goblin-9"), miniCost, 510, 110, 2, 0);
      assertRow(rows.get("anthropic|claude-sonnet-4-5|goblin-7"), cost(2000, 800, 3, 15), 2000, 800, 1, 0);
      assertRow(rows.get("openai|gpt-4o|goblin-8"), cost(1000, 1000, 2.5, 10), 1000, 1000, 1, 0);
      assertRow(rows.get("openai|gpt-9-preview|goblin-8"), 0.0, 100, 50, 1, 1);
      assertThat(body.getDouble("total_cost_usd")).isCloseTo(total, within(1e-12)).isCloseTo(0.0366425, within(1e-12));
    });
    JsonObject goblin9 = costs("/v1/costs?goblin_id=goblin-9");
    assertThat(rows(goblin9.getJsonArray("totals")).keySet()).containsExactly("openai|gpt-4o-mini|goblin-9");
    assertThat(goblin9.getDouble("total_cost_usd")).isCloseTo(miniCost, within(1e-15));
  }

  // ---- /metrics

  @Test
  void prometheusHasCostTokenLatencyAndCoverageMeters() {
    await().atMost(WAIT).untilAsserted(() -> {
      PrometheusText m = scrape();
      assertThat(m.value("llm_cost_usd_total", "provider", "openai", "model", "gpt-4o", "goblin_id", "goblin-7"))
          .hasValueSatisfying(v -> assertThat(v).isCloseTo(cost(1200, 300, 2.5, 10), within(1e-12)));
      assertThat(m.value("llm_cost_usd_total", "provider", "openai", "model", "gpt-4o-mini", "goblin_id", "goblin-9"))
          .hasValueSatisfying(v -> assertThat(v)
              .isCloseTo(cost(500, 100, 0.15, 0.6) + cost(10, 10, 0.15, 0.6), within(1e-12)));
      assertThat(m.value("llm_cost_usd_total", "provider", "anthropic", "model", "claude-sonnet-4-5", "goblin_id", "goblin-7"))
          .hasValueSatisfying(v -> assertThat(v).isCloseTo(0.018, within(1e-12)));
      assertThat(m.value("llm_tokens_total", "provider", "openai", "model", "gpt-4o", "goblin_id", "goblin-7",
          "direction", "input")).hasValue(1200.0);
      assertThat(m.value("llm_tokens_total", "provider", "openai", "model", "gpt-4o", "goblin_id", "goblin-7",
          "direction", "output")).hasValue(300.0);
      assertThat(m.value("llm_tokens_total", "provider", "openai", "model", "gpt-4o-mini", "goblin_id", "goblin-9",
          "direction", "input")).hasValue(510.0);

      // task latency, from the goblin-runtime task span (d - 4 ms), before sampling
      String[] summarize = {"goblin_id", "goblin-7", "guild", "scribes", "task", "summarize"};
      assertThat(m.bucket("goblin_task_latency_seconds", 0.5, summarize)).hasValue(0.0);
      assertThat(m.bucket("goblin_task_latency_seconds", 1.0, summarize)).hasValue(1.0);
      assertThat(m.bucket("goblin_task_latency_seconds", Double.POSITIVE_INFINITY, summarize)).hasValue(1.0);
      String[] translate = {"goblin_id", "goblin-7", "guild", "scribes", "task", "translate"};
      assertThat(m.bucket("goblin_task_latency_seconds", 2.5, translate)).hasValue(0.0);
      assertThat(m.bucket("goblin_task_latency_seconds", 5.0, translate)).hasValue(1.0);
      String[] dig = {"goblin_id", "goblin-9", "guild", "miners", "task", "dig"}; // sampled out, still measured
      assertThat(m.bucket("goblin_task_latency_seconds", 0.25, dig)).hasValue(0.0);
      assertThat(m.bucket("goblin_task_latency_seconds", 0.5, dig)).hasValue(1.0);
      assertThat(m.value("goblin_task_latency_seconds_count", summarize)).hasValue(1.0);
      assertThat(m.value("goblin_task_latency_seconds_sum", translate))
          .hasValueSatisfying(v -> assertThat(v).isCloseTo(2.996, within(1e-6)));

      assertThat(m.value("goblin_service_requests_total", "service", "overmind")).hasValue(6.0);
      assertThat(m.value("goblin_service_requests_total", "service", "litebrain")).hasValue(5.0);
      assertThat(m.value("goblin_service_errors_total", "service", "litebrain")).hasValue(2.0);
      assertThat(m.value("goblin_provider_requests_total", "provider", "openai")).hasValue(5.0);
      assertThat(m.value("goblin_provider_errors_total", "provider", "openai")).hasValue(2.0);

      // coverage: five complete chains, one without LiteBrain (judged incomplete_after = 5 s after its first span)
      assertThat(m.value("gateway_incomplete_traces_total", "missing_service", "litebrain")).hasValue(1.0);
      for (String hop : List.of("overmind", "goblin-runtime", "provider")) {
        assertThat(m.value("gateway_incomplete_traces_total", "missing_service", hop)).as(hop).hasValue(0.0);
      }
      assertThat(m.value("gateway_processor_trace_coverage_traces_complete_total")).hasValue(5.0);
      assertThat(m.value("gateway_processor_trace_coverage_traces_pending")).hasValue(0.0);
      assertThat(m.value("gateway_processor_trace_coverage_traces_evicted_total")).hasValue(0.0);
      assertThat(m.value("gateway_trace_coverage_ratio"))
          .hasValueSatisfying(v -> assertThat(v).isCloseTo(5.0 / 6.0, within(1e-9)));
    });
  }

  // ---- metrics.jsonl: the span metrics through the metrics pipeline

  @Test
  void spanMetricsArriveThroughTheMetricsPipeline() {
    await().atMost(WAIT).untilAsserted(() -> {
      List<Row<Metric>> rows = OtlpFiles.metricsIn(dir.resolve("out"));
      Row<Metric> latency = last(rows, "goblin.task.latency");
      assertThat(attr(latency.resource().getAttributesList(), "service.name").getStringValue()).isEqualTo("goblin-gateway");
      assertThat(latency.item().getUnit()).isEqualTo("s");
      List<HistogramDataPoint> points = latency.item().getHistogram().getDataPointsList();
      assertThat(points).hasSize(TASKS.size());
      HistogramDataPoint summarize = point(points, "goblin-7", "scribes", "summarize");
      assertThat(summarize.getCount()).isEqualTo(1);
      assertThat(summarize.getSum()).isCloseTo(0.796, within(1e-9));
      int le1 = summarize.getExplicitBoundsList().indexOf(1.0);
      assertThat(summarize.getBucketCountsList().get(le1)).as("bucket (0.5, 1]").isEqualTo(1);
      assertThat(point(points, "goblin-9", "miners", "survey").getCount()).as("sampled out, still measured").isEqualTo(1);

      assertThat(counter(last(rows, "goblin.service.requests"), "service", "overmind")).isEqualTo(6);
      assertThat(counter(last(rows, "goblin.service.requests"), "service", "goblin-runtime")).isEqualTo(6);
      assertThat(counter(last(rows, "goblin.service.requests"), "service", "litebrain")).isEqualTo(5);
      assertThat(counter(last(rows, "goblin.service.errors"), "service", "litebrain")).isEqualTo(2);
      assertThat(counter(last(rows, "goblin.provider.requests"), "provider", "openai")).isEqualTo(5);
      assertThat(counter(last(rows, "goblin.provider.requests"), "provider", "anthropic")).isEqualTo(1);
      assertThat(counter(last(rows, "goblin.provider.errors"), "provider", "openai")).isEqualTo(2);
    });
  }

  // ---- helpers

  private List<Row<Span>> written() {
    return OtlpFiles.tracesIn(dir.resolve("out"));
  }

  private Span awaitProviderSpan(Task t) {
    Sent s = sent.get(t);
    List<Span> found = new ArrayList<>();
    await().atMost(WAIT).untilAsserted(() -> {
      found.clear();
      written().stream().map(Row::item).filter(sp -> hex(sp.getSpanId()).equals(s.providerSpanId())).forEach(found::add);
      assertThat(found).as("provider span of %s in traces.jsonl", t.task()).hasSize(1);
    });
    return found.get(0);
  }

  private PrometheusText scrape() {
    HttpResponse<byte[]> r = Http.get(gateway.telemetryPort(), "/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    return PrometheusText.parse(Http.text(r));
  }

  private JsonObject costs(String path) {
    HttpResponse<byte[]> r = Http.get(gateway.telemetryPort(), path);
    assertThat(r.statusCode()).as(Http.text(r)).isEqualTo(200);
    return new JsonObject(Http.text(r));
  }

  private static Map<String, JsonObject> rows(JsonArray totals) {
    Map<String, JsonObject> out = new LinkedHashMap<>();
    for (int i = 0; i < totals.size(); i++) {
      JsonObject row = totals.getJsonObject(i);
      out.put(row.getString("provider") + "|" + row.getString("model") + "|" + row.getString("goblin_id"), row);
    }
    return out;
  }

  private static void assertRow(JsonObject row, double costUsd, long in, long out, long spans, long unpriced) {
    assertThat(row.getDouble("cost_usd")).as("cost_usd of %s", row).isCloseTo(costUsd, within(1e-12));
    assertThat(row.getLong("input_tokens")).as("input_tokens of %s", row).isEqualTo(in);
    assertThat(row.getLong("output_tokens")).as("output_tokens of %s", row).isEqualTo(out);
    assertThat(row.getLong("spans")).as("spans of %s", row).isEqualTo(spans);
    assertThat(row.getLong("unpriced_spans")).as("unpriced_spans of %s", row).isEqualTo(unpriced);
  }

  private static Row<Metric> last(List<Row<Metric>> rows, String name) {
    Row<Metric> found = null;
    for (Row<Metric> r : rows) {
      if (r.item().getName().equals(name)) {
        found = r;
      }
    }
    assertThat(found).as("%s in metrics.jsonl", name).isNotNull();
    return found;
  }

  private static HistogramDataPoint point(List<HistogramDataPoint> points, String goblin, String guild, String task) {
    return points.stream().filter(p -> goblin.equals(attr(p.getAttributesList(), "goblin_id").getStringValue())
            && guild.equals(attr(p.getAttributesList(), "guild").getStringValue())
            && task.equals(attr(p.getAttributesList(), "task").getStringValue()))
        .findFirst().orElseThrow(() -> new AssertionError("no latency point for " + goblin + "/" + guild + "/" + task));
  }

  private static long counter(Row<Metric> metric, String label, String value) {
    assertThat(metric.item().getSum().getIsMonotonic()).isTrue();
    return metric.item().getSum().getDataPointsList().stream()
        .filter(p -> value.equals(attr(p.getAttributesList(), label).getStringValue()))
        .mapToLong(NumberDataPoint::getAsInt).findFirst()
        .orElseThrow(() -> new AssertionError("no " + metric.item().getName() + "{" + label + "=" + value + "}"));
  }

  private static AnyValue attr(List<KeyValue> attributes, String key) {
    return attributes.stream().filter(kv -> kv.getKey().equals(key)).map(KeyValue::getValue).findFirst().orElse(null);
  }

  private static Row<Span> withoutCostAttributes(Row<Span> r) {
    Span.Builder b = r.item().toBuilder().clearAttributes();
    r.item().getAttributesList().stream().filter(kv -> !COST_ATTRIBUTES.contains(kv.getKey())).forEach(b::addAttributes);
    return new Row<>(r.resource(), r.scope(), b.build());
  }

  private static String hex(com.google.protobuf.ByteString id) {
    return HexFormat.of().formatHex(id.toByteArray());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
