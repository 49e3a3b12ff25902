package io.goblinos.gateway.processor.batch;

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
 * The {@code batch} processor.
 *
 * <pre>
 * processors:
 *   batch:
 *     send_batch_size: 8192      # default 8192
 *     send_batch_max_size: 0     # default 0 (no limit); when set, >= send_batch_size
 *     timeout: 200ms             # default 200ms
 * </pre>
 */
public final class BatchProcessorFactory implements ProcessorFactory<BatchConfig> {

  @Override
  public String type() {
    return "batch";
  }

  @Override
  public Set<Signal<?>> signals() {
    return Set.copyOf(Signal.all());
  }

  @Override
  public BatchConfig parseConfig(ConfigNode node) {
    int size = node.integer("send_batch_size", BatchConfig.DEFAULT_SEND_BATCH_SIZE, 0, Integer.MAX_VALUE);
    int max = node.integer("send_batch_max_size", BatchConfig.DEFAULT_SEND_BATCH_MAX_SIZE, 0, Integer.MAX_VALUE);
    Duration timeout = node.duration("timeout", BatchConfig.DEFAULT_TIMEOUT, Duration.ZERO);
    if (max > 0 && max < size) {
      node.invalid("send_batch_max_size", max, "0 (no limit) or at least send_batch_size (" + size + ")");
      max = 0;
    }
    boolean onExport = "on_export".equals(node.oneOf("acknowledge", "on_enqueue", "on_enqueue", "on_export"));
    return new BatchConfig(size, max, timeout, onExport);
  }

  @Override
  public <T extends Message> Processor<T> create(
      ComponentContext context, BatchConfig config, Signal<T> signal, Consumer<T> next) {
    return new BatchProcessor<>(context, config, signal, next);
  }
}
