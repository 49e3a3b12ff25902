package io.goblinos.gateway.receiver.otlp.grpc;

import static io.goblinos.gateway.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.NextConsumers;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.exporter.sending.RpcStatus;
import io.goblinos.gateway.receiver.ReceiverMetrics;
import io.goblinos.gateway.testing.SdkData;
import io.vertx.core.MultiMap;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpcClient;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpcClient;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OtlpGrpcServerTest {
  static Vertx vertx;
  static GrpcClient client;
  OtlpGrpcServer server;
  SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    client = GrpcClient.client(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    get(client.close());
    get(vertx.close());
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      get(server.stop());
      get(server.stop()); // idempotent
    }
  }

  /** A consumer that keeps what it accepts, answering with {@code answer}. */
  static final class Sink<T> implements Consumer<T> {
    final List<T> received = new CopyOnWriteArrayList<>();
    volatile Function<T, Future<Void>> answer = t -> Future.succeededFuture();

    @Override
    public Future<Void> consume(T data) {
      received.add(data);
      return answer.apply(data);
    }
  }

  int startServer(Map<Signal<?>, Consumer<?>> next, int maxBytes) throws Exception {
    server = new OtlpGrpcServer(vertx, "127.0.0.1", 0, new NextConsumers(next),
        new ReceiverMetrics(meters, "otlp").registerAll("grpc"), maxBytes);
    int port = get(server.start());
    assertThat(port).isPositive();
    return port;
  }

  double accepted(Signal<?> s) {
    return meters.get("gateway.receiver.accepted." + s.itemName()).tag("transport", "grpc").counter().count();
  }

  double refused(Signal<?> s) {
    return meters.get("gateway.receiver.refused." + s.itemName()).tag("transport", "grpc").counter().count();
  }

  @Test
  void sdkTracesMetricsAndLogsArriveIntact() throws Exception {
    Sink<ExportTraceServiceRequest> traces = new Sink<>();
    Sink<ExportMetricsServiceRequest> metrics = new Sink<>();
    Sink<ExportLogsServiceRequest> logs = new Sink<>();
    int port = startServer(Map.of(Signal.TRACES, traces, Signal.METRICS, metrics, Signal.LOGS, logs), 4 << 20);
    String endpoint = "http://127.0.0.1:" + port;

    List<SpanData> spans = SdkTelemetry.spans();
    Collection<MetricData> points = SdkTelemetry.metrics();
    List<LogRecordData> records = SdkTelemetry.logs();
    try (OtlpGrpcSpanExporter e = OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).setCompression("gzip").build()) {
      assertSuccess(e.export(spans));
    }
    try (OtlpGrpcMetricExporter e = OtlpGrpcMetricExporter.builder().setEndpoint(endpoint).build()) {
      assertSuccess(e.export(points));
    }
    try (OtlpGrpcLogRecordExporter e = OtlpGrpcLogRecordExporter.builder().setEndpoint(endpoint).setCompression("gzip").build()) {
      assertSuccess(e.export(records));
    }

    assertThat(traces.received).containsExactly(SdkData.toProto(spans));
    assertThat(metrics.received).containsExactly(SdkData.metricsToProto(points));
    assertThat(logs.received).containsExactly(SdkData.logsToProto(records));
    assertThat(accepted(Signal.TRACES)).isEqualTo(spans.size());
    assertThat(accepted(Signal.METRICS)).isEqualTo(Signal.METRICS.itemCount(SdkData.metricsToProto(points)));
    assertThat(accepted(Signal.LOGS)).isEqualTo(records.size());
    assertThat(meters.get("gateway.receiver.requests").tag("status", "OK").counter().count()).isEqualTo(3);
  }

  static void assertSuccess(CompletableResultCode result) {
    assertThat(result.join(20, TimeUnit.SECONDS).isSuccess()).as("SDK export succeeded").isTrue();
  }

  /** A response and its message (null when the status is not OK). */
  record Reply<Req, Resp>(GrpcClientResponse<Req, Resp> resp, Resp message) {
    GrpcStatus status() {
      return resp.status();
    }

    String statusMessage() {
      return resp.statusMessage();
    }

    MultiMap trailers() {
      return resp.trailers();
    }

    MultiMap headers() {
      return resp.headers();
    }
  }

  /** Sends one request with the raw Vert.x gRPC client and returns the response (whatever its status). */
  static <Req extends Message, Resp> Reply<Req, Resp> call(
      int port, ServiceMethod<Resp, Req> method, Req request, String encoding) throws Exception {
    return get(client.request(SocketAddress.inetSocketAddress(port, "127.0.0.1"), method).compose(c -> {
      if (encoding != null) {
        c.encoding(encoding);
      }
      return c.send(request);
    }).compose(resp -> resp.last().transform(ar -> Future.succeededFuture(new Reply<>(resp, ar.succeeded() ? ar.result() : null)))));
  }

  static String statusHeader(Reply<?, ?> resp, String name) {
    String v = resp.trailers() == null ? null : resp.trailers().get(name);
    return v != null ? v : resp.headers().get(name);
  }

  @Test
  void signalsWithoutPipelineAreUnimplemented() throws Exception {
    int port = startServer(Map.of(Signal.TRACES, new Sink<ExportTraceServiceRequest>()), 1 << 20);
    var resp = call(port, LogsServiceGrpcClient.Export, SdkData.logsToProto(SdkTelemetry.logs()), null);
    assertThat(resp.status()).isEqualTo(GrpcStatus.UNIMPLEMENTED);
  }

  @Test
  void pipelineRefusalsMapToOtlpStatuses() throws Exception {
    Sink<ExportTraceServiceRequest> sink = new Sink<>();
    int port = startServer(Map.of(Signal.TRACES, sink), 1 << 20);
    ExportTraceServiceRequest request = SdkData.toProto(SdkTelemetry.spans());
    int items = Signal.TRACES.itemCount(request);

    sink.answer = t -> Future.failedFuture(ConsumeException.throttled("memory limit reached", Duration.ofSeconds(2)));
    var throttled = call(port, TraceServiceGrpcClient.Export, request, null);
    assertThat(throttled.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    RpcStatus details = RpcStatus.parseGrpcDetailsHeader(statusHeader(throttled, "grpc-status-details-bin"));
    assertThat(details).isEqualTo(new RpcStatus(8, "memory limit reached", Duration.ofSeconds(2)));

    sink.answer = t -> Future.failedFuture(ConsumeException.permanent("bad data"));
    assertThat(call(port, TraceServiceGrpcClient.Export, request, null).status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);

    sink.answer = t -> Future.failedFuture(new IllegalStateException("exporter exploded"));
    var unavailable = call(port, TraceServiceGrpcClient.Export, request, null);
    assertThat(unavailable.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(unavailable.statusMessage()).isEqualTo("exporter exploded");

    assertThat(refused(Signal.TRACES)).isEqualTo(3.0 * items);
    assertThat(accepted(Signal.TRACES)).isZero();
  }

  @Test
  void oversizeMessagesAreResourceExhausted() throws Exception {
    Sink<ExportTraceServiceRequest> sink = new Sink<>();
    int port = startServer(Map.of(Signal.TRACES, sink), 4096);
    ExportTraceServiceRequest big = withAttribute("x".repeat(20_000));

    var plain = call(port, TraceServiceGrpcClient.Export, big, null);
    assertThat(plain.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    // compressed under the limit, over it once inflated: decompression stops at the limit
    var gzipped = call(port, TraceServiceGrpcClient.Export, big, "gzip");
    assertThat(gzipped.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    assertThat(RpcStatus.parseGrpcDetailsHeader(statusHeader(gzipped, "grpc-status-details-bin")).retryDelay()).isNull();
    assertThat(sink.received).isEmpty();

    // a small gzip message is fine
    var ok = call(port, TraceServiceGrpcClient.Export, withAttribute("small"), "gzip");
    assertThat(ok.status()).isEqualTo(GrpcStatus.OK);
    assertThat(sink.received).hasSize(1);
  }

  @Test
  void invalidIdsGivePartialSuccessAndFullSuccessLeavesItUnset() throws Exception {
    Sink<ExportTraceServiceRequest> sink = new Sink<>();
    int port = startServer(Map.of(Signal.TRACES, sink), 1 << 20);
    ExportTraceServiceRequest good = withAttribute("ok");
    ExportTraceServiceRequest mixed = good.toBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()
            .addSpans(Span.newBuilder().setName("bad").setTraceId(ByteString.copyFrom(new byte[3])))))
        .build();

    var full = call(port, TraceServiceGrpcClient.Export, good, null);
    ExportTraceServiceResponse fullBody = full.message();
    assertThat(full.status()).isEqualTo(GrpcStatus.OK);
    assertThat(fullBody.hasPartialSuccess()).isFalse();

    var partial = call(port, TraceServiceGrpcClient.Export, mixed, null);
    ExportTraceServiceResponse body = partial.message();
    assertThat(partial.status()).isEqualTo(GrpcStatus.OK);
    assertThat(body.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(body.getPartialSuccess().getErrorMessage()).contains("trace id of 3 bytes");
    assertThat(sink.received).containsExactly(good, good);
    assertThat(refused(Signal.TRACES)).isEqualTo(1);
    assertThat(accepted(Signal.TRACES)).isEqualTo(2);
  }

  static ExportTraceServiceRequest withAttribute(String value) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()
            .addSpans(Span.newBuilder()
                .setName("s")
                .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
                .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
                .addAttributes(KeyValue.newBuilder().setKey("v").setValue(AnyValue.newBuilder().setStringValue(value))))))
        .build();
  }
}
