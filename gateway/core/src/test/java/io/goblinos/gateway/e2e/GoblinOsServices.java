package io.goblinos.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Three GoblinOS services, each with its own OpenTelemetry SDK TracerProvider and resource, exporting to a gateway
 * over OTLP: Overmind over gRPC, goblin-runtime and LiteBrain over HTTP/protobuf. A task trace crosses them as a
 * real one does: each hop injects W3C {@code traceparent} into a header map and the next service extracts it, so
 * parent links connect across services.
 *
 * <p>Shape of one task trace (offsets in ms from the trace's start; each level is 1 ms inside its parent):
 * <pre>
 * overmind        SERVER  POST /v1/plans                       [0, d]
 * overmind        CLIENT  dispatch goblin                      [1, d-1]   --traceparent-->
 * goblin-runtime  SERVER  goblin.task {task} (goblin.*)        [2, d-2]
 * goblin-runtime  CLIENT  POST litebrain /v1/complete          [3, d-3]   --traceparent-->
 * litebrain       SERVER  litebrain.complete                   [4, d-4]
 * litebrain       CLIENT  chat {model} (gen_ai.*)              [5, d-5]
 * </pre>
 * Without LiteBrain, goblin-runtime calls the provider itself (CLIENT {@code chat {model}} at [3, d-3]).
 *
 * <p>Every span is also captured in memory, so a test knows exactly what the SDK sent.
 */
final class GoblinOsServices implements AutoCloseable {
  static final String OVERMIND = "overmind";
  static final String RUNTIME = "goblin-runtime";
  static final String LITEBRAIN = "litebrain";

  private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private final InMemorySpanExporter captured = InMemorySpanExporter.create();
  private final SdkTracerProvider overmind;
  private final SdkTracerProvider runtime;
  private final SdkTracerProvider litebrain;

  /** An LLM call: which attribute names the provider (gen_ai.provider.name or legacy gen_ai.system). */
  record LlmCall(String providerAttribute, String provider, String model, long inputTokens, long outputTokens,
                 Double reportedCost) {
    static LlmCall of(String provider, String model, long in, long out) {
      return new LlmCall("gen_ai.provider.name", provider, model, in, out, null);
    }

    LlmCall legacySystem() {
      return new LlmCall("gen_ai.system", provider, model, inputTokens, outputTokens, reportedCost);
    }

    LlmCall reporting(double cost) {
      return new LlmCall(providerAttribute, provider, model, inputTokens, outputTokens, cost);
    }
  }

  /** One goblin task: who, what, which LLM call, how long, failed or not, through LiteBrain or not. */
  record Task(String goblinId, String guild, String task, LlmCall call, long durationMs, boolean error,
              boolean viaLitebrain) {
    static Task of(String goblinId, String guild, String task, LlmCall call) {
      return new Task(goblinId, guild, task, call, 200, false, true);
    }

    Task lasting(long ms) {
      return new Task(goblinId, guild, task, call, ms, error, viaLitebrain);
    }

    Task failing() {
      return new Task(goblinId, guild, task, call, durationMs, true, viaLitebrain);
    }

    Task withoutLitebrain() {
      return new Task(goblinId, guild, task, call, durationMs, error, false);
    }
  }

  /** What was sent for one task: trace id, every span id with its service, the provider span, the task span. */
  record Sent(String traceId, Map<String, String> serviceBySpanId, String providerSpanId, String taskSpanId) {}

  GoblinOsServices(int grpcPort, int httpPort) {
    String http = "http://127.0.0.1:" + httpPort + "/v1/traces";
    overmind = provider(OVERMIND, OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + grpcPort)
        .setTimeout(Duration.ofSeconds(20)).build());
    runtime = provider(RUNTIME, OtlpHttpSpanExporter.builder().setEndpoint(http).setTimeout(Duration.ofSeconds(20)).build());
    litebrain = provider(LITEBRAIN, OtlpHttpSpanExporter.builder().setEndpoint(http).setCompression("gzip")
        .setTimeout(Duration.ofSeconds(20)).build());
  }

  private SdkTracerProvider provider(String service, SpanExporter otlp) {
    return SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.builder()
            .put("service.name", service)
            .put("service.namespace", "goblinos")
            .put("service.version", "1.4.2")
            .put("deployment.environment.name", "e2e")
            .build())))
        // spans are held until flush(): the test decides when each service's batch goes out
        .addSpanProcessor(BatchSpanProcessor.builder(otlp).setScheduleDelay(Duration.ofHours(1))
            .setMaxQueueSize(10_000).setMaxExportBatchSize(10_000).build())
        .addSpanProcessor(SimpleSpanProcessor.create(captured))
        .build();
  }

  /** Runs one task across the services (spans end, nothing is exported until {@link #flush()}). */
  Sent run(Task t) {
    Map<String, String> services = new LinkedHashMap<>();
    long t0 = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
    long d = TimeUnit.MILLISECONDS.toNanos(t.durationMs());
    long ms = TimeUnit.MILLISECONDS.toNanos(1);

    Tracer om = overmind.get("goblinos.overmind", "3.1.0");
    Span request = start(om.spanBuilder("POST /v1/plans").setNoParent().setSpanKind(SpanKind.SERVER)
        .setAttribute("http.request.method", "POST").setAttribute("http.route", "/v1/plans"), t0, OVERMIND, services);
    Span dispatch = start(om.spanBuilder("dispatch goblin").setParent(Context.root().with(request))
        .setSpanKind(SpanKind.CLIENT).setAttribute("goblin.id", t.goblinId()), t0 + ms, OVERMIND, services);
    Map<String, String> toRuntime = inject(dispatch);

    Tracer rt = runtime.get("goblinos.runtime", "0.9.0");
    Span taskSpan = start(rt.spanBuilder("goblin.task " + t.task()).setParent(extract(toRuntime))
        .setSpanKind(SpanKind.SERVER)
        .setAttribute("goblin.id", t.goblinId())
        .setAttribute("goblin.guild", t.guild())
        .setAttribute("goblin.task", t.task()), t0 + 2 * ms, RUNTIME, services);
    Context inTask = Context.root().with(taskSpan);
    Span provider;
    Span toBrain = null;
    Span brain = null;
    if (t.viaLitebrain()) {
      toBrain = start(rt.spanBuilder("POST litebrain /v1/complete").setParent(inTask).setSpanKind(SpanKind.CLIENT),
          t0 + 3 * ms, RUNTIME, services);
      Map<String, String> toLitebrain = inject(toBrain);
      Tracer lb = litebrain.get("goblinos.litebrain", "2.0.1");
      brain = start(lb.spanBuilder("litebrain.complete").setParent(extract(toLitebrain)).setSpanKind(SpanKind.SERVER)
          .setAttribute("goblin.id", t.goblinId()), t0 + 4 * ms, LITEBRAIN, services);
      provider = start(llm(lb, t, Context.root().with(brain)), t0 + 5 * ms, LITEBRAIN, services);
    } else {
      provider = start(llm(rt, t, inTask), t0 + 3 * ms, RUNTIME, services);
    }
    if (t.error()) {
      provider.setStatus(StatusCode.ERROR, "429 from provider: rate limited");
    }
    int depth = t.viaLitebrain() ? 5 : 3;
    provider.end(t0 + d - depth * ms, TimeUnit.NANOSECONDS);
    if (brain != null) {
      if (t.error()) {
        brain.setStatus(StatusCode.ERROR, "provider call failed");
      }
      brain.end(t0 + d - 4 * ms, TimeUnit.NANOSECONDS);
      toBrain.end(t0 + d - 3 * ms, TimeUnit.NANOSECONDS);
    }
    taskSpan.end(t0 + d - 2 * ms, TimeUnit.NANOSECONDS);
    dispatch.end(t0 + d - ms, TimeUnit.NANOSECONDS);
    request.end(t0 + d, TimeUnit.NANOSECONDS);
    return new Sent(request.getSpanContext().getTraceId(), services, provider.getSpanContext().getSpanId(),
        taskSpan.getSpanContext().getSpanId());
  }

  private static SpanBuilder llm(Tracer tracer, Task t, Context parent) {
    LlmCall c = t.call();
    SpanBuilder b = tracer.spanBuilder("chat " + c.model()).setParent(parent).setSpanKind(SpanKind.CLIENT)
        .setAttribute(c.providerAttribute(), c.provider())
        .setAttribute("gen_ai.operation.name", "chat")
        .setAttribute("gen_ai.request.model", c.model())
        .setAttribute("gen_ai.usage.input_tokens", c.inputTokens())
        .setAttribute("gen_ai.usage.output_tokens", c.outputTokens())
        .setAttribute("goblin.id", t.goblinId());
    if (c.reportedCost() != null) {
      b.setAttribute("llm.cost", c.reportedCost());
    }
    return b;
  }

  private static Span start(SpanBuilder b, long startNanos, String service, Map<String, String> services) {
    Span s = b.setStartTimestamp(startNanos, TimeUnit.NANOSECONDS).startSpan();
    services.put(s.getSpanContext().getSpanId(), service);
    return s;
  }

  private static Map<String, String> inject(Span span) {
    Map<String, String> headers = new HashMap<>();
    W3C.inject(Context.root().with(span), headers, (carrier, k, v) -> carrier.put(k, v));
    assertThat(headers).containsKey("traceparent");
    return headers;
  }

  private static Context extract(Map<String, String> headers) {
    return W3C.extract(Context.root(), headers, GETTER);
  }

  /**
   * Exports what each service holds, LiteBrain first, then goblin-runtime, then Overmind (the order in which a
   * task's spans end), and waits for each export to succeed.
   */
  void flush() {
    for (SdkTracerProvider p : List.of(litebrain, runtime, overmind)) {
      CompletableResultCode r = p.forceFlush().join(30, TimeUnit.SECONDS);
      assertThat(r.isSuccess()).as("OTLP export succeeded").isTrue();
    }
  }

  /** Every span the SDK finished, as the exporters sent them. */
  List<SpanData> captured() {
    return new ArrayList<>(captured.getFinishedSpanItems());
  }

  @Override
  public void close() {
    for (SdkTracerProvider p : List.of(litebrain, runtime, overmind)) {
      p.shutdown().join(10, TimeUnit.SECONDS);
    }
  }
}
