package io.goblinos.gateway.tracing.cost;

import io.goblinos.gateway.tracing.testing.Contexts;
import io.goblinos.gateway.tracing.testing.GoblinTraces;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A quick timing loop (not a test, not JMH) for the cost processor's hot path: {@code consume} with a local store
 * and a Prometheus registry, and {@code PriceIndex.lookup} alone. Run with
 * {@code java -cp target/classes:target/test-classes:$(cat cp.txt) io.goblinos.gateway.tracing.cost.CostHotPathBench}.
 */
public final class CostHotPathBench {
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    List<PriceEntry> prices = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      prices.add(new PriceEntry("openai", "model-" + i + "*", 1 + i, 2 + i, null, null));
    }
    prices.add(new PriceEntry("openai", "gpt-4o*", 2.5, 10, null, null));
    prices.add(new PriceEntry("openai", "gpt-4o-mini*", 0.15, 0.6, null, null));
    prices.add(new PriceEntry("anthropic", "claude-sonnet-4-5", 3, 15, null, null));
    prices.add(new PriceEntry("gcp.*", "gemini-2.5-flash*", 0.3, 2.5, null, null));
    PriceIndex index = new PriceIndex(prices);
    String[] models = {"gpt-4o-2024-08-06", "gpt-4o-mini", "claude-sonnet-4-5", "model-7-x", "nope"};
    long now = System.currentTimeMillis() * 1_000_000L;
    for (int r = 0; r < rounds; r++) {
      int n = 2_000_000;
      long t0 = System.nanoTime();
      int hits = 0;
      for (int i = 0; i < n; i++) {
        if (index.lookup("openai", models[i % models.length], now + i) != null) {
          hits++;
        }
      }
      long dt = System.nanoTime() - t0;
      System.out.printf("PriceIndex.lookup (64 entries): %.1f ns/op (hits %d)%n", dt / (double) n, hits);
    }

    Path dir = Files.createTempDirectory("cost-bench");
    Vertx vertx = Vertx.vertx();
    GoblinTraces traces = new GoblinTraces();
    try {
      StringBuilder yaml = new StringBuilder("models:\n");
      for (PriceEntry e : prices) {
        yaml.append("  - {provider: \"").append(e.provider()).append("\", model: \"").append(e.model())
            .append("\", input_per_mtok: ").append(e.inputPerMtok()).append(", output_per_mtok: ")
            .append(e.outputPerMtok()).append("}\n");
      }
      Files.writeString(dir.resolve("prices.yaml"), yaml);
      CostConfig cfg = Contexts.parse("processors::cost", "prices_file: prices.yaml\nmode: local\n"
          + "reload_interval: 0s\nadmin_endpoints: false\n", CostConfig::parse);
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      io.goblinos.gateway.api.consumer.Consumer<ExportTraceServiceRequest> sink =
          r -> io.vertx.core.Future.succeededFuture();
      CostProcessor p = new CostProcessor(Contexts.context(vertx, registry, "cost", dir), cfg, new LocalCostStore(),
          sink);
      p.start(new io.goblinos.gateway.tracing.testing.TestHost()).await();
      List<ExportTraceServiceRequest> requests = new ArrayList<>();
      for (int g = 0; g < 20; g++) {
        requests.add(traces.request(GoblinTraces.task().goblin("goblin-" + g)
            .model("openai", "gpt-4o", g % 2 == 0 ? "gpt-4o-2024-08-06" : "gpt-4o-mini").tokens(100 + g, 20)));
      }
      for (int r = 0; r < rounds; r++) {
        int n = 300_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          p.consume(requests.get(i % requests.size()));
        }
        long dt = System.nanoTime() - t0;
        System.out.printf("CostProcessor.consume (1 LLM span/request): %.0f ns/op%n", dt / (double) n);
      }
      p.shutdown().await();
    } finally {
      traces.close();
      vertx.close().await();
    }
  }
}
