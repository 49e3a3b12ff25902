package io.goblinos.gateway.auditservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.cli.AuditCommand;
import io.goblinos.gateway.testing.AuditFixtures;
import io.goblinos.gateway.testing.Http;
import io.goblinos.gateway.testing.TestGateway;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The audit log inside a running gateway: POST /v1/audit (object, array, NDJSON), refusals with reasons and
 * quarantine, idempotent re-sends, audit events carried by OTLP logs from the OpenTelemetry SDK, checkpoints and
 * proofs over HTTP, metrics, and an offline `audit verify` of the store afterwards.
 */
class AuditServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private TestGateway start(Path keys) {
    return TestGateway.start(AuditFixtures.gatewayYaml(keys), dir);
  }

  private static JsonObject post(int port, String contentType, String body) {
    HttpResponse<byte[]> r = Http.post(port, "/v1/audit", contentType, body.getBytes());
    assertThat(r.statusCode()).as(Http.text(r)).isEqualTo(200);
    return new JsonObject(Http.text(r));
  }

  @Test
  void acceptsVerifiesRefusesAndProves() throws Exception {
    AuditFixtures goblin7 = new AuditFixtures(7, "goblin-7", "goblin-7-k1");
    AuditFixtures stranger = new AuditFixtures(9, "goblin-9", "goblin-9-k1");
    Path keys = AuditFixtures.writeRegistry(dir.resolve("keys.yaml"), goblin7);
    try (TestGateway gw = start(keys)) {
      int port = gw.httpPort();
      // one object, an array, NDJSON
      assertThat(post(port, "application/json", goblin7.signed("e-1", "deploy 1")).getInteger("accepted")).isEqualTo(1);
      String array = "[" + goblin7.signed("e-2", "deploy 2") + "," + goblin7.signed("e-3", "deploy 3") + "]";
      assertThat(post(port, "application/json", array).getInteger("accepted")).isEqualTo(2);
      String ndjson = goblin7.signed("e-4", "deploy 4") + "\n" + goblin7.signed("e-5", "deploy 5") + "\n";
      assertThat(post(port, "application/x-ndjson", ndjson).getInteger("accepted")).isEqualTo(2);

      // refusals, each with its reason
      ObjectNode forged = (ObjectNode) JSON.readTree(goblin7.signed("e-6", "deploy 6"));
      forged.put("decision", "rejected"); // altered after signing
      String unknownKey = stranger.signed("e-7", "deploy 7");
      String reusedId = goblin7.signed("e-1", "something else");
      JsonObject refused = post(port, "application/json", "[" + forged + "," + unknownKey + "," + reusedId + "]");
      assertThat(refused.getInteger("accepted")).isZero();
      JsonArray rejected = refused.getJsonArray("rejected");
      assertThat(rejected.stream().map(o -> ((JsonObject) o).getString("event_id") + ":" + ((JsonObject) o).getString("reason")))
          .containsExactly("e-6:bad_signature", "e-7:unknown_key", "e-1:duplicate_event_id");
      assertThat(Files.readString(dir.resolve("audit/quarantine.jsonl"))).contains("bad_signature", "unknown_key", "duplicate_event_id");

      // identical re-send: acknowledged, not appended again
      String e1 = Files.readAllLines(dir.resolve("audit").resolve("segments").toFile().listFiles()[0].toPath()).get(0);
      JsonObject again = post(port, "application/json", goblin7.sign((ObjectNode) JSON.readTree(e1.substring(e1.indexOf(' ') + 1, e1.indexOf('\t')))));
      assertThat(again.getInteger("accepted")).isEqualTo(1);
      assertThat(again.getInteger("duplicates")).isEqualTo(1);

      // malformed body
      assertThat(Http.post(port, "/v1/audit", "application/json", "{not json".getBytes()).statusCode()).isEqualTo(400);
      assertThat(Http.request(port, "GET", "/v1/audit", null, null).statusCode()).isEqualTo(405);

      // audit events as OTLP log records from the OpenTelemetry SDK
      try (SdkLoggerProvider logs = SdkLoggerProvider.builder()
          .addLogRecordProcessor(SimpleLogRecordProcessor.create(OtlpHttpLogRecordExporter.builder()
              .setEndpoint("http://127.0.0.1:" + port + "/v1/logs").build()))
          .build()) {
        logs.get("goblin-runtime").logRecordBuilder()
            .setAttribute(AttributeKey.stringKey("event.name"), "goblin.audit")
            .setBody(goblin7.signed("e-otlp-1", "deploy via logs"))
            .emit();
        logs.forceFlush().join(10, java.util.concurrent.TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> gw.runtimeAudit().log().size() == 6);

      // checkpoint, inclusion and consistency proofs
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        HttpResponse<byte[]> cp = Http.get(port, "/v1/audit/checkpoint");
        assertThat(cp.statusCode()).isEqualTo(200);
        assertThat(Http.text(cp)).startsWith("goblin-gateway.local/audit\n6\n");
      });
      JsonObject proof = new JsonObject(Http.text(Http.get(port, "/v1/audit/proof/inclusion?event_id=e-3")));
      assertThat(proof.getLong("leaf_index")).isEqualTo(2);
      assertThat(proof.getLong("tree_size")).isEqualTo(6);
      assertThat(Http.get(port, "/v1/audit/proof/inclusion?event_id=nope").statusCode()).isEqualTo(404);
      JsonObject consistency = new JsonObject(Http.text(Http.get(port, "/v1/audit/proof/consistency?from=3&to=6")));
      assertThat(consistency.getJsonArray("proof")).isNotEmpty();
      assertThat(Http.get(port, "/v1/audit/proof/consistency?from=7&to=6").statusCode()).isEqualTo(400);
      assertThat(Http.get(gw.telemetryPort(), "/v1/audit/checkpoint").statusCode()).isEqualTo(200);

      String metrics = gw.scrape();
      assertThat(metrics).contains("gateway_audit_rejected_events_total{reason=\"bad_signature\"} 1.0");
      assertThat(metrics).contains("gateway_audit_accepted_events_total{source=\"otlp_logs\"} 1.0");
      assertThat(metrics).contains("gateway_audit_tree_size 6.0");
    }
    // offline verification of everything the gateway stored
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new AuditCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute("verify", "--store", dir.resolve("audit").toString(), "--keys", keys.toString(),
        "--gateway-key", dir.resolve("audit/gateway-verifier-key.txt").toString());
    assertThat(code).as(out + "\n" + err).isZero();
  }
}
