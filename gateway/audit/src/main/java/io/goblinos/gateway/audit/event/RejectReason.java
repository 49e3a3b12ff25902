package io.goblinos.gateway.audit.event;

/**
 * Why an event was refused. {@link #code()} is stable snake_case: it is returned to emitters, written to the
 * quarantine file and used as the {@code reason} label of {@code gateway_audit_rejected_events_total}.
 */
public enum RejectReason {
    /** Not a JSON object, not I-JSON, or larger than the size limit. */
    MALFORMED_EVENT,
    /** A required field is absent. */
    MISSING_FIELD,
    /** A required field is present but not a non-empty string. */
    INVALID_FIELD,
    /** {@code trace_id} is neither empty nor 32 lowercase hex digits. */
    INVALID_TRACE_ID,
    /** {@code timestamp} is not RFC 3339 in UTC ({@code Z}). */
    INVALID_TIMESTAMP,
    /** The signature is not base64 of 64 bytes or does not verify. */
    BAD_SIGNATURE,
    /** No registry entry has this {@code key_id}. */
    UNKNOWN_KEY,
    /** The key belongs to another goblin. */
    KEY_GOBLIN_MISMATCH,
    /** The event is dated before the key's {@code not_before}. */
    KEY_NOT_YET_VALID,
    /** The event is dated at or after the key's {@code not_after}. */
    KEY_EXPIRED,
    /** The key was revoked at or before the event's timestamp. */
    KEY_REVOKED,
    /** The registry entry names an algorithm other than ed25519. */
    UNSUPPORTED_ALGORITHM,
    /** The event is dated further in the future than the allowed clock skew. */
    FUTURE_TIMESTAMP,
    /** Another, different event with this {@code event_id} was already accepted. */
    DUPLICATE_EVENT_ID;

    /** The stable snake_case code, e.g. {@code bad_signature}. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
