package io.goblinos.gateway.otlp;

import io.goblinos.gateway.text.Escapes;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Base64;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * OTLP attribute values ({@link AnyValue}) as text, for exporters whose backends take strings (Prometheus labels,
 * Loki labels and structured metadata). How doubles are written is the caller's ({@code doubles}).
 */
public final class AttributeValues {
  private AttributeValues() {}

  /** An attribute value as text: strings as they are, scalars printed, arrays and maps as JSON, bytes base64; unset: "". */
  public static String text(AnyValue v, DoubleFunction<String> doubles) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> doubles.apply(v.getDoubleValue());
      case BYTES_VALUE -> base64(v);
      case ARRAY_VALUE, KVLIST_VALUE -> json(v, doubles);
      default -> "";
    };
  }

  /** A value as JSON (see {@link #appendJson}). */
  public static String json(AnyValue v, DoubleFunction<String> doubles) {
    StringBuilder b = new StringBuilder();
    appendJson(b, v, doubles);
    return b.toString();
  }

  /**
   * Appends a value as JSON: strings, booleans and integers as such, finite doubles as numbers and the others as
   * strings, bytes as base64 strings, arrays as arrays, key-value lists as objects (in order), unset as null.
   */
  public static void appendJson(StringBuilder b, AnyValue v, DoubleFunction<String> doubles) {
    switch (v.getValueCase()) {
      case STRING_VALUE -> Escapes.json(b, v.getStringValue());
      case BOOL_VALUE -> b.append(v.getBoolValue());
      case INT_VALUE -> b.append(v.getIntValue());
      case DOUBLE_VALUE -> {
        double d = v.getDoubleValue();
        if (Double.isFinite(d)) {
          b.append(doubles.apply(d));
        } else {
          Escapes.json(b, doubles.apply(d));
        }
      }
      case BYTES_VALUE -> Escapes.json(b, base64(v));
      case ARRAY_VALUE -> {
        b.append('[');
        List<AnyValue> values = v.getArrayValue().getValuesList();
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) {
            b.append(',');
          }
          appendJson(b, values.get(i), doubles);
        }
        b.append(']');
      }
      case KVLIST_VALUE -> {
        b.append('{');
        List<KeyValue> kvs = v.getKvlistValue().getValuesList();
        for (int i = 0; i < kvs.size(); i++) {
          if (i > 0) {
            b.append(',');
          }
          Escapes.json(b, kvs.get(i).getKey());
          b.append(':');
          appendJson(b, kvs.get(i).getValue(), doubles);
        }
        b.append('}');
      }
      default -> b.append("null");
    }
  }

  private static String base64(AnyValue v) {
    return Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
  }
}
