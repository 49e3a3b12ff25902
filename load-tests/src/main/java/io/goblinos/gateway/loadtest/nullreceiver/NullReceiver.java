package io.goblinos.gateway.loadtest.nullreceiver;

import com.google.protobuf.InvalidProtocolBufferException;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.config.GatewayConfig;
import io.goblinos.gateway.receiver.BodyCollector;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The benchmark's ceiling: an OTLP/HTTP endpoint on the gateway's HTTP stack (Vert.x 5, one HTTP server verticle per
 * event loop sharing the port, compression off, the same options as the {@code otlp} receiver) that reads each body,
 * collects and decodes it exactly as the receiver does ({@link BodyCollector}, then for traces the receiver's
 * decoder, {@code Signal.TRACES.parse}, and protobuf's {@code parseFrom} for metrics and logs), counts the
 * items and answers an empty export response. Nothing else: no validation, no pipeline, no metrics registry.
 *
 * <p>{@code java -cp ... NullReceiver [host:port]} (default 127.0.0.1:0) prints
 * {@code null receiver listening on HOST:PORT}; {@code GET /stats} answers
 * {@code {"requests":N,"spans":N,"points":N,"logs":N}}. Stops on SIGTERM.
 */
public final class NullReceiver extends VerticleBase {
  /** The receiver's default {@code max_request_body_size}. */
  private static final long MAX_BODY = io.goblinos.gateway.receiver.otlp.OtlpReceiverConfig.DEFAULT_MAX_REQUEST_BODY_SIZE;
  static final LongAdder REQUESTS = new LongAdder();
  static final LongAdder SPANS = new LongAdder();
  static final LongAdder POINTS = new LongAdder();
  static final LongAdder LOGS = new LongAdder();
  private static final byte[] TRACE_OK = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
  private static final byte[] METRICS_OK = ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
  private static final byte[] LOGS_OK = ExportLogsServiceResponse.getDefaultInstance().toByteArray();

  private final HttpServerOptions options;
  private final AtomicInteger boundPort;

  NullReceiver(HttpServerOptions options, AtomicInteger boundPort) {
    this.options = options;
    this.boundPort = boundPort;
  }

  public static void main(String[] args) {
    String address = args.length > 0 ? args[0] : "127.0.0.1:0";
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon);
    int port = Integer.parseInt(address.substring(colon + 1));
    // the gateway's event loops (service.event_loops' default): one per available processor
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(GatewayConfig.defaultEventLoops()));
    int port0 = start(vertx, host, port).await();
    System.out.println("null receiver listening on " + host + ":" + port0);
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
  }

  /** Deploys one server per event loop, as the otlp receiver does; completes with the bound port. */
  public static Future<Integer> start(Vertx vertx, String host, int port) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(host)
        .setPort(port == 0 ? -1 : port)
        .setCompressionSupported(false)
        .setDecompressionSupported(false);
    AtomicInteger bound = new AtomicInteger(-1);
    int instances = GatewayConfig.defaultEventLoops();
    return vertx.deployVerticle(() -> new NullReceiver(options, bound), new DeploymentOptions().setInstances(instances))
        .map(id -> bound.get());
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(options).requestHandler(this::handle).listen()
        .onSuccess(s -> boundPort.compareAndSet(-1, s.actualPort()));
  }

  private void handle(HttpServerRequest req) {
    if (req.method() == HttpMethod.GET && req.path().equals("/stats")) {
      req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(stats());
      return;
    }
    String path = req.path();
    if (req.method() != HttpMethod.POST || !(path.equals("/v1/traces") || path.equals("/v1/metrics") || path.equals("/v1/logs"))) {
      req.response().setStatusCode(404).end();
      return;
    }
    // collected as the receiver collects it (BodyCollector, sized from Content-Length), then decoded the same way
    BodyCollector body = new BodyCollector(BodyCollector.declaredLength(req.getHeader(HttpHeaders.CONTENT_LENGTH)), MAX_BODY);
    boolean[] refused = {false};
    req.handler(chunk -> {
      if (!refused[0] && !body.add(chunk)) {
        refused[0] = true;
        req.response().setStatusCode(413).end();
      }
    });
    req.endHandler(v -> {
      if (refused[0]) {
        return;
      }
      try {
        byte[] ok = consume(path, body.bytes());
        REQUESTS.increment();
        req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/x-protobuf").end(Buffer.buffer(ok));
      } catch (InvalidProtocolBufferException e) {
        req.response().setStatusCode(400).end(e.getMessage());
      }
    });
  }

  /** Decodes and counts; returns the success response body. */
  static byte[] consume(String path, byte[] raw) throws InvalidProtocolBufferException {
    switch (path) {
      case "/v1/traces" -> {
        ExportTraceServiceRequest r = Signal.TRACES.parse(raw); // the receiver's decoder
        long n = 0;
        for (ResourceSpans rs : r.getResourceSpansList()) {
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            n += ss.getSpansCount();
          }
        }
        SPANS.add(n);
        return TRACE_OK;
      }
      case "/v1/metrics" -> {
        ExportMetricsServiceRequest r = ExportMetricsServiceRequest.parseFrom(raw);
        long n = 0;
        for (ResourceMetrics rm : r.getResourceMetricsList()) {
          for (ScopeMetrics sm : rm.getScopeMetricsList()) {
            for (Metric m : sm.getMetricsList()) {
              n += m.getGauge().getDataPointsCount() + m.getSum().getDataPointsCount()
                  + m.getHistogram().getDataPointsCount() + m.getExponentialHistogram().getDataPointsCount()
                  + m.getSummary().getDataPointsCount();
            }
          }
        }
        POINTS.add(n);
        return METRICS_OK;
      }
      default -> {
        ExportLogsServiceRequest r = ExportLogsServiceRequest.parseFrom(raw);
        long n = 0;
        for (ResourceLogs rl : r.getResourceLogsList()) {
          for (ScopeLogs sl : rl.getScopeLogsList()) {
            n += sl.getLogRecordsCount();
          }
        }
        LOGS.add(n);
        return LOGS_OK;
      }
    }
  }

  static String stats() {
    return "{\"requests\":" + REQUESTS.sum() + ",\"spans\":" + SPANS.sum() + ",\"points\":" + POINTS.sum()
        + ",\"logs\":" + LOGS.sum() + "}";
  }
}
