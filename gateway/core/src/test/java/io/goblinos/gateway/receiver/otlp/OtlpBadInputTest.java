package io.goblinos.gateway.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.luben.zstd.Zstd;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of bad input against a real gateway: each gets its documented status, and after each the gateway still
 * accepts a good request; at the end the heap is about where it started.
 */
class OtlpBadInputTest {
  static final String PROTO = "application/x-protobuf";
  static final String JSON = "application/json";

  @TempDir static Path dir;
  static GuardedGateway gateway;
  static int port;
  static int limited;

  @BeforeAll
  static void start() {
    gateway = GuardedGateway.start("""
        receivers:
          otlp:
            protocols:
              http: {endpoint: 127.0.0.1:0, max_request_body_size: 1MiB, max_decompression_ratio: 100,
                     read_timeout: 500ms, idle_timeout: 5s, max_header_size: 4KiB}
          otlp/limited:
            protocols:
              http: {endpoint: 127.0.0.1:0, max_connections: 3, rate_limit: {requests_per_second: 0.5, burst: 2}}
        exporters:
          file: {directory: out}
        service:
          pipelines:
            traces: {receivers: [otlp, otlp/limited], exporters: [file]}
        """, dir);
    port = gateway.otlp("otlp").httpPort();
    limited = gateway.otlp("otlp/limited").httpPort();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  static Span.Builder span(String name) {
    return Span.newBuilder()
        .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
        .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
        .setName(name);
  }

  static ExportTraceServiceRequest request(Resource resource, Span.Builder span) {
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(resource).addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build();
  }

  static byte[] good() {
    return request(Resource.getDefaultInstance(), span("good")).toByteArray();
  }

  static void assertHealthy() {
    assertThat(post(port, PROTO, good()).statusCode()).as("a good request after bad input").isEqualTo(200);
  }

  /** A fresh client per request: the server closes connections after some refusals, and a pooled one would be stale. */
  static HttpResponse<byte[]> post(int port, String contentType, byte[] body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/traces"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
          .send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void expect(int status, String contentType, byte[] body, String... headers) {
    HttpResponse<byte[]> r = post(port, contentType, body, headers);
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(status);
    assertHealthy();
  }

  static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  @Test
  void corpusGetsDocumentedStatusesAndTheGatewayStaysHealthy() throws Exception {
    long before = usedHeap();
    byte[] good = good();

    // truncated and garbage protobuf
    expect(400, PROTO, Arrays.copyOf(good, good.length / 2));
    byte[] garbage = new byte[4096];
    new Random(42).nextBytes(garbage);
    garbage[0] = (byte) 0xFF; // an invalid tag, so the seed cannot make it parse
    expect(400, PROTO, garbage);
    expect(400, PROTO, new byte[] {(byte) 0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F});

    // deeply nested JSON, and JSON that is not OTLP
    expect(400, JSON, "[".repeat(200_000).getBytes(StandardCharsets.US_ASCII));
    expect(400, JSON, ("{\"resourceSpans\":" + "[".repeat(1000) + "]".repeat(1000) + "}").getBytes(StandardCharsets.US_ASCII));
    expect(400, JSON, "{\"resourceSpans\": 5}".getBytes(StandardCharsets.US_ASCII));

    // huge strings and attribute counts within the body limit are accepted
    Resource big = Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("blob")
        .setValue(AnyValue.newBuilder().setStringValue("x".repeat(900_000)))).build();
    expect(200, PROTO, request(big, span("huge-string")).toByteArray());
    Resource.Builder many = Resource.newBuilder();
    for (int i = 0; i < 30_000; i++) {
      many.addAttributes(KeyValue.newBuilder().setKey("k" + i).setValue(AnyValue.newBuilder().setIntValue(i)));
    }
    expect(200, PROTO, request(many.build(), span("many-attributes")).toByteArray());

    // invalid UTF-8 in a string field, in protobuf and in JSON
    byte[] marked = request(Resource.getDefaultInstance(), span("@@@@")).toByteArray();
    byte[] invalidUtf8 = replace(marked, "@@@@".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, 0x41});
    expect(400, PROTO, invalidUtf8);
    byte[] json = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"@@@@\"}]}]}]}".getBytes(StandardCharsets.US_ASCII);
    expect(400, JSON, replace(json, "@@@@".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, 0x41}));

