package io.goblinos.gateway.exporter.prometheusremotewrite;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A remote-write endpoint on 127.0.0.1:0 that records every request (headers, decoded body, arrival time) and
 * answers with the status the test scripts per request number (0-based); 204 by default.
 */
final class FakeRemoteWrite implements AutoCloseable {
  record Received(MultiMap headers, DecodedWriteRequest body, long nanoTime, int status) {}

  /** What to answer: status, and a Retry-After header value or null. */
  record Answer(int status, String retryAfter) {
    static final Answer OK = new Answer(204, null);
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final AtomicInteger count = new AtomicInteger();
  final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile IntFunction<Answer> script = n -> Answer.OK;

  FakeRemoteWrite() throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      int n = count.getAndIncrement();
      Answer a = script.apply(n);
      DecodedWriteRequest decoded;
      try {
        decoded = DecodedWriteRequest.fromSnappy(body.getBytes());
      } catch (Exception e) {
        req.response().setStatusCode(400).end("cannot decode: " + e);
        return;
      }
      received.add(new Received(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), decoded, System.nanoTime(),
          a.status()));
      if (a.retryAfter() != null) {
        req.response().putHeader("Retry-After", a.retryAfter());
      }
      req.response().setStatusCode(a.status()).end(a.status() >= 300 ? "scripted " + a.status() : "");
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  void script(IntFunction<Answer> script) {
    this.script = script;
  }

  int port() {
    return server.actualPort();
  }

  String url() {
    return "http://127.0.0.1:" + port() + "/api/v1/write";
  }

  /** Requests answered 2xx. */
  List<Received> accepted() {
    return received.stream().filter(r -> r.status() < 300).toList();
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
