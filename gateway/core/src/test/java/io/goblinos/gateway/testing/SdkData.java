package io.goblinos.gateway.testing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.internal.otlp.logs.LogsRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Telemetry made by the real OpenTelemetry Java SDK, captured in memory so a test can send exactly the same data
 * through each exporter and know the OTLP it must find at the other end (the SDK's own marshalers).
 */
public final class SdkData {
  public static final Resource RESOURCE = Resource.getDefault().merge(Resource.create(Attributes.builder()
      .put("service.name", "goblin-runtime")
      .put("service.namespace", "goblinos")
      .put("goblin.id", "goblin-7")
      .build()));

  private SdkData() {}

  /** Spans covering every field: kinds, parent/child, every attribute type, events, links, status. */
  public static List<SpanData> spans(String tag) {
    InMemorySpanExporter memory = InMemorySpanExporter.create();
    try (SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(RESOURCE)
        .addSpanProcessor(SimpleSpanProcessor.create(memory))
        .build()) {
      Tracer tracer = provider.get("io.goblinos.test", "1.2.3");
      Span root = tracer.spanBuilder("overmind.plan " + tag).setSpanKind(SpanKind.SERVER)
          .setAttribute("http.request.method", "POST")
          .setAttribute("goblin.retries", 3L)
          .setAttribute("goblin.score", 0.75)
          .setAttribute("goblin.approved", true)
          .setAttribute(AttributeKey.stringArrayKey("goblin.tags"), List.of("a", "b"))
          .setAttribute(AttributeKey.longArrayKey("goblin.sizes"), List.of(1L, 2L, 3L))
          .setAttribute(AttributeKey.doubleArrayKey("goblin.weights"), List.of(0.5, 1.5))
          .setAttribute(AttributeKey.booleanArrayKey("goblin.flags"), List.of(true, false))
          .startSpan();
      try (Scope ignored = root.makeCurrent()) {
        root.addEvent("decision", Attributes.of(AttributeKey.stringKey("decision"), "approve", AttributeKey.longKey("n"), 2L));
        Span child = tracer.spanBuilder("litebrain.complete").setSpanKind(SpanKind.CLIENT)
            .setAttribute("gen_ai.system", "openai")
            .setAttribute("gen_ai.request.model", "gpt-4o")
            .setAttribute("gen_ai.usage.input_tokens", 1200L)
            .setAttribute("gen_ai.usage.output_tokens", 300L)
            .addLink(SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                io.opentelemetry.api.trace.TraceFlags.getSampled(), io.opentelemetry.api.trace.TraceState.getDefault()),
                Attributes.of(AttributeKey.stringKey("link.kind"), "follows"))
            .startSpan();
        child.setStatus(StatusCode.ERROR, "provider timeout");
        child.recordException(new IllegalStateException("timeout after 30s"));
        child.end();
        tracer.spanBuilder("queue.publish").setSpanKind(SpanKind.PRODUCER).startSpan().end();
        tracer.spanBuilder("queue.consume").setSpanKind(SpanKind.CONSUMER).startSpan().end();
        tracer.spanBuilder("compute").setSpanKind(SpanKind.INTERNAL).startSpan().setStatus(StatusCode.OK).end();
      } finally {
        root.end();
      }
      provider.forceFlush().join(10, TimeUnit.SECONDS);
      // Read before the provider closes: shutting the in-memory exporter down clears it.
      return List.copyOf(memory.getFinishedSpanItems());
    }
  }

  /** One collection of every metric type: sum (monotonic and not), gauge, histogram, exponential histogram. */
  public static Collection<MetricData> metrics() {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (SdkMeterProvider provider = SdkMeterProvider.builder()
        .setResource(RESOURCE)
        .registerMetricReader(reader)
        .registerView(InstrumentSelector.builder().setName("goblin.tokens").setType(InstrumentType.HISTOGRAM).build(),
            View.builder().setAggregation(Aggregation.base2ExponentialBucketHistogram()).build())
        .build()) {
      Meter meter = provider.get("io.goblinos.test");
      meter.counterBuilder("goblin.tasks").setUnit("{task}").build().add(5, Attributes.of(AttributeKey.stringKey("guild"), "forge"));
      meter.upDownCounterBuilder("goblin.queue.depth").build().add(-2);
      meter.gaugeBuilder("goblin.temperature").setUnit("Cel").build().set(21.5);
      meter.histogramBuilder("goblin.latency").setUnit("s").build().record(0.25, Attributes.of(AttributeKey.stringKey("task"), "plan"));
      meter.histogramBuilder("goblin.tokens").ofLongs().build().record(1500);
      return reader.collectAllMetrics();
    }
  }

  /** Log records with string and structured bodies, severities, trace context and attributes. */
  public static List<LogRecordData> logs() {
    InMemoryLogRecordExporter memory = InMemoryLogRecordExporter.create();
    try (SdkLoggerProvider provider = SdkLoggerProvider.builder()
        .setResource(RESOURCE)
        .addLogRecordProcessor(SimpleLogRecordProcessor.create(memory))
        .build()) {
      Logger logger = provider.get("io.goblinos.test");
      logger.logRecordBuilder().setSeverity(Severity.INFO).setSeverityText("INFO").setBody("goblin 7 approved task 42")
          .setAttribute(AttributeKey.stringKey("goblin.id"), "goblin-7").emit();
      logger.logRecordBuilder().setSeverity(Severity.ERROR).setSeverityText("ERROR").setBody("provider failed")
          .setAttribute(AttributeKey.longKey("attempt"), 3L)
          .setTimestamp(1_700_000_000_123L, TimeUnit.MILLISECONDS).emit();
      SdkTracerProvider tp = SdkTracerProvider.builder().build();
      Span span = tp.get("t").spanBuilder("s").startSpan();
      try (Scope ignored = span.makeCurrent()) {
        logger.logRecordBuilder().setSeverity(Severity.WARN).setBody("inside a span").emit();
      } finally {
        span.end();
        tp.close();
      }
      return List.copyOf(memory.getFinishedLogRecordItems());
    }
  }

  public static ExportTraceServiceRequest toProto(Collection<SpanData> spans) {
    return parse(out -> TraceRequestMarshaler.create(spans).writeBinaryTo(out), ExportTraceServiceRequest.parser());
  }

  public static ExportMetricsServiceRequest metricsToProto(Collection<MetricData> metrics) {
    return parse(out -> MetricsRequestMarshaler.create(metrics).writeBinaryTo(out), ExportMetricsServiceRequest.parser());
  }

  public static ExportLogsServiceRequest logsToProto(Collection<LogRecordData> logs) {
    return parse(out -> LogsRequestMarshaler.create(logs).writeBinaryTo(out), ExportLogsServiceRequest.parser());
  }

  /** The SDK's own OTLP/JSON encoding of the spans. */
  public static byte[] spansToJson(Collection<SpanData> spans) {
    return write(out -> TraceRequestMarshaler.create(spans).writeJsonTo(out));
  }

  public static byte[] metricsToJson(Collection<MetricData> metrics) {
    return write(out -> MetricsRequestMarshaler.create(metrics).writeJsonTo(out));
  }

  public static byte[] logsToJson(Collection<LogRecordData> logs) {
    return write(out -> LogsRequestMarshaler.create(logs).writeJsonTo(out));
  }

  private interface Writer {
    void write(ByteArrayOutputStream out) throws IOException;
  }

  private static byte[] write(Writer w) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      w.write(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T parse(Writer w, com.google.protobuf.Parser<T> parser) {
    try {
      return parser.parseFrom(write(w));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
