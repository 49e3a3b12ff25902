package io.goblinos.gateway.loadtest.audit;

import io.goblinos.gateway.audit.crypto.Ed25519PrivateKey;
import io.goblinos.gateway.audit.crypto.PemKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Writes a throw-away load-test signing key and the key registry the gateway needs to accept its events:
 * {@code java ... LoadTestKey DIR} creates {@code DIR/loadtest.pem} and {@code DIR/audit-keys.yaml} (key id
 * {@value #KEY_ID}, goblin {@value #GOBLIN_ID}). Start the gateway with {@code --set audit.keys_file=DIR/audit-keys.yaml}
 * and Gatling with {@code -Daudit.key=DIR/loadtest.pem}.
 */
public final class LoadTestKey {
  public static final String KEY_ID = "loadtest";
  public static final String GOBLIN_ID = "goblin-loadtest";

  private LoadTestKey() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: LoadTestKey DIR");
      System.exit(2);
    }
    Path dir = Files.createDirectories(Path.of(args[0]));
    Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
    PemKeys.writePrivateKey(key, dir.resolve("loadtest.pem"));
    Files.writeString(dir.resolve("audit-keys.yaml"), AuditEventPool.keyRegistry(key, KEY_ID, GOBLIN_ID));
    System.out.println(dir.resolve("audit-keys.yaml"));
  }
}
