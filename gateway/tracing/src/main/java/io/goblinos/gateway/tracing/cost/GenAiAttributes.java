package io.goblinos.gateway.tracing.cost;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Arrays;
import java.util.List;

/**
 * Where the attributes {@code cost} reads and writes are in one span's attribute list, found in one pass: the
 * {@code gen_ai.*} inputs, the goblin id, and the {@code llm.*} keys it sets (a sender may have set them already).
 * Like {@code Otlp.find}, the first attribute of a key counts. Each attribute costs a hash probe, and a string
 * comparison only when the hash matches ({@link #slot}), instead of one scan of the list per key read or written.
 *
 * <p>One instance serves the spans of one {@code consume} call in turn ({@link #scan} resets it); not thread-safe.
 */
final class GenAiAttributes {
  static final int PROVIDER_NAME = 0;
  static final int SYSTEM = 1;
  static final int RESPONSE_MODEL = 2;
  static final int REQUEST_MODEL = 3;
  static final int INPUT_TOKENS = 4;
  static final int PROMPT_TOKENS = 5;
  static final int OUTPUT_TOKENS = 6;
  static final int COMPLETION_TOKENS = 7;
  static final int COST = 8;
  static final int LATENCY = 9;
  static final int TOKENS_TOTAL = 10;
  static final int UNKNOWN_MODEL = 11;
  static final int REPORTED = 12;
  static final int DISCREPANCY = 13;

  /** The key of each slot. */
  static final String[] KEYS = {
    "gen_ai.provider.name", "gen_ai.system", "gen_ai.response.model", "gen_ai.request.model",
    "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "gen_ai.usage.output_tokens",
    "gen_ai.usage.completion_tokens", "llm.cost", "llm.latency", "llm.tokens.total", "llm.cost.unknown_model",
    "llm.cost.reported", "llm.cost.discrepancy",
  };

  /**
   * The slots by their key's hash: an open-addressing table of {@value #TABLE} entries, {@code SLOT_HASHES[i]} the
   * hash of the key whose slot is {@code SLOT_AT[i] - 1} (0: empty). A span's attribute keys are mostly the decoder's
   * shared instances, whose {@code hashCode} is computed once and kept in the string: a key that is none of these
   * costs a field read and one table probe, and only a matching hash costs a string comparison.
   */
  private static final int TABLE = 64;
  private static final int[] SLOT_HASHES = new int[TABLE];
  private static final int[] SLOT_AT = new int[TABLE];

  static {
    for (int s = 0; s < KEYS.length; s++) {
      int h = KEYS[s].hashCode();
      int i = home(h);
      while (SLOT_AT[i] != 0) {
        i = (i + 1) & (TABLE - 1);
      }
      SLOT_HASHES[i] = h;
      SLOT_AT[i] = s + 1;
    }
  }

  private static int home(int hash) {
    return (hash * 0x9E3779B9) >>> 26; // the top 6 bits: TABLE = 64
  }

  private final String goblinKey;
  private final int goblinHash;
  private final int[] index = new int[KEYS.length];
  private List<KeyValue> attributes = List.of();
  private int goblinIndex = -1;

  /** @param goblinKey the attribute naming the goblin ({@code goblin_id_attribute}) */
  GenAiAttributes(String goblinKey) {
    this.goblinKey = goblinKey;
    this.goblinHash = goblinKey.hashCode();
  }

  /** The slot of {@code key}, or -1 when {@code cost} neither reads nor writes it. */
  static int slot(String key) {
    int h = key.hashCode();
    for (int i = home(h); SLOT_AT[i] != 0; i = (i + 1) & (TABLE - 1)) {
      if (SLOT_HASHES[i] == h && KEYS[SLOT_AT[i] - 1].equals(key)) {
        return SLOT_AT[i] - 1;
      }
    }
    return -1;
  }

  /** Finds the attributes of one span; the previous span's are forgotten. */
  void scan(List<KeyValue> attrs) {
    attributes = attrs;
    Arrays.fill(index, -1);
    goblinIndex = -1;
    for (int i = 0, n = attrs.size(); i < n; i++) {
      String key = attrs.get(i).getKey();
      int s = slot(key);
      if (s >= 0 && index[s] < 0) {
        index[s] = i;
      }
      if (goblinIndex < 0 && key.hashCode() == goblinHash && key.equals(goblinKey)) {
        goblinIndex = i;
      }
    }
  }

  /** The position of the first attribute of slot {@code s}'s key in the scanned list, or -1. */
  int indexOf(int s) {
    return index[s];
  }

  /** The value of the first attribute of slot {@code s}'s key, or null. */
  AnyValue value(int s) {
    int i = index[s];
    return i < 0 ? null : attributes.get(i).getValue();
  }

  /** The value of the goblin id attribute on the span, or null. */
  AnyValue goblinId() {
    return goblinIndex < 0 ? null : attributes.get(goblinIndex).getValue();
  }
}
