package io.goblinos.gateway.tracing.cost;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.SplittableRandom;

/**
 * Requests shaped like the load tests' trace payloads ({@code load-tests} GoblinTelemetry, which this module cannot
 * depend on): one service instance, two scopes, whole traces of 3 to 14 spans: a root, a plan, then half LLM calls
 * (about a third of all spans; {@code gen_ai.*}, 14 attributes) of 500 goblins and 6 models (two without a price in
 * the shipped table), half tool and database spans. For {@link CostHotPathBench}; deterministic per seed.
 */
final class BenchTraces {
  static final String[] MODELS = {"gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "claude-haiku-4", "mistral-large",
      "llama-3.1-70b"};
  static final String[] PROVIDERS = {"openai", "openai", "anthropic", "anthropic", "mistral_ai", "aws.bedrock"};

  private final SplittableRandom random;
  private final long base = System.currentTimeMillis() * 1_000_000L;

  BenchTraces(long seed) {
    random = new SplittableRandom(seed);
  }

  /** One request of {@code spans} spans. */
  ExportTraceServiceRequest request(int spans) {
    ScopeSpans.Builder http = ScopeSpans.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.vertx-http-server-5.0"));
    ScopeSpans.Builder app = ScopeSpans.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName("goblinos.litebrain").setVersion("2.14.0"));
    int made = 0;
    while (made < spans) {
      made += trace(Math.min(spans - made, 3 + random.nextInt(12)), http, app);
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(str("service.name", "litebrain"))
            .addAttributes(str("service.namespace", "goblinos")).addAttributes(str("k8s.namespace.name", "goblinos"))
            .addAttributes(str("telemetry.sdk.language", "java")))
        .addScopeSpans(http).addScopeSpans(app)).build();
  }

  private int trace(int spans, ScopeSpans.Builder http, ScopeSpans.Builder app) {
    ByteString traceId = id(16);
    ByteString rootId = id(8);
    long start = base + random.nextLong(60_000_000_000L);
    long duration = 200_000_000L + random.nextLong(4_000_000_000L);
    String goblin = "goblin-" + random.nextInt(500);
    http.addSpans(span(traceId, rootId, ByteString.EMPTY, "POST /v1/tasks", Span.SpanKind.SPAN_KIND_SERVER, start,
        duration).addAttributes(str("http.request.method", "POST")).addAttributes(str("http.route", "/v1/tasks"))
        .addAttributes(num("http.response.status_code", 200)).addAttributes(str("server.address", "gateway"))
        .addAttributes(str("goblin.id", goblin))
        .addAttributes(str("goblin.task.id", Long.toHexString(random.nextLong())))
        .build());
    int made = 1;
    if (made < spans) {
      app.addSpans(span(traceId, id(8), rootId, "goblin.plan", Span.SpanKind.SPAN_KIND_INTERNAL, start + 1_000_000,
          duration / 10).addAttributes(str("goblin.id", goblin)).addAttributes(str("goblin.role", "planner"))
          .addAttributes(num("goblin.plan.steps", 1 + random.nextInt(8))).build());
      made++;
    }
    long cursor = start + duration / 10;
    while (made < spans) {
      int kind = random.nextInt(10);
      long d = 1_000_000L + random.nextLong(duration / 4);
      if (kind < 5) {
        int m = random.nextInt(MODELS.length);
        app.addSpans(span(traceId, id(8), rootId, "chat " + MODELS[m], Span.SpanKind.SPAN_KIND_CLIENT, cursor, d)
            .addAttributes(str("gen_ai.operation.name", "chat"))
            .addAttributes(str("gen_ai.provider.name", PROVIDERS[m]))
            .addAttributes(str("gen_ai.request.model", MODELS[m]))
            .addAttributes(str("gen_ai.response.model", MODELS[m] + "-2026-08-06"))
            .addAttributes(str("gen_ai.response.id", "chatcmpl-" + Long.toHexString(random.nextLong())))
            .addAttributes(num("gen_ai.usage.input_tokens", 200 + random.nextInt(6000)))
            .addAttributes(num("gen_ai.usage.output_tokens", 20 + random.nextInt(1200)))
            .addAttributes(KeyValue.newBuilder().setKey("gen_ai.request.temperature")
                .setValue(AnyValue.newBuilder().setDoubleValue(random.nextInt(11) / 10.0)))
            .addAttributes(num("gen_ai.request.max_tokens", 4096))
            .addAttributes(KeyValue.newBuilder().setKey("gen_ai.response.finish_reasons")
                .setValue(AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                    .addValues(AnyValue.newBuilder().setStringValue("stop")))))
            .addAttributes(str("server.address", "api." + PROVIDERS[m] + ".example"))
            .addAttributes(num("server.port", 443))
            .addAttributes(str("goblin.id", goblin))
            .addAttributes(KeyValue.newBuilder().setKey("goblin.cached")
                .setValue(AnyValue.newBuilder().setBoolValue(random.nextInt(5) == 0)))
            .build());
      } else if (kind < 7) {
        app.addSpans(span(traceId, id(8), rootId, "execute_tool search", Span.SpanKind.SPAN_KIND_INTERNAL, cursor, d)
            .addAttributes(str("gen_ai.operation.name", "execute_tool"))
            .addAttributes(str("gen_ai.tool.name", "search"))
            .addAttributes(str("gen_ai.tool.call.id", "call_" + Long.toHexString(random.nextLong())))
            .addAttributes(str("goblin.id", goblin)).build());
      } else {
        app.addSpans(span(traceId, id(8), rootId, "SELECT hoard.items", Span.SpanKind.SPAN_KIND_CLIENT, cursor, d / 20)
            .addAttributes(str("db.system.name", "postgresql")).addAttributes(str("db.namespace", "hoard"))
            .addAttributes(str("db.operation.name", "SELECT"))
            .addAttributes(str("db.query.text", "SELECT id, owner, value FROM items WHERE owner = $1 LIMIT 50"))
            .addAttributes(str("server.address", "hoard-db.goblinos.svc")).addAttributes(num("server.port", 5432))
            .build());
      }
      cursor += d / 3;
      made++;
    }
    return made;
  }

  /** LLM spans of a request (those with gen_ai.provider.name). */
  static int llmSpans(ExportTraceServiceRequest request) {
    int n = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          if (s.getAttributesList().stream().anyMatch(kv -> kv.getKey().equals("gen_ai.provider.name"))) {
            n++;
          }
        }
      }
    }
    return n;
  }

  private static Span.Builder span(ByteString traceId, ByteString spanId, ByteString parent, String name,
                                   Span.SpanKind kind, long start, long duration) {
    return Span.newBuilder().setTraceId(traceId).setSpanId(spanId).setParentSpanId(parent).setName(name)
        .setKind(kind).setStartTimeUnixNano(start).setEndTimeUnixNano(start + duration);
  }

  private ByteString id(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return ByteString.copyFrom(b);
  }

  private static KeyValue str(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  private static KeyValue num(String k, long v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build();
  }
}
