package io.goblinos.gateway.loadtest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.goblinos.gateway.audit.log.AuditBenchmark;
import io.goblinos.gateway.loadtest.payload.Payload;
import io.goblinos.gateway.loadtest.payload.Payloads;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The benchmark behind {@code load-tests/bench.sh}, one run, side by side on this machine:
 * <ol>
 *   <li>the limit: {@link io.goblinos.gateway.loadtest.nullreceiver.NullReceiver} on the gateway's class path, saturated
 *       by {@link LoadGenerator} in closed loop (or wrk, {@code --generator=wrk}) (spans/s), then open-loop points;</li>
 *   <li>the default pipeline: {@code conf/gateway.yaml} with every pipeline's exporters replaced by a null sink,
 *       saturated the same way (spans/s, gateway CPU-seconds per million spans from {@code /proc/PID/stat}), open-loop
 *       points (p50/p99 at half the saturation rate), peak RSS ({@code VmHWM});</li>
 *   <li>audit: {@link AuditBenchmark} (events/s verified and durably appended vs raw Ed25519 verifications/s);</li>
 *   <li>tail sampling memory: {@code io.goblinos.gateway.tracing.sampling.PendingTracesBench} in its own JVM.</li>
 * </ol>
 * Writes {@code points.csv}, {@code summary.txt} and the chart under {@code --out}; the last line printed is the
 * {@code RESULT} line.
 */
public final class BenchRunner {
  static final String NULL_RECEIVER = "null_receiver";
  static final String PIPELINE = "pipeline";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final PrintStream OUT = System.out;

  private final Options o;
  private final List<Process> started = new ArrayList<>();

  BenchRunner(Options options) {
    this.o = options;
  }

  /** Command-line options; {@code --quick} changes the defaults of the durations and counts. */
  static final class Options {
    boolean quick;
    Path root = Path.of(".");
    Path out = Path.of("load-tests/target/bench");
    Path chart;
    Path config = Path.of("conf/gateway.yaml");
    String gatewayCp = System.getenv().getOrDefault("GATEWAY_CP", "");
    String tracingCp = System.getenv().getOrDefault("TRACING_CP", "");
    String selfCp = System.getProperty("java.class.path");
    /** wrk when it is on the PATH (C, no warm-up, cheaper per request than a JVM client), else the Java generator. */
    String generator = BenchRunner.onPath("wrk") ? "wrk" : "java";
    String wrk = "wrk";
    String lua = "load-tests/wrk/otlp.lua";
    int spansPerRequest = 100;
    int payloads = 1000;
    int wrkThreads = 1;
    int wrkConnections = 32;
    int inFlight = 32;
    int connections = 64;
    /** Long enough for the JIT to settle: C2 compiled for 25-30 s under load here, up to half of the process's CPU. */
    int warmupSeconds = 30;
    int saturationSeconds = 10;
    /** Unmeasured saturation right before each measured round (see {@link BenchRunner#rewarm}). */
    int rewarmSeconds = 5;
    /**
     * Saturation rounds, null receiver and pipeline in turn; the figures are the medians. Five: with three, one round
     * slowed by the shared host moved the median (single rounds' ratios went 0.41-0.61 within one run here).
     */
    int rounds = 5;
    int pointSeconds = 6;
    double[] fractions = {0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 1.1};
    /** Enough for seconds of submit work: with 20,000 (about 2 s) the ratio swung 0.57-1.07 between runs here. */
    int auditEvents = 60_000;
    int auditBatch = 100;
    int auditThreads = 4;
    int pendingTraces = 1_000_000;
    String gatewayHeap = "-Xmx1g";
    /** Extra JVM options for the gateway (space-separated), e.g. a JFR recording; default: $GATEWAY_JAVA_OPTS. */
    String gatewayJvm = System.getenv().getOrDefault("GATEWAY_JAVA_OPTS", "");
    String tracesProcessors;
    java.util.Set<String> phases = new java.util.LinkedHashSet<>(List.of("limit", "pipeline", "audit", "sampling"));

