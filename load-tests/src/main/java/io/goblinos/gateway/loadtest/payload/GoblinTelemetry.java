package io.goblinos.gateway.loadtest.payload;

import static io.goblinos.gateway.loadtest.payload.Attrs.bool;
import static io.goblinos.gateway.loadtest.payload.Attrs.dbl;
import static io.goblinos.gateway.loadtest.payload.Attrs.num;
import static io.goblinos.gateway.loadtest.payload.Attrs.str;
import static io.goblinos.gateway.loadtest.payload.Attrs.strs;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic, realistic GoblinOS telemetry: export requests as an OpenTelemetry SDK in one service instance sends
 * them. A trace is a Goblin handling a task: a SERVER span, a planning span, LLM CLIENT spans with {@code gen_ai.*}
 * attributes (provider, model, token usage, finish reasons), tool executions, database and downstream HTTP calls, and
 * now and then an error. Every trace id and span id is random (from the seed), so requests are distinct and the
 * tail sampler sees many traces.
 *
 * <p>Not thread-safe: one generator per thread.
 */
public final class GoblinTelemetry {
  static final String[] SERVICES = {
    "litebrain", "goblin-runner", "hoard", "scheduler", "toolsmith", "gatekeeper", "ledger", "scribe",
  };
  static final String[] MODELS = {"gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "claude-haiku-4", "mistral-large", "llama-3.1-70b"};
  static final String[] PROVIDERS = {"openai", "openai", "anthropic", "anthropic", "mistral_ai", "aws.bedrock"};
  static final String[] TOOLS = {"search_hoard", "read_ledger", "send_message", "fetch_url", "run_sql", "summarize"};
  static final String[] ROUTES = {"/v1/tasks", "/v1/tasks/{id}", "/v1/decisions", "/v1/hoard/items", "/v1/plans"};
  static final String[] ROLES = {"planner", "approver", "executor", "auditor", "scout"};

  private final SplittableRandom random;
  private final long baseNanos;

  public GoblinTelemetry(long seed) {
    this(seed, System.currentTimeMillis() * 1_000_000L);
  }

  public GoblinTelemetry(long seed, long baseNanos) {
    this.random = new SplittableRandom(seed);
    this.baseNanos = baseNanos;
  }

  // ---------------------------------------------------------------- traces

  /** One export request from one service instance with about {@code spans} spans (whole traces of 3–14 spans). */
  public ExportTraceServiceRequest traces(int spans) {
    int service = random.nextInt(SERVICES.length);
    ScopeSpans.Builder app = ScopeSpans.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName("goblinos." + SERVICES[service]).setVersion("2.14.0"));
    ScopeSpans.Builder http = ScopeSpans.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.vertx-http-server-5.0").setVersion("2.18.0-alpha"));
    int made = 0;
    while (made < spans) {
      made += trace(Math.min(spans - made, 3 + random.nextInt(12)), http, app);
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(resource(service))
            .setSchemaUrl("https://opentelemetry.io/schemas/1.34.0")
            .addScopeSpans(http)
            .addScopeSpans(app))
        .build();
  }

