package io.goblinos.gateway.receiver.otlp;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.component.NextConsumers;
import io.goblinos.gateway.api.component.Receiver;
import io.goblinos.gateway.receiver.ReceiverMetrics;
import io.goblinos.gateway.receiver.ServerProtection;
import io.goblinos.gateway.receiver.otlp.grpc.OtlpGrpcServer;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * The {@code otlp} receiver. OTLP/HTTP is served by one HTTP server per event loop on the same port (Vert.x
 * spreads connections over them); OTLP/gRPC by the gRPC server.
 */
public final class OtlpReceiver implements Receiver {
  private static final Logger LOG = Logger.getLogger(OtlpReceiver.class.getName());

  private final ComponentContext context;
  private final OtlpReceiverConfig config;
  private final NextConsumers next;
  private final ReceiverMetrics metrics;
  private static final java.util.concurrent.atomic.AtomicInteger SHARED_RANDOM_PORT =
      new java.util.concurrent.atomic.AtomicInteger(-1);
  private final List<String> deployments = new ArrayList<>();
  private final List<ServerProtection> protections = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile int httpPort = -1;
  private volatile int grpcPort = -1;
  private OtlpGrpcServer grpcServer;
  private boolean stopped;

  OtlpReceiver(ComponentContext context, OtlpReceiverConfig config, NextConsumers next) {
    this.context = context;
    this.config = config;
    this.next = next;
    this.metrics = new ReceiverMetrics(context.meters(), context.id().toString());
  }

  @Override
  public Future<Void> start(Host host) {
    Future<Void> http = config.http() == null ? Future.succeededFuture() : startHttp(host);
    Future<Void> both = http.compose(v -> config.grpc() == null ? Future.succeededFuture() : startGrpc(host));
    return both.onSuccess(v -> LOG.info(() -> "receiver started: receiver=" + context.id()
        + (config.http() != null ? " http=" + config.http().host() + ":" + httpPort : "")
        + (config.grpc() != null ? " grpc=" + config.grpc().host() + ":" + grpcPort : "")));
    // (gRPC runs on one event loop: its HTTP/2 connections are long-lived and multiplexed; HTTP/1.1 spreads.)
  }

  private Future<Void> startHttp(Host host) {
    metrics.registerAll("http");
    OtlpReceiverConfig.Http http = config.http();
    String path = "receivers::" + context.id() + "::protocols::http";
    return ServerProtection.prepare(context, host, http.server(), path, "http", metrics).compose(protection -> {
      protections.add(protection);
      OtlpHttpHandler handler =
          new OtlpHttpHandler(context.vertx(), http, next, metrics, host.dataEndpoints(), protection.guard());
      HttpServerOptions options = protection.apply(new HttpServerOptions()
          .setHost(http.host())
          // Port 0 would give each instance its own free port; a negative port makes Vert.x pick one free port and
          // share it among the servers asking for that same negative number — so each receiver takes its own
          // (with one shared -1, two receivers on port 0 would end up on one port, their handlers taking turns).
          .setPort(http.port() == 0 ? SHARED_RANDOM_PORT.decrementAndGet() : http.port())
          .setCompressionSupported(false)
          .setDecompressionSupported(false)
          // No h2c sniffing: a cleartext connection is then known (counted against max_connections, its header
          // deadline running) from the moment it is accepted, not only once its first bytes arrive. HTTP/2 is
          // offered over TLS through ALPN.
          .setHttp2ClearTextEnabled(false));
      // One server per event loop, each a verticle instance; Vert.x shares the listening socket among them (with
      // port 0, all instances of one deployment share the one free port picked).
      int instances = OtlpHttpServerVerticle.eventLoops(context.vertx());
      return OtlpHttpServerVerticle.deploy(context.vertx(), options, handler, protection, instances)
          .map(deployed -> {
            deployments.add(deployed.deploymentId());
            httpPort = deployed.port();
            protection.started();
            return null;
          });
    });
  }

  private synchronized Future<Void> startGrpc(Host host) {
    metrics.registerAll("grpc");
    OtlpReceiverConfig.Grpc grpc = config.grpc();
    String path = "receivers::" + context.id() + "::protocols::grpc";
    return ServerProtection.prepare(context, host, grpc.server(), path, OtlpGrpcServer.TRANSPORT, metrics)
        .compose(protection -> {
          synchronized (this) {
            protections.add(protection);
            grpcServer = new OtlpGrpcServer(
                context.vertx(),
                new OtlpGrpcServer.Options(grpc.host(), grpc.port(), grpc.maxRecvMessageBytes(),
                    grpc.server().maxConcurrentStreams(), OtlpGrpcServer.Options.DEFAULT_SHUTDOWN_GRACE),
                next,
                metrics,
                protection);
          }
          return grpcServer.start().map(port -> {
            grpcPort = port;
            protection.started();
            return null;
          });
        });
  }

  /** The bound OTLP/HTTP port, or -1 before start / when HTTP is disabled. */
  public int httpPort() {
    return httpPort;
  }

  /** The bound OTLP/gRPC port, or -1 before start / when gRPC is disabled. */
  public int grpcPort() {
    return grpcPort;
  }

  @Override
  public synchronized Future<Void> shutdown() {
    if (stopped) {
      return Future.succeededFuture();
    }
    stopped = true;
    List<Future<Void>> closing = new ArrayList<>();
    if (grpcServer != null) {
      closing.add(grpcServer.stop());
    }
    for (String id : deployments) {
      closing.add(context.vertx().undeploy(id));
    }
    deployments.clear();
    protections.forEach(ServerProtection::close);
    return Future.join(closing).mapEmpty();
  }
}
