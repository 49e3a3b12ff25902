package io.goblinos.gateway.tracing.cost;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.WireBytes;
import io.goblinos.gateway.tracing.testing.Contexts;
import io.goblinos.gateway.tracing.testing.GoblinTraces;
import io.goblinos.gateway.tracing.testing.TestHost;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A quick timing loop (not a test, not JMH) for the cost processor's hot path: {@code PriceIndex.lookup} alone;
 * {@code consume} of benchmark-shaped requests ({@link BenchTraces}: 100 spans, about a third of them LLM spans of 500
 * goblins x 6 models) as the OTLP/HTTP receiver calls it (parsed just before, {@link WireBytes#current()} set; only
 * the {@code consume} call is timed, in wall and thread CPU time), with a local store and with an embedded single
 * Hazelcast member (flushed every second, as by default); what the enriched spans then cost tail sampling to store
 * ({@code downstream}); {@code consume} of one-LLM-span requests. Prints each round; compare the last rounds (the
 * first ones include JIT compilation). On a shared machine the speed of one run can drift by 2x: compare variants
 * over several alternating runs, or side by side in one JVM. Run from {@code gateway/tracing} with
 * {@code java -cp target/classes:target/test-classes:$(cat cp.txt) io.goblinos.gateway.tracing.cost.CostHotPathBench
 * [rounds]} (uses {@code ../../conf/prices.yaml} when present, as the gateway does).
 */
public final class CostHotPathBench {
  /** Hazelcast and component start/stop lines would drown the figures (kept in a field: loggers are weakly held). */
  private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("");
  /**
   * Thread CPU time leaves out what wall time counts on a shared 2-CPU machine: GC pauses and time the thread waits
   * for a CPU (it includes the cost of reading the clock, about the same for every variant).
   */
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();
  /** Keeps the JIT from dropping work whose result is not used. */
  static volatile long blackhole;

  public static void main(String[] args) throws Exception {
    QUIET.setLevel(java.util.logging.Level.WARNING);
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
    Path shipped = Path.of("../../conf/prices.yaml");
    if (Files.exists(shipped)) {
      Files.copy(shipped, dir.resolve("prices.yaml"));
    } else {
      StringBuilder yaml = new StringBuilder("models:\n");
      for (PriceEntry e : prices) {
        yaml.append("  - {provider: \"").append(e.provider()).append("\", model: \"").append(e.model())
            .append("\", input_per_mtok: ").append(e.inputPerMtok()).append(", output_per_mtok: ")
            .append(e.outputPerMtok()).append("}\n");
      }
      Files.writeString(dir.resolve("prices.yaml"), yaml);
    }
    Vertx vertx = Vertx.vertx();
    GoblinTraces traces = new GoblinTraces();
    try {
      List<ExportTraceServiceRequest> small = new ArrayList<>();
      for (int g = 0; g < 20; g++) {
        small.add(traces.request(GoblinTraces.task().goblin("goblin-" + g)
            .model("openai", "gpt-4o", g % 2 == 0 ? "gpt-4o-2024-08-06" : "gpt-4o-mini").tokens(100 + g, 20)));
      }
      BenchTraces gen = new BenchTraces(42);
      List<byte[]> wire = new ArrayList<>();
      int llmSpans = 0;
      for (int i = 0; i < 500; i++) {
        byte[] bytes = gen.request(100).toByteArray();
        wire.add(bytes);
        llmSpans += BenchTraces.llmSpans(ExportTraceServiceRequest.parseFrom(bytes));
      }
      double llmPerRequest = llmSpans / (double) wire.size();

      run(vertx, dir, "local", rounds, id -> new LocalCostStore(), small, wire, llmPerRequest);
      int port = HazelcastCostStoreTest.freePort();
      run(vertx, dir, "hazelcast", rounds,
          id -> new HazelcastCostStore(vertx, new HazelcastSettings("bench-" + System.nanoTime(), "127.0.0.1", port,
              false, 1, List.of()), id, null),
          small, wire, llmPerRequest);
    } finally {
      traces.close();
      vertx.close().await();
    }
  }

  private static void run(Vertx vertx, Path dir, String name, int rounds, Function<String, CostStore> store,
                          List<ExportTraceServiceRequest> small, List<byte[]> wire, double llmPerRequest)
      throws Exception {
    CostConfig cfg = Contexts.parse("processors::cost", "prices_file: prices.yaml\nmode: local\n"
        + "reload_interval: 0s\nadmin_endpoints: false\n", CostConfig::parse);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    LastRequest sink = new LastRequest();
    CostProcessor p = new CostProcessor(Contexts.context(vertx, registry, "cost", dir), cfg, store.apply("cost"),
        sink);
    p.start(new TestHost()).await();
    try {
      for (int r = 0; r < rounds; r++) {
        int n = 20_000;
        long spent = 0;
        long cpu = 0;
        for (int i = 0; i < n; i++) {
          // parsed just before, as the receiver does: the request is hot in the cache, its strings are new objects
          byte[] bytes = wire.get(i % wire.size());
          ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(bytes);
          long c0 = THREADS.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          WireBytes.during(new WireBytes(req, bytes), () -> p.consume(req));
          spent += System.nanoTime() - t0;
          cpu += THREADS.getCurrentThreadCpuTime() - c0;
        }
        System.out.printf("[%s] CostProcessor.consume (100 spans, %.1f LLM spans/request, with WireBytes): "
            + "%.0f ns/request, %.0f ns/LLM span (thread CPU time: %.0f ns/request)%n", name, llmPerRequest,
            spent / (double) n, spent / (double) n / llmPerRequest, cpu / (double) n);
      }
      if (name.equals("local")) {
        downstream(p, sink, wire, rounds);
        // after the 100-span rounds: a JIT profile shaped by these tiny requests first skews the figures above
        for (int r = 0; r < rounds; r++) {
          int n = 300_000;
          long t0 = System.nanoTime();
          for (int i = 0; i < n; i++) {
            p.consume(small.get(i % small.size()));
          }
          long dt = System.nanoTime() - t0;
          System.out.printf("[%s] CostProcessor.consume (1 LLM span/request): %.0f ns/op%n", name, dt / (double) n);
        }
      }
    } finally {
      p.shutdown().await();
    }
  }

  /**
   * What the enriched LLM spans cost the stage that stores spans as bytes (tail sampling): serializing each rebuilt
   * span, as it must for a span it cannot match to received bytes, against copying the span's received bytes and
   * encoding only the KeyValues declared appended ({@link WireBytes#declareAppended}), as {@code SpanWire} does.
   * Each way works on its own freshly parsed and enriched request, so that no size is memoized beforehand.
   */
  private static void downstream(CostProcessor p, LastRequest sink, List<byte[]> wire, int rounds) throws Exception {
    int[][] lengths = new int[wire.size()][]; // the received length of each declared span, in order
    for (int w = 0; w < wire.size(); w++) {
      lengths[w] = enrich(p, sink, wire.get(w)).stream().mapToInt(a -> a.original().getSerializedSize()).toArray();
    }
    for (int r = 0; r < rounds; r++) {
      int n = 5_000;
      long serialize = 0;
      long copy = 0;
      long spans = 0;
      long llm = 0;
      for (int i = 0; i < n; i++) {
        byte[] bytes = wire.get(i % wire.size());
        enrich(p, sink, bytes);
        List<Span> rebuilt = new ArrayList<>();
        for (ResourceSpans rs : sink.last.getResourceSpansList()) {
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            for (Span s : ss.getSpansList()) {
              if (s.getAttributesList().stream().anyMatch(kv -> kv.getKey().equals("llm.tokens.total"))) {
                rebuilt.add(s);
              }
            }
          }
        }
        long t0 = System.nanoTime();
        for (Span s : rebuilt) {
          blackhole += s.toByteArray().length;
        }
        serialize += System.nanoTime() - t0;
        llm += rebuilt.size();

        List<WireBytes.Appended> declared = enrich(p, sink, bytes);
        int[] len = lengths[i % wire.size()];
        t0 = System.nanoTime();
        for (int k = 0; k < len.length; k++) {
          WireBytes.Appended a = declared.get(k);
          int extra = 0;
          for (Message m : a.added()) {
            extra += CodedOutputStream.computeMessageSize(a.fieldNumber(), m);
          }
          byte[] out = new byte[len[k] + extra];
          System.arraycopy(bytes, 0, out, 0, len[k]); // where it starts does not change the cost
          CodedOutputStream o = CodedOutputStream.newInstance(out, len[k], extra);
          for (Message m : a.added()) {
            o.writeMessage(a.fieldNumber(), m);
          }
          blackhole += out.length;
        }
        copy += System.nanoTime() - t0;
        spans += len.length;
      }
      System.out.printf("[downstream] per enriched LLM span: serialize %.0f ns; received bytes + appended attributes "
          + "%.0f ns (%.1f of %.1f LLM spans/request declared)%n", serialize / (double) llm, copy / (double) spans,
          spans / (double) n, llm / (double) n);
    }
  }

  /** Parses and enriches one request as the receiver hands it over; returns what was declared appended, in order. */
  private static List<WireBytes.Appended> enrich(CostProcessor p, LastRequest sink, byte[] bytes) throws Exception {
    ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(bytes);
    WireBytes wb = new WireBytes(req, bytes);
    WireBytes.during(wb, () -> p.consume(req));
    List<WireBytes.Appended> declared = new ArrayList<>();
    for (ResourceSpans rs : sink.last.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          WireBytes.Appended a = wb.appendedTo(s);
          if (a != null) {
            declared.add(a);
          }
        }
      }
    }
    return declared;
  }

  /** A sink that keeps the last request. */
  private static final class LastRequest implements Consumer<ExportTraceServiceRequest> {
    volatile ExportTraceServiceRequest last;

    @Override
    public Future<Void> consume(ExportTraceServiceRequest r) {
      last = r;
      return Future.succeededFuture();
    }
  }
}
