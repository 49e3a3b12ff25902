package io.goblinos.gateway.receiver.otlp.grpc;

import static io.goblinos.gateway.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.auth.ApiKeys;
import io.goblinos.gateway.auth.Principal;
import io.goblinos.gateway.exporter.sending.RpcStatus;
import io.goblinos.gateway.receiver.StatusMapping;
import io.goblinos.gateway.testing.OtlpFiles;
import io.goblinos.gateway.testing.SdkData;
import io.goblinos.gateway.testing.TestGateway;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpcClient;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits and sender authentication of issue 5, provoked over gRPC on a real gateway: the HTTP/2 stream limit
 * with raw frames ({@link RawH2c}), the per-principal rate limit and the connection limit, the bad-input corpus as
 * gRPC messages (garbage and truncated protobuf, a gzip bomb, an oversize message, lying length prefixes, an unknown
 * {@code grpc-encoding}), and API keys in gRPC metadata. After each bad input the OpenTelemetry SDK's gRPC exporter
 * still gets its spans in.
 */
class OtlpGrpcLimitsTest {
  static final String EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

  @TempDir static Path dir;
  static TestGateway gateway;
  static Vertx vertx;
  static GrpcClient client;
  static int limits;
  static int conns;
  static int keyed;
  static int limited;
  static String key;
  static String alpha;
  static String beta;

