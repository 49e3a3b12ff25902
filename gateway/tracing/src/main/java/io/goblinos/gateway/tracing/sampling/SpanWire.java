package io.goblinos.gateway.tracing.sampling;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.goblinos.gateway.api.signal.WireBytes;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where each span of a request sits in the protobuf bytes it was parsed from, so that a span still unchanged can be
 * stored by copying its bytes instead of serializing it again (for spans whose strings protobuf decoded eagerly,
 * serializing means encoding every string to UTF-8 once more).
 *
 * <p>The bytes are walked as the OTLP wire format: the i-th {@code resource_spans} (field 1) of the request, the j-th
 * {@code scope_spans} (field 2) of that, the k-th {@code spans} (field 2) of that — repeated message fields keep
 * their order when parsed. A span gets a range only when the request being consumed has the same shape as the parsed
 * one and holds the very span object parsed from those bytes; anything else (a rebuilt span, bytes that do not walk
 * cleanly, another shape) gets none and is serialized as before. One kind of rebuilt span keeps its range: one that a
 * processor declared ({@link WireBytes#declareAppended}) to be the parsed span with messages appended to a repeated
 * field — {@code cost} adding its attributes. Its encoding is the received bytes followed by those messages encoded as
 * that field ({@link #extra}), which parses back to the rebuilt span.
 */
final class SpanWire {
  private final byte[] bytes;
  /** Per span of the consumed request, flattened in order: offset << 32 | length, or -1. */
  private final long[] ranges;
  /** Per span, the encoded fields appended to its received bytes, or null (none at all: null array). */
  private final byte[][] extras;

  private SpanWire(byte[] bytes, long[] ranges, byte[][] extras) {
    this.bytes = bytes;
    this.ranges = ranges;
    this.extras = extras;
  }

  byte[] bytes() {
    return bytes;
  }

  /** The span's range (offset << 32 | length) for flattened span index {@code k}, or -1. */
  long range(int k) {
    return ranges[k];
  }

  /** The bytes to write after span {@code k}'s range (fields a processor appended), or null. */
  byte[] extra(int k) {
    return extras == null ? null : extras[k];
  }

  /**
   * The ranges of {@code request}'s spans (flattened: resource by resource, scope by scope) in {@code wire}, or null
   * when there is nothing to use. {@code spanCount} is the number of spans in {@code request}.
   */
  static SpanWire locate(WireBytes wire, ExportTraceServiceRequest request, int spanCount) {
    if (wire == null || !(wire.parsed() instanceof ExportTraceServiceRequest parsed)
        || request.getResourceSpansCount() != parsed.getResourceSpansCount()) {
      return null;
    }
    // where the decoder found the parsed spans (flattened), or else a walk of the bytes
    long[] found = wire.spanRanges();
    if (found == null && (found = flatten(walk(wire.bytes()), parsed)) == null) {
      return null;
    }
    long[] ranges = new long[spanCount];
    byte[][] extras = null;
    int k = 0;
    boolean any = false;
    for (int i = 0; i < request.getResourceSpansCount(); i++) {
      ResourceSpans rs = request.getResourceSpans(i);
      ResourceSpans parsedRs = parsed.getResourceSpans(i);
      if (rs.getScopeSpansCount() != parsedRs.getScopeSpansCount()) {
        return null;
      }
      for (int j = 0; j < rs.getScopeSpansCount(); j++) {
        ScopeSpans ss = rs.getScopeSpans(j);
        ScopeSpans parsedSs = parsedRs.getScopeSpans(j);
        if (ss.getSpansCount() != parsedSs.getSpansCount() || k + ss.getSpansCount() > found.length
            || k + ss.getSpansCount() > spanCount) {
          return null;
        }
        for (int s = 0; s < ss.getSpansCount(); s++) {
          Span span = ss.getSpans(s);
          Span parsedSpan = parsedSs.getSpans(s);
          if (span == parsedSpan) {
            ranges[k] = found[k];
            any = true;
          } else {
            WireBytes.Appended appended = wire.appendedTo(span);
            if (appended != null && appended.original() == parsedSpan) {
              if (extras == null) {
                extras = new byte[spanCount][];
              }
              extras[k] = encode(appended);
              ranges[k] = found[k];
              any = true;
            } else {
              ranges[k] = -1;
            }
          }
          k++;
        }
      }
    }
    return any && k == spanCount && k == found.length ? new SpanWire(wire.bytes(), ranges, extras) : null;
  }

  /** The walked ranges in one array, when they have the parsed request's shape; else null. */
  private static long[] flatten(List<List<long[]>> walked, ExportTraceServiceRequest parsed) {
    if (walked == null || walked.size() != parsed.getResourceSpansCount()) {
      return null;
    }
    int n = 0;
    for (int i = 0; i < walked.size(); i++) {
      List<long[]> scopes = walked.get(i);
      ResourceSpans rs = parsed.getResourceSpans(i);
      if (scopes.size() != rs.getScopeSpansCount()) {
        return null;
      }
      for (int j = 0; j < scopes.size(); j++) {
        if (scopes.get(j).length != rs.getScopeSpans(j).getSpansCount()) {
          return null;
        }
        n += scopes.get(j).length;
      }
    }
    long[] flat = new long[n];
    int k = 0;
    for (List<long[]> scopes : walked) {
      for (long[] spans : scopes) {
        System.arraycopy(spans, 0, flat, k, spans.length);
        k += spans.length;
      }
    }
    return flat;
  }

  /**
   * The appended messages, each encoded as one occurrence of the (length-delimited) repeated field, as protobuf-java
   * encodes them. The attributes {@code cost} appends (a constant key, a double, int or bool value) are written
   * directly ({@link #writeScalarAttribute}); anything else through protobuf-java.
   */
  static byte[] encode(WireBytes.Appended appended) {
    int size = 0;
    for (Message m : appended.added()) {
      int scalar = scalarAttributeSize(m);
      size += scalar >= 0 ? CodedOutputStream.computeTagSize(appended.fieldNumber())
          + CodedOutputStream.computeUInt32SizeNoTag(scalar) + scalar
          : CodedOutputStream.computeMessageSize(appended.fieldNumber(), m);
    }
    byte[] out = new byte[size];
    int at = 0;
    CodedOutputStream o = null;
    try {
      for (Message m : appended.added()) {
        int scalar = scalarAttributeSize(m);
        if (scalar >= 0) {
          at = writeVarint(out, at, appended.fieldNumber() << 3 | 2);
          at = writeVarint(out, at, scalar);
          at = writeScalarAttribute(out, at, (KeyValue) m);
        } else {
          if (o == null) {
            o = CodedOutputStream.newInstance(out, at, size - at);
          }
          int before = o.getTotalBytesWritten();
          o.writeMessage(appended.fieldNumber(), m);
          o.flush();
          at += o.getTotalBytesWritten() - before;
          o = null; // the next message may be written directly: a new stream from there if needed
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (at != size) {
      throw new IllegalStateException("encoded " + at + " of " + size + " bytes"); // a bug
    }
    return out;
  }

  /** Encoded keys (tag, length, UTF-8) of attributes written directly: the few constant keys {@code cost} adds. */
  private static final java.util.concurrent.ConcurrentHashMap<String, byte[]> KEY_FIELDS =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_KEY_FIELDS = 64;

  /**
   * The encoded size of {@code m} when it is a KeyValue with a non-empty key of at most 64 chars and a double, int or
   * bool value (what {@link #writeScalarAttribute} writes); else -1.
   */
  private static int scalarAttributeSize(Message m) {
    if (!(m instanceof KeyValue kv) || !kv.getUnknownFields().asMap().isEmpty()) {
      return -1;
    }
    AnyValue v = kv.getValue();
    int value = switch (v.getValueCase()) {
      case DOUBLE_VALUE -> 1 + 8;
      case INT_VALUE -> 1 + CodedOutputStream.computeInt64SizeNoTag(v.getIntValue());
      case BOOL_VALUE -> 1 + 1;
      default -> -1;
    };
    if (value < 0 || !v.getUnknownFields().asMap().isEmpty()) {
      return -1;
    }
    byte[] key = keyField(kv.getKey());
    return key == null ? -1 : key.length + 1 + 1 + value; // the key, then the value field (tag, length < 128, value)
  }

  private static byte[] keyField(String key) {
    byte[] field = KEY_FIELDS.get(key);
    if (field != null || key.isEmpty() || key.length() > 64) {
      return field;
    }
    byte[] utf8 = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    field = new byte[1 + CodedOutputStream.computeUInt32SizeNoTag(utf8.length) + utf8.length];
    int at = writeVarint(field, 0, 1 << 3 | 2);
    at = writeVarint(field, at, utf8.length);
    System.arraycopy(utf8, 0, field, at, utf8.length);
    if (KEY_FIELDS.size() < MAX_KEY_FIELDS) {
      KEY_FIELDS.putIfAbsent(key, field);
    }
    return field;
  }

  /** Writes the body of a KeyValue that {@link #scalarAttributeSize} accepted: key (field 1), value (field 2). */
  private static int writeScalarAttribute(byte[] out, int at, KeyValue kv) {
    byte[] key = keyField(kv.getKey());
    System.arraycopy(key, 0, out, at, key.length);
    at += key.length;
    AnyValue v = kv.getValue();
    out[at++] = 2 << 3 | 2;
    switch (v.getValueCase()) {
      case DOUBLE_VALUE -> {
        out[at++] = 9;
        out[at++] = 4 << 3 | 1;
        long bits = Double.doubleToRawLongBits(v.getDoubleValue());
        for (int i = 0; i < 8; i++) {
          out[at++] = (byte) (bits >>> (8 * i));
        }
      }
      case INT_VALUE -> {
        long n = v.getIntValue();
        out[at++] = (byte) (1 + CodedOutputStream.computeInt64SizeNoTag(n));
        out[at++] = 3 << 3;
        at = writeVarint64(out, at, n);
      }
      case BOOL_VALUE -> {
        out[at++] = 2;
        out[at++] = 2 << 3;
        out[at++] = (byte) (v.getBoolValue() ? 1 : 0);
      }
      default -> throw new IllegalStateException("not a scalar attribute"); // scalarAttributeSize said it was
    }
    return at;
  }

  private static int writeVarint(byte[] out, int at, int v) {
    return writeVarint64(out, at, v & 0xFFFFFFFFL);
  }

  private static int writeVarint64(byte[] out, int at, long v) {
    while ((v & ~0x7FL) != 0) {
      out[at++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out[at++] = (byte) v;
    return at;
  }

  /** Per resource_spans, per scope_spans, the spans' ranges; null when the bytes do not walk cleanly. */
  static List<List<long[]>> walk(byte[] b) {
    try {
      List<List<long[]>> resources = new ArrayList<>();
      Reader top = new Reader(b, 0, b.length);
      while (top.more()) {
        int tag = top.varint();
        if (tag == (1 << 3 | 2)) {
          int len = top.varint();
          resources.add(scopes(b, top.at, top.at + len));
          top.skipBytes(len);
        } else if (!top.skip(tag)) {
          return null;
        }
      }
      return resources;
    } catch (IndexOutOfBoundsException | IllegalStateException e) {
      return null;
    }
  }

  private static List<long[]> scopes(byte[] b, int from, int to) {
    List<long[]> scopes = new ArrayList<>();
    Reader r = new Reader(b, from, to);
    while (r.more()) {
      int tag = r.varint();
      if (tag == (2 << 3 | 2)) {
        int len = r.varint();
        scopes.add(spans(b, r.at, r.at + len));
        r.skipBytes(len);
      } else if (!r.skip(tag)) {
        throw new IllegalStateException("unexpected wire type in ResourceSpans");
      }
    }
    return scopes;
  }

  private static long[] spans(byte[] b, int from, int to) {
    long[] spans = new long[8];
    int n = 0;
    Reader r = new Reader(b, from, to);
    while (r.more()) {
      int tag = r.varint();
      if (tag == (2 << 3 | 2)) {
        int len = r.varint();
        if (n == spans.length) {
          spans = Arrays.copyOf(spans, n * 2);
        }
        spans[n++] = ((long) r.at << 32) | len;
        r.skipBytes(len);
      } else if (!r.skip(tag)) {
        throw new IllegalStateException("unexpected wire type in ScopeSpans");
      }
    }
    return Arrays.copyOf(spans, n);
  }

  /** A bounded cursor over protobuf wire data. */
  private static final class Reader {
    final byte[] b;
    final int end;
    int at;

    Reader(byte[] b, int from, int to) {
      if (from < 0 || to > b.length || from > to) {
        throw new IllegalStateException("length out of bounds");
      }
      this.b = b;
      this.at = from;
      this.end = to;
    }

    boolean more() {
      return at < end;
    }

    int varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (at >= end) {
          throw new IllegalStateException("truncated varint");
        }
        byte x = b[at++];
        v |= (long) (x & 0x7F) << shift;
        if (x >= 0) {
          if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalStateException("varint out of int range");
          }
          return (int) v;
        }
      }
      throw new IllegalStateException("malformed varint");
    }

    void skipBytes(int n) {
      if (n < 0 || n > end - at) {
        throw new IllegalStateException("length out of bounds");
      }
      at += n;
    }

    /** Skips the value of a field with {@code tag}; false for groups and unknown wire types. */
    boolean skip(int tag) {
      switch (tag & 7) {
        case 0 -> {
          while (true) {
            if (at >= end) {
              throw new IllegalStateException("truncated varint");
            }
            if (b[at++] >= 0) {
              break;
            }
          }
        }
        case 1 -> skipBytes(8);
        case 2 -> skipBytes(varint());
        case 5 -> skipBytes(4);
        default -> {
          return false;
        }
      }
      return true;
    }
  }
}
