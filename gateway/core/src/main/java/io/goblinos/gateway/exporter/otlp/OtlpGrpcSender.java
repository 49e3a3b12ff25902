package io.goblinos.gateway.exporter.otlp;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.exporter.otlphttp.OtlpPartialSuccess;
import io.goblinos.gateway.exporter.sending.ExportException;
import io.goblinos.gateway.exporter.sending.ExporterHttpClients;
import io.goblinos.gateway.exporter.sending.RpcStatus;
import io.goblinos.gateway.exporter.sending.SendResult;
import io.goblinos.gateway.exporter.sending.Sender;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpcClient;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpcClient;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpcClient;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One unary {@code Export} call per request with vertx-grpc-client and the generated service methods. Status
 * handling per the OTLP specification: CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE and
 * DATA_LOSS are retryable; RESOURCE_EXHAUSTED only with a RetryInfo in {@code grpc-status-details-bin} (its delay
 * is honoured); everything else is permanent.
 */
final class OtlpGrpcSender<Req extends Message, Resp extends Message> implements Sender<Req> {
  /** Largest response accepted: export responses are tiny. */
  private static final long MAX_RESPONSE_BYTES = 4L * 1024 * 1024;

  private final ComponentContext context;
  private final OtlpGrpcExporterConfig config;
  private final ServiceMethod<Resp, Req> method;
  private final String target;
  private GrpcClient client;
  private SocketAddress address;

  private OtlpGrpcSender(ComponentContext context, OtlpGrpcExporterConfig config, ServiceMethod<Resp, Req> method) {
    this.context = context;
    this.config = config;
    this.method = method;
    this.target = config.host() + ":" + config.port();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static <T extends Message> Sender<T> create(ComponentContext context, OtlpGrpcExporterConfig config, Signal<T> signal) {
    ServiceMethod method = signal == Signal.TRACES
        ? TraceServiceGrpcClient.Export
        : signal == Signal.METRICS ? MetricsServiceGrpcClient.Export : LogsServiceGrpcClient.Export;
    return new OtlpGrpcSender<>(context, config, method);
  }

  @Override
  public Future<Void> start(Host host) {
    if (config.host() == null) {
      return Future.failedFuture(new IllegalArgumentException(
          "exporters::" + context.id() + "::endpoint: " + OtlpGrpcExporterFactory.MISSING_ENDPOINT));
    }
    try {
      HttpClientOptions http = ExporterHttpClients.options(context, config.helper().timeout(), config.tls(), config.useTls())
          .setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false); // h2c with prior knowledge, as gRPC clients do
      GrpcClientOptions grpc = new GrpcClientOptions()
          .setScheduleDeadlineAutomatically(true)
          .setMaxMessageSize(MAX_RESPONSE_BYTES);
      client = GrpcClient.builder(context.vertx()).with(grpc).with(http).build();
      address = SocketAddress.inetSocketAddress(config.port(), config.host());
      return Future.succeededFuture();
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalArgumentException("exporters::" + context.id() + ": " + e.getMessage(), e));
    }
  }

  @Override
  public Future<SendResult> send(Req request) {
    return client.request(address, method).compose(call -> {
      if (config.compression().equals("gzip")) {
        call.encoding("gzip");
      }
      config.headers().forEach((k, v) -> call.headers().add(k, v));
      long timeoutMs = config.helper().timeout().toMillis();
      if (timeoutMs > 0) {
        call.timeout(timeoutMs, TimeUnit.MILLISECONDS);
      }
      return call.send(request);
    }).compose(resp -> resp.last().transform(ar -> {
      GrpcStatus status = resp.status();
      if (status == GrpcStatus.OK) {
        return Future.succeededFuture(ar.succeeded() && ar.result() != null ? OtlpPartialSuccess.of(ar.result()) : SendResult.OK);
      }
      if (status == null) {
        return Future.failedFuture(ar.failed() ? ar.cause() : new IllegalStateException("no gRPC status"));
      }
      return Future.failedFuture(classify(status, resp));
    }));
  }

  private ExportException classify(GrpcStatus status, GrpcClientResponse<Req, Resp> resp) {
    RpcStatus details = RpcStatus.parseGrpcDetailsHeader(header(resp, "grpc-status-details-bin"));
    String text = header(resp, "grpc-message");
    text = text != null ? percentDecode(text) : details != null ? details.message() : "";
    String message = "gRPC " + status.name() + " from " + target + (text == null || text.isEmpty() ? "" : ": " + text);
    Duration delay = details == null ? null : details.retryDelay();
    return switch (status) {
      case CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS ->
          ExportException.retryable(message, delay);
      case RESOURCE_EXHAUSTED -> delay != null
          ? ExportException.retryable(message, delay)
          : ExportException.permanent(message + " (no RetryInfo: not retryable)");
      default -> ExportException.permanent(message);
    };
  }

  /** A status header from the trailers, or from the headers of a trailers-only response. */
  private static String header(GrpcClientResponse<?, ?> resp, String name) {
    MultiMap trailers = resp.trailers();
    String v = trailers == null ? null : trailers.get(name);
    return v != null ? v : resp.headers().get(name);
  }

  /** gRPC's percent-encoding of grpc-message (only %XX escapes; '+' is literal). */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi >= 0 && lo >= 0) {
          out.write(hi * 16 + lo);
          i += 2;
          continue;
        }
      }
      byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
      out.write(b, 0, b.length);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public Future<Void> close() {
    return client == null ? Future.succeededFuture() : client.close();
  }
}
