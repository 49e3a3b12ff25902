package io.goblinos.gateway.audit.keys;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** An immutable registry. */
public final class StaticKeyRegistry implements KeyRegistry {
    private final Map<String, RegisteredKey> byKeyId;

    /** @throws IllegalArgumentException if two entries share a key_id */
    public StaticKeyRegistry(Collection<RegisteredKey> keys) {
        Map<String, RegisteredKey> map = new LinkedHashMap<>();
        for (RegisteredKey key : keys) {
            if (map.putIfAbsent(key.keyId(), key) != null) {
                throw new IllegalArgumentException("key_id \"" + key.keyId() + "\" appears twice");
            }
        }
        this.byKeyId = Map.copyOf(map);
    }

    @Override
    public Optional<RegisteredKey> find(String keyId) {
        return Optional.ofNullable(byKeyId.get(keyId));
    }

    @Override
    public int size() {
        return byKeyId.size();
    }

    public Collection<RegisteredKey> keys() {
        return byKeyId.values();
    }
}
