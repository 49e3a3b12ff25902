package io.goblinos.audit.emitter;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Emitter settings.
 *
 * @param endpoint gateway base URL; events go to {@code POST {endpoint}/v1/audit}
 * @param signingKeyPath PKCS#8 PEM Ed25519 key ({@code AUDIT_SIGNING_KEY_PATH})
 * @param keyId the key's registry id ({@code AUDIT_SIGNING_KEY_ID})
 * @param maxAttempts attempts per delivery including the first (>= 1)
 * @param initialBackoff first retry delay without Retry-After; doubled per attempt up to {@code maxBackoff}
 * @param bearerToken nullable; sent as {@code Authorization: Bearer ...}
 */
public record EmitterConfig(URI endpoint, Path signingKeyPath, String keyId, Duration requestTimeout, int maxAttempts,
                            Duration initialBackoff, Duration maxBackoff, String bearerToken) {
    public static final String ENV_KEY_PATH = "AUDIT_SIGNING_KEY_PATH";
    public static final String ENV_KEY_ID = "AUDIT_SIGNING_KEY_ID";

    public EmitterConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(signingKeyPath, "signingKeyPath");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        List<String> errors = new ArrayList<>();
        if (keyId.isBlank()) {
            errors.add("key_id: was '' but it must be non-empty");
        }
        if (maxAttempts < 1) {
            errors.add("max_attempts: was '" + maxAttempts + "' but it must be >= 1");
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            errors.add("backoff: initial " + initialBackoff + " must be >= 0 and <= max " + maxBackoff);
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
    }

    /** Defaults: 10 s timeout, 5 attempts, backoff 200 ms doubling to 10 s, no token. */
    public static EmitterConfig of(URI endpoint, Path signingKeyPath, String keyId) {
        return new EmitterConfig(endpoint, signingKeyPath, keyId, Duration.ofSeconds(10), 5, Duration.ofMillis(200), Duration.ofSeconds(10), null);
    }

    /**
     * Reads the key settings from the environment.
     *
     * @throws IllegalArgumentException naming each missing variable
     */
    public static EmitterConfig fromEnvironment(URI endpoint, Map<String, String> environment) {
        String path = environment.get(ENV_KEY_PATH);
        String id = environment.get(ENV_KEY_ID);
        List<String> missing = new ArrayList<>();
        if (path == null || path.isBlank()) {
            missing.add(ENV_KEY_PATH + " is not set");
        }
        if (id == null || id.isBlank()) {
            missing.add(ENV_KEY_ID + " is not set");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", missing));
        }
        return of(endpoint, Path.of(path), id);
    }
}
