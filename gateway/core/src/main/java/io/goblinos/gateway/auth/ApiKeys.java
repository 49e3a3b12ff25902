package io.goblinos.gateway.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * API keys: generation, SHA-256 hashing, the keys file and constant-time matching. The gateway never stores a key,
 * only the SHA-256 of its UTF-8 bytes in lower-case hex ({@code echo -n "$KEY" | sha256sum}).
 *
 * <p>Keys file (YAML):
 * <pre>
 * keys:
 *   - {name: collector-eu, sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08}
 *   - {name: collector-eu, sha256: ...}   # several keys may share a name (rotation)
 * </pre>
 */
public final class ApiKeys {
  /** Header carrying the key; {@code Authorization: Bearer <key>} works too. */
  public static final String HEADER = "x-api-key";
  /** Longest key looked at; longer values are refused without hashing. */
  public static final int MAX_KEY_LENGTH = 512;
  /** Prefix of generated keys (helps secret scanners). */
  public static final String PREFIX = "gk_";
  /** Names are shown in data and logs: no spaces, no ':' (which would make them look like other principals). */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ApiKeys() {}

  /** One accepted key: its name (the principal) and the SHA-256 of the key. */
  public record Entry(String name, byte[] sha256) {
    @Override
    public String toString() {
      return name; // never the digest
    }
  }

  /** A keys file that cannot be used; the message names the file and key path of every problem. */
  public static final class InvalidKeysFileException extends Exception {
    public InvalidKeysFileException(String message) {
      super(message);
    }
  }

  /** A new random key: {@value #PREFIX} and 32 random bytes in unpadded base64url (256 bits). */
  public static String generate(SecureRandom random) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  public static String sha256Hex(String key) {
    return HexFormat.of().formatHex(sha256(key));
  }

  /** The line of the keys file for a key. */
  public static String keysFileLine(String name, String key) {
    return "  - {name: " + name + ", sha256: " + sha256Hex(key) + "}";
  }

  /**
   * Parses a keys file.
   *
   * @param where how to name the file in messages, e.g. {@code extensions::apikeyauth::keys_file (conf/keys.yaml)}
   */
  public static List<Entry> parse(byte[] yaml, String where) throws InvalidKeysFileException {
    Object root;
    try {
      root = YAML.readValue(yaml, Object.class);
    } catch (Exception e) {
      String m = String.valueOf(e.getMessage());
      int nl = m.indexOf('\n');
      throw new InvalidKeysFileException(where + ": not valid YAML: " + (nl < 0 ? m : m.substring(0, nl)));
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new InvalidKeysFileException(where + ": must be a mapping with a 'keys' list");
    }
    ConfigErrors errors = new ConfigErrors();
    @SuppressWarnings("unchecked")
    ConfigNode node = new ConfigNode(where, (Map<String, Object>) map, errors);
    List<Entry> entries = new ArrayList<>();
    if (!node.has("keys")) {
      node.error("keys", "missing: list the accepted keys as {name, sha256} (an empty list accepts no key)");
    }
    for (ConfigNode k : node.childList("keys")) {
      String name = k.string("name", null);
      String hex = k.string("sha256", null);
      boolean ok = true;
      if (name == null || !NAME.matcher(name).matches()) {
        k.invalid("name", name, "a name of letters, digits, '.', '-' and '_' (up to 128)");
        ok = false;
      }
      if (hex == null || !SHA256_HEX.matcher(hex).matches()) {
        // never echo what might be a key pasted by mistake
        k.error("sha256", (hex == null ? "missing" : "not 64 hex digits") + ": give the SHA-256 of the key"
            + " (goblin-gateway apikey create prints it), never the key itself");
        ok = false;
      }
      if (ok) {
        entries.add(new Entry(name, HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT))));
      }
    }
    node.finish();
    if (!errors.isEmpty()) {
      throw new InvalidKeysFileException(String.join("; ", errors.messages()));
    }
    return List.copyOf(entries);
  }

  /** The key a request presents in {@code x-api-key} or {@code Authorization: Bearer}, or null. */
  public static String presented(MultiMap headers) {
    String key = headers.get(HEADER);
    if (key != null) {
      return key.trim();
    }
    String auth = headers.get("authorization");
    if (auth != null && auth.length() > 7 && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    return null;
  }

  /**
   * The entry whose digest equals the SHA-256 of {@code key}, or null. Every entry is compared, each in constant
   * time ({@link MessageDigest#isEqual}), so the time taken does not depend on which entry matches or how much of
   * a digest does.
   */
  public static Entry match(List<Entry> entries, String key) {
    byte[] digest = sha256(key);
    Entry found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.sha256(), digest) && found == null) {
        found = e;
      }
    }
    return found;
  }
}
