package io.goblinos.gateway.audit.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.goblinos.gateway.audit.testing.Goblins;
import io.goblinos.gateway.audit.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRegistryFileTest {
    @Test
    void everyProblemIsReportedWithItsPath() {
        String yaml = "keys:\n  - key_id: a\n    goblin_id: g\n    algorithm: ed25519\n    public_key: AAAA\n    not_before: 2026-01-01T00:00:00Z\n    not_after: 2025-01-01T00:00:00Z\n"
                + "  - goblin_id: g\n    algorithm: ed25519\n    public_key: " + Goblins.key(1).publicKey().toBase64() + "\n    not_before: yesterday\n    not_after: 2027-01-01T00:00:00Z\n";
        assertThatThrownBy(() -> KeyRegistryFile.parse(yaml))
                .hasMessageContaining("keys[0].public_key: Ed25519 public key is not base64 of 32 bytes")
                .hasMessageContaining("keys[0].not_after: was 2025-01-01T00:00:00Z but it must be after not_before 2026-01-01T00:00:00Z")
                .hasMessageContaining("keys[1].key_id: missing")
                .hasMessageContaining("keys[1].not_before: was 'yesterday' but it must be an RFC 3339 UTC time");
        assertThatThrownBy(() -> KeyRegistryFile.parse("other: 1")).hasMessage("keys: missing, want a list of key entries");
    }

    @Test
    void duplicateKeyIdsAndUnsupportedAlgorithms() {
        String entry = Goblins.entry("a", "g", Goblins.key(1), Goblins.NOT_BEFORE, Goblins.NOT_AFTER, null);
        assertThatThrownBy(() -> KeyRegistryFile.parse("keys:\n" + entry + entry)).hasMessageContaining("key_id \"a\" appears twice");
        StaticKeyRegistry registry = KeyRegistryFile.parse("keys:\n  - key_id: r\n    goblin_id: g\n    algorithm: rsa\n    public_key: xyz\n    not_before: 2026-01-01T00:00:00Z\n    not_after: 2027-01-01T00:00:00Z\n");
        assertThat(registry.find("r").orElseThrow().isEd25519()).isFalse();
    }

    @Test
    void reloadsOnChangeAtMostOncePerIntervalAndKeepsOldKeysOnBadFile(@TempDir Path dir) throws Exception {
        Path file = Goblins.writeKeys(dir.resolve("k.yaml"), Goblins.entry("a", "g", Goblins.key(1), Goblins.NOT_BEFORE, Goblins.NOT_AFTER, null));
        MutableClock clock = new MutableClock(Goblins.NOW);
        ReloadingKeyRegistry registry = ReloadingKeyRegistry.open(file, clock, Duration.ofSeconds(1));
        Goblins.writeKeys(file, Goblins.entry("a", "g", Goblins.key(1), Goblins.NOT_BEFORE, Goblins.NOT_AFTER, null),
                Goblins.entry("b", "g", Goblins.key(2), Goblins.NOT_BEFORE, Goblins.NOT_AFTER, null));
        assertThat(registry.find("b")).isEmpty(); // not yet looked at: less than a second passed
        clock.advance(Duration.ofMillis(1001));
        assertThat(registry.find("b")).isPresent();
        Files.writeString(file, "keys: [ {broken");
        clock.advance(Duration.ofSeconds(2));
        assertThat(registry.find("a")).isPresent();
        assertThat(registry.lastReloadError()).contains("reload failed, previous keys stay in force");
    }
}
