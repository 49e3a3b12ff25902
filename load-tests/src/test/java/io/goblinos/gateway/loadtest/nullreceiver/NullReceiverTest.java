package io.goblinos.gateway.loadtest.nullreceiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.loadtest.bench.LoadPoint;
import io.goblinos.gateway.loadtest.bench.LoadGenerator;
import io.goblinos.gateway.loadtest.payload.Payload;
import io.goblinos.gateway.loadtest.payload.Payloads;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NullReceiverTest {
  private static Vertx vertx;
  private static int port;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    port = NullReceiver.start(vertx, "127.0.0.1", 0).await();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void decodesCountsAndAnswersEveryOtlpPath() throws Exception {
    long spans = NullReceiver.SPANS.sum();
    long points = NullReceiver.POINTS.sum();
    long logs = NullReceiver.LOGS.sum();
    assertThat(post("/v1/traces", Payloads.generate(Payloads.Kind.TRACES_PROTOBUF, 1, 40, 1).get(0).body()).statusCode()).isEqualTo(200);
    assertThat(post("/v1/metrics", Payloads.generate(Payloads.Kind.METRICS_PROTOBUF, 1, 12, 1).get(0).body()).statusCode()).isEqualTo(200);
    assertThat(post("/v1/logs", Payloads.generate(Payloads.Kind.LOGS_PROTOBUF, 1, 7, 1).get(0).body()).statusCode()).isEqualTo(200);
    assertThat(NullReceiver.SPANS.sum() - spans).isEqualTo(40);
    assertThat(NullReceiver.POINTS.sum() - points).isEqualTo(12);
    assertThat(NullReceiver.LOGS.sum() - logs).isEqualTo(7);
    String stats = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stats")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(stats).contains("\"spans\":" + NullReceiver.SPANS.sum());
  }

  @Test
  void refusesGarbageAndUnknownPaths() throws Exception {
    assertThat(post("/v1/traces", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}).statusCode()).isEqualTo(400);
    assertThat(post("/v1/other", new byte[0]).statusCode()).isEqualTo(404);
  }

  @Test
  void openLoopLoadSendsEveryDueRequest() throws Exception {
    List<Payload> pool = Payloads.generate(Payloads.Kind.TRACES_PROTOBUF, 5, 10, 9);
    try (LoadGenerator load = new LoadGenerator("127.0.0.1", port, 4)) {
      LoadPoint p = load.openLoop("null_receiver", 0.5, "/v1/traces", "application/x-protobuf", pool, 100, Duration.ofMillis(500));
      assertThat(p.sent()).isEqualTo(50);
      assertThat(p.errors()).isZero();
      assertThat(p.offeredItemsPerSecond()).isEqualTo(1000.0);
      assertThat(p.p50Ms()).isPositive().isLessThanOrEqualTo(p.p99Ms());
      assertThat(LoadPoint.fromCsv(p.toCsv()).sent()).isEqualTo(50);
    }
  }

  @Test
  void closedLoopKeepsRequestsInFlightAndCountsThem() throws Exception {
    List<Payload> pool = Payloads.generate(Payloads.Kind.TRACES_PROTOBUF, 5, 10, 9);
    long spans = NullReceiver.SPANS.sum();
    try (LoadGenerator load = new LoadGenerator("127.0.0.1", port, 4)) {
      LoadGenerator.Saturation s = load.closedLoop("/v1/traces", "application/x-protobuf", pool, 4, Duration.ofMillis(300));
      // every one of the 4 loops sent at least once; its answer came within the window or after it
      assertThat(s.requests() + s.late()).isGreaterThanOrEqualTo(4);
      assertThat(s.late()).isEqualTo(4);
      assertThat(s.errors()).isZero();
      assertThat(NullReceiver.SPANS.sum() - spans).isEqualTo((s.requests() + s.late()) * 10);
    }
  }

  private HttpResponse<String> post(String path, byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
