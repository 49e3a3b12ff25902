package io.goblinos.gateway.audit.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.crypto.Ed25519PrivateKey;
import io.goblinos.gateway.audit.crypto.Ed25519PublicKey;
import io.goblinos.gateway.audit.jcs.JsonCanonicalizer;
import io.goblinos.gateway.audit.keys.RegisteredKey;
import io.goblinos.gateway.audit.keys.StaticKeyRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks emitters/testvectors.json (shared with the Java, Node and Python emitters) against this implementation. */
class TestVectorsFileTest {
    static final Path FILE = Path.of("../../emitters/testvectors.json");

    @Test
    void fileMatchesWhatThisImplementationComputes() throws Exception {
        String file = java.nio.file.Files.readString(FILE);
        assertThat(JsonCanonicalizer.canonicalize(file)).isEqualTo(JsonCanonicalizer.canonicalize(TestVectors.compute()));
    }

    @Test
    void everyVectorCanonicalizesVerifiesAndIsAccepted() throws Exception {
        JsonNode file = new ObjectMapper().readTree(FILE.toFile());
        Ed25519PrivateKey key = Ed25519PrivateKey.fromSeed(HexFormat.of().parseHex(file.get("private_key_seed_hex").asText()));
        Ed25519PublicKey publicKey = Ed25519PublicKey.fromBase64(file.get("public_key_base64").asText());
        assertThat(key.publicKey()).isEqualTo(publicKey);
        for (JsonNode vector : file.get("canonicalization")) {
            assertThat(JsonCanonicalizer.canonicalize(vector.get("input").asText())).as(vector.get("name").asText()).isEqualTo(vector.get("canonical").asText());
        }
        EventVerifier verifier = EventVerifier.offline(new StaticKeyRegistry(List.of(new RegisteredKey(file.get("key_id").asText(), "goblin-42", "ed25519",
                publicKey, Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z"), null))));
        for (JsonNode vector : file.get("events")) {
            String name = vector.get("name").asText();
            ObjectNode unsigned = (ObjectNode) vector.get("unsigned_event");
            assertThat(JsonCanonicalizer.canonicalize(unsigned)).as(name).isEqualTo(vector.get("signing_input").asText());
            byte[] signature = Base64.getDecoder().decode(vector.get("signature").asText());
            assertThat(publicKey.verify(vector.get("signing_input").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8), signature)).as(name).isTrue();
            AuditEvent event = new AuditEventParser().parse(vector.get("signed_event_canonical").asText());
            verifier.verify(event);
            assertThat(event.canonicalJson()).isEqualTo(vector.get("signed_event_canonical").asText());
        }
    }
}
