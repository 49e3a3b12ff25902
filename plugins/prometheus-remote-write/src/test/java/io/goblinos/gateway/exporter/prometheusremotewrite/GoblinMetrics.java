package io.goblinos.gateway.exporter.prometheusremotewrite;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.Collection;
import java.util.List;

/**
 * Metrics made by the real OpenTelemetry SDK with current timestamps (Prometheus refuses old samples): every kind
 * the translation handles, under a resource with service.name/namespace/instance.id and other attributes.
 */
final class GoblinMetrics implements AutoCloseable {
  final String service;
  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final SdkMeterProvider provider;
  final LongCounter tasks;
  final DoubleHistogram latency;

  GoblinMetrics(String service) {
    this.service = service;
    provider = SdkMeterProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.builder()
            .put("service.name", service)
            .put("service.namespace", "goblinos")
            .put("service.instance.id", "forge-1")
            .put("goblin.id", "goblin-7")
            .put("deployment.environment", "test")
            .build())))
        .registerMetricReader(reader)
        .registerView(InstrumentSelector.builder().setName("goblin.tokens").setType(InstrumentType.HISTOGRAM).build(),
            View.builder().setAggregation(Aggregation.base2ExponentialBucketHistogram()).build())
        .build();
    Meter meter = provider.meterBuilder("io.goblinos.test").setInstrumentationVersion("1.2.3").build();
    tasks = meter.counterBuilder("goblin.tasks").setUnit("{task}").build();
    tasks.add(5, Attributes.of(AttributeKey.stringKey("guild"), "forge", AttributeKey.stringKey("http.request.method"), "POST"));
    meter.counterBuilder("goblin.sent").setUnit("By").build().add(1024);
    meter.upDownCounterBuilder("goblin.queue.depth").build().add(-2);
    meter.gaugeBuilder("goblin.temperature").setUnit("Cel").build().set(21.5);
    meter.gaugeBuilder("goblin.utilization").setUnit("1").build().set(0.5);
    latency = meter.histogramBuilder("goblin.latency").setUnit("s")
        .setExplicitBucketBoundariesAdvice(List.of(0.1, 0.5, 1.0, 5.0)).build();
    latency.record(0.25, Attributes.of(AttributeKey.stringKey("task"), "plan"));
    latency.record(3, Attributes.of(AttributeKey.stringKey("task"), "plan"));
    meter.histogramBuilder("goblin.tokens").ofLongs().build().record(1500);
  }

  Collection<MetricData> collect() {
    return reader.collectAllMetrics();
  }

  String job() {
    return "goblinos/" + service;
  }

  @Override
  public void close() {
    provider.close();
  }
}
