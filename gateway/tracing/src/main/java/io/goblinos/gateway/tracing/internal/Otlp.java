package io.goblinos.gateway.tracing.internal;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;
import java.util.List;

/** Small helpers over OTLP messages: attribute lookup, typed reads, ids as hex. Pure functions. */
public final class Otlp {
  private static final HexFormat HEX = HexFormat.of();

  private Otlp() {}

  /** The value of {@code key} in {@code attributes}, or null. */
  public static AnyValue find(List<KeyValue> attributes, String key) {
    // hash first: a decoded key is a shared instance that keeps its hash (LeanSpanDecoder), so most keys cost an int
    // comparison rather than a string comparison
    int h = key.hashCode();
    for (int i = 0, n = attributes.size(); i < n; i++) {
      KeyValue kv = attributes.get(i);
      String k = kv.getKey();
      if (k.hashCode() == h && k.equals(key)) {
        return kv.getValue();
      }
    }
    return null;
  }

  /** A string attribute of the span, else of the resource, else null. Non-string values are rendered as text. */
  public static String string(Span span, Resource resource, String key) {
    return orResource(asString(find(span.getAttributesList(), key)), resource, key);
  }

  /** {@code spanValue} (a span attribute's text, or null), else the resource's string attribute {@code key}. */
  public static String orResource(String spanValue, Resource resource, String key) {
    return spanValue != null || resource == null ? spanValue : asString(find(resource.getAttributesList(), key));
  }

  /** The value as text, or null when absent or empty-valued. */
  public static String asString(AnyValue v) {
    if (v == null) {
      return null;
    }
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      default -> null;
    };
  }

  /** The value as a number (int, double, or a numeric string), or NaN. */
  public static double asDouble(AnyValue v) {
    if (v == null) {
      return Double.NaN;
    }
    switch (v.getValueCase()) {
      case INT_VALUE:
        return v.getIntValue();
      case DOUBLE_VALUE:
        return v.getDoubleValue();
      case STRING_VALUE:
        try {
          return Double.parseDouble(v.getStringValue().trim());
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
      default:
        return Double.NaN;
    }
  }

  /** The value as a whole number (int, integral double, or numeric string), or -1 when absent or not a count. */
  public static long asCount(AnyValue v) {
    double d = asDouble(v);
    if (Double.isNaN(d) || d < 0 || d > Long.MAX_VALUE) {
      return -1;
    }
    return (long) d;
  }

  public static AnyValue stringValue(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  public static AnyValue intValue(long n) {
    return AnyValue.newBuilder().setIntValue(n).build();
  }

  public static AnyValue doubleValue(double d) {
    return AnyValue.newBuilder().setDoubleValue(d).build();
  }

  public static AnyValue boolValue(boolean b) {
    return AnyValue.newBuilder().setBoolValue(b).build();
  }

  /** Sets {@code key} on the span builder, replacing an existing value of that key. */
  public static void put(Span.Builder span, String key, AnyValue value) {
    for (int i = 0, n = span.getAttributesCount(); i < n; i++) {
      if (span.getAttributes(i).getKey().equals(key)) {
        span.setAttributes(i, KeyValue.newBuilder().setKey(key).setValue(value));
        return;
      }
    }
    span.addAttributes(KeyValue.newBuilder().setKey(key).setValue(value));
  }

  /** Lower-case hex of an id (trace or span). */
  public static String hex(ByteString id) {
    return HEX.formatHex(id.toByteArray());
  }

  /** The first 8 bytes of an id as a big-endian long (zero-padded when shorter). */
  public static long high(ByteString id) {
    return bytesToLong(id, 0);
  }

  /** Bytes 8..16 of an id as a big-endian long (zero-padded when shorter). */
  public static long low(ByteString id) {
    return bytesToLong(id, 8);
  }

  /** Span ids are 8 bytes: the id as a long (0 when empty, which means "no parent"). */
  public static long spanId(ByteString id) {
    return bytesToLong(id, 0);
  }

  private static long bytesToLong(ByteString id, int from) {
    if (id.size() >= from + 8) { // the usual case: one size check, not one per byte
      return (id.byteAt(from) & 0xffL) << 56 | (id.byteAt(from + 1) & 0xffL) << 48
          | (id.byteAt(from + 2) & 0xffL) << 40 | (id.byteAt(from + 3) & 0xffL) << 32
          | (id.byteAt(from + 4) & 0xffL) << 24 | (id.byteAt(from + 5) & 0xffL) << 16
          | (id.byteAt(from + 6) & 0xffL) << 8 | (id.byteAt(from + 7) & 0xffL);
    }
    long v = 0;
    for (int i = from; i < from + 8; i++) {
      v = (v << 8) | (i < id.size() ? id.byteAt(i) & 0xff : 0);
    }
    return v;
  }

  /** The 16-byte trace id of a (high, low) pair. */
  public static ByteString traceId(long high, long low) {
    byte[] b = new byte[16];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (high >>> (56 - 8 * i));
      b[8 + i] = (byte) (low >>> (56 - 8 * i));
    }
    return ByteString.copyFrom(b);
  }

  /** Murmur3's 64-bit finalizer: a cheap, well-mixing hash of a long. */
  public static long mix64(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
