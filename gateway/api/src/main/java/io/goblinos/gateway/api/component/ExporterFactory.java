package io.goblinos.gateway.api.component;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.signal.Signal;
import java.util.Set;

/** Creates exporters: one instance per configured id and signal, shared by the pipelines of that signal. */
public interface ExporterFactory<C> extends ComponentFactory<C> {

  @Override
  default Kind kind() {
    return Kind.EXPORTER;
  }

  Set<Signal<?>> signals();

  <T extends Message> Exporter<T> create(ComponentContext context, C config, Signal<T> signal);
}
