package io.goblinos.gateway.tracing.sampling;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.component.ProcessorFactory;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.Set;

/** Factory of the {@code tail_sampling} processor (traces only). */
public final class TailSamplingProcessorFactory implements ProcessorFactory<TailSamplingConfig> {
  public static final String TYPE = "tail_sampling";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public TailSamplingConfig parseConfig(ConfigNode node) {
    return TailSamplingConfig.parse(node);
  }

  @Override
  public Set<Signal<?>> signals() {
    return Set.of(Signal.TRACES);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends Message> Processor<T> create(ComponentContext context, TailSamplingConfig config,
                                                 Signal<T> signal, Consumer<T> next) {
    if (signal != Signal.TRACES) {
      throw new IllegalArgumentException("tail_sampling supports traces pipelines only, not " + signal);
    }
    return (Processor<T>) new TailSamplingProcessor(context, config, (Consumer<ExportTraceServiceRequest>) next);
  }
}
