package io.goblinos.gateway.tracing.spanmetrics;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.component.ProcessorFactory;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.Set;

/** Factory of the {@code spanmetrics} processor (traces only). */
public final class SpanMetricsProcessorFactory implements ProcessorFactory<SpanMetricsConfig> {
  public static final String TYPE = "spanmetrics";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public SpanMetricsConfig parseConfig(ConfigNode node) {
    return SpanMetricsConfig.parse(node);
  }

  @Override
  public Set<Signal<?>> signals() {
    return Set.of(Signal.TRACES);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends Message> Processor<T> create(ComponentContext context, SpanMetricsConfig config,
                                                 Signal<T> signal, Consumer<T> next) {
    if (signal != Signal.TRACES) {
      throw new IllegalArgumentException("spanmetrics supports traces pipelines only, not " + signal);
    }
    return (Processor<T>) new SpanMetricsProcessor(context, config, (Consumer<ExportTraceServiceRequest>) next);
  }
}
