package io.goblinos.gateway.processor.resourcedetection;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.processor.resource.Resources;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Detects resource attributes once, in {@link #start}, on a worker thread (the host name lookup may block), then
 * merges them into the resource of every request. With {@code override: true} a detected attribute replaces the
 * resource's own; with {@code false} only missing attributes are added. Detection that does not finish within
 * {@code timeout} fails {@code start()}, as in the Collector. Data consumed before detection finished passes
 * unchanged. Thread-safe: the detected attributes are an immutable list published through a volatile field.
 */
public final class ResourceDetectionProcessor<T extends Message> implements Processor<T> {
  private static final Logger LOG = Logger.getLogger(ResourceDetectionProcessor.class.getName());

  private final ComponentContext context;
  private final ResourceDetectionConfig config;
  private final Signal<T> signal;
  private final Consumer<T> next;
  private final DetectionSource source;
  private volatile List<KeyValue> detected = List.of();
  private Future<Void> started;

  public ResourceDetectionProcessor(
      ComponentContext context, ResourceDetectionConfig config, Signal<T> signal, Consumer<T> next,
      DetectionSource source) {
    this.context = context;
    this.config = config;
    this.signal = signal;
    this.next = next;
    this.source = source;
  }

  @Override
  public synchronized Future<Void> start(Host host) {
    if (started != null) {
      return started;
    }
    long timeoutMs = Math.max(1, config.timeout().toMillis());
    started = context.vertx()
        .executeBlocking(() -> Detectors.detect(config.detectors(), source), false)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(t -> Future.failedFuture(t instanceof TimeoutException
            ? new IllegalStateException("resourcedetection " + context.id() + ": detection with "
                + config.detectors() + " did not finish within " + timeoutMs + "ms")
            : t))
        .map(attrs -> {
          detected = attrs;
          LOG.info(() -> "resourcedetection " + context.id() + " (" + context.pipeline() + "): detected "
              + attrs.stream().map(KeyValue::getKey).collect(Collectors.joining(", ", "[", "]"))
              + " with " + config.detectors() + ", override=" + config.override());
          return null;
        });
    return started;
  }

  @Override
  public Future<Void> shutdown() {
    return Future.succeededFuture();
  }

  /** The detected attributes (empty until {@link #start} completed). */
  public List<KeyValue> detected() {
    return detected;
  }

  @Override
  public Future<Void> consume(T data) {
    List<KeyValue> attrs = detected;
    if (attrs.isEmpty()) {
      return next.consume(data);
    }
    T out;
    try {
      out = Resources.rewrite(signal, data, r -> merge(r, attrs, config.override()));
    } catch (RuntimeException e) {
      return Future.failedFuture(ConsumeException.of(e));
    }
    return next.consume(out);
  }

  /** Merges detected attributes into a resource; returns {@code resource} itself when nothing changes. */
  static Resource merge(Resource resource, List<KeyValue> detected, boolean override) {
    List<KeyValue> attrs = null;
    for (KeyValue kv : detected) {
      List<KeyValue> current = attrs == null ? resource.getAttributesList() : attrs;
      int i = Resources.indexOf(current, kv.getKey());
      if (i >= 0 && (!override || current.get(i).getValue().equals(kv.getValue()))) {
        continue;
      }
      if (attrs == null) {
        attrs = new ArrayList<>(resource.getAttributesList());
      }
      if (i < 0) {
        attrs.add(kv);
      } else {
        attrs.set(i, kv);
      }
    }
    return attrs == null ? resource : resource.toBuilder().clearAttributes().addAllAttributes(attrs).build();
  }
}
