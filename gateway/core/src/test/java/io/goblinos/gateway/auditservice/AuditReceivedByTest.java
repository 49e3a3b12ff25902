package io.goblinos.gateway.auditservice;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.testing.AuditFixtures;
import io.goblinos.gateway.testing.Http;
import io.goblinos.gateway.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /v1/audit sits behind the receiver's authentication, and the principal is stored as received-by metadata. */
class AuditReceivedByTest {
  @TempDir Path dir;

  @Test
  void apiKeyNameIsStoredBesideTheEvent() throws Exception {
    String key = "gk_test_0123456789abcdef0123456789abcdef";
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    Files.writeString(dir.resolve("api-keys.yaml"), "keys:\n  - {name: ci-bot, sha256: " + sha + "}\n");
    AuditFixtures goblin = new AuditFixtures(3, "goblin-3", "goblin-3-k1");
    Path keys = AuditFixtures.writeRegistry(dir.resolve("keys.yaml"), goblin);
    try (TestGateway gw = TestGateway.start("""
        extensions:
          apikeyauth: {keys_file: api-keys.yaml}
        receivers:
          otlp:
            protocols:
              http:
                endpoint: 127.0.0.1:0
                auth: {authenticator: apikeyauth}
        exporters:
          file: {directory: out}
        audit:
          keys_file: %s
          store: {directory: audit}
        service:
          extensions: [apikeyauth]
          pipelines:
            logs: {receivers: [otlp], exporters: [file]}
        """.formatted(keys), dir)) {
      byte[] event = goblin.signed("rb-1", "deploy").getBytes();
      assertThat(Http.post(gw.httpPort(), "/v1/audit", "application/json", event).statusCode()).isEqualTo(401);
      assertThat(Http.post(gw.httpPort(), "/v1/audit", "application/json", event, "x-api-key", key).statusCode())
          .isEqualTo(200);
    }
    try (var segments = Files.list(dir.resolve("audit/segments"))) {
      String stored = Files.readString(segments.findFirst().orElseThrow());
      assertThat(stored).contains("\"event_id\":\"rb-1\"").contains("\"received_by\":\"ci-bot\"");
    }
  }
}
