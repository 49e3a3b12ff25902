package io.goblinos.gateway.api.component;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import java.util.Set;

/** Creates processors: one instance per pipeline that lists the id, as in the Collector. */
public interface ProcessorFactory<C> extends ComponentFactory<C> {

  @Override
  default Kind kind() {
    return Kind.PROCESSOR;
  }

  Set<Signal<?>> signals();

  <T extends Message> Processor<T> create(ComponentContext context, C config, Signal<T> signal, Consumer<T> next);
}