  private int trace(int spans, ScopeSpans.Builder http, ScopeSpans.Builder app) {
    ByteString traceId = id(16);
    ByteString rootId = id(8);
    long start = baseNanos + random.nextLong(60_000_000_000L);
    long duration = 200_000_000L + random.nextLong(4_000_000_000L);
    boolean error = random.nextInt(50) == 0;
    String goblin = "goblin-" + random.nextInt(500);
    String task = Long.toHexString(random.nextLong());
    String route = ROUTES[random.nextInt(ROUTES.length)];
    http.addSpans(Span.newBuilder()
        .setTraceId(traceId).setSpanId(rootId)
        .setName("POST " + route)
        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(start).setEndTimeUnixNano(start + duration)
        .addAttributes(str("http.request.method", "POST"))
        .addAttributes(str("http.route", route))
        .addAttributes(str("url.path", route.replace("{id}", task)))
        .addAttributes(str("url.scheme", "http"))
        .addAttributes(num("http.response.status_code", error ? 500 : 200))
        .addAttributes(str("server.address", "goblin-gateway.goblinos.svc"))
        .addAttributes(num("server.port", 8080))
        .addAttributes(str("network.protocol.version", "1.1"))
        .addAttributes(str("user_agent.original", "goblin-sdk-java/2.14.0"))
        .addAttributes(str("goblin.id", goblin))
        .addAttributes(str("goblin.task.id", task))
        .setStatus(error ? Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).build() : Status.getDefaultInstance())
        .build());
    int made = 1;
    if (made < spans) {
      ByteString planId = id(8);
      app.addSpans(internal(traceId, planId, rootId, "goblin.plan", start + 1_000_000, duration / 10)
          .addAttributes(str("goblin.id", goblin))
          .addAttributes(str("goblin.role", ROLES[random.nextInt(ROLES.length)]))
          .addAttributes(num("goblin.plan.steps", 1 + random.nextInt(8))));
      made++;
    }
    long cursor = start + duration / 10;
    while (made < spans) {
      int kind = random.nextInt(10);
      long d = 1_000_000L + random.nextLong(duration / 4);
      if (kind < 5) {
        app.addSpans(llm(traceId, rootId, cursor, d, goblin, error && made == spans - 1));
      } else if (kind < 7) {
        String tool = TOOLS[random.nextInt(TOOLS.length)];
        app.addSpans(internal(traceId, id(8), rootId, "execute_tool " + tool, cursor, d)
            .addAttributes(str("gen_ai.operation.name", "execute_tool"))
            .addAttributes(str("gen_ai.tool.name", tool))
            .addAttributes(str("gen_ai.tool.call.id", "call_" + Long.toHexString(random.nextLong())))
            .addAttributes(str("goblin.id", goblin)));
      } else if (kind < 9) {
        app.addSpans(Span.newBuilder()
            .setTraceId(traceId).setSpanId(id(8)).setParentSpanId(rootId)
            .setName("SELECT hoard.items")
            .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
            .setStartTimeUnixNano(cursor).setEndTimeUnixNano(cursor + d / 20)
            .addAttributes(str("db.system.name", "postgresql"))
            .addAttributes(str("db.namespace", "hoard"))
            .addAttributes(str("db.collection.name", "items"))
            .addAttributes(str("db.operation.name", "SELECT"))
            .addAttributes(str("db.query.text", "SELECT id, owner, value FROM items WHERE owner = $1 AND kind = $2 LIMIT 50"))
            .addAttributes(str("server.address", "hoard-db.goblinos.svc"))
            .addAttributes(num("server.port", 5432)));
      } else {
        app.addSpans(Span.newBuilder()
            .setTraceId(traceId).setSpanId(id(8)).setParentSpanId(rootId)
            .setName("GET")
            .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
            .setStartTimeUnixNano(cursor).setEndTimeUnixNano(cursor + d / 5)
            .addAttributes(str("http.request.method", "GET"))
            .addAttributes(str("url.full", "http://ledger.goblinos.svc:8080/v1/entries/" + Long.toHexString(random.nextLong())))
            .addAttributes(num("http.response.status_code", 200))
            .addAttributes(str("server.address", "ledger.goblinos.svc"))
            .addAttributes(num("server.port", 8080)));
      }
      cursor += d / 3;
      made++;
    }
    return made;
  }

  private Span.Builder internal(ByteString traceId, ByteString spanId, ByteString parent, String name, long start, long d) {
    return Span.newBuilder()
        .setTraceId(traceId).setSpanId(spanId).setParentSpanId(parent)
        .setName(name)
        .setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
        .setStartTimeUnixNano(start).setEndTimeUnixNano(start + d);
  }

  /** An LLM call as the GenAI semantic conventions describe it. */
  private Span llm(ByteString traceId, ByteString parent, long start, long d, String goblin, boolean error) {
    int m = random.nextInt(MODELS.length);
    long in = 200 + random.nextInt(6000);
    long out = 20 + random.nextInt(1200);
    Span.Builder span = Span.newBuilder()
        .setTraceId(traceId).setSpanId(id(8)).setParentSpanId(parent)
        .setName("chat " + MODELS[m])
        .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(start).setEndTimeUnixNano(start + d)
        .addAttributes(str("gen_ai.operation.name", "chat"))
        .addAttributes(str("gen_ai.provider.name", PROVIDERS[m]))
        .addAttributes(str("gen_ai.request.model", MODELS[m]))
        .addAttributes(str("gen_ai.response.model", MODELS[m] + "-2026-08-06"))
        .addAttributes(str("gen_ai.response.id", "chatcmpl-" + Long.toHexString(random.nextLong())))
        .addAttributes(num("gen_ai.usage.input_tokens", in))
        .addAttributes(num("gen_ai.usage.output_tokens", out))
        .addAttributes(dbl("gen_ai.request.temperature", random.nextInt(11) / 10.0))
        .addAttributes(num("gen_ai.request.max_tokens", 4096))
        .addAttributes(strs("gen_ai.response.finish_reasons", error ? "error" : "stop"))
        .addAttributes(str("server.address", "api." + PROVIDERS[m].replace('_', '-') + ".example"))
        .addAttributes(num("server.port", 443))
        .addAttributes(str("goblin.id", goblin))
        .addAttributes(bool("goblin.cached", random.nextInt(5) == 0));
    if (error) {
      span.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("429 Too Many Requests"))
          .addAttributes(str("error.type", "rate_limited"));
    }
    return span.build();
  }

  private Resource resource(int service) {
    String name = SERVICES[service];
    int instance = random.nextInt(6);
    return Resource.newBuilder()
        .addAttributes(str("service.name", name))
        .addAttributes(str("service.namespace", "goblinos"))
        .addAttributes(str("service.version", "2.14." + (service % 4)))
        .addAttributes(str("service.instance.id", name + "-" + instance + "-7d9f8b6c5-x" + instance))
        .addAttributes(str("deployment.environment.name", "production"))
        .addAttributes(str("k8s.namespace.name", "goblinos"))
        .addAttributes(str("k8s.pod.name", name + "-7d9f8b6c5-x" + instance))
        .addAttributes(str("k8s.node.name", "node-" + (instance % 3)))
        .addAttributes(str("host.name", "node-" + (instance % 3) + ".cluster.local"))
        .addAttributes(str("telemetry.sdk.name", "opentelemetry"))
        .addAttributes(str("telemetry.sdk.language", "java"))
        .addAttributes(str("telemetry.sdk.version", "1.68.0"))
        .addAttributes(str("goblin.hoard", "hoard-" + (service % 3)))
        .build();
  }

  // ---------------------------------------------------------------- metrics

  /** One export request with about {@code points} data points (a histogram counts as one point). */
  public ExportMetricsServiceRequest metrics(int points) {
    int service = random.nextInt(SERVICES.length);
    long now = baseNanos + random.nextLong(60_000_000_000L);
    long startTime = now - 3_600_000_000_000L;
    ScopeMetrics.Builder scope = ScopeMetrics.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName("goblinos." + SERVICES[service]));
    int made = 0;
    while (made < points) {
      int kind = made / 4 % 4;
      int n = Math.min(4, points - made);
      Metric.Builder metric;
      if (kind == 0) {
        Histogram.Builder h = Histogram.newBuilder().setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
        for (int i = 0; i < n; i++) {
          h.addDataPoints(histogramPoint(startTime, now, str("gen_ai.request.model", MODELS[random.nextInt(MODELS.length)]),
              str("gen_ai.token.type", i % 2 == 0 ? "input" : "output")));
        }
        metric = Metric.newBuilder().setName("gen_ai.client.token.usage").setUnit("{token}").setHistogram(h);
      } else if (kind == 1) {
        Histogram.Builder h = Histogram.newBuilder().setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
        for (int i = 0; i < n; i++) {
          h.addDataPoints(histogramPoint(startTime, now, str("http.route", ROUTES[random.nextInt(ROUTES.length)]),
              num("http.response.status_code", random.nextInt(20) == 0 ? 500 : 200)));
        }
        metric = Metric.newBuilder().setName("http.server.request.duration").setUnit("s").setHistogram(h);
      } else if (kind == 2) {
        Sum.Builder sum = Sum.newBuilder().setIsMonotonic(true)
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
        for (int i = 0; i < n; i++) {
          sum.addDataPoints(NumberDataPoint.newBuilder().setStartTimeUnixNano(startTime).setTimeUnixNano(now)
              .setAsInt(random.nextInt(1_000_000))
              .addAttributes(str("goblin.id", "goblin-" + random.nextInt(500)))
              .addAttributes(str("goblin.decision", random.nextBoolean() ? "approved" : "denied")));
        }
        metric = Metric.newBuilder().setName("goblin.decisions").setUnit("{decision}").setSum(sum);
      } else {
        Gauge.Builder gauge = Gauge.newBuilder();
        for (int i = 0; i < n; i++) {
          gauge.addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(now).setAsDouble(random.nextDouble() * 1e9)
              .addAttributes(str("jvm.memory.type", i % 2 == 0 ? "heap" : "non_heap"))
              .addAttributes(str("jvm.memory.pool.name", "pool-" + i)));
        }
        metric = Metric.newBuilder().setName("jvm.memory.used").setUnit("By").setGauge(gauge);
      }
      scope.addMetrics(metric);
      made += n;
    }
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource(service)).addScopeMetrics(scope))
        .build();
  }

  private HistogramDataPoint histogramPoint(long start, long now, KeyValue... attributes) {
    HistogramDataPoint.Builder p = HistogramDataPoint.newBuilder().setStartTimeUnixNano(start).setTimeUnixNano(now);
    long count = 0;
    double sum = 0;
    double[] bounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    for (double b : bounds) {
      p.addExplicitBounds(b);
    }
    for (int i = 0; i <= bounds.length; i++) {
      long c = random.nextInt(1000);
      p.addBucketCounts(c);
      count += c;
      sum += c * (i < bounds.length ? bounds[i] : 20);
    }
    for (KeyValue kv : attributes) {
      p.addAttributes(kv);
    }
    return p.setCount(count).setSum(sum).build();
  }

  // ---------------------------------------------------------------- logs

  /** One export request with {@code records} log records, correlated to random traces. */
  public ExportLogsServiceRequest logs(int records) {
    int service = random.nextInt(SERVICES.length);
    ScopeLogs.Builder scope = ScopeLogs.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName("goblinos." + SERVICES[service]));
    for (int i = 0; i < records; i++) {
      long t = baseNanos + random.nextLong(60_000_000_000L);
      int level = random.nextInt(20);
      SeverityNumber severity = level == 0 ? SeverityNumber.SEVERITY_NUMBER_ERROR
          : level < 3 ? SeverityNumber.SEVERITY_NUMBER_WARN : SeverityNumber.SEVERITY_NUMBER_INFO;
      String goblin = "goblin-" + random.nextInt(500);
      scope.addLogRecords(LogRecord.newBuilder()
          .setTimeUnixNano(t).setObservedTimeUnixNano(t + 1_000)
          .setSeverityNumber(severity)
          .setSeverityText(severity.name().substring("SEVERITY_NUMBER_".length()))
          .setBody(AnyValue.newBuilder().setStringValue(goblin + " " + (level == 0 ? "failed to call the model: 429 Too Many Requests"
              : "finished step " + random.nextInt(9) + " of task " + Long.toHexString(random.nextLong()) + " in " + random.nextInt(3000) + " ms")))
          .setTraceId(id(16)).setSpanId(id(8))
          .addAttributes(str("goblin.id", goblin))
          .addAttributes(str("code.function.name", "io.goblinos.runner.Step.run"))
          .addAttributes(str("thread.name", "vert.x-eventloop-thread-" + random.nextInt(4))));
    }
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().setResource(resource(service)).addScopeLogs(scope))
        .build();
  }

  /** {@code count} trace requests of {@code spans} spans each. */
  public List<ExportTraceServiceRequest> traceRequests(int count, int spans) {
    List<ExportTraceServiceRequest> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(traces(spans));
    }
    return out;
  }

  private ByteString id(int bytes) {
    byte[] b = new byte[bytes];
    for (int i = 0; i < bytes; i += 8) {
      long v = random.nextLong();
      for (int j = 0; j < 8 && i + j < bytes; j++) {
        b[i + j] = (byte) (v >>> (8 * j));
      }
    }
    if (b[0] == 0) {
      b[0] = 1; // all-zero ids are invalid; keep the first byte non-zero
    }
    return ByteString.copyFrom(b);
  }
}
