package io.goblinos.gateway.auditservice;

import io.goblinos.gateway.api.config.ConfigNode;
import java.time.Duration;
import java.util.function.Function;

/**
 * The top-level {@code audit} section:
 * <pre>
 * audit:
 *   keys_file: conf/audit-keys.yaml        # required: the key registry
 *   store: {type: file, directory: data/audit}
 *   origin: goblin-gateway.local/audit      # checkpoint origin line
 *   checkpoint_interval: 15m                # at least 1s
 *   max_clock_skew: 5m
 *   signing_key_path: ${env:AUDIT_SIGNING_KEY_PATH}   # PKCS#8 PEM; generated in the store when unset
 *   max_request_body_size: 8MiB             # POST /v1/audit
 *   workers: 4                              # threads verifying and appending (group commit)
 * </pre>
 * Absent section or {@code enabled: false}: no audit endpoints.
 */
public record AuditSettings(
    String keysFile,
    String storeType,
    String directory,
    String origin,
    Duration checkpointInterval,
    Duration maxClockSkew,
    String signingKeyPath,
    long maxRequestBodySize,
    int workers) {

  /** Parses the section; returns null when audit is not enabled. */
  public static AuditSettings parse(ConfigNode node, Function<String, String> env) {
    boolean present = !node.keys().isEmpty();
    boolean enabled = node.bool("enabled", present);
    String keysFile = node.string("keys_file", null);
    ConfigNode store = node.child("store");
    String type = store.oneOf("type", "file", "file");
    String directory = store.string("directory", "data/audit");
    String origin = node.string("origin", "goblin-gateway.local/audit");
    if (origin.isBlank() || origin.contains("\n")) {
      node.invalid("origin", origin, "a non-empty single line such as example.com/audit");
    }
    Duration interval = node.duration("checkpoint_interval", Duration.ofMinutes(15), Duration.ofSeconds(1));
    Duration skew = node.duration("max_clock_skew", Duration.ofMinutes(5), Duration.ZERO);
    String envKey = env.apply("AUDIT_SIGNING_KEY_PATH");
    String signingKey = node.string("signing_key_path", envKey == null || envKey.isBlank() ? null : envKey);
    if (signingKey != null && signingKey.isBlank()) {
      signingKey = null;
    }
    long maxBody = node.byteSize("max_request_body_size", 8L * 1024 * 1024, 1024);
    int workers = node.integer("workers", 4, 1, 64);
    if (!enabled) {
      return null;
    }
    if (keysFile == null || keysFile.isBlank()) {
      node.error("keys_file", "is required: the key registry (keys: [{key_id, goblin_id, algorithm, public_key, ...}])");
    }
    return new AuditSettings(keysFile, type, directory, origin, interval, skew, signingKey, maxBody, workers);
  }
}
