package io.goblinos.gateway.api.component;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import java.util.Map;
import java.util.Optional;

/** The consumers a receiver feeds, one per signal that at least one pipeline takes from it. */
public final class NextConsumers {
  private final Map<Signal<?>, Consumer<?>> bySignal;

  public NextConsumers(Map<Signal<?>, Consumer<?>> bySignal) {
    this.bySignal = Map.copyOf(bySignal);
  }

  @SuppressWarnings("unchecked")
  public <T extends Message> Optional<Consumer<T>> get(Signal<T> signal) {
    return Optional.ofNullable((Consumer<T>) bySignal.get(signal));
  }

  public boolean has(Signal<?> signal) {
    return bySignal.containsKey(signal);
  }
}
