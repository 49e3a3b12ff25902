package io.goblinos.gateway.loadtest.bench;

import io.goblinos.gateway.loadtest.payload.Payload;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An open-loop (constant arrival rate) HTTP load generator: request {@code i} is due at {@code start + i / rate} whether
 * or not earlier ones were answered, and its latency is measured from that due time, so a stalled server shows up in
 * the percentiles (no coordinated omission). Bodies are pre-encoded; the generator copies bytes and counts. Runs on one
 * Vert.x event loop with a pool of keep-alive HTTP/1.1 connections.
 */
public final class OpenLoopLoad implements AutoCloseable {
  private static final long TIMEOUT_MS = 10_000;
  /** Requests due but not yet answered beyond this are counted as errors instead of being queued. */
  private static final int MAX_OUTSTANDING = 20_000;

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final Context context;
  private final String host;
  private final int port;

  public OpenLoopLoad(String host, int port, int connections) {
    this.vertx = Vertx.vertx();
    this.host = host;
    this.port = port;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    this.context = vertx.getOrCreateContext();
  }

  /**
   * Offers {@code requestsPerSecond} for {@code duration}, cycling through {@code payloads}; returns the point.
   * Requires {@code requestsPerSecond > 0}.
   */
  public LoadPoint run(String target, double fraction, String path, String contentType, List<Payload> payloads,
      double requestsPerSecond, Duration duration) throws Exception {
    long window = duration.toNanos();
    int due = (int) Math.max(1, Math.round(requestsPerSecond * window / 1e9));
    long[] latencies = new long[due];
    Arrays.fill(latencies, Long.MAX_VALUE);
    int itemsPerRequest = payloads.get(0).items();
    Promise<long[]> done = Promise.promise();
    Run run = new Run(path, contentType, payloads, requestsPerSecond, due, latencies, window, done);
    context.runOnContext(v -> run.begin());
    long[] counts = done.future().toCompletionStage().toCompletableFuture().get(duration.toMillis() + TIMEOUT_MS + 30_000, TimeUnit.MILLISECONDS);
    long ok = counts[0];
    long okInWindow = counts[1];
    long errors = due - ok;
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    return new LoadPoint(target, fraction, requestsPerSecond * itemsPerRequest, okInWindow * itemsPerRequest / (window / 1e9),
        percentileMs(sorted, 0.50), percentileMs(sorted, 0.90), percentileMs(sorted, 0.99), due, errors);
  }

  /** The q-quantile of sorted latencies in ms; failed requests sort last as infinitely slow. */
  static double percentileMs(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
    long v = sorted[Math.max(0, index)];
    return v == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : v / 1e6;
  }

  private final class Run {
    private final String path;
    private final String contentType;
    private final List<Payload> payloads;
    private final double rate;
    private final int due;
    private final long[] latencies;
    private final long window;
    private final Promise<long[]> done;
    private long start;
    private int sent;
    private int finished;
    private long ok;
    private long okInWindow;
    private long timer;

    Run(String path, String contentType, List<Payload> payloads, double rate, int due, long[] latencies, long window, Promise<long[]> done) {
      this.path = path;
      this.contentType = contentType;
      this.payloads = payloads;
      this.rate = rate;
      this.due = due;
      this.latencies = latencies;
      this.window = window;
      this.done = done;
    }

    void begin() {
      start = System.nanoTime();
      timer = vertx.setPeriodic(1, id -> tick());
      tick();
    }

    private void tick() {
      long now = System.nanoTime();
      int shouldHaveSent = (int) Math.min(due, (long) ((now - start) * rate / 1e9) + 1);
      while (sent < shouldHaveSent) {
        int i = sent++;
        long intended = start + (long) (i * 1e9 / rate);
        if (i - finished > MAX_OUTSTANDING) {
          finish(i, intended, false);
          continue;
        }
        send(i, intended);
      }
      if (sent >= due) {
        vertx.cancelTimer(timer);
      }
    }

    private void send(int i, long intended) {
      Payload p = payloads.get(i % payloads.size());
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setURI(path)
          .setTimeout(TIMEOUT_MS).putHeader(HttpHeaders.CONTENT_TYPE, contentType);
      client.request(options)
          .compose(req -> req.send(Buffer.buffer(p.body())))
          .compose(resp -> resp.body().map(b -> resp.statusCode()))
          .onComplete(ar -> finish(i, intended, ar.succeeded() && ar.result() / 100 == 2));
    }

    private void finish(int i, long intended, boolean success) {
      long now = System.nanoTime();
      if (success) {
        latencies[i] = now - intended;
        ok++;
        if (now - start <= window) {
          okInWindow++;
        }
      }
      finished++;
      if (finished == due) {
        done.complete(new long[] {ok, okInWindow});
      }
    }
  }

  @Override
  public void close() {
    client.close().await();
    vertx.close().await();
  }
}