  @BeforeAll
  static void start() throws IOException {
    key = ApiKeys.generate(new SecureRandom());
    alpha = ApiKeys.generate(new SecureRandom());
    beta = ApiKeys.generate(new SecureRandom());
    Files.writeString(dir.resolve("keys.yaml"), "keys:\n" + ApiKeys.keysFileLine("ci", key) + "\n"
        + ApiKeys.keysFileLine("alpha", alpha) + "\n" + ApiKeys.keysFileLine("beta", beta) + "\n");
    gateway = TestGateway.start("""
        extensions:
          apikeyauth: {keys_file: keys.yaml}
        receivers:
          otlp:
            protocols:
              grpc: {endpoint: 127.0.0.1:0, max_recv_msg_size_mib: 1, max_concurrent_streams: 2, read_timeout: 2m}
          otlp/conns:
            protocols:
              grpc: {endpoint: 127.0.0.1:0, max_connections: 2}
          otlp/keyed:
            protocols:
              grpc: {endpoint: 127.0.0.1:0, auth: {authenticator: apikeyauth}}
          otlp/limited:
            protocols:
              grpc:
                endpoint: 127.0.0.1:0
                auth: {authenticator: apikeyauth}
                rate_limit: {requests_per_second: 0.01, burst: 2}
        exporters:
          file: {directory: out}
        service:
          extensions: [apikeyauth]
          pipelines:
            traces: {receivers: [otlp, otlp/conns, otlp/keyed, otlp/limited], exporters: [file]}
        """, dir);
    limits = gateway.otlp("otlp").grpcPort();
    conns = gateway.otlp("otlp/conns").grpcPort();
    keyed = gateway.otlp("otlp/keyed").grpcPort();
    limited = gateway.otlp("otlp/limited").grpcPort();
    vertx = Vertx.vertx();
    client = GrpcClient.client(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      get(client.close());
      get(vertx.close());
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  static byte[] good() {
    return SdkData.toProto(SdkData.spans("raw")).toByteArray();
  }

  /** The SDK's gRPC exporter gets a batch in: the receiver is healthy. */
  static void assertHealthy(int port, String tag, String... headers) {
    OtlpGrpcSpanExporterBuilder b = OtlpGrpcSpanExporter.builder()
        .setEndpoint("http://127.0.0.1:" + port).setTimeout(Duration.ofSeconds(15));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.addHeader(headers[i], headers[i + 1]);
    }
    try (OtlpGrpcSpanExporter e = b.build()) {
      CompletableResultCode r = e.export(SdkData.spans(tag)).join(20, TimeUnit.SECONDS);
      assertThat(r.isSuccess()).as("the SDK exporter succeeds after: " + tag).isTrue();
    }
  }

  /** A unary call with the Vert.x gRPC client: its status and the google.rpc.Status from grpc-status-details-bin. */
  record Outcome(GrpcStatus status, String message, RpcStatus details) {}

  static Outcome vertxCall(int port, ExportTraceServiceRequest request, String... metadata) throws Exception {
    return get(client.request(SocketAddress.inetSocketAddress(port, "127.0.0.1"), TraceServiceGrpcClient.Export)
        .compose(c -> {
          for (int i = 0; i + 1 < metadata.length; i += 2) {
            c.headers().set(metadata[i], metadata[i + 1]);
          }
          return c.send(request);
        })
        .compose(resp -> resp.last().transform(ar -> {
          String details = resp.trailers() == null ? null : resp.trailers().get("grpc-status-details-bin");
          if (details == null) {
            details = resp.headers().get("grpc-status-details-bin");
          }
          return Future.succeededFuture(new Outcome(resp.status(), resp.statusMessage(),
              details == null ? null : RpcStatus.parseGrpcDetailsHeader(details)));
        })));
  }

  static double metric(String name, String... labels) {
    for (String line : gateway.scrape().split("\n")) {
      if (!line.startsWith(name + "{")) {
        continue;
      }
      boolean all = true;
      for (String l : labels) {
        all &= line.contains(l);
      }
      if (all) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  // ------------------------------------------------------------------ (1) max_concurrent_streams

  @Test
  void streamsOverMaxConcurrentStreamsAreRefused() throws Exception {
    try (RawH2c c = RawH2c.connect(limits)) {
      assertThat(c.awaitSettings()).as("the server's SETTINGS")
          .containsEntry(RawH2c.SETTINGS_MAX_CONCURRENT_STREAMS, 2L);
      // Two calls held open: headers sent, the request message not yet. The server must keep both.
      int first = c.openCall(EXPORT, Map.of(), false);
      int second = c.openCall(EXPORT, Map.of(), false);
      // A third concurrent stream violates the advertised limit: RST_STREAM(REFUSED_STREAM), nothing served.
      int third = c.openCall(EXPORT, Map.of(), false);
      RawH2c.Reply refused = c.awaitEnd(third);
      assertThat(refused.rstCode()).as("%s", refused).isEqualTo(RawH2c.REFUSED_STREAM);
      assertThat(refused.headerBlocks()).as("a refused stream gets no response").isEmpty();
      assertThat(c.isOpen(first)).isTrue();
      assertThat(c.isOpen(second)).isTrue();
      assertThat(c.isClosed()).as("only the stream is refused, not the connection").isFalse();

      // The held calls are served once their messages arrive; a finished one frees a slot for a new stream.
      c.sendData(first, RawH2c.grpcFrame(false, good()), true);
      RawH2c.Reply one = c.awaitEnd(first);
      assertThat(one.grpcStatus()).as("%s", one).isEqualTo(0);
      assertThat(ExportTraceServiceResponse.parseFrom(Arrays.copyOfRange(one.data(), 5, one.data().length))
          .hasPartialSuccess()).isFalse();
      RawH2c.Reply fourth = c.call(EXPORT, Map.of(), RawH2c.grpcFrame(false, good()));
      assertThat(fourth.grpcStatus()).as("%s", fourth).isEqualTo(0);
      c.sendData(second, RawH2c.grpcFrame(false, good()), true);
      assertThat(c.awaitEnd(second).grpcStatus()).isEqualTo(0);
    }
    assertHealthy(limits, "after-streams");
  }

  // ------------------------------------------------------------------ (2) per-principal rate limit

  @Test
  void perPrincipalRateLimitIsResourceExhaustedWithRetryInfo() throws Exception {
    ExportTraceServiceRequest request = SdkData.toProto(SdkData.spans("rate"));
    List<GrpcStatus> statuses = new ArrayList<>();
    Outcome last = null;
    for (int i = 0; i < 3; i++) {
      last = vertxCall(limited, request, "x-api-key", alpha);
      statuses.add(last.status());
    }
    assertThat(statuses).containsExactly(GrpcStatus.OK, GrpcStatus.OK, GrpcStatus.RESOURCE_EXHAUSTED);
    assertThat(last.message()).isEqualTo("rate limit exceeded");
    assertThat(last.details()).as("google.rpc.Status in grpc-status-details-bin").isNotNull();
    assertThat(last.details().code()).isEqualTo(StatusMapping.GRPC_RESOURCE_EXHAUSTED);
    // 0.01 requests per second: the next token is up to 100 s away
    assertThat(last.details().retryDelay()).isNotNull()
        .isGreaterThan(Duration.ZERO).isLessThanOrEqualTo(Duration.ofSeconds(100));
    // the bucket is per principal: another key still gets in
    assertThat(vertxCall(limited, request, "x-api-key", beta).status()).isEqualTo(GrpcStatus.OK);
    assertThat(metric("gateway_receiver_rate_limited_total", "receiver=\"otlp/limited\"", "transport=\"grpc\""))
        .isEqualTo(1);
  }

  // ------------------------------------------------------------------ (3) max_connections

  @Test
  void connectionsOverMaxConnectionsAreClosed() throws Exception {
    double refusedBefore = metric("gateway_receiver_connections_refused_total", "receiver=\"otlp/conns\"");
    try (RawH2c a = RawH2c.connect(conns); RawH2c b = RawH2c.connect(conns)) {
      a.awaitSettings();
      b.awaitSettings();
      await().atMost(Duration.ofSeconds(10)).until(() ->
          metric("gateway_receiver_connections", "receiver=\"otlp/conns\"") == 2);
      try (RawH2c third = RawH2c.connect(conns)) {
        third.awaitClosed();
      }
      assertThat(metric("gateway_receiver_connections_refused_total", "receiver=\"otlp/conns\""))
          .isEqualTo(refusedBefore + 1);
      // a real gRPC client cannot get in either, while the two admitted connections are served
      assertThat(failure(() -> vertxCall(conns, SdkData.toProto(SdkData.spans("over-limit")))))
          .as("a call on a connection over the limit").isInstanceOf(io.vertx.core.http.HttpClosedException.class);
      assertThat(a.call(EXPORT, Map.of(), RawH2c.grpcFrame(false, good())).grpcStatus()).isEqualTo(0);
      assertThat(b.call(EXPORT, Map.of(), RawH2c.grpcFrame(false, good())).grpcStatus()).isEqualTo(0);
    }
    await().atMost(Duration.ofSeconds(10)).until(() ->
        metric("gateway_receiver_connections", "receiver=\"otlp/conns\"") == 0);
    assertHealthy(conns, "after-connections");
  }

  // ------------------------------------------------------------------ (4) bad input

  /** Sends one call on a fresh connection and checks its gRPC status, then that the receiver is healthy. */
  static RawH2c.Reply expect(int grpcStatus, Map<String, String> metadata, byte[] body) throws Exception {
    RawH2c.Reply r;
    try (RawH2c c = RawH2c.connect(limits)) {
      c.awaitSettings();
      r = c.call(EXPORT, metadata, body);
      assertThat(r.grpcStatus()).as("%s", r).isEqualTo(grpcStatus);
      // the same connection still serves a good call
      if (!c.isClosed()) {
        assertThat(c.call(EXPORT, Map.of(), RawH2c.grpcFrame(false, good())).grpcStatus()).isEqualTo(0);
      }
    }
    assertHealthy(limits, "after-bad-input");
    return r;
  }

  @Test
  void badInputCorpusGetsDocumentedStatusesAndTheReceiverStaysHealthy() throws Exception {
    int invalid = StatusMapping.GRPC_INVALID_ARGUMENT;
    int exhausted = StatusMapping.GRPC_RESOURCE_EXHAUSTED;
    byte[] good = good();
    Map<String, String> gzip = Map.of("grpc-encoding", "gzip");

    // truncated protobuf, garbage, a length-delimited field that claims more than there is
    expect(invalid, Map.of(), RawH2c.grpcFrame(false, Arrays.copyOf(good, good.length / 2)));
    byte[] garbage = new byte[4096];
    new Random(42).nextBytes(garbage);
    garbage[0] = (byte) 0xFF; // an invalid tag, so the seed cannot make it parse
    expect(invalid, Map.of(), RawH2c.grpcFrame(false, garbage));
    expect(invalid, Map.of(), RawH2c.grpcFrame(false, new byte[] {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}));

    // gzip bomb: 64 KiB on the wire, 64 MiB inflated, limit 1 MiB
    RawH2c.Reply bomb = expect(exhausted, gzip, RawH2c.grpcFrame(true, gzip(new byte[64 * 1024 * 1024])));
    assertThat(java.net.URLDecoder.decode(bomb.header("grpc-message").replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8))
        .contains("over the limit of 1048576 bytes");
    // oversize message, uncompressed
    expect(exhausted, Map.of(), RawH2c.grpcFrame(false, new byte[2 * 1024 * 1024]));
    // a length prefix over the limit, the bytes never sent
    byte[] lying = Arrays.copyOf(RawH2c.grpcFrame(false, new byte[0]), 5 + 100);
    lying[1] = 0x7f;
    lying[2] = (byte) 0xff;
    expect(exhausted, Map.of(), lying);
    // corrupt gzip data
    expect(invalid, gzip, RawH2c.grpcFrame(true, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0}));
    // an encoding the receiver does not support
    expect(StatusMapping.GRPC_UNIMPLEMENTED, Map.of("grpc-encoding", "br"), RawH2c.grpcFrame(true, good));
    // no message at all, and two messages in a unary call
    expect(invalid, Map.of(), new byte[0]);
    byte[] two = new byte[2 * (5 + good.length)];
    System.arraycopy(RawH2c.grpcFrame(false, good), 0, two, 0, 5 + good.length);
    System.arraycopy(RawH2c.grpcFrame(false, good), 0, two, 5 + good.length, 5 + good.length);
    expect(invalid, Map.of(), two);

    assertThat(metric("gateway_receiver_requests_total", "receiver=\"otlp\"", "transport=\"grpc\"",
        "status=\"INVALID_ARGUMENT\"")).isGreaterThanOrEqualTo(6);
    assertThat(metric("gateway_receiver_requests_total", "receiver=\"otlp\"", "transport=\"grpc\"",
        "status=\"RESOURCE_EXHAUSTED\"")).isGreaterThanOrEqualTo(3);
  }

  // ------------------------------------------------------------------ (5) API keys in metadata

  @Test
  void apiKeyInGrpcMetadata() throws Exception {
    assertHealthy(keyed, "key-metadata", "x-api-key", key);
    assertHealthy(keyed, "key-bearer", "authorization", "Bearer " + key);

    double before = metric("gateway_auth_failures_total", "receiver=\"otlp/keyed\"", "reason=\"bad_api_key\"");
    ExportTraceServiceRequest request = SdkData.toProto(SdkData.spans("key-refused"));
    Outcome wrong = vertxCall(keyed, request, "x-api-key", ApiKeys.generate(new SecureRandom()));
    assertThat(wrong.status()).isEqualTo(GrpcStatus.UNAUTHENTICATED);
    assertThat(wrong.message()).isEqualTo("authentication required");
    Outcome none = vertxCall(keyed, request);
    assertThat(none.status()).isEqualTo(GrpcStatus.UNAUTHENTICATED);
    try (OtlpGrpcSpanExporter e = OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + keyed)
        .addHeader("x-api-key", "gk_wrong").build()) {
      assertThat(e.export(SdkData.spans("key-sdk-refused")).join(20, TimeUnit.SECONDS).isSuccess()).isFalse();
    }
    assertThat(metric("gateway_auth_failures_total", "receiver=\"otlp/keyed\"", "reason=\"bad_api_key\""))
        .isGreaterThanOrEqualTo(before + 2);

    // the key's name is the principal on the data; nothing refused was stored
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(OtlpFiles.tracesIn(dir.resolve("out")).stream()
        .filter(r -> r.item().getName().endsWith("key-metadata") || r.item().getName().endsWith("key-bearer"))
        .flatMap(r -> r.resource().getAttributesList().stream())
        .filter(a -> a.getKey().equals(Principal.RESOURCE_ATTRIBUTE))
        .map(a -> a.getValue().getStringValue())).hasSize(2).containsOnly("ci"));
    assertThat(OtlpFiles.tracesIn(dir.resolve("out")))
        .noneMatch(r -> r.item().getName().endsWith("key-refused") || r.item().getName().endsWith("key-sdk-refused"));
  }

  interface Call {
    Object run() throws Exception;
  }

  static Throwable failure(Call call) {
    try {
      Object r = call.run();
      throw new AssertionError("expected a failure, got " + r);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      return e;
    }
  }
}
