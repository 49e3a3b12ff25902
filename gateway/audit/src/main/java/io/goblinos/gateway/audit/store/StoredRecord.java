package io.goblinos.gateway.audit.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One accepted event as stored: its position, the canonical JSON of the whole event (the Merkle leaf data) and
 * received-by metadata kept beside it, outside the signed and hashed data.
 *
 * @param receivedBy the authenticated principal that delivered the event, or null
 */
public record StoredRecord(long index, String canonicalJson, Instant receivedAt, String receivedBy) {
    public StoredRecord {
        if (index < 0) {
            throw new IllegalArgumentException("index was " + index + " but it must be >= 0");
        }
        Objects.requireNonNull(canonicalJson, "canonicalJson");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }
}
