package io.goblinos.gateway.exporter.nop;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Exporter;
import io.goblinos.gateway.api.component.ExporterFactory;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.signal.Signal;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import java.util.Set;

/**
 * The {@code nop} exporter (as the Collector's): accepts everything and drops it, counting the items in
 * {@code gateway_exporter_sent_<items>_total{exporter}}. For benchmarks and for pipelines whose only purpose is a
 * side effect (span metrics, cost totals, audit). No keys.
 */
public final class NopExporterFactory implements ExporterFactory<NopExporterFactory.Config> {

  /** The {@code nop} exporter has no settings. */
  public record Config() {}

  @Override
  public String type() {
    return "nop";
  }

  @Override
  public Set<Signal<?>> signals() {
    return Set.of(Signal.TRACES, Signal.METRICS, Signal.LOGS);
  }

  @Override
  public Config parseConfig(ConfigNode node) {
    return new Config();
  }

  @Override
  public <T extends Message> Exporter<T> create(ComponentContext context, Config config, Signal<T> signal) {
    Counter dropped = Counter.builder("gateway.exporter.sent." + signal.itemName())
        .tag("exporter", context.id().toString())
        .register(context.meters());
    return new Exporter<>() {
      @Override
      public Future<Void> start(Host host) {
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> consume(T data) {
        dropped.increment(signal.itemCount(data));
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> shutdown() {
        return Future.succeededFuture();
      }
    };
  }
}
