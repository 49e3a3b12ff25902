package io.goblinos.gateway.audit.keys;

import io.goblinos.gateway.audit.crypto.Ed25519PublicKey;
import java.time.Instant;
import java.util.Objects;

/**
 * One entry of the key registry. {@code publicKey} is null when {@code algorithm} is not {@code ed25519}
 * (such entries are kept so events naming them are refused as {@code unsupported_algorithm}).
 *
 * @param notBefore first instant the key may sign (inclusive)
 * @param notAfter the key may sign only before this instant (exclusive)
 * @param revokedAt nullable; events dated at or after it are refused
 */
public record RegisteredKey(
        String keyId, String goblinId, String algorithm, Ed25519PublicKey publicKey,
        Instant notBefore, Instant notAfter, Instant revokedAt) {
    public static final String ED25519 = "ed25519";

    public RegisteredKey {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(goblinId, "goblinId");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(notAfter, "notAfter");
        if (ED25519.equals(algorithm)) {
            Objects.requireNonNull(publicKey, "publicKey");
        }
    }

    public boolean isEd25519() {
        return ED25519.equals(algorithm);
    }
}
