package io.goblinos.gateway.extension.apikeyauth;

import io.goblinos.gateway.api.config.ConfigNode;

/**
 * Config of the {@code apikeyauth} extension:
 * <pre>
 * apikeyauth:
 *   keys_file: conf/api-keys.yaml   # keys: [{name, sha256}] — SHA-256 hashes only; re-read when it changes
 * </pre>
 *
 * @param keysFile path as configured (relative to the working directory), or null in the default (empty) config,
 *     which accepts no key
 */
public record ApiKeyAuthConfig(String keysFile) {

  static ApiKeyAuthConfig parse(ConfigNode node) {
    String file = node.string("keys_file", null);
    if ((file == null || file.isBlank()) && !node.keys().isEmpty()) {
      node.error("keys_file", "missing: the YAML file listing accepted keys as {name, sha256}");
    }
    return new ApiKeyAuthConfig(file == null || file.isBlank() ? null : file);
  }
}