    static Options parse(String[] args) {
      Options o = new Options();
      for (String a : args) {
        if (a.equals("--quick")) {
          o.quick = true;
          o.warmupSeconds = 15;
          o.saturationSeconds = 5;
          o.rewarmSeconds = 3;
          o.rounds = 1;
          o.pointSeconds = 3;
          o.fractions = new double[] {0.25, 0.5, 0.9};
          o.auditEvents = 5_000;
          o.payloads = 400;
        }
      }
      for (String a : args) {
        if (a.equals("--quick")) {
          continue;
        }
        int eq = a.indexOf('=');
        if (!a.startsWith("--") || eq < 0) {
          throw new IllegalArgumentException("unknown argument '" + a + "' (options are --name=value, or --quick)");
        }
        String k = a.substring(2, eq);
        String v = a.substring(eq + 1);
        switch (k) {
          case "root" -> o.root = Path.of(v);
          case "out" -> o.out = Path.of(v);
          case "chart" -> o.chart = Path.of(v);
          case "config" -> o.config = Path.of(v);
          case "gateway-cp" -> o.gatewayCp = v;
          case "tracing-cp" -> o.tracingCp = v;
          case "generator" -> o.generator = v;
          case "wrk" -> o.wrk = v;
          case "lua" -> o.lua = v;
          case "spans-per-request" -> o.spansPerRequest = Integer.parseInt(v);
          case "payloads" -> o.payloads = Integer.parseInt(v);
          case "wrk-threads" -> o.wrkThreads = Integer.parseInt(v);
          case "wrk-connections" -> o.wrkConnections = Integer.parseInt(v);
          case "connections" -> o.connections = Integer.parseInt(v);
          case "in-flight" -> o.inFlight = Integer.parseInt(v);
          case "warmup" -> o.warmupSeconds = Integer.parseInt(v);
          case "duration" -> o.saturationSeconds = Integer.parseInt(v);
          case "rewarm" -> o.rewarmSeconds = Integer.parseInt(v);
          case "rounds" -> o.rounds = Math.max(1, Integer.parseInt(v));
          case "point-duration" -> o.pointSeconds = Integer.parseInt(v);
          case "fractions" -> o.fractions = Stream.of(v.split(",")).mapToDouble(Double::parseDouble).toArray();
          case "audit-events" -> o.auditEvents = Integer.parseInt(v);
          case "audit-batch" -> o.auditBatch = Integer.parseInt(v);
          case "audit-threads" -> o.auditThreads = Integer.parseInt(v);
          case "pending-traces" -> o.pendingTraces = Integer.parseInt(v);
          case "gateway-heap" -> o.gatewayHeap = v;
          case "gateway-jvm" -> o.gatewayJvm = v;
          case "traces-processors" -> o.tracesProcessors = v;
          case "phases" -> {
            o.phases = new java.util.LinkedHashSet<>(List.of(v.split(",")));
            if (!List.of("limit", "pipeline", "audit", "sampling").containsAll(o.phases)) {
              throw new IllegalArgumentException("--phases takes limit,pipeline,audit,sampling, was " + v);
            }
          }
          default -> throw new IllegalArgumentException("unknown option --" + k);
        }
      }
      if (!o.generator.equals("java") && !o.generator.equals("wrk")) {
        throw new IllegalArgumentException("--generator must be java or wrk, was " + o.generator);
      }
      if (o.chart == null) {
        o.chart = o.out.resolve("performance.png");
      }
      return o;
    }
  }

  static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Saturation: items/s from the target's own counter and CPU-seconds of the target process, both over the same
   * wall-clock window; requests/s and errors as the generator saw them.
   */
  record Saturation(double itemsPerSecond, double cpuSecondsPerMillion, double requestsPerSecond, long errors) {
    /** Each figure's median over the rounds (the lower middle one of an even count), errors summed. */
    static Saturation median(List<Saturation> rounds) {
      return new Saturation(middle(rounds, Saturation::itemsPerSecond), middle(rounds, Saturation::cpuSecondsPerMillion),
          middle(rounds, Saturation::requestsPerSecond), rounds.stream().mapToLong(Saturation::errors).sum());
    }

    private static double middle(List<Saturation> rounds, java.util.function.ToDoubleFunction<Saturation> figure) {
      double[] v = rounds.stream().mapToDouble(figure).sorted().toArray();
      return v.length == 0 ? Double.NaN : v[(v.length - 1) / 2];
    }
  }

