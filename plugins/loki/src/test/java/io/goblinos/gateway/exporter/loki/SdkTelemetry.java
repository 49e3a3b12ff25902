package io.goblinos.gateway.exporter.loki;

import io.goblinos.gateway.testing.SdkData;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Telemetry made by the real OpenTelemetry SDK, as {@link SdkData} makes it, but read from the in-memory exporter
 * before the provider is closed: closing shuts the in-memory exporters down, which empties them (SDK 1.68), so
 * {@code SdkData.logs()} and {@code SdkData.spans()} currently return empty lists.
 */
final class SdkTelemetry {
  private SdkTelemetry() {}

  /** Three log records: string bodies, severities, attributes, one with an explicit time, one inside a span. */
  static List<LogRecordData> logs() {
    InMemoryLogRecordExporter memory = InMemoryLogRecordExporter.create();
    try (SdkLoggerProvider provider = SdkLoggerProvider.builder()
        .setResource(SdkData.RESOURCE)
        .addLogRecordProcessor(SimpleLogRecordProcessor.create(memory))
        .build()) {
      Logger logger = provider.get("io.goblinos.test");
      logger.logRecordBuilder().setSeverity(Severity.INFO).setSeverityText("INFO").setBody("goblin 7 approved task 42")
          .setAttribute(AttributeKey.stringKey("goblin.id"), "goblin-7").emit();
      logger.logRecordBuilder().setSeverity(Severity.ERROR).setSeverityText("ERROR").setBody("provider failed")
          .setAttribute(AttributeKey.longKey("attempt"), 3L)
          .setTimestamp(1_700_000_000_123L, TimeUnit.MILLISECONDS).emit();
      Span span = Span.wrap(SpanContext.create("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174",
          TraceFlags.getSampled(), TraceState.getDefault()));
      logger.logRecordBuilder().setContext(io.opentelemetry.context.Context.root().with(span))
          .setSeverity(Severity.WARN).setBody("inside a span").emit();
      provider.forceFlush().join(10, TimeUnit.SECONDS);
      return List.copyOf(memory.getFinishedLogRecordItems());
    }
  }

  /** Spans covering every field: kinds, parent/child, attribute types, events, links, status. */
  static List<SpanData> spans(String tag) {
    InMemorySpanExporter memory = InMemorySpanExporter.create();
    try (SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(SdkData.RESOURCE)
        .addSpanProcessor(SimpleSpanProcessor.create(memory))
        .build()) {
      Tracer tracer = provider.get("io.goblinos.test", "1.2.3");
      Span root = tracer.spanBuilder("overmind.plan " + tag).setSpanKind(SpanKind.SERVER)
          .setAttribute("http.request.method", "POST")
          .setAttribute("goblin.retries", 3L)
          .setAttribute("goblin.score", 0.75)
          .setAttribute("goblin.approved", true)
          .setAttribute(AttributeKey.stringArrayKey("goblin.tags"), List.of("a", "b"))
          .startSpan();
      try (Scope ignored = root.makeCurrent()) {
        root.addEvent("decision", Attributes.of(AttributeKey.stringKey("decision"), "approve"));
        Span child = tracer.spanBuilder("litebrain.complete").setSpanKind(SpanKind.CLIENT)
            .setAttribute("gen_ai.request.model", "gpt-4o")
            .addLink(SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getSampled(), TraceState.getDefault()),
                Attributes.of(AttributeKey.stringKey("link.kind"), "follows"))
            .startSpan();
        child.setStatus(StatusCode.ERROR, "provider timeout");
        child.recordException(new IllegalStateException("timeout after 30s"));
        child.end();
        tracer.spanBuilder("queue.publish").setSpanKind(SpanKind.PRODUCER).startSpan().end();
      } finally {
        root.end();
      }
      provider.forceFlush().join(10, TimeUnit.SECONDS);
      return List.copyOf(memory.getFinishedSpanItems());
    }
  }
}
