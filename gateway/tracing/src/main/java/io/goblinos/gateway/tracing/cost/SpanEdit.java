package io.goblinos.gateway.tracing.cost;

import io.goblinos.gateway.api.signal.WireBytes;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;

/**
 * The attributes {@code cost} sets on one span, with {@code Otlp.put}'s meaning (a key already present is replaced
 * where it is, a new key is appended, in the order set), applied by building one new {@link Span}: the original
 * span's builder with the new attributes appended, never the request's builder tree.
 *
 * <p>When every key set was new, the new span is the original with KeyValues appended to its {@code attributes}
 * (field 9) and nothing else changed; {@link #applyTo} then declares it so ({@link WireBytes#declareAppended}), and a
 * later stage that stores spans as the bytes they were received as (tail sampling) writes the received bytes
 * followed by the added KeyValues instead of serializing the span again. A replaced key makes it an ordinary rebuilt
 * span: nothing is declared.
 */
final class SpanEdit {
  private final GenAiAttributes found;
  /** The KeyValues to append, in order; handed to WireBytes as is, so a new list per span. */
  private final List<KeyValue> added = new ArrayList<>(4);
  private int[] replacedAt;
  private KeyValue[] replacements;
  private int replaced;

  /** @param found the scanned attributes of the span this edit is for (where keys already are) */
  SpanEdit(GenAiAttributes found) {
    this.found = found;
  }

  /** Sets slot {@code slot}'s key to {@code value}. Each slot is set at most once per span. */
  void put(int slot, AnyValue value) {
    put(slot, KeyValue.newBuilder().setKey(GenAiAttributes.KEYS[slot]).setValue(value).build());
  }

  /** Sets {@code kv} (whose key is slot {@code slot}'s). Each slot is set at most once per span. */
  void put(int slot, KeyValue kv) {
    int at = found.indexOf(slot);
    if (at < 0) {
      added.add(kv);
      return;
    }
    if (replacedAt == null) {
      replacedAt = new int[GenAiAttributes.KEYS.length];
      replacements = new KeyValue[GenAiAttributes.KEYS.length];
    }
    replacedAt[replaced] = at;
    replacements[replaced++] = kv;
  }

  /**
   * {@code span} with these attributes set, a new object. When no key was replaced and {@code wire} is not null, it is
   * declared to {@code wire} as {@code span} with the new KeyValues appended.
   */
  Span applyTo(Span span, WireBytes wire) {
    if (replaced == 0) {
      Span rebuilt = span.toBuilder().addAllAttributes(added).build();
      if (wire != null && !added.isEmpty()) {
        wire.declareAppended(rebuilt, span, Span.ATTRIBUTES_FIELD_NUMBER, added);
      }
      return rebuilt;
    }
    Span.Builder b = span.toBuilder();
    for (int i = 0; i < replaced; i++) {
      b.setAttributes(replacedAt[i], replacements[i]);
    }
    return b.addAllAttributes(added).build();
  }
}