  /** The rounds' ratios, "(0.51 / 0.48 / ...)", or "(none)". */
  static String roundRatios(List<Saturation> pipeline, List<Saturation> limit) {
    List<String> r = new ArrayList<>();
    for (int i = 0; i < Math.min(pipeline.size(), limit.size()); i++) {
      r.add(String.format(Locale.ROOT, "%.2f", pipeline.get(i).itemsPerSecond() / limit.get(i).itemsPerSecond()));
    }
    return r.isEmpty() ? "(none)" : "(" + String.join(" / ", r) + ")";
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    BenchRunner runner = new BenchRunner(options);
    Runtime.getRuntime().addShutdownHook(new Thread(runner::stopAll));
    BenchSummary summary = runner.run();
    OUT.println(summary.resultLine());
    System.exit(0);
  }

  BenchSummary run() throws Exception {
    long t0 = System.nanoTime();
    Files.createDirectories(o.out);
    List<String> notes = new ArrayList<>();
    log("machine: " + Machine.describe());
    List<String> processors = traceProcessors();
    if (o.tracesProcessors != null) {
      processors = List.of(o.tracesProcessors.split(","));
    }
    log("traces pipeline (" + o.config + "): processors=" + processors + ", exporters replaced by a null sink");
    for (String wanted : List.of("cost", "tail_sampling")) {
      if (processors.stream().noneMatch(p -> p.equals(wanted) || p.startsWith(wanted + "/"))) {
        notes.add(wanted + " is not in the measured traces pipeline: measured without it");
      }
    }
    List<Payload> payloads = Payloads.generate(Payloads.Kind.TRACES_PROTOBUF, o.payloads, o.spansPerRequest, 7);
    Path pool = o.out.resolve("traces.pool");
    Payloads.write(pool, payloads);
    log(String.format(Locale.ROOT, "payloads: %d distinct OTLP/protobuf trace requests x %d spans, %.1f KiB each on average",
        payloads.size(), o.spansPerRequest, Payloads.bytes(payloads) / 1024.0 / payloads.size()));
    List<LoadPoint> points = new ArrayList<>();

    // 1 + 2. the limit and the default pipeline, both running, saturated in turns (interleaved rounds): this
    // machine's background load drifts within minutes, so each pair of measurements shares its conditions and the
    // figures reported are the medians over the rounds
    boolean measureLimit = o.phases.contains("limit");
    boolean measurePipeline = o.phases.contains("pipeline");
    Process nullRx = null;
    int nullPort = -1;
    Process gateway = null;
    int http = -1;
    int admin = -1;
    Saturation limit = new Saturation(Double.NaN, Double.NaN, Double.NaN, 0);
    Saturation pipeline = new Saturation(Double.NaN, Double.NaN, Double.NaN, 0);
    LoadPoint half = new LoadPoint(PIPELINE, 0.5, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0);
    double rssMb = Double.NaN;
    if (measureLimit) {
      Path nullLog = o.out.resolve("null-receiver.log");
      nullRx = startJava(o.gatewayCp + ":" + o.selfCp, List.of("-Xmx1g"), "io.goblinos.gateway.loadtest.nullreceiver.NullReceiver",
          List.of("127.0.0.1:0"), nullLog);
      nullPort = Integer.parseInt(awaitLine(nullRx, nullLog, Pattern.compile("null receiver listening on [^:]+:(\\d+)"), 30));
    }
    if (measurePipeline) {
      Path dir = Files.createDirectories(o.out.resolve("gateway"));
      http = freePort();
      int grpc = freePort();
      admin = freePort();
      List<String> cmd = new ArrayList<>(List.of("run", "--config", o.config.toString(),
          "--set", "receivers.otlp.protocols.http.endpoint=127.0.0.1:" + http,
          "--set", "receivers.otlp.protocols.grpc.endpoint=127.0.0.1:" + grpc,
          "--set", "service.telemetry.metrics.address=127.0.0.1:" + admin,
          "--set", "service.telemetry.logs.level=info"));
      for (String set : nullSinkOverrides(config(), dir)) {
        cmd.add("--set");
        cmd.add(set);
      }
      if (o.tracesProcessors != null) {
        cmd.addAll(List.of("--set", "service.pipelines.traces.processors=[" + o.tracesProcessors + "]"));
      }
      Path gatewayLog = o.out.resolve("gateway.log");
      List<String> jvm = new ArrayList<>(List.of(o.gatewayHeap));
      for (String opt : o.gatewayJvm.trim().split("\\s+")) {
        if (!opt.isEmpty()) {
          jvm.add(opt);
        }
      }
      gateway = startLauncher(jvm, cmd, gatewayLog);
      awaitReady(gateway, gatewayLog, admin);
      log("gateway ready: pid " + gateway.pid() + ", OTLP/HTTP 127.0.0.1:" + http);
    }
    int gatewayAdmin = admin;
    if (measureLimit) {
      warmUp(NULL_RECEIVER, nullPort, pool, payloads);
    }
    if (measurePipeline) {
      warmUp(PIPELINE, http, pool, payloads);
    }
    List<Saturation> limitRounds = new ArrayList<>();
    List<Saturation> pipelineRounds = new ArrayList<>();
    for (int round = 1; round <= o.rounds; round++) {
      String of = o.rounds > 1 ? " (round " + round + " of " + o.rounds + ")" : "";
      if (measurePipeline) {
        settle(gateway.pid()); // deciding the traces of the load before it uses the CPU for a decision wait
      }
      if (measureLimit) {
        int port = nullPort;
        rewarm(NULL_RECEIVER, port, pool, payloads);
        limitRounds.add(saturate(NULL_RECEIVER + of, nullRx.pid(), port, () -> statsSpans(port), pool, payloads));
      }
      if (measurePipeline) {
        rewarm(PIPELINE, http, pool, payloads);
        pipelineRounds.add(saturate(PIPELINE + of, gateway.pid(), http, () -> acceptedSpans(gatewayAdmin), pool, payloads));
      }
      if (measureLimit && measurePipeline) {
        log(String.format(Locale.ROOT, "round %d: pipeline_ratio %.2f", round,
            pipelineRounds.get(round - 1).itemsPerSecond() / limitRounds.get(round - 1).itemsPerSecond()));
      }
    }
    if (measureLimit) {
      limit = Saturation.median(limitRounds);
      if (o.rounds > 1) {
        log(String.format(Locale.ROOT, "%s: median of %d rounds %.0f spans/s, %.2f CPU-s per M spans", NULL_RECEIVER,
            o.rounds, limit.itemsPerSecond(), limit.cpuSecondsPerMillion()));
      }
    }
    if (measurePipeline) {
      pipeline = Saturation.median(pipelineRounds);
      if (o.rounds > 1) {
        log(String.format(Locale.ROOT, "%s: median of %d rounds %.0f spans/s, %.2f CPU-s per M spans", PIPELINE,
            o.rounds, pipeline.itemsPerSecond(), pipeline.cpuSecondsPerMillion()));
      }
      settle(gateway.pid());
    }
    if (measureLimit) {
      points.addAll(openLoop(NULL_RECEIVER, nullPort, payloads, limit.itemsPerSecond()));
      stop(nullRx);
    }
    if (measurePipeline) {
      String metrics = get("http://127.0.0.1:" + admin + "/metrics");
      log(String.format(Locale.ROOT, "pipeline: tail_sampling late spans so far %.0f of %.0f accepted (fresh trace ids keep this near 0)",
          PrometheusText.sum(metrics, "gateway_processor_tail_sampling_late_spans_total"),
          PrometheusText.sum(metrics, "gateway_receiver_accepted_spans_total")));
      List<LoadPoint> pipelinePoints = openLoop(PIPELINE, http, payloads, pipeline.itemsPerSecond());
      points.addAll(pipelinePoints);
      rssMb = ProcStat.peakRssBytes(gateway.pid()) / 1048576.0;
      stop(gateway);
      half = pipelinePoints.stream().min(Comparator.comparingDouble(p -> Math.abs(p.fraction() - 0.5))).orElse(half);
    }

    // 3. audit
    double auditRate = Double.NaN;
    double verifyRate = Double.NaN;
    if (o.phases.contains("audit")) try {
      // in a JVM of its own with the gateway's heap and collector (G1), as the gateway verifies and appends: in this
      // JVM (ZGC, for the generator) the submit path measured about a quarter slower here
      Path auditDir = o.out.resolve("audit-bench");
      deleteRecursively(auditDir);
      Path logFile = o.out.resolve("audit-bench.log");
      Process p = startJava(o.selfCp, List.of(o.gatewayHeap), AuditBenchmark.class.getName(), List.of(
          Integer.toString(o.auditEvents), Integer.toString(o.auditBatch), Integer.toString(o.auditThreads),
          auditDir.toString()), logFile);
      if (!p.waitFor(600, TimeUnit.SECONDS)) {
        stop(p);
        throw new IllegalStateException("AuditBenchmark did not finish in 600 s");
      }
      String text = Files.readString(logFile);
      Matcher m = Pattern.compile("submit_events_per_second=([\\d.]+) raw_ed25519_verifications_per_second=([\\d.]+)")
          .matcher(text);
      if (!m.find()) {
        throw new IllegalStateException("AuditBenchmark printed no result (exit " + p.exitValue() + "): " + tail(logFile));
      }
      log("audit: " + m.group() + " events=" + o.auditEvents + " batch=" + o.auditBatch + " threads=" + o.auditThreads
          + " (own JVM, " + o.gatewayHeap + ", G1)");
      auditRate = Double.parseDouble(m.group(1));
      verifyRate = Double.parseDouble(m.group(2));
      deleteRecursively(auditDir);
    } catch (Exception | LinkageError e) {
      notes.add("audit benchmark failed: " + e);
    }

    // 4. tail-sampling memory
    double bytesPerTrace = o.phases.contains("sampling") ? pendingTraceBytes(notes) : Double.NaN;

    // report
    Path csv = o.out.resolve("points.csv");
    List<String> lines = new ArrayList<>();
    lines.add(LoadPoint.CSV_HEADER);
    points.forEach(p -> lines.add(p.toCsv()));
    Files.write(csv, lines);
    try {
      LoadChart.render(points, o.chart, "OTLP/HTTP traces, " + o.spansPerRequest + " spans/request");
      log("chart: " + o.chart);
    } catch (Exception | LinkageError e) {
      notes.add("chart not rendered: " + e);
    }
    // the ratio of a round is measured under one set of host conditions (the null receiver, then the pipeline right
    // after it): the median of those is the figure; the ratio of the two medians can pair a slowed round of one with
    // an unslowed round of the other, so it is reported beside it
    double pairedRatio = BenchSummary.medianOfRatios(
        pipelineRounds.stream().mapToDouble(Saturation::itemsPerSecond).toArray(),
        limitRounds.stream().mapToDouble(Saturation::itemsPerSecond).toArray());
    BenchSummary summary = new BenchSummary(pipeline.itemsPerSecond(), limit.itemsPerSecond(), pairedRatio,
        pipeline.cpuSecondsPerMillion(), half.p50Ms(), half.p99Ms(), rssMb, auditRate, verifyRate, bytesPerTrace);
    List<String> report = new ArrayList<>();
    report.add("# Goblin Gateway benchmark " + Instant.now() + (o.quick ? " (--quick)" : ""));
    report.add("machine: " + Machine.describe());
    report.add("traces pipeline processors: " + processors + "; exporters: null sink (nop)");
    report.add("load generator: " + o.generator + "; " + o.spansPerRequest + " spans/request; saturation " + o.rounds + " x "
        + o.saturationSeconds + " s (null receiver and pipeline in turn, medians, each round after a " + o.rewarmSeconds
        + " s re-warm) after " + o.warmupSeconds + " s warm-up; open-loop points " + o.pointSeconds + " s each");
    report.add(String.format(Locale.ROOT, "limit (null receiver): %.0f spans/s, %.2f CPU-s per M spans; %.0f req/s, %d errors",
        limit.itemsPerSecond(), limit.cpuSecondsPerMillion(), limit.requestsPerSecond(), limit.errors()));
    report.add(String.format(Locale.ROOT, "pipeline: %.0f spans/s, %.2f CPU-s per M spans; %.0f req/s, %d errors",
        pipeline.itemsPerSecond(), pipeline.cpuSecondsPerMillion(), pipeline.requestsPerSecond(), pipeline.errors()));
    report.add(String.format(Locale.ROOT, "pipeline_ratio %.2f: the median of the rounds' ratios %s; the ratio of the two "
        + "medians is %.2f", summary.pipelineRatio(), roundRatios(pipelineRounds, limitRounds), summary.ratioOfMedians()));
    report.add(String.format(Locale.ROOT, "pipeline at %.0f%% of saturation: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, %d errors of %d",
        half.fraction() * 100, half.p50Ms(), half.p90Ms(), half.p99Ms(), half.errors(), half.sent()));
    report.add(String.format(Locale.ROOT, "gateway peak RSS: %.0f MiB", rssMb));
    report.addAll(lines);
    notes.forEach(n -> report.add("note: " + n));
    report.add(String.format(Locale.ROOT, "elapsed: %.0f s", (System.nanoTime() - t0) / 1e9));
    report.add(summary.resultLine());
    Files.write(o.out.resolve("summary.txt"), report);
    for (String n : notes) {
      log("note: " + n);
    }
    log(String.format(Locale.ROOT, "done in %.0f s; %s, %s", (System.nanoTime() - t0) / 1e9, csv, o.out.resolve("summary.txt")));
    return summary;
  }

