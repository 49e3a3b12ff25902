package io.goblinos.gateway.audit.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.crypto.Ed25519PrivateKey;
import io.goblinos.gateway.audit.jcs.JsonCanonicalizer;
import io.goblinos.gateway.audit.jcs.StrictJson;
import io.goblinos.gateway.audit.merkle.Rfc6962Hasher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Computes the shared emitter test vectors ({@code emitters/testvectors.json}). {@code main(path)} (re)writes the
 * file; {@link #compute()} is what the tests compare the file with, so a change in canonicalization or signing
 * shows up as a test failure rather than a silently regenerated file.
 */
public final class TestVectors {
    /** Ed25519 seed of the vector key: bytes 0x00..0x1f. */
    public static final String SEED_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    public static final String KEY_ID = "testvector-goblin-key-1";

    private TestVectors() {
    }

    public static void main(String[] args) throws Exception {
        Files.writeString(Path.of(args[0]), compute().toPrettyString() + "\n", StandardCharsets.UTF_8);
    }

    public static ObjectNode compute() {
        HexFormat hex = HexFormat.of();
        Ed25519PrivateKey key = Ed25519PrivateKey.fromSeed(hex.parseHex(SEED_HEX));
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("description", "Goblin audit event test vectors: RFC 8785 canonical JSON and Ed25519 signatures over the canonical"
                + " UTF-8 of the event without its signature member. Ed25519 is deterministic, so every emitter must reproduce"
                + " signature and signed_event_canonical byte for byte. leaf_hash_hex = SHA-256(0x00 || UTF-8(signed_event_canonical)).");
        root.put("algorithm", "ed25519");
        root.put("private_key_seed_hex", SEED_HEX);
        root.put("public_key_base64", key.publicKey().toBase64());
        root.put("key_id", KEY_ID);
        ArrayNode canonical = root.putArray("canonicalization");
        canonical.add(jcs("rfc8785-3.2.2-sample",
                "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
                        + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n  \"literals\": [null, true, false]\n}"));
        canonical.add(jcs("utf16-key-order", "{\"\\u20ac\":1,\"\\r\":2,\"\\ufb33\":3,\"1\":4,\"\\ud83d\\ude00\":5,\"\\u0080\":6,\"\\u00f6\":7}"));
        canonical.add(jcs("numbers", "[0, -0, 1e21, 1e-7, 123.456e3, 9007199254740993, 5e-324, 0.1, 100.0]"));
        canonical.add(jcs("escapes", "\"\\u0000\\u0007\\b\\t\\n\\u000b\\f\\r\\u001f \\\"\\\\/\\u007f\\u2028\\ud83d\\ude00\""));
        ArrayNode events = root.putArray("events");
        events.add(event(key, "minimal", base("evt-0001", "4bf92f3577b34da6a3ce929d0e0e4736")));
        events.add(event(key, "empty-trace-id", base("evt-0002", "")));
        ObjectNode extra = base("evt-0003", "0af7651916cd43dd8448eb211c80319c");
        extra.put("reason", "Stra\u00dfe \u20ac5 \ud83d\ude00 \"quoted\"\nnext line");
        extra.putObject("context").put("zeta", 1).put("alpha", 2.50).put("amount", 1e21).putArray("tags").add("b").add("a");
        extra.put("approved_by_count", 3);
        events.add(event(key, "extra-fields-unicode-numbers", extra));
        return root;
    }

    private static ObjectNode base(String eventId, String traceId) {
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("event_id", eventId);
        event.put("goblin_id", "goblin-42");
        event.put("role", "treasurer");
        event.put("action", "approve");
        event.put("target", "payment/7781");
        event.put("decision", "approved");
        event.put("trace_id", traceId);
        event.put("timestamp", "2026-01-15T09:30:00.123Z");
        event.put("key_id", KEY_ID);
        return event;
    }

    private static ObjectNode jcs(String name, String input) {
        ObjectNode vector = JsonNodeFactory.instance.objectNode();
        vector.put("name", name);
        vector.put("input", input);
        vector.put("canonical", JsonCanonicalizer.canonicalize(input));
        return vector;
    }

    private static ObjectNode event(Ed25519PrivateKey key, String name, ObjectNode unsigned) {
        JsonNode reparsed = StrictJson.parse(unsigned.toString());
        ObjectNode signed = new EventSigner(key, KEY_ID).sign((ObjectNode) reparsed);
        String signingInput = JsonCanonicalizer.canonicalize(reparsed);
        String signedCanonical = JsonCanonicalizer.canonicalize(signed);
        ObjectNode vector = JsonNodeFactory.instance.objectNode();
        vector.put("name", name);
        vector.set("unsigned_event", reparsed);
        vector.put("signing_input", signingInput);
        vector.put("signature", signed.get("signature").textValue());
        vector.put("signed_event_canonical", signedCanonical);
        vector.put("leaf_hash_hex", HexFormat.of().formatHex(Rfc6962Hasher.hashLeaf(signedCanonical.getBytes(StandardCharsets.UTF_8))));
        return vector;
    }
}
