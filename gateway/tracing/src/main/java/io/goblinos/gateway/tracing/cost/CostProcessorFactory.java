package io.goblinos.gateway.tracing.cost;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.component.ProcessorFactory;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.Set;

/** Factory of the {@code cost} processor (traces only). */
public final class CostProcessorFactory implements ProcessorFactory<CostConfig> {
  public static final String TYPE = "cost";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public CostConfig parseConfig(ConfigNode node) {
    return CostConfig.parse(node);
  }

  @Override
  public Set<Signal<?>> signals() {
    return Set.of(Signal.TRACES);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends Message> Processor<T> create(ComponentContext context, CostConfig config, Signal<T> signal,
                                                 Consumer<T> next) {
    if (signal != Signal.TRACES) {
      throw new IllegalArgumentException("cost supports traces pipelines only, not " + signal);
    }
    CostStore store = "local".equals(config.mode())
        ? new LocalCostStore()
        : new HazelcastCostStore(context.vertx(), config.hazelcast(), context.id().toString(),
            context.meters());
    return (Processor<T>) new CostProcessor(context, config, store, (Consumer<ExportTraceServiceRequest>) next);
  }
}
