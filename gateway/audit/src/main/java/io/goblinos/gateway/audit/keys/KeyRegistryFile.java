package io.goblinos.gateway.audit.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.goblinos.gateway.audit.crypto.Ed25519PublicKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the key registry YAML:
 * <pre>
 * keys:
 *   - key_id: goblin-7-2026a
 *     goblin_id: goblin-7
 *     algorithm: ed25519
 *     public_key: base64 of the raw 32 bytes
 *     not_before: 2026-01-01T00:00:00Z
 *     not_after: 2027-01-01T00:00:00Z
 *     revoked_at: 2026-06-01T00:00:00Z   # optional
 * </pre>
 * Every problem is gathered and reported with its full path, e.g. {@code keys[2].public_key: ...}.
 */
public final class KeyRegistryFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private KeyRegistryFile() {
    }

    /** @throws IllegalArgumentException listing every invalid entry */
    public static StaticKeyRegistry parse(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new IllegalArgumentException("key registry is not valid YAML: " + e.getMessage(), e);
        }
        if (root == null || !root.path("keys").isArray()) {
            throw new IllegalArgumentException("keys: missing, want a list of key entries");
        }
        List<String> errors = new ArrayList<>();
        List<RegisteredKey> keys = new ArrayList<>();
        JsonNode entries = root.get("keys");
        for (int i = 0; i < entries.size(); i++) {
            RegisteredKey key = parseEntry(entries.get(i), "keys[" + i + "]", errors);
            if (key != null) {
                keys.add(key);
            }
        }
        if (errors.isEmpty()) {
            try {
                return new StaticKeyRegistry(keys);
            } catch (IllegalArgumentException e) {
                errors.add("keys: " + e.getMessage());
            }
        }
        throw new IllegalArgumentException(String.join("; ", errors));
    }

    /** Reads and parses a registry file; problems are prefixed with the file name. */
    public static StaticKeyRegistry read(Path file) throws IOException {
        String yaml = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return parse(yaml);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static RegisteredKey parseEntry(JsonNode entry, String path, List<String> errors) {
        int before = errors.size();
        String keyId = text(entry, "key_id", path, errors, true);
        String goblinId = text(entry, "goblin_id", path, errors, true);
        String algorithm = text(entry, "algorithm", path, errors, true);
        String publicKeyText = text(entry, "public_key", path, errors, true);
        Instant notBefore = instant(entry, "not_before", path, errors, true);
        Instant notAfter = instant(entry, "not_after", path, errors, true);
        Instant revokedAt = instant(entry, "revoked_at", path, errors, false);
        Ed25519PublicKey publicKey = null;
        if (RegisteredKey.ED25519.equals(algorithm) && publicKeyText != null) {
            try {
                publicKey = Ed25519PublicKey.fromBase64(publicKeyText);
            } catch (IllegalArgumentException e) {
                errors.add(path + ".public_key: " + e.getMessage());
            }
        }
        if (notBefore != null && notAfter != null && !notBefore.isBefore(notAfter)) {
            errors.add(path + ".not_after: was " + notAfter + " but it must be after not_before " + notBefore);
        }
        if (errors.size() != before) {
            return null;
        }
        return new RegisteredKey(keyId, goblinId, algorithm, publicKey, notBefore, notAfter, revokedAt);
    }

    private static String text(JsonNode entry, String field, String path, List<String> errors, boolean required) {
        JsonNode value = entry == null ? null : entry.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(path + "." + field + ": missing");
            }
            return null;
        }
        if (!value.isValueNode() || value.asText().isBlank()) {
            errors.add(path + "." + field + ": was '" + value + "' but it must be a non-empty string");
            return null;
        }
        return value.asText();
    }

    private static Instant instant(JsonNode entry, String field, String path, List<String> errors, boolean required) {
        String text = text(entry, field, path, errors, required);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            errors.add(path + "." + field + ": was '" + text + "' but it must be an RFC 3339 UTC time like 2026-01-01T00:00:00Z");
            return null;
        }
    }
}
