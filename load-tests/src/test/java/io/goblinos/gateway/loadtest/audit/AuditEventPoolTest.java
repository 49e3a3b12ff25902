package io.goblinos.gateway.loadtest.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.crypto.Ed25519PrivateKey;
import io.goblinos.gateway.audit.event.AuditEvent;
import io.goblinos.gateway.audit.keys.KeyRegistryFile;
import io.goblinos.gateway.audit.keys.StaticKeyRegistry;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuditEventPoolTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void eventsAreDistinctAndSignedOverTheirCanonicalFormWithoutSignature() throws Exception {
    Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
    List<String> events = AuditEventPool.signedEvents(key, "k1", "goblin-1", 50, Instant.parse("2026-11-24T10:00:00.123Z"), 1);
    Set<String> ids = new HashSet<>();
    for (String e : events) {
      ObjectNode event = (ObjectNode) MAPPER.readTree(e);
      ids.add(event.get("event_id").asText());
      assertThat(event.get("key_id").asText()).isEqualTo("k1");
      assertThat(event.get("goblin_id").asText()).isEqualTo("goblin-1");
      assertThat(event.get("timestamp").asText()).isEqualTo("2026-11-24T10:00:00Z");
      assertThat(event.get("trace_id").asText()).matches("[0-9a-f]{32}");
      byte[] signature = Base64.getDecoder().decode(event.get("signature").asText());
      assertThat(key.publicKey().verify(AuditEvent.signingPayload(event), signature)).isTrue();
    }
    assertThat(ids).hasSize(50);
  }

  @Test
  void arrayBodyAndKeyRegistryAreWhatTheGatewayReads() throws Exception {
    Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
    List<String> events = AuditEventPool.signedEvents(key, "k1", "goblin-1", 3, Instant.now(), 2);
    ArrayNode array = (ArrayNode) MAPPER.readTree(AuditEventPool.arrayBody(events));
    assertThat(array).hasSize(3);
    StaticKeyRegistry registry = KeyRegistryFile.parse(AuditEventPool.keyRegistry(key, "k1", "goblin-1"));
    assertThat(registry.find("k1")).isPresent();
  }
}
