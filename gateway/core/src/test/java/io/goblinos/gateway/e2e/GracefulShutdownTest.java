package io.goblinos.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.testing.GatewayProcess;
import io.goblinos.gateway.testing.Http;
import io.goblinos.gateway.testing.OtlpFiles;
import io.goblinos.gateway.testing.SdkData;
import io.goblinos.gateway.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM drains: everything acknowledged before the signal is exported, and the process exits 0. */
class GracefulShutdownTest {
  @TempDir Path dir;

  private static final String CONFIG = """
      receivers:
        otlp:
          protocols: {http: {endpoint: 127.0.0.1:%d}}
      processors:
        batch: {timeout: 30s, send_batch_size: 100000}
      exporters:
        file: {directory: %s}
      service:
        pipelines:
          traces: {receivers: [otlp], processors: [batch], exporters: [file]}
        telemetry:
          metrics: {address: 127.0.0.1:%d}
      """;

  @Test
  void inProcessShutdownFlushesTheBatchesItHolds() {
    int requests = 25;
    TestGateway gw = TestGateway.start(CONFIG.formatted(0, "out", 0), dir);
    try {
      for (int i = 0; i < requests; i++) {
        byte[] body = SdkData.toProto(SdkData.spans("in-process-" + i)).toByteArray();
        assertThat(Http.post(gw.httpPort(), "/v1/traces", "application/x-protobuf", body).statusCode()).isEqualTo(200);
      }
      assertThat(OtlpFiles.tracesIn(dir.resolve("out"))).as("held in the 30s batch").isEmpty();
    } finally {
      gw.close();
    }
    assertThat(OtlpFiles.tracesIn(dir.resolve("out"))).hasSize(requests * 5);
  }

  @Test
  void sigtermDrainsAndExitsZero() throws Exception {
    int http = GatewayProcess.freePort();
    int admin = GatewayProcess.freePort();
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, CONFIG.formatted(http, dir.resolve("out"), admin));
    try (GatewayProcess gw = GatewayProcess.start(config, dir, admin)) {
      int requests = 30;
      for (int i = 0; i < requests; i++) {
        byte[] body = SdkData.toProto(SdkData.spans("sigterm-" + i)).toByteArray();
        assertThat(Http.post(http, "/v1/traces", "application/x-protobuf", body).statusCode()).isEqualTo(200);
      }
      gw.process().destroy(); // SIGTERM
      assertThat(gw.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(gw.process().exitValue()).as(gw.log()).isZero();
      assertThat(OtlpFiles.tracesIn(dir.resolve("out"))).hasSize(requests * 5);
      assertThat(gw.log()).contains("gateway stopped");
    }
  }
}
