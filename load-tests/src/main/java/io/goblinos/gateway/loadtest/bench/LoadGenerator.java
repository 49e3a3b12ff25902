package io.goblinos.gateway.loadtest.bench;

import io.goblinos.gateway.loadtest.payload.Payload;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.netty.buffer.Unpooled;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's HTTP load generator: pre-encoded bodies, keep-alive HTTP/1.1 connections, one Vert.x event loop.
 * Each send copies a body and XORs its trace ids with a fresh mask ({@link Payload#withFreshTraceIds}), so no trace
 * id repeats during a run and a tail sampler sees only new traces.
 * <ul>
 *   <li>{@link #openLoop}: constant arrival rate; request {@code i} is due at {@code start + i / rate} whether or not
 *       earlier ones were answered, and its latency counts from that due time (no coordinated omission);</li>
 *   <li>{@link #closedLoop}: {@code connections} requests in flight, each answered one followed at once by the next:
 *       the saturation throughput.</li>
 * </ul>
 */
public final class LoadGenerator implements AutoCloseable {
  private static final long TIMEOUT_MS = 10_000;
  /** Requests due but unanswered beyond this are counted as errors instead of being queued. */
  private static final int MAX_OUTSTANDING = 20_000;

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final Context context;
  private final String host;
  private final int port;
  private final long salt = ThreadLocalRandom.current().nextLong();
  private long sequence;

  public LoadGenerator(String host, int port, int connections) {
    this.vertx = Vertx.vertx();
    this.host = host;
    this.port = port;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    this.context = vertx.getOrCreateContext();
  }

  /**
   * What a closed-loop run measured: 2xx answers and failures within the window, and the answers to requests still
   * in flight when it closed ({@code late}, not counted in the rate).
   */
  public record Saturation(long requests, long errors, long late, double seconds, double itemsPerSecond) {}

  /**
   * Offers {@code requestsPerSecond} for {@code duration}, cycling through {@code payloads}. Requires
   * {@code requestsPerSecond > 0}.
   */
  public LoadPoint openLoop(String target, double fraction, String path, String contentType, List<Payload> payloads,
      double requestsPerSecond, Duration duration) throws Exception {
    long window = duration.toNanos();
    int due = (int) Math.max(1, Math.round(requestsPerSecond * window / 1e9));
    long[] latencies = new long[due];
    Arrays.fill(latencies, Long.MAX_VALUE);
    int itemsPerRequest = payloads.get(0).items();
    Promise<long[]> done = Promise.promise();
    OpenRun run = new OpenRun(path, contentType, payloads, requestsPerSecond, due, latencies, window, done);
    context.runOnContext(v -> run.begin());
    long[] counts = done.future().toCompletionStage().toCompletableFuture()
        .get(duration.toMillis() + TIMEOUT_MS + 30_000, TimeUnit.MILLISECONDS);
    long ok = counts[0];
    long okInWindow = counts[1];
    String log = System.getProperty("bench.latency-log");
    if (log != null) { // a debugging aid: every request's due time and latency, to see when slow ones happen
      StringBuilder csv = new StringBuilder("due_ms,latency_ms\n");
      for (int i = 0; i < latencies.length; i++) {
        csv.append(String.format(java.util.Locale.ROOT, "%.3f,%.3f%n", i * 1e3 / requestsPerSecond,
            latencies[i] == Long.MAX_VALUE ? -1 : latencies[i] / 1e6));
      }
      // named by the run's start on the monotonic clock (System.nanoTime), to line it up with perf or GC logs
      java.nio.file.Files.writeString(java.nio.file.Path.of(log, target + "-" + Math.round(fraction * 100) + "-"
          + run.start + ".csv"), csv);
    }
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    return new LoadPoint(target, fraction, requestsPerSecond * itemsPerRequest, okInWindow * itemsPerRequest / (window / 1e9),
        percentileMs(sorted, 0.50), percentileMs(sorted, 0.90), percentileMs(sorted, 0.99), due, due - ok);
  }

  /** Keeps {@code inFlight} requests outstanding for {@code duration}; counts 2xx answers completed in the window. */
  public Saturation closedLoop(String path, String contentType, List<Payload> payloads, int inFlight, Duration duration)
      throws Exception {
    Promise<long[]> done = Promise.promise();
    ClosedRun run = new ClosedRun(path, contentType, payloads, inFlight, duration.toNanos(), done);
    context.runOnContext(v -> run.begin());
    long[] r = done.future().toCompletionStage().toCompletableFuture()
        .get(duration.toMillis() + TIMEOUT_MS + 30_000, TimeUnit.MILLISECONDS);
    double seconds = r[2] / 1e9;
    return new Saturation(r[0], r[1], r[3], seconds, r[0] * (double) payloads.get(0).items() / seconds);
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

  /** Sends one body with fresh trace ids; completes with the HTTP status (or fails). Runs on the generator's context. */
  private Future<Integer> send(String path, String contentType, Payload p) {
    byte[] body = p.withFreshTraceIds(Payload.mask(salt + sequence++));
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setURI(path)
        .setTimeout(TIMEOUT_MS).putHeader(HttpHeaders.CONTENT_TYPE, contentType);
    return client.request(options)
        // wrap, don't copy: the body is already this send's own copy
        .compose(req -> req.send(BufferInternal.buffer(Unpooled.wrappedBuffer(body))))
        .compose(resp -> resp.body().map(b -> resp.statusCode()));
  }

  private final class OpenRun {
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

    OpenRun(String path, String contentType, List<Payload> payloads, double rate, int due, long[] latencies, long window,
        Promise<long[]> done) {
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
        send(path, contentType, payloads.get(i % payloads.size()))
            .onComplete(ar -> finish(i, intended, ar.succeeded() && ar.result() / 100 == 2));
      }
      if (sent >= due) {
        vertx.cancelTimer(timer);
      }
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

  private final class ClosedRun {
    private final String path;
    private final String contentType;
    private final List<Payload> payloads;
    private final int inFlight;
    private final long window;
    private final Promise<long[]> done;
    private long start;
    private int next;
    private int active;
    private long ok;
    private long errors;
    private long late;

    ClosedRun(String path, String contentType, List<Payload> payloads, int inFlight, long window, Promise<long[]> done) {
      this.path = path;
      this.contentType = contentType;
      this.payloads = payloads;
      this.inFlight = inFlight;
      this.window = window;
      this.done = done;
    }

    void begin() {
      start = System.nanoTime();
      for (int i = 0; i < inFlight; i++) {
        active++;
        loop();
      }
    }

    private void loop() {
      send(path, contentType, payloads.get(next++ % payloads.size())).onComplete(ar -> {
        long now = System.nanoTime();
        boolean inWindow = now - start <= window;
        if (inWindow) {
          if (ar.succeeded() && ar.result() / 100 == 2) {
            ok++;
          } else {
            errors++;
          }
          loop();
        } else {
          late++;
          if (--active == 0) {
            done.complete(new long[] {ok, errors, window, late});
          }
        }
      });
    }
  }

  @Override
  public void close() {
    client.close().await();
    vertx.close().await();
  }
}