  // ------------------------------------------------------------------ measurements

  private Saturation saturate(String target, long pid, int port, Supplier<Double> counter, Path pool, List<Payload> payloads)
      throws Exception {
    String url = "http://127.0.0.1:" + port;
    boolean wrk = o.generator.equals("wrk");
    try (LoadGenerator load = new LoadGenerator("127.0.0.1", port, o.inFlight)) {
      double items0 = counter.get();
      double cpu0 = ProcStat.cpuSeconds(pid);
      long self = ProcessHandle.current().pid();
      double generator0 = ProcStat.cpuSeconds(self);
      long t0 = System.nanoTime();
      double requestsPerSecond;
      long errors;
      long requests;
      String latency = "";
      if (wrk) {
        WrkReport report = wrk(url, pool, o.saturationSeconds);
        requestsPerSecond = report.requestsPerSecond();
        errors = report.errors();
        requests = report.requests();
        latency = String.format(Locale.ROOT, ", wrk p50 %.2f ms p99 %.2f ms", report.p50Ms(), report.p99Ms());
      } else {
        LoadGenerator.Saturation s = load.closedLoop("/v1/traces", "application/x-protobuf", payloads, o.inFlight,
            Duration.ofSeconds(o.saturationSeconds));
        requestsPerSecond = s.requests() / s.seconds();
        errors = s.errors();
        requests = s.requests();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      double items = counter.get() - items0;
      double cpu = ProcStat.cpuSeconds(pid) - cpu0;
      double generatorCores = (ProcStat.cpuSeconds(self) - generator0) / seconds;
      double rate = items / seconds;
      double cpuPerMillion = cpu / (items / 1e6);
      log(String.format(Locale.ROOT, "%s: saturation %.0f spans/s (%.0f req/s, %d errors), %.2f CPU-s per M spans; "
              + "%s used %.2f cores, the generator's JVM %.2f (wrk not counted) of %d; load average %s%s",
          target, rate, requestsPerSecond, errors, cpuPerMillion, target, cpu / seconds, generatorCores,
          Runtime.getRuntime().availableProcessors(), Machine.loadAverage(), latency));
      if (errors > requests / 100) {
        log("WARNING " + target + ": " + errors + " of " + requests + " requests failed during saturation");
      }
      return new Saturation(rate, cpuPerMillion, requestsPerSecond, errors);
    }
  }

  /** Saturates {@code target} for the warm-up time (the JIT compiles under load for the first 25-30 s). */
  private void warmUp(String target, int port, Path pool, List<Payload> payloads) throws Exception {
    log(target + ": warm-up " + o.warmupSeconds + " s (" + loadDescription() + ")");
    load(port, pool, payloads, o.warmupSeconds);
  }

  /**
   * Saturates {@code target}, unmeasured, right before a measured round. A target idle since its last round (the
   * other one was measured, or the gateway was left to settle) ran other branches meanwhile, and the JIT recompiled
   * parts of its request path for them; without this, that recompilation (C2 took 5-10 % of the gateway's CPU in the
   * first seconds of a round here) falls inside the measured window.
   */
  private void rewarm(String target, int port, Path pool, List<Payload> payloads) throws Exception {
    if (o.rewarmSeconds > 0) {
      log(target + ": re-warm " + o.rewarmSeconds + " s (" + loadDescription() + ", not measured)");
      load(port, pool, payloads, o.rewarmSeconds);
    }
  }

  private String loadDescription() {
    return o.generator.equals("wrk") ? "wrk -t" + o.wrkThreads + " -c" + o.wrkConnections
        : "closed loop, " + o.inFlight + " requests in flight";
  }

  private void load(int port, Path pool, List<Payload> payloads, int seconds) throws Exception {
    if (o.generator.equals("wrk")) {
      wrk("http://127.0.0.1:" + port, pool, seconds);
    } else {
      try (LoadGenerator load = new LoadGenerator("127.0.0.1", port, o.inFlight)) {
        load.closedLoop("/v1/traces", "application/x-protobuf", payloads, o.inFlight, Duration.ofSeconds(seconds));
      }
    }
  }

  /**
   * Waits until process {@code pid} is idle (under a tenth of a core over half a second), at most 20 s: after a
   * saturation the gateway still decides the pending traces for up to a decision wait, which would otherwise take CPU
   * from the next measurement.
   */
  private void settle(long pid) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    double before = ProcStat.cpuSeconds(pid);
    while (System.nanoTime() < deadline) {
      Thread.sleep(500);
      double now = ProcStat.cpuSeconds(pid);
      if (now - before < 0.05) {
        return;
      }
      before = now;
    }
    log("note: process " + pid + " still busy after 20 s of waiting for it to settle");
  }

