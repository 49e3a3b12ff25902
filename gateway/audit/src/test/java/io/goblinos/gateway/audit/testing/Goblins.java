package io.goblinos.gateway.audit.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.crypto.Ed25519PrivateKey;
import io.goblinos.gateway.audit.event.EventSigner;
import io.goblinos.gateway.audit.jcs.JsonCanonicalizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Test goblins: deterministic keys, a key registry file and signed events. */
public final class Goblins {
    public static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    public static final String NOT_BEFORE = "2026-01-01T00:00:00Z";
    public static final String NOT_AFTER = "2027-01-01T00:00:00Z";

    private Goblins() {
    }

    /** A key from a one-byte pattern seed, so runs are reproducible. */
    public static Ed25519PrivateKey key(int pattern) {
        byte[] seed = new byte[32];
        java.util.Arrays.fill(seed, (byte) pattern);
        return Ed25519PrivateKey.fromSeed(seed);
    }

    /** One registry entry as YAML (list item). */
    public static String entry(String keyId, String goblinId, Ed25519PrivateKey key, String notBefore, String notAfter, String revokedAt) {
        return "  - key_id: " + keyId + "\n    goblin_id: " + goblinId + "\n    algorithm: ed25519\n    public_key: " + key.publicKey().toBase64()
                + "\n    not_before: " + notBefore + "\n    not_after: " + notAfter + "\n" + (revokedAt == null ? "" : "    revoked_at: " + revokedAt + "\n");
    }

    public static Path writeKeys(Path file, String... entries) throws IOException {
        Files.writeString(file, "keys:\n" + String.join("", entries));
        return file;
    }

    /** An unsigned event with every required field but key_id and signature. */
    public static ObjectNode event(String eventId, String goblinId, Instant timestamp) {
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("event_id", eventId);
        event.put("goblin_id", goblinId);
        event.put("role", "gatekeeper");
        event.put("action", "approve");
        event.put("target", "vault/door-" + eventId);
        event.put("decision", "approved");
        event.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
        event.put("timestamp", timestamp.toString());
        return event;
    }

    public static String signed(ObjectNode event, Ed25519PrivateKey key, String keyId) {
        return JsonCanonicalizer.canonicalize(new EventSigner(key, keyId).sign(event));
    }

    /** {@code count} events by goblin-1 with key k1 (pattern 1), ids prefix-0.. */
    public static List<String> batch(String prefix, int count) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(signed(event(prefix + "-" + i, "goblin-1", NOW.minusSeconds(60)), key(1), "k1"));
        }
        return events;
    }
}
