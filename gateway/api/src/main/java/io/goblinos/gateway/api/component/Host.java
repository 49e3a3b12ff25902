package io.goblinos.gateway.api.component;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.Optional;

/**
 * What a component sees of the running gateway when it starts. The defaults describe a gateway with nothing else
 * running (used by tests that start a component on its own).
 */
public interface Host {

  /** The started extension with this id if it implements {@code type}. */
  default <E> Optional<E> extension(ComponentId id, Class<E> type) {
    return Optional.empty();
  }

  /**
   * The entry of another pipeline of the given signal (its first processor, or its exporters' fan-out), so that a
   * component can feed data it derives, e.g. metrics computed from spans, into {@code metrics} or {@code metrics/x}.
   */
  default <T extends Message> Optional<Consumer<T>> pipeline(Signal<T> signal, String pipelineId) {
    return Optional.empty();
  }

  /**
   * Mounts a handler on the admin server ({@code service.telemetry.metrics.address}, beside {@code /metrics}) for
   * every request whose path starts with {@code pathPrefix}, e.g. {@code /v1/costs}. The handler runs on an event
   * loop and must not block.
   */
  default void registerAdminEndpoint(String pathPrefix, Handler<HttpServerRequest> handler) {}

  /**
   * Extra data endpoints every OTLP/HTTP receiver serves beside {@code /v1/traces|metrics|logs}, by exact path
   * (e.g. {@code /v1/audit}); they sit behind the receiver's TLS, authentication and limits.
   */
  default Map<String, Handler<HttpServerRequest>> dataEndpoints() {
    return Map.of();
  }
}