    // compression bombs and an oversize body: 413
    byte[] zeros = new byte[64 * 1024 * 1024];
    expect(413, PROTO, gzip(zeros), "Content-Encoding", "gzip");
    expect(413, PROTO, Zstd.compress(zeros), "Content-Encoding", "zstd");
    zeros = null;
    expect(413, PROTO, new byte[2 * 1024 * 1024]);
    // corrupt compressed data: 400; unknown encoding: 415
    expect(400, PROTO, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0}, "Content-Encoding", "gzip");
    expect(415, PROTO, good, "Content-Encoding", "br");

    // headers over max_header_size: 431
    HttpResponse<byte[]> big431 = post(port, PROTO, good, "x-padding", "p".repeat(8 * 1024));
    assertThat(big431.statusCode()).isEqualTo(431);
    assertHealthy();

    long after = usedHeap();
    assertThat(after - before).as("heap growth after the corpus (bytes)").isLessThan(256L * 1024 * 1024);
  }

  @Test
  void slowDripBodyIsCutWith408() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: " + PROTO + "\r\nContent-Length: 1000\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String reply = dripUntilAnswered(s, 1000);
      assertThat(reply).startsWith("HTTP/1.1 408");
    }
    assertHealthy();
    assertThat(gateway.metric("gateway_receiver_timeouts_total", "kind=\"read\"")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void slowDripHeadersAreCut() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write("POST /v1/traces HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String reply = dripUntilAnswered(s, 1000);
      assertThat(reply).as("the connection is closed without an answer").isEmpty();
    }
    assertHealthy();
    assertThat(gateway.metric("gateway_receiver_timeouts_total", "kind=\"headers\"")).isGreaterThanOrEqualTo(1);
  }

  /** Sends one byte every 100ms (at most {@code max}) until the server answers or closes; returns what it said. */
  static String dripUntilAnswered(Socket s, int max) throws IOException {
    OutputStream out = s.getOutputStream();
    InputStream in = s.getInputStream();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    for (int i = 0; i < max; i++) {
      try {
        out.write('a');
        out.flush();
      } catch (SocketException closed) {
        break;
      }
      try {
        s.setSoTimeout(100);
        int n = in.read();
        if (n < 0) {
          break;
        }
        got.write(n);
        s.setSoTimeout(2000);
        byte[] rest = new byte[4096];
        int m;
        while ((m = in.read(rest)) > 0) {
          got.write(rest, 0, m);
        }
        break;
      } catch (java.net.SocketTimeoutException stillWaiting) {
        // keep dripping
      } catch (SocketException reset) {
        break;
      }
    }
    return got.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void perPrincipalRateLimitAnswers429WithRetryAfter() {
    byte[] good = good();
    List<Integer> statuses = new ArrayList<>();
    HttpResponse<byte[]> last = null;
    for (int i = 0; i < 3; i++) {
      last = post(limited, PROTO, good);
      statuses.add(last.statusCode());
    }
    assertThat(statuses).containsExactly(200, 200, 429);
    assertThat(last.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 2));
    assertThat(gateway.metric("gateway_receiver_rate_limited_total", "receiver=\"otlp/limited\"")).isEqualTo(1);
  }

  @Test
  void connectionsOverTheLimitAreClosed() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        Socket s = new Socket("127.0.0.1", limited);
        held.add(s);
        s.setSoTimeout(2000);
        try {
          return s.getInputStream().read() < 0; // closed by the server at once
        } catch (java.net.SocketTimeoutException open) {
          return false;
        } catch (SocketException reset) {
          return true;
        }
      });
      assertThat(held.size()).isEqualTo(4);
      assertThat(gateway.metric("gateway_receiver_connections_refused_total", "receiver=\"otlp/limited\"")).isGreaterThanOrEqualTo(1);
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() ->
        gateway.metric("gateway_receiver_connections", "receiver=\"otlp/limited\"") == 0);
  }

  static byte[] replace(byte[] data, byte[] what, byte[] with) {
    for (int i = 0; i + what.length <= data.length; i++) {
      if (Arrays.equals(data, i, i + what.length, what, 0, what.length)) {
        byte[] out = data.clone();
        System.arraycopy(with, 0, out, i, with.length);
        return out;
      }
    }
    throw new IllegalArgumentException("marker not found");
  }
}
