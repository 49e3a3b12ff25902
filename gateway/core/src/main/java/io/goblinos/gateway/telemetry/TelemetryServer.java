package io.goblinos.gateway.telemetry;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * The admin server on {@code service.telemetry.metrics.address}: {@code GET /metrics} (Prometheus text format),
 * {@code /health/live} (200 while the process runs), {@code /health/ready} (200 once every pipeline has started
 * and no health check reports degraded, else 503 with the reasons), plus endpoints components register by path
 * prefix (e.g. {@code /v1/costs}).
 *
 * <p>Scrapes render on a worker thread: with many series, rendering takes milliseconds.
 */
public final class TelemetryServer {
  private static final Logger LOG = Logger.getLogger(TelemetryServer.class.getName());

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final String host;
  private final int port;
  private final BooleanSupplier pipelinesReady;
  private final HealthChecks health;
  private final Map<String, Handler<HttpServerRequest>> endpoints = new ConcurrentHashMap<>();
  private HttpServer server;

  public TelemetryServer(
      Vertx vertx, PrometheusMeterRegistry registry, String address, BooleanSupplier pipelinesReady, HealthChecks health) {
    this.vertx = vertx;
    this.registry = registry;
    int colon = address.lastIndexOf(':');
    this.host = address.substring(0, colon).isEmpty() ? "0.0.0.0" : address.substring(0, colon);
    this.port = Integer.parseInt(address.substring(colon + 1));
    this.pipelinesReady = pipelinesReady;
    this.health = health;
  }

  /** Mounts {@code handler} for requests whose path starts with {@code prefix}. */
  public void register(String prefix, Handler<HttpServerRequest> handler) {
    endpoints.put(prefix, handler);
  }

  public Future<Integer> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)).requestHandler(this::handle);
    return server.listen().map(s -> {
      LOG.info(() -> "telemetry server started: address=" + host + ":" + s.actualPort());
      return s.actualPort();
    });
  }

  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    switch (path) {
      case "/metrics" -> vertx.executeBlocking(registry::scrape, false).onComplete(ar -> {
        if (ar.succeeded()) {
          req.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
        } else {
          req.response().setStatusCode(500).end(String.valueOf(ar.cause()));
        }
      });
      case "/health/live", "/health" -> json(req, 200, new JsonObject().put("status", "up"));
      case "/health/ready" -> {
        Map<String, String> problems = health.problems();
        boolean ready = pipelinesReady.getAsBoolean();
        JsonObject body = new JsonObject().put("pipelines_ready", ready);
        if (!problems.isEmpty()) {
          body.put("degraded", new JsonObject(Map.copyOf(problems)));
        }
        body.put("status", ready && problems.isEmpty() ? "ready" : ready ? "degraded" : "starting");
        json(req, ready && problems.isEmpty() ? 200 : 503, body);
      }
      default -> {
        for (Map.Entry<String, Handler<HttpServerRequest>> e : endpoints.entrySet()) {
          if (path.startsWith(e.getKey())) {
            e.getValue().handle(req);
            return;
          }
        }
        json(req, 404, new JsonObject().put("error", "no endpoint at " + path));
      }
    }
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
