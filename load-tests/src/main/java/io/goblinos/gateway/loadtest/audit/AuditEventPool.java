package io.goblinos.gateway.loadtest.audit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.crypto.Ed25519PrivateKey;
import io.goblinos.gateway.audit.event.EventSigner;
import io.goblinos.gateway.audit.jcs.JsonCanonicalizer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Pre-signed GoblinOS decision events (issue 3's format: Ed25519 over the RFC 8785 canonical JSON without
 * {@code signature}), built before a load run so the load generator only sends bytes. Event ids carry a run id, so
 * two runs against the same store never collide ({@code duplicate_event_id}).
 */
public final class AuditEventPool {
  private static final String[] ACTIONS = {"approve", "deny", "escalate", "spend", "deploy", "read"};
  private static final String[] ROLES = {"approver", "planner", "executor", "auditor"};

  private AuditEventPool() {}

  /**
   * {@code count} signed events of the goblin that owns {@code keyId}, as canonical JSON strings, timestamped
   * {@code timestamp} (second precision, UTC). Requires {@code count >= 0}.
   */
  public static List<String> signedEvents(Ed25519PrivateKey key, String keyId, String goblinId, int count, Instant timestamp, long seed) {
    EventSigner signer = new EventSigner(key, keyId);
    SplittableRandom random = new SplittableRandom(seed);
    String run = Long.toHexString(random.nextLong() ^ System.nanoTime());
    String ts = timestamp.truncatedTo(ChronoUnit.SECONDS).toString();
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] traceId = new byte[16];
      for (int j = 0; j < 16; j += 8) {
        long v = random.nextLong();
        for (int k = 0; k < 8; k++) {
          traceId[j + k] = (byte) (v >>> (8 * k));
        }
      }
      ObjectNode event = JsonNodeFactory.instance.objectNode();
      event.put("event_id", "lt-" + run + "-" + i);
      event.put("goblin_id", goblinId);
      event.put("role", ROLES[random.nextInt(ROLES.length)]);
      event.put("action", ACTIONS[random.nextInt(ACTIONS.length)]);
      event.put("target", "hoard/items/" + Long.toHexString(random.nextLong()));
      event.put("decision", random.nextInt(10) == 0 ? "denied" : "approved");
      event.put("trace_id", HexFormat.of().formatHex(traceId));
      event.put("timestamp", ts);
      event.put("reason", "budget " + random.nextInt(1000) + " of 1000 gold left");
      out.add(JsonCanonicalizer.canonicalize(signer.sign(event)));
    }
    return out;
  }

  /** A {@code POST /v1/audit} body: the events as a JSON array. */
  public static byte[] arrayBody(List<String> events) {
    return ("[" + String.join(",", events) + "]").getBytes(StandardCharsets.UTF_8);
  }

  /** A key registry file's content with one entry for {@code key} (valid 2000–2100). */
  public static String keyRegistry(Ed25519PrivateKey key, String keyId, String goblinId) {
    return "keys:\n"
        + "  - key_id: " + keyId + "\n"
        + "    goblin_id: " + goblinId + "\n"
        + "    algorithm: ed25519\n"
        + "    public_key: " + key.publicKey().toBase64() + "\n"
        + "    not_before: 2000-01-01T00:00:00Z\n"
        + "    not_after: 2100-01-01T00:00:00Z\n";
  }
}
