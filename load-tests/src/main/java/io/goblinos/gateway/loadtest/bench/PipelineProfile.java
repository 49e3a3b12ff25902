package io.goblinos.gateway.loadtest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.api.signal.WireBytes;
import io.goblinos.gateway.config.ComponentRegistry;
import io.goblinos.gateway.config.ConfigLoader;
import io.goblinos.gateway.config.GatewayConfig;
import io.goblinos.gateway.loadtest.payload.Payload;
import io.goblinos.gateway.loadtest.payload.Payloads;
import io.goblinos.gateway.service.GatewayRuntime;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.vertx.core.Context;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Where the traces pipeline's time goes, per processor, without HTTP or a load generator in the way: a gateway in this
 * JVM, started from the config with every exporter replaced by {@code nop}, is fed the benchmark's payloads (fresh
 * trace ids on every request) on one event loop, as fast as it takes them. Each request is decoded as the receiver
 * decodes it ({@code Signal.TRACES.parseWithWire}) and handed to the pipeline inside {@code WireBytes.during}; the
 * time of each step is summed with {@code System.nanoTime}, and the bytes it allocates with the thread's allocation
 * counter, per span: "pipeline" is the synchronous part of
 * {@code consume}; what processors do later on their own timers (tail_sampling's decisions past {@code decision_wait}
 * and the decoding of kept spans, batch's timeouts) shows only in "wall", the elapsed time per span.
 *
 * <p>With {@code --marginal} it runs, each in a gateway of its own: the pipeline with only the processors that every
 * variant keeps ({@code memory_limiter}, {@code batch}), then that plus each other processor alone, then the whole
 * pipeline, and prints what each processor adds per span. Medians of the rounds after the first quarter (warm-up). A
 * developer's tool for finding what to optimize; the figures of record come from {@code bench.sh}.
 *
 * <p>Usage (from the repository root, on the gateway's class path):
 * {@code PipelineProfile [--config=conf/gateway.yaml] [--processors=a,b,...] [--marginal] [--rounds=24]
 * [--requests=5000] [--payloads=1000] [--spans-per-request=100]}
 */
public final class PipelineProfile {
  private static final List<String> ALWAYS = List.of("memory_limiter", "batch");

  private PipelineProfile() {}

  /** One variant's medians, nanoseconds per span. */
  record Result(String label, double decodeNs, double pipelineNs, double wallNs, double decodeBytes,
                double pipelineBytes) {}

  /** Bytes this thread has allocated so far (HotSpot's count; -1 elsewhere). */
  private static long allocatedBytes() {
    return java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
        ? t.getCurrentThreadAllocatedBytes() : -1;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (String a : args) {
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unknown argument: " + a);
      }
      int eq = a.indexOf('=');
      opts.put(eq < 0 ? a.substring(2) : a.substring(2, eq), eq < 0 ? "true" : a.substring(eq + 1));
    }
    Path config = Path.of(opts.getOrDefault("config", "conf/gateway.yaml"));
    int rounds = Integer.parseInt(opts.getOrDefault("rounds", "24"));
    int requests = Integer.parseInt(opts.getOrDefault("requests", "5000"));
    List<Payload> payloads = Payloads.generate(Payloads.Kind.TRACES_PROTOBUF,
        Integer.parseInt(opts.getOrDefault("payloads", "1000")),
        Integer.parseInt(opts.getOrDefault("spans-per-request", "100")), 1);
    String yaml = Files.readString(config);
    JsonNode tree = BenchRunner.readConfig(config);
    List<String> all = opts.containsKey("processors")
        ? Arrays.stream(opts.get("processors").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()
        : BenchRunner.traceProcessors(tree);

    List<List<String>> variants = new ArrayList<>();
    if (opts.containsKey("marginal")) {
      List<String> base = all.stream().filter(ALWAYS::contains).toList();
      variants.add(base);
      for (String p : all) {
        if (!ALWAYS.contains(p)) {
          variants.add(all.stream().filter(q -> q.equals(p) || ALWAYS.contains(q)).toList());
        }
      }
    }
    variants.add(all);
    List<Result> results = new ArrayList<>();
    for (List<String> v : variants) {
      Result r = run(yaml, tree, v, payloads, rounds, requests);
      results.add(r);
      System.out.printf(Locale.ROOT,
          "profile: [%s]: decode %.0f ns/span, pipeline %.0f ns/span, wall %.0f ns/span; allocated: decode %.0f B/span,"
              + " pipeline %.0f B/span%n",
          r.label(), r.decodeNs(), r.pipelineNs(), r.wallNs(), r.decodeBytes(), r.pipelineBytes());
    }
    if (results.size() > 1) {
      Result base = results.get(0);
      System.out.printf(Locale.ROOT, "profile: per span, over [%s] (%.0f ns in the pipeline):%n", base.label(), base.pipelineNs());
      for (int i = 1; i < results.size(); i++) {
        Result r = results.get(i);
        System.out.printf(Locale.ROOT, "profile:   %-60s %+6.0f ns %+6.0f B%n", "[" + r.label() + "]",
            r.pipelineNs() - base.pipelineNs(), r.pipelineBytes() - base.pipelineBytes());
      }
    }
    System.exit(0); // Hazelcast and Vert.x threads of the stopped gateways must not keep the JVM up
  }

  private static Result run(String yaml, JsonNode tree, List<String> processors, List<Payload> payloads, int rounds,
                            int requests) throws Exception {
    Path dir = Files.createTempDirectory("pipeline-profile");
    List<String> sets = new ArrayList<>(List.of(
        "receivers.otlp.protocols.http.endpoint=127.0.0.1:0",
        "receivers.otlp.protocols.grpc.endpoint=127.0.0.1:0",
        "service.telemetry.metrics.address=127.0.0.1:0",
        "service.telemetry.logs.level=warn",
        "service.pipelines.traces.processors=[" + String.join(",", processors) + "]"));
    sets.addAll(BenchRunner.nullSinkOverrides(tree, dir));
    GatewayConfig.Result parsed = GatewayConfig.parse(new ConfigLoader(System::getenv).loadString(yaml, sets),
        ComponentRegistry.discover());
    if (!parsed.ok()) {
      throw new IllegalArgumentException("invalid config:\n" + String.join("\n", parsed.errors()));
    }
    // relative paths in the config (keys_file) resolve against the current directory, as for bin/goblin-gateway; what
    // the gateway writes goes to the temporary directory (overridden above)
    GatewayRuntime runtime = GatewayRuntime.start(parsed.config(),
            GatewayRuntime.Options.defaults().withWorkDir(Path.of("").toAbsolutePath()))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    try {
      Consumer<ExportTraceServiceRequest> entry = runtime.gateway().pipeline(Signal.TRACES, "traces").orElseThrow();
      Context context = runtime.vertx().getOrCreateContext();
      long[] sequence = {1};
      List<double[]> perRound = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        double[] r = round(context, entry, payloads, requests, sequence).get(300, TimeUnit.SECONDS);
        if (round >= rounds / 4) {
          perRound.add(r);
        }
      }
      return new Result(String.join(", ", processors), median(perRound, 0), median(perRound, 1), median(perRound, 2),
          median(perRound, 3), median(perRound, 4));
    } finally {
      runtime.stop(Duration.ofSeconds(30)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      BenchRunner.deleteRecursively(dir);
    }
  }

  /** Feeds {@code requests} requests on {@code context}, 20 per event-loop turn; completes with ns per span. */
  private static CompletableFuture<double[]> round(Context context, Consumer<ExportTraceServiceRequest> entry,
                                                   List<Payload> payloads, int requests, long[] sequence) {
    CompletableFuture<double[]> done = new CompletableFuture<>();
    long[] totals = new long[5]; // decode ns, pipeline ns, spans, decode bytes, pipeline bytes
    int[] sent = {0};
    long start = System.nanoTime();
    Runnable[] turn = new Runnable[1];
    turn[0] = () -> {
      try {
        for (int i = 0; i < 20 && sent[0] < requests; i++, sent[0]++) {
          Payload p = payloads.get(sent[0] % payloads.size());
          byte[] body = p.withFreshTraceIds(Payload.mask(sequence[0]++));
          long a0 = allocatedBytes();
          long t0 = System.nanoTime();
          WireBytes wire = Signal.TRACES.parseWithWire(body);
          ExportTraceServiceRequest request = (ExportTraceServiceRequest) wire.parsed();
          long t1 = System.nanoTime();
          long a1 = allocatedBytes();
          WireBytes.during(wire, () -> entry.consume(request));
          totals[0] += t1 - t0;
          totals[1] += System.nanoTime() - t1;
          totals[2] += p.items();
          totals[3] += a1 - a0;
          totals[4] += allocatedBytes() - a1;
        }
        if (sent[0] < requests) {
          context.runOnContext(v -> turn[0].run());
        } else {
          double spans = totals[2];
          done.complete(new double[] {totals[0] / spans, totals[1] / spans, (System.nanoTime() - start) / spans,
              totals[3] / spans, totals[4] / spans});
        }
      } catch (Exception e) {
        done.completeExceptionally(e);
      }
    };
    context.runOnContext(v -> turn[0].run());
    return done;
  }

  private static double median(List<double[]> rows, int column) {
    double[] v = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
    return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
