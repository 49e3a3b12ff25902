package io.goblinos.gateway.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.crypto.Ed25519PrivateKey;
import io.goblinos.gateway.audit.event.EventSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** A goblin with an Ed25519 key, its registry file, and signed decision events dated now. */
public final class AuditFixtures {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Ed25519PrivateKey key;
  private final String goblinId;
  private final String keyId;
  private final EventSigner signer;

  public AuditFixtures(int seedPattern, String goblinId, String keyId) {
    byte[] seed = new byte[32];
    java.util.Arrays.fill(seed, (byte) seedPattern);
    this.key = Ed25519PrivateKey.fromSeed(seed);
    this.goblinId = goblinId;
    this.keyId = keyId;
    this.signer = new EventSigner(key, keyId);
  }

  /** The registry entry for this goblin's key, valid for a year around now. */
  public String registryEntry() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return "  - key_id: " + keyId + "\n    goblin_id: " + goblinId + "\n    algorithm: ed25519\n    public_key: "
        + key.publicKey().toBase64() + "\n    not_before: " + now.minus(365, ChronoUnit.DAYS) + "\n    not_after: "
        + now.plus(365, ChronoUnit.DAYS) + "\n";
  }

  /**
   * The config of a gateway with the audit log (the key registry {@code keys}, the store in {@code audit/},
   * checkpoints every second) and one logs pipeline from the OTLP/HTTP receiver (127.0.0.1:0) to the file exporter.
   */
  public static String gatewayYaml(Path keys) {
    return """
        receivers:
          otlp:
            protocols:
              http: {endpoint: 127.0.0.1:0}
        exporters:
          file: {directory: out}
        audit:
          keys_file: %s
          store: {directory: audit}
          checkpoint_interval: 1s
        service:
          pipelines:
            logs: {receivers: [otlp], exporters: [file]}
        """.formatted(keys);
  }

  public static Path writeRegistry(Path file, AuditFixtures... goblins) {
    StringBuilder b = new StringBuilder("keys:\n");
    for (AuditFixtures g : goblins) {
      b.append(g.registryEntry());
    }
    try {
      Files.writeString(file, b.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** An unsigned event "Goblin X approved target". */
  public ObjectNode event(String eventId, String target) {
    ObjectNode e = JSON.createObjectNode();
    e.put("event_id", eventId);
    e.put("goblin_id", goblinId);
    e.put("role", "reviewer");
    e.put("action", "approve");
    e.put("target", target);
    e.put("decision", "approved");
    e.put("trace_id", "");
    e.put("timestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
    e.put("key_id", keyId);
    return e;
  }

  /** The event signed, as compact JSON. */
  public String signed(String eventId, String target) {
    return signer.sign(event(eventId, target)).toString();
  }

  public String sign(ObjectNode event) {
    return signer.sign(event).toString();
  }
}
