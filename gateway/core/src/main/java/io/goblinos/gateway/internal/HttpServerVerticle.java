package io.goblinos.gateway.internal;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deploys {@code instances} HTTP servers with the same options and handler, each on its own event loop, and
 * reports the port they bound (all share it).
 */
public final class HttpServerVerticle extends VerticleBase {
  private final HttpServerOptions options;
  private final Handler<HttpServerRequest> handler;
  private final AtomicInteger boundPort;

  private HttpServerVerticle(HttpServerOptions options, Handler<HttpServerRequest> handler, AtomicInteger boundPort) {
    this.options = options;
    this.handler = handler;
    this.boundPort = boundPort;
  }

  /** A finished deployment: its id (for undeploy) and the port its servers listen on. */
  public record Deployed(String deploymentId, int port) {}

  public static Future<Deployed> deploy(
      Vertx vertx, HttpServerOptions options, Handler<HttpServerRequest> handler, int instances) {
    AtomicInteger port = new AtomicInteger(-1);
    return vertx
        .deployVerticle(() -> new HttpServerVerticle(options, handler, port), new DeploymentOptions().setInstances(instances))
        .map(id -> new Deployed(id, port.get()));
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(options).requestHandler(handler).listen().compose(s -> {
      int previous = boundPort.compareAndExchange(-1, s.actualPort());
      if (previous != -1 && previous != s.actualPort()) {
        return Future.failedFuture("server instances bound different ports: " + previous + " and " + s.actualPort());
      }
      return Future.succeededFuture(s);
    });
  }
}
