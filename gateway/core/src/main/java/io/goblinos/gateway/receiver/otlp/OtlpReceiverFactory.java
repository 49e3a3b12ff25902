package io.goblinos.gateway.receiver.otlp;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.NextConsumers;
import io.goblinos.gateway.api.component.Receiver;
import io.goblinos.gateway.api.component.ReceiverFactory;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.signal.Signal;
import java.util.Set;

/** The {@code otlp} receiver: OTLP over gRPC (4317) and HTTP (4318), traces, metrics and logs. */
public final class OtlpReceiverFactory implements ReceiverFactory<OtlpReceiverConfig> {

  @Override
  public String type() {
    return "otlp";
  }

  @Override
  public Set<Signal<?>> signals() {
    return Set.of(Signal.TRACES, Signal.METRICS, Signal.LOGS);
  }

  @Override
  public OtlpReceiverConfig parseConfig(ConfigNode node) {
    return OtlpReceiverConfig.parse(node);
  }

  @Override
  public Receiver create(ComponentContext context, OtlpReceiverConfig config, NextConsumers next) {
    return new OtlpReceiver(context, config, next);
  }
}
