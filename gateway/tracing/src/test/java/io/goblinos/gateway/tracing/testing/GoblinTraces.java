package io.goblinos.gateway.tracing.testing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * GoblinOS-shaped traces made by the OpenTelemetry Java SDK: Overmind (service {@code overmind}) plans and calls a
 * goblin ({@code goblin-runtime}, span with goblin.id / goblin.guild / goblin.task), which asks LiteBrain
 * ({@code litebrain}), which calls the model provider (a CLIENT span with gen_ai.* attributes). The SDK's spans are
 * encoded to OTLP protobuf by the SDK's own marshaler, exactly as an SDK exporter sends them.
 */
public final class GoblinTraces implements AutoCloseable {
  public static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
  public static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("gen_ai.system");
  public static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  public static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
  public static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  public static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
  public static final AttributeKey<Double> REPORTED_COST = AttributeKey.doubleKey("llm.cost");

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider overmind = provider("overmind");
  private final SdkTracerProvider runtime = provider("goblin-runtime");
  private final SdkTracerProvider litebrain = provider("litebrain");

  /** What one task trace looks like; builder-style setters. */
  public static final class Task {
    public String goblinId = "goblin-7";
    public String guild = "scribes";
    public String task = "summarize";
    public String provider = "openai";
    public boolean legacySystemAttribute;
    public String model = "gpt-4o";
    public String responseModel = "gpt-4o-2024-08-06";
    public long inputTokens = 1200;
    public long outputTokens = 300;
    public Double reportedCost;
    public boolean error;
    public long durationMs = 800;
    public boolean withRuntime = true;
    public boolean withLitebrain = true;
    public boolean withProvider = true;
    public String goblinIdOn = "span"; // span | none

    public Task goblin(String id) {
      goblinId = id;
      return this;
    }

    public Task model(String provider, String model, String responseModel) {
      this.provider = provider;
      this.model = model;
      this.responseModel = responseModel;
      return this;
    }

    public Task tokens(long in, long out) {
      inputTokens = in;
      outputTokens = out;
      return this;
    }

    public Task reportedCost(double c) {
      reportedCost = c;
      return this;
    }

    public Task error() {
      error = true;
      return this;
    }

    public Task duration(long ms) {
      durationMs = ms;
      return this;
    }

    public Task task(String guild, String task) {
      this.guild = guild;
      this.task = task;
      return this;
    }

    public Task withoutLitebrain() {
      withLitebrain = false;
      return this;
    }

    public Task withoutProvider() {
      withProvider = false;
      return this;
    }

    public Task withoutRuntime() {
      withRuntime = false;
      return this;
    }
  }

  public static Task task() {
    return new Task();
  }

  private SdkTracerProvider provider(String service) {
    return SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.builder()
            .put("service.name", service)
            .put("service.namespace", "goblinos")
            .put("deployment.environment.name", "test")
            .build())))
        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
        .build();
  }

  /** Produces the spans of one task trace (all services) and returns them as SpanData, root first. */
  public List<SpanData> spans(Task t) {
    exporter.reset();
    long start = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
    long end = start + TimeUnit.MILLISECONDS.toNanos(t.durationMs);
    Tracer om = overmind.get("goblinos.overmind");
    Tracer rt = runtime.get("goblinos.runtime");
    Tracer lb = litebrain.get("goblinos.litebrain");
    Span root = om.spanBuilder("overmind.plan").setSpanKind(SpanKind.SERVER)
        .setStartTimestamp(start, TimeUnit.NANOSECONDS).startSpan();
    Context parent = Context.root().with(root);
    Span goblin = null;
    if (t.withRuntime) {
      var b = rt.spanBuilder("goblin.task " + t.task).setParent(parent).setSpanKind(SpanKind.SERVER)
          .setStartTimestamp(start + 1_000_000, TimeUnit.NANOSECONDS)
          .setAttribute("goblin.guild", t.guild)
          .setAttribute("goblin.task", t.task);
      if ("span".equals(t.goblinIdOn)) {
        b.setAttribute("goblin.id", t.goblinId);
      }
      goblin = b.startSpan();
      parent = parent.with(goblin);
    }
    Span brain = null;
    if (t.withLitebrain) {
      brain = lb.spanBuilder("litebrain.complete").setParent(parent).setSpanKind(SpanKind.SERVER)
          .setStartTimestamp(start + 2_000_000, TimeUnit.NANOSECONDS)
          .setAttribute("goblin.id", t.goblinId).startSpan();
      parent = parent.with(brain);
    }
    if (t.withProvider) {
      var b = lb.spanBuilder("chat " + t.model).setParent(parent).setSpanKind(SpanKind.CLIENT)
          .setStartTimestamp(start + 3_000_000, TimeUnit.NANOSECONDS)
          .setAttribute(t.legacySystemAttribute ? SYSTEM : PROVIDER, t.provider)
          .setAttribute("gen_ai.operation.name", "chat")
          .setAttribute(REQUEST_MODEL, t.model)
          .setAttribute(INPUT_TOKENS, t.inputTokens)
          .setAttribute(OUTPUT_TOKENS, t.outputTokens)
          .setAttribute("goblin.id", t.goblinId);
      if (t.responseModel != null) {
        b.setAttribute(RESPONSE_MODEL, t.responseModel);
      }
      if (t.reportedCost != null) {
        b.setAttribute(REPORTED_COST, t.reportedCost);
      }
      Span call = b.startSpan();
      if (t.error) {
        call.setStatus(StatusCode.ERROR, "rate limited");
      }
      call.end(end - 3_000_000, TimeUnit.NANOSECONDS);
    }
    if (brain != null) {
      brain.end(end - 2_000_000, TimeUnit.NANOSECONDS);
    }
    if (goblin != null) {
      goblin.end(end - 1_000_000, TimeUnit.NANOSECONDS);
    }
    root.end(end, TimeUnit.NANOSECONDS);
    List<SpanData> out = new ArrayList<>(exporter.getFinishedSpanItems());
    out.sort((a, b) -> Long.compare(a.getStartEpochNanos(), b.getStartEpochNanos()));
    return out;
  }

  /** One request holding the whole trace. */
  public ExportTraceServiceRequest request(Task t) {
    return toOtlp(spans(t));
  }

  /** Encodes SpanData as the SDK's OTLP exporter does and decodes it as the gateway receives it. */
  public static ExportTraceServiceRequest toOtlp(Collection<SpanData> spans) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      TraceRequestMarshaler.create(spans).writeBinaryTo(bytes);
      return ExportTraceServiceRequest.parseFrom(bytes.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The spans of {@code spans} that satisfy {@code filter}, as one OTLP request. */
  public static ExportTraceServiceRequest toOtlp(Collection<SpanData> spans, Predicate<SpanData> filter) {
    return toOtlp(spans.stream().filter(filter).toList());
  }

  public static String service(SpanData s) {
    return s.getResource().getAttribute(AttributeKey.stringKey("service.name"));
  }

  @Override
  public void close() {
    overmind.close();
    runtime.close();
    litebrain.close();
  }
}
