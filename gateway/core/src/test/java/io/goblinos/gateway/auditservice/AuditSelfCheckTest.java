package io.goblinos.gateway.auditservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.testing.AuditFixtures;
import io.goblinos.gateway.testing.Http;
import io.goblinos.gateway.testing.TestGateway;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tampering with the store under a running gateway is caught by the next self-check: the failure is counted,
 * /health/ready reports degraded (503) and an ALERT line is logged.
 */
class AuditSelfCheckTest {
  @TempDir Path dir;

  @Test
  void editedRecordMakesTheGatewayDegraded() throws Exception {
    AuditFixtures goblin = new AuditFixtures(5, "goblin-5", "goblin-5-k1");
    Path keys = AuditFixtures.writeRegistry(dir.resolve("keys.yaml"), goblin);
    try (TestGateway gw = TestGateway.start(AuditFixtures.gatewayYaml(keys), dir)) {
      String body = goblin.signed("s-1", "deploy 1") + "\n" + goblin.signed("s-2", "deploy 2") + "\n";
      assertThat(Http.post(gw.httpPort(), "/v1/audit", "application/x-ndjson", body.getBytes()).statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(gw.httpPort(), "/v1/audit/checkpoint").statusCode() == 200);
      assertThat(Http.get(gw.telemetryPort(), "/health/ready").statusCode()).isEqualTo(200);

      Path segment;
      try (var files = Files.list(dir.resolve("audit/segments"))) {
        segment = files.findFirst().orElseThrow();
      }
      String content = Files.readString(segment, StandardCharsets.UTF_8);
      assertThat(content).contains("\"decision\":\"approved\"");
      segment.toFile().setWritable(true);
      Files.writeString(segment, content.replaceFirst("\"decision\":\"approved\"", "\"decision\":\"rejected\""));

      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        HttpResponse<byte[]> ready = Http.get(gw.telemetryPort(), "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(Http.text(ready)).contains("degraded").contains("audit self-check failed");
      });
      assertThat(gw.scrape()).containsPattern("gateway_audit_verification_failures_total [1-9]");
    }
  }
}