  private WrkReport wrk(String url, Path pool, int seconds) throws Exception {
    List<String> cmd = List.of(o.wrk, "-t" + o.wrkThreads, "-c" + o.wrkConnections, "-d" + seconds + "s", "--latency",
        "-s", o.root.resolve(o.lua).toString(), url, "--", pool.toAbsolutePath().toString(), "application/x-protobuf", "/v1/traces",
        // a fresh seed per run: the id counter must not restart where the previous run (e.g. the warm-up) began
        Integer.toString(java.util.concurrent.ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("wrk failed: " + String.join(" ", cmd) + "\n" + output);
    }
    return WrkReport.parse(output);
  }

  private List<LoadPoint> openLoop(String target, int port, List<Payload> payloads, double saturationItemsPerSecond) throws Exception {
    List<LoadPoint> points = new ArrayList<>();
    try (LoadGenerator load = new LoadGenerator("127.0.0.1", port, o.connections)) {
      double perRequest = o.spansPerRequest;
      load.openLoop(target, 0.5, "/v1/traces", "application/x-protobuf", payloads, 0.5 * saturationItemsPerSecond / perRequest,
          Duration.ofSeconds(5)); // warm the client's connections and JIT: with 2 s, the first seconds of the first point were still slow
      for (double f : o.fractions) {
        LoadPoint p = load.openLoop(target, f, "/v1/traces", "application/x-protobuf", payloads, f * saturationItemsPerSecond / perRequest,
            Duration.ofSeconds(o.pointSeconds));
        log(String.format(Locale.ROOT, "%s: offered %.0f%% = %.0f spans/s -> achieved %.0f spans/s, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, errors %d/%d",
            target, f * 100, p.offeredItemsPerSecond(), p.achievedItemsPerSecond(), p.p50Ms(), p.p90Ms(), p.p99Ms(), p.errors(), p.sent()));
        points.add(p);
      }
    }
    return points;
  }

  private double pendingTraceBytes(List<String> notes) {
    String cp = o.tracingCp;
    if (cp.isBlank()) {
      notes.add("bytes_per_pending_trace n/a: no gateway-tracing class path (TRACING_CP / --tracing-cp)");
      return Double.NaN;
    }
    try {
      Path logFile = o.out.resolve("pending-traces.log");
      log("tail sampling: " + o.pendingTraces + " pending traces (PendingTracesBench)");
      Process p = startJava(cp, List.of("-Xmx4g"), "io.goblinos.gateway.tracing.sampling.PendingTracesBench",
          List.of("traces=" + o.pendingTraces), logFile);
      if (!p.waitFor(600, TimeUnit.SECONDS)) {
        stop(p);
        notes.add("bytes_per_pending_trace n/a: PendingTracesBench did not finish in 600 s");
        return Double.NaN;
      }
      String text = Files.readString(logFile);
      Matcher m = Pattern.compile("RESULT bytes_per_pending_trace=([\\d.]+)").matcher(text);
      if (!m.find()) {
        String tail = text.length() > 600 ? text.substring(text.length() - 600) : text;
        notes.add("bytes_per_pending_trace n/a: PendingTracesBench printed no RESULT (exit " + p.exitValue() + "): "
            + tail.replace('\n', ' '));
        return Double.NaN;
      }
      for (String line : text.split("\n")) {
        log("tail sampling: " + line);
      }
      return Double.parseDouble(m.group(1));
    } catch (Exception e) {
      notes.add("bytes_per_pending_trace n/a: " + e);
      return Double.NaN;
    }
  }

  private static double statsSpans(int port) {
    String body = get("http://127.0.0.1:" + port + "/stats");
    Matcher m = Pattern.compile("\"spans\":(\\d+)").matcher(body);
    if (!m.find()) {
      throw new IllegalStateException("null receiver /stats: " + body);
    }
    return Double.parseDouble(m.group(1));
  }

  private static double acceptedSpans(int adminPort) {
    return PrometheusText.sum(get("http://127.0.0.1:" + adminPort + "/metrics"), "gateway_receiver_accepted_spans_total");
  }

  // ------------------------------------------------------------------ processes

  /**
   * The gateway as users run it: {@code bin/goblin-gateway} (its class path, JVM flags and heap default), with
   * {@code jvmOptions} in {@code JAVA_OPTS}. The launcher {@code exec}s java, so the process is the gateway's JVM.
   */
  private Process startLauncher(List<String> jvmOptions, List<String> args, Path logFile) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(o.root.resolve("bin/goblin-gateway").toString());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(o.root.toFile()).redirectErrorStream(true)
        .redirectOutput(logFile.toFile());
    pb.environment().put("JAVA_OPTS", String.join(" ", jvmOptions));
    Process p = pb.start();
    started.add(p);
    return p;
  }

