package io.goblinos.gateway.receiver.otlp;

import io.goblinos.gateway.receiver.ServerProtection;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.VertxInternal;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One OTLP/HTTP server per event loop sharing the port, each wired to the
 * receiver's {@link ServerProtection}: connection limit, slow-client timers, TLS failures counted, TLS material
 * reloaded on every instance.
 */
final class OtlpHttpServerVerticle extends VerticleBase {
  private final HttpServerOptions options;
  private final Handler<HttpServerRequest> handler;
  private final ServerProtection protection;
  private final AtomicInteger boundPort;

  private OtlpHttpServerVerticle(
      HttpServerOptions options, Handler<HttpServerRequest> handler, ServerProtection protection, AtomicInteger boundPort) {
    this.options = options;
    this.handler = handler;
    this.protection = protection;
    this.boundPort = boundPort;
  }

  record Deployed(String deploymentId, int port) {}

  /** The number of event loops of {@code vertx} ({@code service.event_loops}): one server instance on each. */
  static int eventLoops(Vertx vertx) {
    int n = 0;
    for (io.netty.util.concurrent.EventExecutor ignored : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      n++;
    }
    return Math.max(1, n);
  }

  static Future<Deployed> deploy(
      Vertx vertx, HttpServerOptions options, Handler<HttpServerRequest> handler, ServerProtection protection, int instances) {
    AtomicInteger port = new AtomicInteger(-1);
    return vertx
        .deployVerticle(() -> new OtlpHttpServerVerticle(options, handler, protection, port),
            new DeploymentOptions().setInstances(instances))
        .map(id -> new Deployed(id, port.get()));
  }

  @Override
  public Future<?> start() {
    return protection.attach(vertx.createHttpServer(options).requestHandler(handler), true).listen().compose(s -> {
      int previous = boundPort.compareAndExchange(-1, s.actualPort());
      if (previous != -1 && previous != s.actualPort()) {
        return Future.failedFuture("server instances bound different ports: " + previous + " and " + s.actualPort());
      }
      return Future.succeededFuture(s);
    });
  }
}
