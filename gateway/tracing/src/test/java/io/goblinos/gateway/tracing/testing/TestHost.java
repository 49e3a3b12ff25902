package io.goblinos.gateway.tracing.testing;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A Host for tests: named pipelines and an admin HTTP server on port 0 that dispatches by path prefix. */
public final class TestHost implements Host {
  private final Map<String, Consumer<?>> pipelines = new LinkedHashMap<>();
  private final Map<String, Handler<HttpServerRequest>> admin = new LinkedHashMap<>();

  public <T extends Message> TestHost pipeline(Signal<T> signal, String id, Consumer<T> consumer) {
    pipelines.put(signal.name() + "|" + id, consumer);
    return this;
  }

  @Override
  public <E> Optional<E> extension(ComponentId id, Class<E> type) {
    return Optional.empty();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends Message> Optional<Consumer<T>> pipeline(Signal<T> signal, String pipelineId) {
    return Optional.ofNullable((Consumer<T>) pipelines.get(signal.name() + "|" + pipelineId));
  }

  @Override
  public synchronized void registerAdminEndpoint(String pathPrefix, Handler<HttpServerRequest> handler) {
    if (admin.putIfAbsent(pathPrefix, handler) != null) {
      throw new IllegalStateException("admin path " + pathPrefix + " is already registered");
    }
  }

  public synchronized boolean hasAdmin(String prefix) {
    return admin.containsKey(prefix);
  }

  /** Starts an admin server on 127.0.0.1 port 0 serving the registered endpoints. */
  public Future<HttpServer> startAdmin(Vertx vertx) {
    return vertx.createHttpServer()
        .requestHandler(req -> {
          Handler<HttpServerRequest> h = null;
          synchronized (this) {
            for (var e : admin.entrySet()) {
              if (req.path().startsWith(e.getKey())) {
                h = e.getValue();
              }
            }
          }
          if (h == null) {
            req.response().setStatusCode(404).end();
          } else {
            h.handle(req);
          }
        })
        .listen(0, "127.0.0.1");
  }
}