  private Process startJava(String cp, List<String> jvmOptions, String mainClass, List<String> args, Path logFile) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (Runtime.version().feature() >= 24) {
      // as bin/goblin-gateway does: protobuf-java decodes several times slower on JDK 24+ without it
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(cp);
    cmd.add(mainClass);
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).directory(o.root.toFile()).redirectErrorStream(true)
        .redirectOutput(logFile.toFile()).start();
    started.add(p);
    return p;
  }

  private static String awaitLine(Process p, Path logFile, Pattern pattern, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (Files.exists(logFile)) {
        Matcher m = pattern.matcher(Files.readString(logFile));
        if (m.find()) {
          return m.group(1);
        }
      }
      if (!p.isAlive()) {
        throw new IllegalStateException("process exited " + p.exitValue() + ": " + tail(logFile));
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("no '" + pattern + "' within " + seconds + " s: " + tail(logFile));
  }

  private static void awaitReady(Process p, Path logFile, int adminPort) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("gateway exited " + p.exitValue() + ":\n" + tail(logFile));
      }
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/health/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("gateway not ready within 90 s:\n" + tail(logFile));
  }

  private void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(40, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void stopAll() {
    for (Process p : started) {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  private static String tail(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String get(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new IllegalStateException("GET " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ config

  private JsonNode config() throws IOException {
    return readConfig(o.root.resolve(o.config));
  }

  private List<String> traceProcessors() throws IOException {
    return traceProcessors(config());
  }

  /** A gateway config file as a tree. */
  static JsonNode readConfig(Path file) throws IOException {
    return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
  }

  /** The processors of {@code config}'s traces pipeline, in order. */
  static List<String> traceProcessors(JsonNode config) {
    List<String> out = new ArrayList<>();
    config.path("service").path("pipelines").path("traces").path("processors").forEach(n -> out.add(n.asText()));
    return out;
  }

  /**
   * The {@code --set} overrides (without the leading {@code --set}) that make {@code config}'s gateway export to a
   * null sink: every pipeline's exporters replaced by {@code nop}, and what it still writes (file exporter, audit
   * store) under {@code dir}.
   */
  static List<String> nullSinkOverrides(JsonNode config, Path dir) {
    List<String> sets = new ArrayList<>(List.of("exporters.file.directory=" + dir.resolve("otlp"), "exporters.nop={}"));
    config.path("service").path("pipelines").fieldNames()
        .forEachRemaining(signal -> sets.add("service.pipelines." + signal + ".exporters=[nop]"));
    if (config.has("audit")) {
      sets.add("audit.store.directory=" + dir.resolve("audit"));
    }
    return sets;
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        p.toFile().setWritable(true);
        Files.delete(p);
      }
    }
  }

  private static void log(String message) {
    OUT.println("bench: " + message);
    OUT.flush();
  }

}
