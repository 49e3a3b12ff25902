package io.goblinos.gateway.receiver.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.NextConsumers;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.api.signal.WireBytes;
import io.goblinos.gateway.auth.Principal;
import io.goblinos.gateway.auth.ResourcePrincipal;
import io.goblinos.gateway.otlp.OtlpJson;
import io.goblinos.gateway.otlp.OtlpResponses;
import io.goblinos.gateway.otlp.OtlpValidation;
import io.goblinos.gateway.receiver.BodyCollector;
import io.goblinos.gateway.receiver.BoundedBody;
import io.goblinos.gateway.receiver.ReceiverGuard;
import io.goblinos.gateway.receiver.ReceiverMetrics;
import io.goblinos.gateway.receiver.StatusMapping;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * OTLP/HTTP ({@code POST /v1/traces|metrics|logs}) per the OTLP specification: protobuf or JSON bodies, identity,
 * gzip, deflate or zstd encoded, answered in the request's content type. Also dispatches the host's extra data
 * endpoints (e.g. {@code /v1/audit}).
 *
 * <p>Every request, whatever its path, first passes the {@link ReceiverGuard}: its read timeout is armed, it is
 * authenticated (401/403 before anything else is looked at, so unauthenticated clients learn nothing about the
 * endpoints) and rate limited (429). The principal is recorded for the request ({@link Principal#of}) before a data
 * endpoint is called, and set as the resource attribute {@value Principal#RESOURCE_ATTRIBUTE} on OTLP data (a value
 * sent by the client is always removed).
 *
 * <p>Threading: runs on the server's event loop. Uncompressed protobuf bodies up to {@link #INLINE_DECODE_LIMIT}
 * bytes (JSON or compressed bodies up to {@link #INLINE_JSON_DECODE_LIMIT}) are decoded there
 * (a few microseconds per span); larger ones are decoded on the worker pool so that a 64 MiB request cannot stall
 * the event loop.
 */
public final class OtlpHttpHandler implements Handler<HttpServerRequest> {
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";
  static final int INLINE_DECODE_LIMIT = 256 * 1024;
  /** Most bytes of an oversize body read and discarded so that the 413 reaches the client before the close. */
  static final long DRAIN_LIMIT = 8L * 1024 * 1024;
  /** OTLP/JSON decodes 10-15 times slower per span than protobuf: only small JSON bodies stay on the loop. */
  static final int INLINE_JSON_DECODE_LIMIT = 16 * 1024;
  private static final String TRANSPORT = "http";

  private final Vertx vertx;
  private final OtlpReceiverConfig.Http config;
  private final NextConsumers next;
  private final ReceiverMetrics metrics;
  private final Map<String, Signal<?>> signalsByPath = new HashMap<>();
  private final Map<String, Handler<HttpServerRequest>> extraEndpoints;
  private final ReceiverGuard guard;

  public OtlpHttpHandler(
      Vertx vertx,
      OtlpReceiverConfig.Http config,
      NextConsumers next,
      ReceiverMetrics metrics,
      Map<String, Handler<HttpServerRequest>> extraEndpoints) {
    this(vertx, config, next, metrics, extraEndpoints, ReceiverGuard.open(vertx, "otlp", TRANSPORT, metrics));
  }

  public OtlpHttpHandler(
      Vertx vertx,
      OtlpReceiverConfig.Http config,
      NextConsumers next,
      ReceiverMetrics metrics,
      Map<String, Handler<HttpServerRequest>> extraEndpoints,
      ReceiverGuard guard) {
    this.guard = guard;
    this.vertx = vertx;
    this.config = config;
    this.next = next;
    this.metrics = metrics;
    this.extraEndpoints = Map.copyOf(extraEndpoints);
    signalsByPath.put(config.tracesPath(), Signal.TRACES);
    signalsByPath.put(config.metricsPath(), Signal.METRICS);
    signalsByPath.put(config.logsPath(), Signal.LOGS);
  }

  @Override
  public void handle(HttpServerRequest req) {
    long start = System.nanoTime();
    String replyType = PROTOBUF.equals(mediaType(req.getHeader(HttpHeaders.CONTENT_TYPE))) ? PROTOBUF : JSON;
    long readTimer = guard.onRequest(req, () -> timedOut(req, start, replyType));
    ReceiverGuard.Admission admission = guard.admit(req.headers(), req.connection());
    if (!admission.admitted()) {
      guard.cancel(readTimer);
      refuse(req, start, admission.failure(), replyType);
      return;
    }
    Principal principal = admission.principal();
    if (principal != null) {
      Principal.attach(req, principal);
    }
    Signal<?> signal = signalsByPath.get(req.path());
    if (signal == null) {
      Handler<HttpServerRequest> extra = extraEndpoints.get(req.path());
      if (extra != null) {
        // set before the endpoint runs, so that an endpoint that needs the hook for itself can take it over
        req.response().bodyEndHandler(v -> guard.cancel(readTimer));
        extra.handle(req);
        return;
      }
      guard.cancel(readTimer);
      fail(req, start, StatusMapping.protocol(404, "no OTLP endpoint at " + req.path()
          + " (use " + config.tracesPath() + ", " + config.metricsPath() + " or " + config.logsPath() + ")"), JSON);
      return;
    }
    handleSignal(req, signal, start, principal == null ? null : principal.id(), readTimer);
  }

  /** 401/403/429 from the guard; after 401/403 an HTTP/1.x connection is closed rather than read further. */
  private void refuse(HttpServerRequest req, long start, StatusMapping.Failure failure, String replyType) {
    HttpServerResponse resp = req.response();
    boolean close = failure.httpStatus() != 429 && req.version() != HttpVersion.HTTP_2;
    if (failure.httpStatus() == 401) {
      resp.putHeader("WWW-Authenticate", StatusMapping.WWW_AUTHENTICATE);
    }
    if (close) {
      resp.putHeader(HttpHeaders.CONNECTION, "close");
    }
    Future<Void> sent = fail(req, start, failure, replyType);
    if (close) {
      // close once the answer is written: the body of an unauthenticated request is not worth reading
      sent.onComplete(v -> req.connection().close());
    }
  }

  /** The request body did not arrive within read_timeout: 408, then the connection is closed. */
  private void timedOut(HttpServerRequest req, long start, String replyType) {
    HttpServerResponse resp = req.response();
    if (resp.ended() || resp.closed()) {
      return;
    }
    if (req.version() != HttpVersion.HTTP_2) {
      resp.putHeader(HttpHeaders.CONNECTION, "close");
    }
    Future<Void> sent = fail(req, start, StatusMapping.readTimeout(guard.settings().readTimeout()), replyType);
    sent.onComplete(v -> {
      if (req.version() == HttpVersion.HTTP_2) {
        resp.reset();
      } else {
        req.connection().close();
      }
    });
  }

  private <T extends Message> void handleSignal(
      HttpServerRequest req, Signal<T> signal, long start, String principal, long readTimer) {
    String contentType = mediaType(req.getHeader(HttpHeaders.CONTENT_TYPE));
    String replyType = PROTOBUF.equals(contentType) ? PROTOBUF : JSON;
    if (req.method() != HttpMethod.POST) {
      guard.cancel(readTimer);
      req.response().putHeader(HttpHeaders.ALLOW, "POST");
      fail(req, start, StatusMapping.protocol(405, req.method() + " is not allowed on " + req.path() + ": use POST"), replyType);
      return;
    }
    if (!PROTOBUF.equals(contentType) && !JSON.equals(contentType)) {
      guard.cancel(readTimer);
      fail(req, start, StatusMapping.protocol(415, "unsupported Content-Type '" + req.getHeader(HttpHeaders.CONTENT_TYPE)
          + "': use application/x-protobuf or application/json"), JSON);
      return;
    }
    String encoding = req.getHeader(HttpHeaders.CONTENT_ENCODING);
    if (!BoundedBody.supported(encoding)) {
      guard.cancel(readTimer);
      fail(req, start, StatusMapping.protocol(415, "unsupported Content-Encoding '" + encoding
          + "' (supported: gzip, deflate, zstd, identity)"), replyType);
      return;
    }
    Consumer<T> consumer = next.get(signal).orElse(null);
    if (consumer == null) {
      guard.cancel(readTimer);
      fail(req, start, StatusMapping.protocol(404, "no pipeline takes " + signal.name() + " from this receiver"), replyType);
      return;
    }
    long limit = config.maxRequestBodySize();
    String declared = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    long declaredLength = BodyCollector.declaredLength(declared);
    if (declaredLength > limit) {
      guard.cancel(readTimer);
      tooLarge(req, start, "request body of " + declared + " bytes is over the limit of " + limit + " bytes", replyType);
      return;
    }
    BodyCollector body = new BodyCollector(declaredLength, limit);
    boolean[] refused = {false};
    req.handler(chunk -> {
      if (refused[0]) {
        return;
      }
      if (!body.add(chunk)) {
        refused[0] = true;
        guard.cancel(readTimer);
        tooLarge(req, start, "request body is over the limit of " + limit + " bytes", replyType);
        return;
      }
    });
    req.exceptionHandler(err -> {
      refused[0] = true;
      guard.cancel(readTimer);
    });
    req.endHandler(v -> {
      guard.cancel(readTimer);
      if (refused[0]) {
        return;
      }
      // Compressed bodies may inflate up to max_decompression_ratio times: treat them like JSON.
      boolean plain = encoding == null || encoding.isBlank() || "identity".equalsIgnoreCase(encoding.trim());
      int inlineLimit = PROTOBUF.equals(contentType) && plain ? INLINE_DECODE_LIMIT : INLINE_JSON_DECODE_LIMIT;
      byte[] bytes = body.bytes();
      Future<Decoded<T>> decoded = bytes.length <= inlineLimit
          ? decodeNow(signal, bytes, encoding, contentType)
          : vertx.executeBlocking(() -> decode(signal, bytes, encoding, contentType), false);
      decoded.onComplete(ar -> {
        if (ar.failed()) {
          failDecode(req, start, ar.cause(), replyType, signal);
          return;
        }
        consume(req, start, signal, consumer, ar.result().request(), ar.result().wire(), replyType, principal);
      });
    });
  }

  /** A decoded request and, for OTLP/protobuf, the bytes it was parsed from (null for JSON). */
  private record Decoded<T extends Message>(T request, WireBytes wire) {}

  private <T extends Message> Future<Decoded<T>> decodeNow(Signal<T> signal, byte[] body, String encoding,
                                                          String contentType) {
    try {
      return Future.succeededFuture(decode(signal, body, encoding, contentType));
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private <T extends Message> Decoded<T> decode(Signal<T> signal, byte[] body, String encoding, String contentType)
      throws Exception {
    byte[] raw = BoundedBody.decode(body, encoding, config.maxRequestBodySize(), config.maxDecompressionRatio());
    if (PROTOBUF.equals(contentType)) {
      try {
        WireBytes wire = signal.parseWithWire(raw);
        return new Decoded<>(signal.requestType().cast(wire.parsed()), wire);
      } catch (InvalidProtocolBufferException e) {
        throw ConsumeException.permanent("cannot decode the " + signal.name() + " request as OTLP protobuf: " + e.getMessage());
      }
    }
    try {
      return new Decoded<>(OtlpJson.decode(raw, signal.empty().newBuilderForType()), null);
    } catch (OtlpJson.OtlpJsonException e) {
      throw ConsumeException.permanent("cannot decode the " + signal.name() + " request: " + e.getMessage());
    }
  }

  private <T extends Message> void consume(
      HttpServerRequest req, long start, Signal<T> signal, Consumer<T> consumer, T request, WireBytes wire,
      String replyType, String principal) {
    OtlpValidation.Validated<T> validated = OtlpValidation.validate(signal, request);
    int items = signal.itemCount(validated.request());
    if (validated.rejected() > 0) {
      metrics.refused(signal, TRANSPORT, validated.rejected());
    }
    Future<Void> accepted;
    try {
      if (items == 0) {
        accepted = Future.succeededFuture();
      } else {
        T toConsume = ResourcePrincipal.apply(signal, validated.request(), principal);
        accepted = wire == null
            ? consumer.consume(toConsume)
            : WireBytes.during(wire, () -> consumer.consume(toConsume));
      }
    } catch (RuntimeException e) {
      accepted = Future.failedFuture(e);
    }
    accepted.onComplete(ar -> {
      if (ar.failed()) {
        metrics.refused(signal, TRANSPORT, items);
        fail(req, start, StatusMapping.map(ar.cause()), replyType);
        return;
      }
      metrics.accepted(signal, TRANSPORT, items);
      Message response = OtlpResponses.success(signal, validated.rejected(), validated.reason());
      byte[] bytes = PROTOBUF.equals(replyType) ? response.toByteArray() : OtlpJson.encode(response);
      HttpServerResponse resp = req.response();
      if (resp.closed() || resp.ended()) {
        return;
      }
      resp.setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, replyType).end(Buffer.buffer(bytes));
      metrics.request(TRANSPORT, "200", System.nanoTime() - start);
    });
  }

  private void failDecode(HttpServerRequest req, long start, Throwable cause, String replyType, Signal<?> signal) {
    StatusMapping.Failure failure;
    if (cause instanceof BoundedBody.TooLargeException) {
      tooLarge(req, start, cause.getMessage(), replyType);
      return;
    } else if (cause instanceof BoundedBody.BadEncodingException bad) {
      failure = StatusMapping.protocol(bad.unsupported() ? 415 : 400, bad.getMessage());
    } else {
      failure = StatusMapping.map(cause);
    }
    metrics.refused(signal, TRANSPORT, 0);
    fail(req, start, failure, replyType);
  }

  private void tooLarge(HttpServerRequest req, long start, String message, String replyType) {
    if (req.isEnded()) {
      answerTooLarge(req, start, message, replyType);
      return;
    }
    // Read and discard the rest before answering when it is small enough: closing a connection with unread request
    // bytes makes the kernel reset it, and the client may lose the 413. Beyond DRAIN_LIMIT: answer and cut.
    long[] drained = {0};
    req.handler(chunk -> {
      drained[0] += chunk.length();
      if (drained[0] > DRAIN_LIMIT) {
        answerTooLarge(req, start, message, replyType);
      }
    });
    req.endHandler(v -> answerTooLarge(req, start, message, replyType));
  }

  private void answerTooLarge(HttpServerRequest req, long start, String message, String replyType) {
    if (req.response().ended()) {
      return;
    }
    req.response().putHeader(HttpHeaders.CONNECTION, "close");
    fail(req, start, StatusMapping.protocol(413, message), replyType);
    req.response().closeHandler(null);
    req.connection().close();
  }

  private Future<Void> fail(HttpServerRequest req, long start, StatusMapping.Failure failure, String replyType) {
    HttpServerResponse resp = req.response();
    if (resp.ended() || resp.closed()) {
      return Future.succeededFuture();
    }
    resp.setStatusCode(failure.httpStatus());
    String retryAfter = failure.retryAfterHeader();
    if (retryAfter != null) {
      resp.putHeader(HttpHeaders.RETRY_AFTER, retryAfter);
    }
    Future<Void> sent;
    if (PROTOBUF.equals(replyType)) {
      sent = resp.putHeader(HttpHeaders.CONTENT_TYPE, PROTOBUF).end(Buffer.buffer(failure.statusProto()));
    } else {
      sent = resp.putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(failure.statusJson().toBuffer());
    }
    metrics.request(TRANSPORT, Integer.toString(failure.httpStatus()), System.nanoTime() - start);
    return sent;
  }

  static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

}
