package io.goblinos.audit.emitter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.goblinos.gateway.audit.crypto.Ed25519PrivateKey;
import io.goblinos.gateway.audit.crypto.PemKeys;
import io.goblinos.gateway.audit.event.AuditEvent;
import io.goblinos.gateway.audit.event.AuditEventParser;
import io.goblinos.gateway.audit.event.AuditRequestBody;
import io.goblinos.gateway.audit.event.EventRejectedException;
import io.goblinos.gateway.audit.event.EventVerifier;
import io.goblinos.gateway.audit.keys.RegisteredKey;
import io.goblinos.gateway.audit.keys.StaticKeyRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real HTTP on an ephemeral port against a tiny gateway stand-in that verifies with the audit module's verifier. */
class GoblinAuditEmitterTest {
    @TempDir
    Path dir;
    HttpServer server;
    Ed25519PrivateKey key;
    EmitterConfig config;
    final ConcurrentLinkedQueue<AuditEvent> received = new ConcurrentLinkedQueue<>();
    final AtomicInteger transientFailuresLeft = new AtomicInteger();
    final List<Duration> sleeps = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        key = Ed25519PrivateKey.generate(new SecureRandom());
        Path pem = dir.resolve("goblin.pem");
        PemKeys.writePrivateKey(key, pem);
        EventVerifier verifier = EventVerifier.offline(new StaticKeyRegistry(List.of(new RegisteredKey("k-7", "goblin-7", "ed25519",
                key.publicKey(), Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2100-01-01T00:00:00Z"), null))));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/audit", exchange -> handle(exchange, verifier));
        server.start();
        config = EmitterConfig.fromEnvironment(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                Map.of(EmitterConfig.ENV_KEY_PATH, pem.toString(), EmitterConfig.ENV_KEY_ID, "k-7"));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange, EventVerifier verifier) throws IOException {
        if (transientFailuresLeft.getAndDecrement() > 0) {
            exchange.getResponseHeaders().add("Retry-After", "2");
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
            return;
        }
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        ArrayNode rejected = answer.putArray("rejected");
        int accepted = 0;
        for (String raw : AuditRequestBody.split(body)) {
            try {
                AuditEvent event = new AuditEventParser().parse(raw);
                verifier.verify(event);
                received.add(event);
                accepted++;
            } catch (EventRejectedException e) {
                rejected.addObject().put("event_id", (String) null).put("reason", e.reason().code());
            }
        }
        answer.put("accepted", accepted);
        byte[] bytes = answer.toString().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    GoblinAuditEmitter emitter() throws IOException {
        return GoblinAuditEmitter.create(config, sleeps::add);
    }

    AuditEventBuilder decision(String target) {
        return new AuditEventBuilder().goblinId("goblin-7").role("warden").action("open").target(target).decision("allowed");
    }

    @Test
    void signsAndDeliversEventsTheGatewayVerifies() throws Exception {
        DeliveryResult result = emitter().emit(decision("gate/1"), decision("gate/2").field("reason", "night shift"));
        assertThat(result.accepted()).isEqualTo(2);
        assertThat(result.allAccepted()).isTrue();
        assertThat(received).extracting(e -> e.field("target")).containsExactly("gate/1", "gate/2");
        assertThat(received).extracting(AuditEvent::keyId).containsOnly("k-7");
        assertThat(received).extracting(AuditEvent::traceId).containsOnly("");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void fillsTraceIdFromTheCurrentSpan() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        Span span = Span.wrap(SpanContext.create(traceId, "00f067aa0ba902b7", TraceFlags.getSampled(), TraceState.getDefault()));
        try (Scope ignored = span.makeCurrent()) {
            emitter().emit(decision("gate/9"));
        }
        assertThat(received).singleElement().extracting(AuditEvent::traceId).isEqualTo(traceId);
    }

    @Test
    void retriesOn503HonouringRetryAfter() throws Exception {
        transientFailuresLeft.set(2);
        DeliveryResult result = emitter().emit(decision("gate/3"));
        assertThat(result.accepted()).isEqualTo(1);
        assertThat(sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));
    }

    @Test
    void givesUpAfterMaxAttemptsWithTheLastStatus() throws Exception {
        transientFailuresLeft.set(100);
        assertThatThrownBy(() -> emitter().emit(decision("gate/4")))
                .isInstanceOf(DeliveryException.class)
                .hasMessage("gateway answered 503 after 5 attempts")
                .extracting(e -> ((DeliveryException) e).statusCode()).isEqualTo(503);
        assertThat(sleeps).hasSize(4);
    }

    @Test
    void ioErrorsAreRetriedWithExponentialBackoff() throws Exception {
        server.stop(0);
        assertThatThrownBy(() -> emitter().emit(decision("gate/5"))).isInstanceOf(DeliveryException.class)
                .hasMessageContaining("failed after 5 attempts");
        assertThat(sleeps).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMillis(1600));
    }

    @Test
    void refusalsAreReportedNotRetried() throws Exception {
        GoblinAuditEmitter emitter = emitter();
        String signed = emitter.sign(decision("gate/6").build());
        String tampered = signed.replace("\"decision\":\"allowed\"", "\"decision\":\"denied\"");
        DeliveryResult result = emitter.send(List.of(signed, tampered));
        assertThat(result.accepted()).isEqualTo(1);
        assertThat(result.rejected()).extracting(DeliveryResult.Rejection::reason).containsExactly("bad_signature");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void missingSettingsAreNamed() {
        assertThatThrownBy(() -> EmitterConfig.fromEnvironment(URI.create("http://x"), Map.of()))
                .hasMessage("AUDIT_SIGNING_KEY_PATH is not set; AUDIT_SIGNING_KEY_ID is not set");
        assertThatThrownBy(() -> new AuditEventBuilder().goblinId("g").build()).hasMessage("audit event lacks role, action, target, decision");
    }

    @Test
    void reproducesTheSharedTestVectors() throws Exception {
        JsonNode vectors = new ObjectMapper().readTree(Path.of("../testvectors.json").toFile());
        Ed25519PrivateKey vectorKey = Ed25519PrivateKey.fromSeed(java.util.HexFormat.of().parseHex(vectors.get("private_key_seed_hex").asText()));
        Path pem = dir.resolve("vector.pem");
        PemKeys.writePrivateKey(vectorKey, pem);
        GoblinAuditEmitter emitter = GoblinAuditEmitter.create(EmitterConfig.of(URI.create("http://unused"), pem, vectors.get("key_id").asText()));
        assertThat(vectorKey.publicKey().toBase64()).isEqualTo(vectors.get("public_key_base64").asText());
        for (JsonNode vector : vectors.get("events")) {
            ObjectNode unsigned = (ObjectNode) io.goblinos.gateway.audit.jcs.StrictJson.parse(vector.get("unsigned_event").toString());
            String signed = emitter.sign(unsigned);
            assertThat(signed).as(vector.get("name").asText()).isEqualTo(vector.get("signed_event_canonical").asText());
            assertThat(new ObjectMapper().readTree(signed).get("signature").asText()).isEqualTo(vector.get("signature").asText());
        }
    }
}
