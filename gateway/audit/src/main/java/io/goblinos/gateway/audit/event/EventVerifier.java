package io.goblinos.gateway.audit.event;

import static io.goblinos.gateway.audit.event.RejectReason.BAD_SIGNATURE;
import static io.goblinos.gateway.audit.event.RejectReason.FUTURE_TIMESTAMP;
import static io.goblinos.gateway.audit.event.RejectReason.KEY_EXPIRED;
import static io.goblinos.gateway.audit.event.RejectReason.KEY_GOBLIN_MISMATCH;
import static io.goblinos.gateway.audit.event.RejectReason.KEY_NOT_YET_VALID;
import static io.goblinos.gateway.audit.event.RejectReason.KEY_REVOKED;
import static io.goblinos.gateway.audit.event.RejectReason.UNKNOWN_KEY;
import static io.goblinos.gateway.audit.event.RejectReason.UNSUPPORTED_ALGORITHM;

import io.goblinos.gateway.audit.keys.KeyRegistry;
import io.goblinos.gateway.audit.keys.RegisteredKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Verifies a well-formed event against the key registry: the key named by {@code key_id} must exist, belong
 * to the event's {@code goblin_id}, be Ed25519, be valid at the event's timestamp and not revoked at or before
 * it, and the signature must verify. With a clock, events dated more than {@code maxClockSkew} ahead are
 * refused. Thread-safe; CPU only (no I/O besides the registry's own reload check).
 */
public final class EventVerifier {
    private final KeyRegistry registry;
    private final Clock clock;
    private final Duration maxClockSkew;

    /**
     * @param clock nullable: without one the future-timestamp check is skipped (offline verification)
     * @param maxClockSkew ignored without a clock; must not be negative
     */
    public EventVerifier(KeyRegistry registry, Clock clock, Duration maxClockSkew) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = clock;
        this.maxClockSkew = Objects.requireNonNull(maxClockSkew, "maxClockSkew");
        if (maxClockSkew.isNegative()) {
            throw new IllegalArgumentException("maxClockSkew was " + maxClockSkew + " but it must be >= 0");
        }
    }

    /** An offline verifier: no clock, so no future-timestamp check. */
    public static EventVerifier offline(KeyRegistry registry) {
        return new EventVerifier(registry, null, Duration.ZERO);
    }

    /** @throws EventRejectedException naming the first rule the event breaks */
    public void verify(AuditEvent event) throws EventRejectedException {
        Instant timestamp = event.timestamp();
        if (clock != null) {
            Instant latest = clock.instant().plus(maxClockSkew);
            if (timestamp.isAfter(latest)) {
                throw new EventRejectedException(FUTURE_TIMESTAMP, "timestamp " + timestamp + " is after now + max clock skew " + latest);
            }
        }
        RegisteredKey key = registry.find(event.keyId())
                .orElseThrow(() -> new EventRejectedException(UNKNOWN_KEY, "key_id \"" + event.keyId() + "\" is not in the key registry"));
        if (!key.goblinId().equals(event.goblinId())) {
            throw new EventRejectedException(KEY_GOBLIN_MISMATCH, "key_id \"" + key.keyId() + "\" belongs to goblin_id \"" + key.goblinId() + "\", event has \"" + event.goblinId() + "\"");
        }
        if (!key.isEd25519()) {
            throw new EventRejectedException(UNSUPPORTED_ALGORITHM, "key_id \"" + key.keyId() + "\" has algorithm \"" + key.algorithm() + "\", want ed25519");
        }
        if (timestamp.isBefore(key.notBefore())) {
            throw new EventRejectedException(KEY_NOT_YET_VALID, "timestamp " + timestamp + " is before key not_before " + key.notBefore());
        }
        if (!timestamp.isBefore(key.notAfter())) {
            throw new EventRejectedException(KEY_EXPIRED, "timestamp " + timestamp + " is not before key not_after " + key.notAfter());
        }
        if (key.revokedAt() != null && !timestamp.isBefore(key.revokedAt())) {
            throw new EventRejectedException(KEY_REVOKED, "timestamp " + timestamp + " is not before key revoked_at " + key.revokedAt());
        }
        if (!key.publicKey().verify(event.signedPayload(), event.signature())) {
            throw new EventRejectedException(BAD_SIGNATURE, "signature does not verify with key_id \"" + key.keyId() + "\"");
        }
    }
}
