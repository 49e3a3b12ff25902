package io.goblinos.gateway.exporter.debug;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Exporter;
import io.goblinos.gateway.api.component.ExporterFactory;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.signal.Signal;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code debug} exporter.
 *
 * <pre>
 * exporters:
 *   debug:
 *     verbosity: basic          # basic | normal | detailed, default basic
 *     sampling_initial: 2       # default 2
 *     sampling_thereafter: 1    # default 1 (log everything)
 * </pre>
 */
public final class DebugExporterFactory implements ExporterFactory<DebugConfig> {

  @Override
  public String type() {
    return "debug";
  }

  @Override
  public Set<Signal<?>> signals() {
    return Set.copyOf(Signal.all());
  }

  @Override
  public DebugConfig parseConfig(ConfigNode node) {
    String verbosity = node.oneOf("verbosity", "basic", "basic", "normal", "detailed");
    int initial = node.integer("sampling_initial", DebugConfig.DEFAULT_SAMPLING_INITIAL, 0, Integer.MAX_VALUE);
    int thereafter =
        node.integer("sampling_thereafter", DebugConfig.DEFAULT_SAMPLING_THEREAFTER, 1, Integer.MAX_VALUE);
    return new DebugConfig(DebugConfig.Verbosity.valueOf(verbosity.toUpperCase(Locale.ROOT)), initial, thereafter);
  }

  @Override
  public <T extends Message> Exporter<T> create(ComponentContext context, DebugConfig config, Signal<T> signal) {
    return new DebugExporter<>(context, config, signal);
  }
}
