package io.goblinos.gateway.charts;

import io.goblinos.gateway.service.GatewayRuntime;
import io.goblinos.gateway.testing.TestGateway;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts the gateway in this JVM on the config the chart renders with its default values (every port ephemeral, every
 * directory under a temp dir), plus a forwarding {@code otlp} exporter with a {@code file_storage} queue towards a
 * closed port (as a production values file adds one), sends the traffic that makes lazily registered meters appear
 * (an LLM span with a goblin task, an unpriced model, a refused audit event, an undecodable request), and scrapes
 * {@code /metrics} over HTTP. The result: every metric name and its label names.
 */
final class GatewayScrape {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})?\\s");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

  /** Meters registered at the first matching item, which the traffic below must bring out. */
  private static final Set<String> LAZY = Set.of("llm_cost_usd_total", "llm_tokens_total", "llm_cost_unknown_model_total",
      "llm_cost_discrepancy_total", "goblin_task_latency_seconds_bucket", "goblin_provider_requests_total",
      "goblin_provider_errors_total", "goblin_service_requests_total", "goblin_service_errors_total",
      "gateway_audit_rejected_events_total", "gateway_receiver_requests_total");

  private static Map<String, Set<String>> cached;

  private GatewayScrape() {}

  /** Metric name → label names, from one real scrape (run once per JVM). */
  static synchronized Map<String, Set<String>> metrics() throws Exception {
    if (cached == null) {
      Path dir = Files.createTempDirectory("goblin-scrape");
      try {
        cached = scrape(dir);
      } finally {
        deleteTree(dir);
      }
    }
    return cached;
  }

  private static Map<String, Set<String>> scrape(Path dir) throws Exception {
    String yaml = ChartRenderTest.gatewayConfig(Charts.template(null, Map.of()));
    Files.writeString(dir.resolve("audit-keys.yaml"), "keys: []\n");
    List<String> sets = List.of(
        "receivers.otlp.protocols.grpc.endpoint=127.0.0.1:0",
        "receivers.otlp.protocols.http.endpoint=127.0.0.1:0",
        "service.telemetry.metrics.address=127.0.0.1:0",
        "exporters.file.directory=" + dir.resolve("otlp"),
        "audit.keys_file=" + dir.resolve("audit-keys.yaml"),
        "audit.store.directory=" + dir.resolve("audit"),
        "processors.cost.hazelcast.port=" + freePort(),
        "extensions.file_storage.directory=" + dir.resolve("queue"),
        "service.extensions=[file_storage]",
        "exporters.otlp/backend.endpoint=127.0.0.1:" + freePort(),
        "exporters.otlp/backend.tls.insecure=true",
        "exporters.otlp/backend.sending_queue.storage=file_storage",
        "exporters.otlp/backend.sending_queue.drain_timeout=1s",
        "exporters.otlp/backend.retry_on_failure.enabled=false",
        "service.pipelines.traces.exporters=[file,otlp/backend]",
        "service.pipelines.metrics.exporters=[file,otlp/backend]",
        "service.pipelines.logs.exporters=[file,otlp/backend]");
    var config = TestGateway.parse(yaml, sets);
    // conf/prices.yaml resolves against the repository, as against the image's working directory
    GatewayRuntime rt = GatewayRuntime.start(config, GatewayRuntime.Options.defaults().withWorkDir(Charts.REPO))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    try {
      int http = ((io.goblinos.gateway.receiver.otlp.OtlpReceiver) rt.gateway()
          .receiver(io.goblinos.gateway.api.component.ComponentId.parse("otlp")).orElseThrow()).httpPort();
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String base = "http://127.0.0.1:" + http;
      post(client, base + "/v1/traces", llmTrace("gpt-4o-2024-08-06"), 200);
      post(client, base + "/v1/traces", llmTrace("no-such-model"), 200);
      post(client, base + "/v1/metrics", "{\"resourceMetrics\":[]}", 200);
      post(client, base + "/v1/logs", "{\"resourceLogs\":[]}", 200);
      post(client, base + "/v1/traces", "{not json", 400);
      post(client, base + "/v1/audit", "{\"event_id\":\"e-1\",\"goblin_id\":\"goblin-7\"}", 200);

      String admin = "http://127.0.0.1:" + rt.telemetryPort() + "/metrics";
      Instant deadline = Instant.now().plusSeconds(30);
      Map<String, Set<String>> names = Map.of();
      while (Instant.now().isBefore(deadline)) {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(admin)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        names = parse(r.body());
        // cost meters are recorded when the tracker flush completes; task latency at the first span
        if (names.keySet().containsAll(LAZY)) {
          return names;
        }
        Thread.sleep(200);
      }
      Set<String> missing = new TreeSet<>(LAZY);
      missing.removeAll(names.keySet());
      throw new AssertionError("meters did not appear within 30 s: " + missing + "; scraped: " + names.keySet());
    } finally {
      rt.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  static Map<String, Set<String>> parse(String exposition) {
    Map<String, Set<String>> out = new TreeMap<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.find()) {
        continue;
      }
      Set<String> labels = out.computeIfAbsent(m.group(1), k -> new TreeSet<>());
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          labels.add(l.group(1));
        }
      }
    }
    return out;
  }

  /** One trace: a goblin task (entry span) and its LLM provider call, both failed, the call with a wrong reported cost. */
  private static String llmTrace(String model) {
    long now = System.currentTimeMillis() * 1_000_000L;
    String traceId = Long.toHexString(Double.doubleToLongBits(Math.random()) | 1L << 63)
        + Long.toHexString(System.nanoTime() | 1L << 63);
    return """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"litebrain"}}]},
          "scopeSpans":[{"spans":[
            {"traceId":"%1$s","spanId":"1000000000000001","name":"review","kind":2,
             "startTimeUnixNano":"%2$d","endTimeUnixNano":"%3$d","status":{"code":2},
             "attributes":[{"key":"goblin.id","value":{"stringValue":"goblin-7"}},
                           {"key":"goblin.guild","value":{"stringValue":"reviewers"}},
                           {"key":"goblin.task","value":{"stringValue":"review"}}]},
            {"traceId":"%1$s","spanId":"1000000000000002","parentSpanId":"1000000000000001","name":"chat","kind":3,
             "startTimeUnixNano":"%2$d","endTimeUnixNano":"%3$d","status":{"code":2},
             "attributes":[{"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
                           {"key":"gen_ai.request.model","value":{"stringValue":"%4$s"}},
                           {"key":"gen_ai.usage.input_tokens","value":{"intValue":"1200"}},
                           {"key":"gen_ai.usage.output_tokens","value":{"intValue":"300"}},
                           {"key":"llm.cost","value":{"doubleValue":99.0}},
                           {"key":"goblin.id","value":{"stringValue":"goblin-7"}}]}]}]}]}
        """.formatted(traceId, now - 2_000_000_000L, now, model);
  }

  private static void post(HttpClient client, String url, String json, int expected) throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new AssertionError("POST " + url + ": " + r.statusCode() + " (expected " + expected + "): " + r.body());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
