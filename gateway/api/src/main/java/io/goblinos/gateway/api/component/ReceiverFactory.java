package io.goblinos.gateway.api.component;

import io.goblinos.gateway.api.signal.Signal;
import java.util.Set;

/** Creates receivers: one instance per configured id, shared by every pipeline that lists it. */
public interface ReceiverFactory<C> extends ComponentFactory<C> {

  @Override
  default Kind kind() {
    return Kind.RECEIVER;
  }

  /** The signals this receiver type can receive. */
  Set<Signal<?>> signals();

  /**
   * @param next for each signal of a pipeline that lists this receiver, the consumer feeding those pipelines
   */
  Receiver create(ComponentContext context, C config, NextConsumers next);
}
