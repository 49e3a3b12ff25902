package io.goblinos.gateway.audit.keys;

import java.util.Optional;

/** Looks up signing keys by {@code key_id}. Implementations are thread-safe. */
public interface KeyRegistry {
    /** The entry for {@code keyId}, or empty when no entry has it. */
    Optional<RegisteredKey> find(String keyId);

    /** Number of entries currently known. */
    int size();
}
