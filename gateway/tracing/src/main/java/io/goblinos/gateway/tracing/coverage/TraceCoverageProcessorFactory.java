package io.goblinos.gateway.tracing.coverage;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.component.ProcessorFactory;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.Set;

/** Factory of the {@code trace_coverage} processor (traces only). */
public final class TraceCoverageProcessorFactory implements ProcessorFactory<CoverageConfig> {
  public static final String TYPE = "trace_coverage";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public CoverageConfig parseConfig(ConfigNode node) {
    return CoverageConfig.parse(node);
  }

  @Override
  public Set<Signal<?>> signals() {
    return Set.of(Signal.TRACES);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends Message> Processor<T> create(ComponentContext context, CoverageConfig config, Signal<T> signal,
                                                 Consumer<T> next) {
    if (signal != Signal.TRACES) {
      throw new IllegalArgumentException("trace_coverage supports traces pipelines only, not " + signal);
    }
    return (Processor<T>) new TraceCoverageProcessor(context, config, (Consumer<ExportTraceServiceRequest>) next);
  }
}
