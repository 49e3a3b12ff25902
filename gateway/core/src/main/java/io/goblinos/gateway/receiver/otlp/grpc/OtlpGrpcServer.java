package io.goblinos.gateway.receiver.otlp.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.NextConsumers;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.auth.Principal;
import io.goblinos.gateway.auth.ResourcePrincipal;
import io.goblinos.gateway.otlp.OtlpResponses;
import io.goblinos.gateway.otlp.OtlpValidation;
import io.goblinos.gateway.receiver.BoundedBody;
import io.goblinos.gateway.receiver.ReceiverGuard;
import io.goblinos.gateway.receiver.ReceiverMetrics;
import io.goblinos.gateway.receiver.ServerProtection;
import io.goblinos.gateway.receiver.StatusMapping;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpcService;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpcService;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpcService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcProtocol;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The gRPC side of the {@code otlp} receiver: {@code opentelemetry.proto.collector.{trace,metrics,logs}.v1.*Service/Export}
 * on its own HTTP/2 server (cleartext h2c with prior knowledge, as gRPC clients with {@code http://} endpoints use),
 * served with vertx-grpc-server. Only the signals present in {@link NextConsumers} are bound; other services answer
 * UNIMPLEMENTED.
 *
 * <p>Per call: the message is decompressed (identity, gzip; bounded by {@code maxRecvMessageBytes}, so a
 * compression bomb costs at most that), decoded, items with invalid ids removed (partial success), handed to the
 * consumer, and answered with an {@code Export*ServiceResponse} whose {@code partial_success} is unset on full success.
 * Failures are mapped by {@link StatusMapping} only: INVALID_ARGUMENT for bad data, RESOURCE_EXHAUSTED with a
 * RetryInfo for throttling, UNAVAILABLE otherwise; the full {@code google.rpc.Status} goes in
 * {@code grpc-status-details-bin}. A message over the limit is answered RESOURCE_EXHAUSTED.
 *
 * <p>With a {@link ServerProtection}, the server speaks TLS (h2 via ALPN) per the receiver's {@code tls}, and every
 * call first passes the {@link ReceiverGuard}: authentication from the metadata and the client certificate
 * (UNAUTHENTICATED / PERMISSION_DENIED), the per-principal rate limit (RESOURCE_EXHAUSTED + RetryInfo) and a read
 * timeout for the request message (DEADLINE_EXCEEDED). The principal becomes the resource attribute
 * {@value Principal#RESOURCE_ATTRIBUTE}.
 *
 * <p>Everything runs on the event loop of the connection; nothing blocks.
 */
public final class OtlpGrpcServer {
  private static final Logger LOG = Logger.getLogger(OtlpGrpcServer.class.getName());
  public static final String TRANSPORT = "grpc";

  /**
   * @param host interface to bind
   * @param port port to bind, 0 for an ephemeral one
   * @param maxRecvMessageBytes largest message accepted, after decompression
   * @param maxConcurrentStreams HTTP/2 streams per connection
   * @param shutdownGrace how long {@link #stop()} lets calls in progress finish
   */
  public record Options(String host, int port, int maxRecvMessageBytes, long maxConcurrentStreams, Duration shutdownGrace) {
    public static final long DEFAULT_MAX_CONCURRENT_STREAMS = 1000;
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(5);

    public Options {
      Objects.requireNonNull(host, "host");
      if (maxRecvMessageBytes <= 0) {
        throw new IllegalArgumentException("maxRecvMessageBytes must be > 0, was " + maxRecvMessageBytes);
      }
    }

    public Options(String host, int port, int maxRecvMessageBytes) {
      this(host, port, maxRecvMessageBytes, DEFAULT_MAX_CONCURRENT_STREAMS, DEFAULT_SHUTDOWN_GRACE);
    }
  }

  private final Vertx vertx;
  private final Options options;
  private final NextConsumers next;
  private final ReceiverMetrics metrics;
  private final ServerProtection protection;
  private HttpServer server;

  public OtlpGrpcServer(
      Vertx vertx, String host, int port, NextConsumers next, ReceiverMetrics metrics, int maxRecvMessageBytes) {
    this(vertx, new Options(host, port, maxRecvMessageBytes), next, metrics);
  }

  public OtlpGrpcServer(Vertx vertx, Options options, NextConsumers next, ReceiverMetrics metrics) {
    this(vertx, options, next, metrics, null);
  }

  /**
   * @param protection TLS and guard; null for plaintext without auth and with default limits
   */
  public OtlpGrpcServer(
      Vertx vertx, Options options, NextConsumers next, ReceiverMetrics metrics, ServerProtection protection) {
    this.protection = protection != null
        ? protection
        : new ServerProtection(ReceiverGuard.open(vertx, "otlp", TRANSPORT, metrics), null);
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.options = Objects.requireNonNull(options, "options");
    this.next = Objects.requireNonNull(next, "next");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /** Binds the port; completes with the port bound (the ephemeral one when 0 was asked). */
  public synchronized Future<Integer> start() {
    if (server != null) {
      return Future.failedFuture(new IllegalStateException("already started"));
    }
    GrpcServerOptions grpcOptions = new GrpcServerOptions()
        // checked on the framed (possibly compressed) size; the decompressed size is checked in decode()
        .setMaxMessageSize(options.maxRecvMessageBytes());
    for (GrpcProtocol p : GrpcProtocol.values()) {
      if (p != GrpcProtocol.HTTP_2) {
        grpcOptions.removeEnabledProtocol(p);
      }
    }
    GrpcServer grpc = GrpcServer.server(vertx, grpcOptions);
    bind(grpc, Signal.TRACES, TraceServiceGrpcService.Export);
    bind(grpc, Signal.METRICS, MetricsServiceGrpcService.Export);
    bind(grpc, Signal.LOGS, LogsServiceGrpcService.Export);
    HttpServerOptions httpOptions = protection.apply(new HttpServerOptions()
        .setHost(options.host())
        .setPort(options.port())
        .setHttp2ClearTextEnabled(protection.tls() == null));
    httpOptions.getInitialSettings().setMaxConcurrentStreams(options.maxConcurrentStreams());
    HttpServer s = protection.attach(vertx.createHttpServer(httpOptions).requestHandler(grpc), false);
    server = s;
    return s.listen().map(bound -> {
      int port = bound.actualPort();
      LOG.info(() -> "OTLP/gRPC receiver listening on " + options.host() + ":" + port);
      return port;
    });
  }

  /** Stops accepting calls, lets calls in progress finish within the grace period, closes the port. Idempotent. */
  public synchronized Future<Void> stop() {
    HttpServer s = server;
    if (s == null) {
      return Future.succeededFuture();
    }
    server = null;
    return s.shutdown(Math.max(0, options.shutdownGrace().toMillis()), TimeUnit.MILLISECONDS)
        .onComplete(v -> LOG.info(() -> "OTLP/gRPC receiver on " + options.host() + " stopped"));
  }

  private <Req extends Message, Resp> void bind(GrpcServer grpc, Signal<Req> signal, ServiceMethod<Req, Resp> method) {
    next.get(signal).ifPresent(consumer -> grpc.callHandler(method, call -> new Call<>(signal, consumer, call).begin()));
  }

  /** One Export call. */
  private final class Call<Req extends Message, Resp> {
    private final Signal<Req> signal;
    private final Consumer<Req> consumer;
    private final GrpcServerRequest<Req, Resp> call;
    private final long startNanos = System.nanoTime();
    private boolean answered;
    private String principal;
    private long readTimer = -1;

    Call(Signal<Req> signal, Consumer<Req> consumer, GrpcServerRequest<Req, Resp> call) {
      this.signal = signal;
      this.consumer = consumer;
      this.call = call;
    }

    void begin() {
      ReceiverGuard guard = protection.guard();
      ReceiverGuard.Admission admission = guard.admit(call.headers(), call.connection());
      if (!admission.admitted()) {
        fail(admission.failure(), 0);
        return;
      }
      principal = admission.principal() == null ? null : admission.principal().id();
      readTimer = guard.readTimer(() -> {
        if (!answered && !pending) {
          fail(StatusMapping.readTimeout(guard.settings().readTimeout()), 0);
        }
      });
      call.invalidMessageHandler(invalid -> {
        if (invalid instanceof MessageSizeOverflowException over) {
          fail(StatusMapping.protocol(413, "message of " + over.messageSize() + " bytes is over the limit of "
              + options.maxRecvMessageBytes() + " bytes"), 0);
        } else {
          fail(StatusMapping.map(ConsumeException.permanent("invalid gRPC message: " + invalid.getMessage())), 0);
        }
      });
      call.messageHandler(this::onMessage);
      call.endHandler(v -> {
        ended = true;
        if (success != null) {
          Runnable answer = success;
          success = null;
          answer.run();
        } else if (!answered && !pending) {
          fail(StatusMapping.map(ConsumeException.permanent("the call carried no Export request message")), 0);
        }
      });
      call.exceptionHandler(err -> answered = true); // reset by the client: nothing left to answer
    }

    private boolean pending;
    /** The client has ended its side of the call (half-close). */
    private boolean ended;
    /** The OK answer, held until the client has ended its side: a unary call carries exactly one message. */
    private Runnable success;

    /** Answers OK now if the client has ended its side, else once it does (a second message fails the call). */
    private void succeedOnceEnded(int rejected, String reason) {
      if (ended) {
        succeed(rejected, reason);
      } else {
        success = () -> succeed(rejected, reason);
      }
    }

    private void onMessage(GrpcMessage msg) {
      protection.guard().cancel(readTimer);
      if (answered || pending || success != null) {
        success = null;
        fail(StatusMapping.map(ConsumeException.permanent("Export is unary: one request message per call")), 0);
        return;
      }
      Req request;
      try {
        request = decode(msg);
      } catch (Failed f) {
        fail(f.failure, 0);
        return;
      }
      OtlpValidation.Validated<Req> validated = OtlpValidation.validate(signal, request);
      int items = signal.itemCount(validated.request());
      int rejected = validated.rejected();
      if (rejected > 0) {
        metrics.refused(signal, TRANSPORT, rejected);
      }
      if (items == 0) {
        succeedOnceEnded(rejected, validated.reason());
        return;
      }
      pending = true;
      Future<Void> done;
      try {
        done = consumer.consume(ResourcePrincipal.apply(signal, validated.request(), principal));
      } catch (RuntimeException e) {
        done = Future.failedFuture(e);
      }
      done.onComplete(ar -> {
        pending = false;
        if (ar.succeeded()) {
          metrics.accepted(signal, TRANSPORT, items);
          succeedOnceEnded(rejected, validated.reason());
        } else {
          fail(StatusMapping.map(ar.cause()), items);
        }
      });
    }

    private Req decode(GrpcMessage msg) throws Failed {
      if (msg.format() != WireFormat.PROTOBUF) {
        throw new Failed(StatusMapping.map(ConsumeException.permanent("only protobuf messages are accepted")));
      }
      byte[] bytes;
      try {
        bytes = BoundedBody.decode(msg.payload(), msg.encoding(), options.maxRecvMessageBytes(), 0);
      } catch (BoundedBody.TooLargeException e) {
        throw new Failed(StatusMapping.protocol(413, "message " + e.getMessage()));
      } catch (BoundedBody.BadEncodingException e) {
        throw new Failed(e.unsupported()
            ? StatusMapping.protocol(415, "grpc-encoding '" + msg.encoding() + "' is not supported (use gzip or identity)")
            : StatusMapping.map(ConsumeException.permanent(e.getMessage())));
      }
      try {
        return signal.parse(bytes);
      } catch (InvalidProtocolBufferException e) {
        throw new Failed(StatusMapping.map(ConsumeException.permanent(
            "cannot decode " + signal.requestType().getSimpleName() + ": " + e.getMessage())));
      }
    }

    @SuppressWarnings("unchecked")
    private void succeed(int rejected, String reason) {
      if (answered) {
        return;
      }
      answered = true;
      Resp response = (Resp) OtlpResponses.success(signal, rejected, reason == null ? "" : reason);
      call.response().end(response);
      metrics.request(TRANSPORT, GrpcStatus.OK.name(), System.nanoTime() - startNanos);
    }

    private void fail(StatusMapping.Failure failure, int items) {
      if (answered) {
        return;
      }
      answered = true;
      protection.guard().cancel(readTimer);
      if (items > 0) {
        metrics.refused(signal, TRANSPORT, items);
      }
      GrpcStatus status = GrpcStatus.valueOf(failure.grpcStatus());
      call.response()
          .status(status)
          .statusMessage(failure.message());
      call.response().trailers().set("grpc-status-details-bin",
          Base64.getEncoder().withoutPadding().encodeToString(failure.statusProto()));
      call.response().end();
      metrics.request(TRANSPORT, status.name(), System.nanoTime() - startNanos);
    }
  }

  /** A decoding failure with its status. */
  private static final class Failed extends Exception {
    final StatusMapping.Failure failure;

    Failed(StatusMapping.Failure failure) {
      super(failure.message(), null, false, false);
      this.failure = failure;
    }
  }
}
