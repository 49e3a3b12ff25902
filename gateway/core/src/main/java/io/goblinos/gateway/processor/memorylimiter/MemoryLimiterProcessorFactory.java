package io.goblinos.gateway.processor.memorylimiter;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.component.ProcessorFactory;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code memory_limiter} processor. One of {@code limit_mib} or {@code limit_percentage} is required, so the
 * empty config is invalid (as in the Collector) and {@link #defaultConfig()} throws.
 *
 * <pre>
 * processors:
 *   memory_limiter:
 *     check_interval: 1s        # default 1s
 *     limit_mib: 1536           # or limit_percentage: 75
 *     spike_limit_mib: 256      # default 20% of the limit; or spike_limit_percentage: 15
 * </pre>
 */
public final class MemoryLimiterProcessorFactory implements ProcessorFactory<MemoryLimiterConfig> {

  @Override
  public String type() {
    return "memory_limiter";
  }

  @Override
  public Set<Signal<?>> signals() {
    return Set.copyOf(Signal.all());
  }

  @Override
  public MemoryLimiterConfig parseConfig(ConfigNode node) {
    Duration interval =
        node.duration("check_interval", MemoryLimiterConfig.DEFAULT_CHECK_INTERVAL, Duration.ofMillis(1));
    int errorsBefore = node.errors().messages().size();
    long limitMib = node.longValue("limit_mib", 0, 0, Integer.MAX_VALUE);
    long spikeMib = node.longValue("spike_limit_mib", 0, 0, Integer.MAX_VALUE);
    int limitPct = node.integer("limit_percentage", 0, 0, 100);
    int spikePct = node.integer("spike_limit_percentage", 0, 0, 100);
    boolean limitsValid = node.errors().messages().size() == errorsBefore;
    if (!node.has("limit_mib") && !node.has("limit_percentage")) {
      node.error("limit_mib", "one of limit_mib or limit_percentage is required");
    } else if (limitMib == 0 && limitPct == 0 && limitsValid) {
      String key = node.has("limit_mib") ? "limit_mib" : "limit_percentage";
      node.invalid(key, node.raw(key), "greater than 0 (or set the other of limit_mib, limit_percentage)");
    }
    if (limitMib > 0 && spikeMib >= limitMib) {
      node.invalid("spike_limit_mib", spikeMib, "less than limit_mib (" + limitMib + ")");
    }
    if (limitMib == 0 && limitPct > 0 && spikePct >= limitPct) {
      node.invalid("spike_limit_percentage", spikePct, "less than limit_percentage (" + limitPct + ")");
    }
    return new MemoryLimiterConfig(interval, limitMib, spikeMib, limitPct, spikePct);
  }

  @Override
  public <T extends Message> Processor<T> create(
      ComponentContext context, MemoryLimiterConfig config, Signal<T> signal, Consumer<T> next) {
    return new MemoryLimiterProcessor<>(context, config, signal, next, MemoryProbe.heap(), GcGate.PROCESS);
  }
}
