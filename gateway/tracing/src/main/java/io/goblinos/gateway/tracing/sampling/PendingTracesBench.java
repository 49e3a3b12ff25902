package io.goblinos.gateway.tracing.sampling;

import com.google.protobuf.ByteString;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Memory benchmark of tail sampling (not a test): fills the processor with N pending traces of realistic LLM spans
 * and prints the heap bytes held per pending trace. Nothing is decided: the clock stands still.
 *
 * <pre>
 * java -Xmx1g -cp 'gateway/tracing/target/gateway-tracing-*.jar:gateway/tracing/target/lib/*' \
 *     io.goblinos.gateway.tracing.sampling.PendingTracesBench [traces=1000000] [spans_per_trace=1] [shards=16]
 * </pre>
 *
 * The last line is {@code RESULT bytes_per_pending_trace=… span_bytes_per_trace=… traces=… spans_per_trace=…
 * heap_mb=…}: the heap growth (after full GCs) divided by the number of pending traces, including the slot arrays,
 * index, decision caches (sized num_traces) and the stored span bytes.
 */
public final class PendingTracesBench {

  private PendingTracesBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      opts.put(a.substring(0, eq).replaceFirst("^--", ""), a.substring(eq + 1));
    }
    int traces = Integer.parseInt(opts.getOrDefault("traces", "1000000"));
    int spansPerTrace = Integer.parseInt(opts.getOrDefault("spans_per_trace", "1"));
    int shards = Integer.parseInt(opts.getOrDefault("shards", "16"));
    Vertx vertx = Vertx.vertx();
    try {
      long before = usedHeapAfterGc();
      Map<String, Object> cfg = new LinkedHashMap<>();
      cfg.put("decision_wait", "1h");
      cfg.put("num_traces", traces);
      cfg.put("max_pending_bytes", "64GiB");
      cfg.put("shards", shards);
      cfg.put("drop_pending_traces_on_shutdown", true);
      ConfigNode node = new ConfigNode("processors::tail_sampling", cfg, new ConfigErrors());
      TailSamplingConfig config = TailSamplingConfig.parse(node);
      node.finish();
      if (!node.errors().isEmpty()) {
        throw new IllegalStateException(node.errors().toString());
      }
      ComponentContext ctx = new ComponentContext(ComponentId.parse("tail_sampling"), "traces", vertx,
          new SimpleMeterRegistry(), Path.of("."));
      TailSamplingProcessor p = new TailSamplingProcessor(ctx, config, r -> Future.succeededFuture(), () -> 0L);
      SplittableRandom random = new SplittableRandom(1);
      Resource resource = Resource.newBuilder()
          .addAttributes(kv("service.name", "litebrain"))
          .addAttributes(kv("service.namespace", "goblinos"))
          .addAttributes(kv("telemetry.sdk.language", "java"))
          .build();
      InstrumentationScope scope = InstrumentationScope.newBuilder().setName("goblinos.litebrain").build();
      int batch = 100;
      long spanBytes = 0;
      for (int t = 0; t < traces; t += batch) {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(scope);
        for (int i = t; i < Math.min(traces, t + batch); i++) {
          ByteString traceId = id(random, 16);
          for (int s = 0; s < spansPerTrace; s++) {
            Span span = llmSpan(random, traceId, i);
            spanBytes += span.getSerializedSize();
            ss.addSpans(span);
          }
        }
        p.consume(ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(ResourceSpans.newBuilder().setResource(resource).addScopeSpans(ss)).build());
      }
      long after = usedHeapAfterGc();
      long pending = p.pendingTraces();
      if (pending != traces) {
        throw new IllegalStateException("expected " + traces + " pending traces, got " + pending);
      }
      double perTrace = (after - before) / (double) pending;
      System.out.printf("pending_traces=%d pending_bytes=%d bookkeeping_bytes=%d%n", pending, p.pendingBytes(),
          p.overheadBytes());
      System.out.printf("RESULT bytes_per_pending_trace=%.0f span_bytes_per_trace=%.0f traces=%d spans_per_trace=%d heap_mb=%.1f%n",
          perTrace, spanBytes / (double) traces, traces, spansPerTrace, (after - before) / 1048576.0);
      p.shutdown();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static ByteString id(SplittableRandom r, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return ByteString.copyFrom(b);
  }

  /** A provider CLIENT span as LiteBrain emits it: gen_ai attributes, goblin id, realistic timestamps. */
  private static Span llmSpan(SplittableRandom r, ByteString traceId, int i) {
    long start = 1_764_000_000_000_000_000L + i * 1_000_000L;
    return Span.newBuilder()
        .setTraceId(traceId)
        .setSpanId(id(r, 8))
        .setParentSpanId(id(r, 8))
        .setName("chat gpt-4o")
        .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(start)
        .setEndTimeUnixNano(start + 800_000_000L + r.nextInt(1_000_000))
        .addAttributes(kv("gen_ai.provider.name", "openai"))
        .addAttributes(kv("gen_ai.operation.name", "chat"))
        .addAttributes(kv("gen_ai.request.model", "gpt-4o"))
        .addAttributes(intKv("gen_ai.usage.input_tokens", 1000 + r.nextInt(2000)))
        .addAttributes(intKv("gen_ai.usage.output_tokens", 100 + r.nextInt(500)))
        .addAttributes(kv("goblin.id", "goblin-" + r.nextInt(500)))
        .build();
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  private static KeyValue intKv(String k, long v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build();
  }
}
