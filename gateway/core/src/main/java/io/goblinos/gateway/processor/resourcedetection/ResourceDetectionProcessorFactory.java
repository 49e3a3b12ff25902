package io.goblinos.gateway.processor.resourcedetection;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.component.ProcessorFactory;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code resourcedetection} processor.
 *
 * <pre>
 * processors:
 *   resourcedetection:
 *     detectors: [env, system, process, k8s]   # default [env, system]
 *     override: true                           # default true
 *     timeout: 5s                              # default 5s
 * </pre>
 */
public final class ResourceDetectionProcessorFactory implements ProcessorFactory<ResourceDetectionConfig> {

  @Override
  public String type() {
    return "resourcedetection";
  }

  @Override
  public Set<Signal<?>> signals() {
    return Set.copyOf(Signal.all());
  }

  @Override
  public ResourceDetectionConfig parseConfig(ConfigNode node) {
    List<String> detectors = node.stringList("detectors", ResourceDetectionConfig.DEFAULT_DETECTORS);
    List<String> valid = new ArrayList<>();
    for (String d : detectors) {
      if (!Detectors.NAMES.contains(d)) {
        node.invalid("detectors", d, "a list of detectors from " + String.join(", ", Detectors.NAMES));
      } else if (valid.contains(d)) {
        node.invalid("detectors", d, "listed once");
      } else {
        valid.add(d);
      }
    }
    boolean override = node.bool("override", true);
    Duration timeout = node.duration("timeout", ResourceDetectionConfig.DEFAULT_TIMEOUT, Duration.ofMillis(1));
    return new ResourceDetectionConfig(valid, override, timeout);
  }

  @Override
  public <T extends Message> Processor<T> create(
      ComponentContext context, ResourceDetectionConfig config, Signal<T> signal, Consumer<T> next) {
    return new ResourceDetectionProcessor<>(context, config, signal, next, DetectionSource.system());
  }
}
