package io.goblinos.gateway.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import com.google.protobuf.ByteString;
import io.goblinos.gateway.testing.Http;
import io.goblinos.gateway.testing.TestGateway;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every OTLP/HTTP status the receiver answers, provoked for real over a socket. */
class OtlpHttpStatusTest {
  static final String PROTO = "application/x-protobuf";
  static final String JSON = "application/json";

  @TempDir static Path dir;
  static TestGateway gateway;
  static int port;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start("""
        receivers:
          otlp:
            protocols:
              http: {endpoint: 127.0.0.1:0, max_request_body_size: 64KiB}
        exporters:
          file: {directory: out}
        service:
          pipelines:
            traces: {receivers: [otlp], exporters: [file]}
        """, dir);
    port = gateway.httpPort();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  static Span span(int traceIdBytes, String name) {
    return Span.newBuilder()
        .setTraceId(ByteString.copyFrom(new byte[traceIdBytes]).concat(ByteString.EMPTY))
        .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
        .setName(name)
        .build();
  }

  static ExportTraceServiceRequest request(Span... spans) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (Span s : spans) {
      ss.addSpans(s.toBuilder().setTraceId(s.getTraceId().size() == 16
          ? ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
          : s.getTraceId()));
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ss)).build();
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  @Test
  void fullSuccessLeavesPartialSuccessUnset() throws Exception {
    HttpResponse<byte[]> r = Http.post(port, "/v1/traces", PROTO, request(span(16, "ok")).toByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue(PROTO);
    assertThat(ExportTraceServiceResponse.parseFrom(r.body()).hasPartialSuccess()).isFalse();
  }

  @Test
  void invalidSpansAreRejectedAsPartialSuccess() throws Exception {
    HttpResponse<byte[]> r = Http.post(port, "/v1/traces", PROTO, request(span(16, "good"), span(3, "short-id")).toByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    ExportTraceServiceResponse resp = ExportTraceServiceResponse.parseFrom(r.body());
    assertThat(resp.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(resp.getPartialSuccess().getErrorMessage()).contains("short-id").contains("trace id of 3 bytes, want 16");
  }

  @Test
  void garbageProtobufIs400WithStatusNamingTheProblem() throws Exception {
    HttpResponse<byte[]> r = Http.post(port, "/v1/traces", PROTO, new byte[] {0x0a, (byte) 0xff, 0x01, 0x02});
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type")).hasValue(PROTO);
    RpcStatus status = RpcStatus.parse(r.body());
    assertThat(status.code()).isEqualTo(3);
    assertThat(status.message()).contains("cannot decode the traces request as OTLP protobuf");
  }

  @Test
  void invalidJsonIs400InJson() {
    HttpResponse<byte[]> r = Http.post(port, "/v1/traces", JSON, "{\"resourceSpans\": [".getBytes());
    assertThat(r.statusCode()).isEqualTo(400);
    JsonObject status = new JsonObject(Http.text(r));
    assertThat(status.getInteger("code")).isEqualTo(3);
    assertThat(status.getString("message")).contains("invalid JSON");
  }

  @Test
  void badHexIdIs400NamingTheField() {
    String body = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"zz\",\"spanId\":\"0102030405060708\"}]}]}]}";
    HttpResponse<byte[]> r = Http.post(port, "/v1/traces", JSON, body.getBytes());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(Http.text(r)).getString("message"))
        .contains("$.resourceSpans[0].scopeSpans[0].spans[0].traceId").contains("'zz' is not a hex id");
  }

  @Test
  void jsonAcceptsUppercaseHexStringAndNumberInt64AndUnknownFields() {
    String body = """
        {"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C",
         "spanId":"EEE19B7EC3C1B174","name":"x","kind":2,"startTimeUnixNano":1700000000000000000,
         "endTimeUnixNano":"1700000000100000000","someFutureField":{"a":1}}]}]}]}
        """;
    HttpResponse<byte[]> r = Http.post(port, "/v1/traces", JSON, body.getBytes());
    assertThat(r.statusCode()).as(Http.text(r)).isEqualTo(200);
    assertThat(Http.text(r)).isEqualTo("{}");
  }

  @Test
  void nonPostIs405WithAllow() {
    HttpResponse<byte[]> r = Http.request(port, "GET", "/v1/traces", null, null);
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("allow")).hasValue("POST");
  }

  @Test
  void unknownContentTypeIs415() {
    assertThat(Http.post(port, "/v1/traces", "text/plain", "hi".getBytes()).statusCode()).isEqualTo(415);
    assertThat(Http.post(port, "/v1/traces", PROTO, new byte[0], "Content-Encoding", "br").statusCode()).isEqualTo(415);
  }

  @Test
  void unknownPathAndUnconfiguredSignalAre404() {
    assertThat(Http.post(port, "/v1/spans", PROTO, new byte[0]).statusCode()).isEqualTo(404);
    HttpResponse<byte[]> r = Http.post(port, "/v1/logs", JSON, "{}".getBytes());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(Http.text(r)).contains("no pipeline takes logs from this receiver");
  }

  @Test
  void oversizeBodyIs413() {
    HttpResponse<byte[]> r = Http.post(port, "/v1/traces", PROTO, new byte[70 * 1024]);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(RpcStatus.parse(r.body()).message()).contains("over the limit of 65536 bytes");
  }

  @Test
  void gzipAndZstdBombsStopAtTheLimit() throws Exception {
    byte[] zeros = new byte[50 * 1024 * 1024];
    byte[] gz = gzip(zeros);
    assertThat(gz.length).isLessThan(64 * 1024);
    HttpResponse<byte[]> r = Http.post(port, "/v1/traces", PROTO, gz, "Content-Encoding", "gzip");
    assertThat(r.statusCode()).isEqualTo(413);
    byte[] zst = Zstd.compress(zeros);
    HttpResponse<byte[]> z = Http.post(port, "/v1/traces", PROTO, zst, "Content-Encoding", "zstd");
    assertThat(z.statusCode()).isEqualTo(413);
    assertThat(RpcStatus.parse(z.body()).message()).contains("decompressed request body");
  }

  @Test
  void gzipAndZstdBodiesAreAccepted() throws Exception {
    byte[] body = request(span(16, "compressed")).toByteArray();
    assertThat(Http.post(port, "/v1/traces", PROTO, gzip(body), "Content-Encoding", "gzip").statusCode()).isEqualTo(200);
    assertThat(Http.post(port, "/v1/traces", PROTO, Zstd.compress(body), "Content-Encoding", "zstd").statusCode()).isEqualTo(200);
  }

  @Test
  void corruptGzipIs400() {
    HttpResponse<byte[]> r = Http.post(port, "/v1/traces", PROTO, new byte[] {1, 2, 3, 4}, "Content-Encoding", "gzip");
    assertThat(r.statusCode()).isEqualTo(400);
  }

  @Test
  void requestsAreCountedOnMetrics() {
    Http.post(port, "/v1/traces", PROTO, request(span(16, "counted")).toByteArray());
    String metrics = Http.text(Http.get(gateway.telemetryPort(), "/metrics"));
    assertThat(metrics).containsPattern("gateway_receiver_accepted_spans_total\\{receiver=\"otlp\",transport=\"http\"} [1-9]");
    assertThat(metrics).contains("gateway_receiver_requests_total{receiver=\"otlp\",status=\"200\",transport=\"http\"}");
  }

  /** google.rpc.Status decoded by hand, the way a client without common-protos would. */
  record RpcStatus(int code, String message) {
    static RpcStatus parse(byte[] bytes) {
      try {
        com.google.protobuf.CodedInputStream in = com.google.protobuf.CodedInputStream.newInstance(bytes);
        int code = 0;
        String message = "";
        int tag;
        while ((tag = in.readTag()) != 0) {
          switch (tag >>> 3) {
            case 1 -> code = in.readInt32();
            case 2 -> message = in.readString();
            default -> in.skipField(tag);
          }
        }
        return new RpcStatus(code, message);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
