package io.goblinos.gateway.audit.log;

import io.goblinos.gateway.audit.crypto.Ed25519PrivateKey;
import io.goblinos.gateway.audit.crypto.PemKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;

/** Loads the gateway's checkpoint signing key, or generates one in the store directory on first start. */
final class GatewaySigningKey {
    record Loaded(Ed25519PrivateKey key, Path file, boolean generated) {
    }

    private GatewaySigningKey() {
    }

    /**
     * @param configured {@code AUDIT_SIGNING_KEY_PATH}, or null
     * @throws NoSuchFileException if a configured key file does not exist (never silently replaced)
     */
    static Loaded loadOrGenerate(Path configured, Path directory) throws IOException {
        if (configured != null) {
            if (!Files.exists(configured)) {
                throw new NoSuchFileException(configured.toString(), null, "AUDIT_SIGNING_KEY_PATH points to a missing file");
            }
            return new Loaded(PemKeys.readPrivateKey(configured), configured, false);
        }
        Path file = directory.resolve(AuditLogConfig.GENERATED_KEY_FILE);
        if (Files.exists(file)) {
            return new Loaded(PemKeys.readPrivateKey(file), file, false);
        }
        Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
        PemKeys.writePrivateKey(key, file);
        return new Loaded(key, file, true);
    }
}
