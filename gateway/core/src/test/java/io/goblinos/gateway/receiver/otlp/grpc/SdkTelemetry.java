package io.goblinos.gateway.receiver.otlp.grpc;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Telemetry made by the OpenTelemetry SDK, read from in-memory exporters before their providers close them. */
final class SdkTelemetry {
  static final Resource RESOURCE = Resource.getDefault().merge(Resource.create(Attributes.builder()
      .put("service.name", "goblin-grpc-test")
      .put("goblin.id", "goblin-9")
      .build()));

  private SdkTelemetry() {}

  static List<SpanData> spans() {
    InMemorySpanExporter memory = InMemorySpanExporter.create();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(RESOURCE)
        .addSpanProcessor(SimpleSpanProcessor.create(memory))
        .build();
    var tracer = provider.get("io.goblinos.grpc", "1.0.0");
    Span root = tracer.spanBuilder("root").setSpanKind(SpanKind.SERVER)
        .setAttribute("s", "v").setAttribute("l", 42L).setAttribute("d", 0.5).setAttribute("b", true)
        .setAttribute(AttributeKey.stringArrayKey("arr"), List.of("x", "y"))
        .startSpan();
    Scope scope = root.makeCurrent();
    try {
      root.addEvent("evt", Attributes.of(AttributeKey.longKey("n"), 1L));
      Span child = tracer.spanBuilder("child").setSpanKind(SpanKind.CLIENT).startSpan();
      child.setStatus(StatusCode.ERROR, "boom");
      child.end();
    } finally {
      scope.close();
      root.end();
    }
    List<SpanData> out = new ArrayList<>(memory.getFinishedSpanItems());
    provider.close();
    return out;
  }

  static Collection<MetricData> metrics() {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    SdkMeterProvider provider = SdkMeterProvider.builder().setResource(RESOURCE).registerMetricReader(reader).build();
    var meter = provider.get("io.goblinos.grpc");
    meter.counterBuilder("tasks").build().add(5, Attributes.of(AttributeKey.stringKey("k"), "v"));
    meter.gaugeBuilder("temp").build().set(21.5);
    meter.histogramBuilder("latency").setUnit("s").build().record(0.25);
    Collection<MetricData> out = new ArrayList<>(reader.collectAllMetrics());
    provider.close();
    return out;
  }

  static List<LogRecordData> logs() {
    InMemoryLogRecordExporter memory = InMemoryLogRecordExporter.create();
    SdkLoggerProvider provider = SdkLoggerProvider.builder()
        .setResource(RESOURCE)
        .addLogRecordProcessor(SimpleLogRecordProcessor.create(memory))
        .build();
    var logger = provider.get("io.goblinos.grpc");
    logger.logRecordBuilder().setSeverity(Severity.INFO).setBody("hello").emit();
    logger.logRecordBuilder().setSeverity(Severity.ERROR).setBody("failed")
        .setAttribute(AttributeKey.longKey("attempt"), 3L)
        .setTimestamp(1_700_000_000_123L, TimeUnit.MILLISECONDS).emit();
    List<LogRecordData> out = new ArrayList<>(memory.getFinishedLogRecordItems());
    provider.close();
    return out;
  }
}
