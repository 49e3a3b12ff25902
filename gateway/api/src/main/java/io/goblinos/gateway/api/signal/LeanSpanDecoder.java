package io.goblinos.gateway.api.signal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes OTLP trace messages into the same protobuf-java objects as their parsers, with fewer objects on the way:
 * protobuf-java 4 parses every nested message (each attribute's {@code KeyValue} and {@code AnyValue}) through a
 * builder, a field builder and a parent handle, about ten objects per attribute of which four survive; this decoder
 * reads the wire format itself and sets each message's fields on a plain builder (a new one: clearing a used
 * protobuf-java builder costs more than making one), so an attribute costs its value string, its {@code AnyValue},
 * its {@code KeyValue} and their two builders. Its key is the instance decoded the first time (see {@link StringCache}):
 * no allocation, and a hash already computed for whoever looks it up. (Values are not remembered: the lookup's memory
 * traffic costs more than allocating a short string.)
 *
 * <p>The result equals what {@code parser().parseFrom} returns for the same bytes ({@code equals}), because this
 * decoder reads only the common shape and hands anything else to protobuf-java: a span (or resource, scope,
 * attribute value) with an unknown field, a field with an unexpected wire type, a singular message field given twice
 * (protobuf merges those), or a string with a byte outside ASCII (protobuf validates UTF-8) is parsed by protobuf-java
 * from its own bytes. Events, links and status are always parsed by protobuf-java, and so are values nested more than
 * {@value #MAX_VALUE_DEPTH} arrays or key-value lists deep.
 * Malformed input fails as protobuf-java fails on it: the fallback parses the whole request again and throws its
 * exception.
 *
 * <p>Not thread-safe (a scratch list and the key cache are reused): one instance per thread, or
 * {@link #forThisThread()}.
 */
public final class LeanSpanDecoder {
  private static final ThreadLocal<LeanSpanDecoder> PER_THREAD = ThreadLocal.withInitial(LeanSpanDecoder::new);

  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LENGTH_DELIMITED = 2;
  private static final int FIXED32 = 5;

  private final List<KeyValue> attributes = new ArrayList<>();
  /**
   * Attribute keys decoded before: a key seen again is the same String instance, not a new one. Keys repeat across
   * spans (a few dozen distinct ones), so most attributes allocate no key, a key held later (a span kept by
   * tail_sampling) holds no copy of it, and its hash is computed once, for the maps that look it up.
   */
  private final StringCache keys = new StringCache(KEY_SLOTS);
  static final int KEY_SLOTS = 512;
  /** Inputs handed to protobuf-java (the uncommon shape or malformed bytes); for tests. */
  long fallbacks;
  /** The span ranges of the request being decoded, flattened (see {@link #lastSpanRanges}); reused. */
  private long[] ranges = new long[128];
  private int rangeCount;
  private long[] lastRanges;

  /** This thread's decoder. */
  public static LeanSpanDecoder forThisThread() {
    return PER_THREAD.get();
  }

  /** Thrown inside the decoder when the bytes leave the common shape; the caller falls back to protobuf-java. */
  private static final class NotCommon extends Exception {
    static final NotCommon INSTANCE = new NotCommon();

    private NotCommon() {
      super(null, null, false, false);
    }
  }

  /** The request in {@code bytes}, equal to {@code ExportTraceServiceRequest.parseFrom(bytes)}. */
  public ExportTraceServiceRequest request(byte[] bytes, int offset, int length) throws InvalidProtocolBufferException {
    lastRanges = null;
    rangeCount = 0;
    try {
      ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
      Reader r = new Reader(bytes, offset, offset + length);
      while (r.more()) {
        int tag = r.tag();
        if (tag != (1 << 3 | LENGTH_DELIMITED)) {
          throw NotCommon.INSTANCE;
        }
        int len = r.length();
        request.addResourceSpans(resourceSpans(bytes, r.at, r.at + len));
        r.at += len;
      }
      ExportTraceServiceRequest built = request.build();
      lastRanges = Arrays.copyOf(ranges, rangeCount);
      return built;
    } catch (NotCommon | RuntimeException e) {
      // the uncommon shape, or malformed bytes (protobuf-java then throws its own exception for them)
      fallbacks++;
      return ExportTraceServiceRequest.parser().parseFrom(bytes, offset, length);
    }
  }

  /**
   * Where the spans of the request {@link #request} decoded last on this decoder sit in its bytes: per span, flattened
   * in order (resource by resource, scope by scope), {@code offset << 32 | length}, the offset counted from the start
   * of the array. A new array per request; null when that request went to protobuf-java (or none was decoded). Lets a
   * consumer that copies spans' bytes skip walking the request again (see {@link WireBytes#spanRanges}).
   */
  public long[] lastSpanRanges() {
    return lastRanges;
  }

  /** The span in {@code bytes[offset, offset + length)}, equal to {@code Span.parseFrom} of those bytes. */
  public Span span(byte[] bytes, int offset, int length) throws InvalidProtocolBufferException {
    try {
      return decodeSpan(bytes, offset, offset + length);
    } catch (NotCommon | RuntimeException e) {
      fallbacks++;
      return Span.parser().parseFrom(bytes, offset, length);
    }
  }

  private ResourceSpans resourceSpans(byte[] b, int from, int to) throws NotCommon {
    ResourceSpans.Builder rs = ResourceSpans.newBuilder();
    boolean resourceSeen = false;
    Reader r = new Reader(b, from, to);
    while (r.more()) {
      int tag = r.tag();
      switch (tag) {
        case 1 << 3 | LENGTH_DELIMITED -> {
          if (resourceSeen) {
            throw NotCommon.INSTANCE; // protobuf merges a repeated singular message
          }
          resourceSeen = true;
          int len = r.length();
          rs.setResource(resource(b, r.at, r.at + len));
          r.at += len;
        }
        case 2 << 3 | LENGTH_DELIMITED -> {
          int len = r.length();
          rs.addScopeSpans(scopeSpans(b, r.at, r.at + len));
          r.at += len;
        }
        case 3 << 3 | LENGTH_DELIMITED -> rs.setSchemaUrl(r.string());
        default -> throw NotCommon.INSTANCE;
      }
    }
    return rs.build();
  }

  private Resource resource(byte[] b, int from, int to) throws NotCommon {
    Resource.Builder res = Resource.newBuilder();
    List<KeyValue> attrs = new ArrayList<>();
    Reader r = new Reader(b, from, to);
    while (r.more()) {
      int tag = r.tag();
      switch (tag) {
        case 1 << 3 | LENGTH_DELIMITED -> attrs.add(nextKeyValue(r));
        case 2 << 3 | VARINT -> res.setDroppedAttributesCount((int) r.varint());
        default -> throw NotCommon.INSTANCE; // e.g. entity_refs: protobuf-java reads it
      }
    }
    return res.addAllAttributes(attrs).build();
  }

  private ScopeSpans scopeSpans(byte[] b, int from, int to) throws NotCommon {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    List<Span> spans = new ArrayList<>();
    boolean scopeSeen = false;
    Reader r = new Reader(b, from, to);
    while (r.more()) {
      int tag = r.tag();
      switch (tag) {
        case 1 << 3 | LENGTH_DELIMITED -> {
          if (scopeSeen) {
            throw NotCommon.INSTANCE;
          }
          scopeSeen = true;
          int len = r.length();
          ss.setScope(scope(b, r.at, r.at + len));
          r.at += len;
        }
        case 2 << 3 | LENGTH_DELIMITED -> {
          int len = r.length();
          if (rangeCount == ranges.length) {
            ranges = Arrays.copyOf(ranges, rangeCount * 2);
          }
          ranges[rangeCount++] = (long) r.at << 32 | len;
          spans.add(decodeSpan(b, r.at, r.at + len));
          r.at += len;
        }
        case 3 << 3 | LENGTH_DELIMITED -> ss.setSchemaUrl(r.string());
        default -> throw NotCommon.INSTANCE;
      }
    }
    return ss.addAllSpans(spans).build();
  }

  private InstrumentationScope scope(byte[] b, int from, int to) throws NotCommon {
    InstrumentationScope.Builder scope = InstrumentationScope.newBuilder();
    List<KeyValue> attrs = null;
    Reader r = new Reader(b, from, to);
    while (r.more()) {
      int tag = r.tag();
      switch (tag) {
        case 1 << 3 | LENGTH_DELIMITED -> scope.setName(r.string());
        case 2 << 3 | LENGTH_DELIMITED -> scope.setVersion(r.string());
        case 3 << 3 | LENGTH_DELIMITED -> {
          if (attrs == null) {
            attrs = new ArrayList<>();
          }
          attrs.add(nextKeyValue(r));
        }
        case 4 << 3 | VARINT -> scope.setDroppedAttributesCount((int) r.varint());
        default -> throw NotCommon.INSTANCE;
      }
    }
    if (attrs != null) {
      scope.addAllAttributes(attrs);
    }
    return scope.build();
  }

  /** One span (a NotCommon makes the caller fall back: for this span alone, or for the whole request). */
  private Span decodeSpan(byte[] b, int from, int to) throws NotCommon {
    Span.Builder s = Span.newBuilder();
    List<KeyValue> attrs = attributes;
    attrs.clear();
    boolean statusSeen = false;
    Reader r = new Reader(b, from, to);
    while (r.more()) {
      int tag = r.tag();
      switch (tag) {
        case 1 << 3 | LENGTH_DELIMITED -> s.setTraceId(r.bytes());
        case 2 << 3 | LENGTH_DELIMITED -> s.setSpanId(r.bytes());
        case 3 << 3 | LENGTH_DELIMITED -> s.setTraceState(r.string());
        case 4 << 3 | LENGTH_DELIMITED -> s.setParentSpanId(r.bytes());
        case 16 << 3 | FIXED32 -> s.setFlags(r.fixed32());
        case 5 << 3 | LENGTH_DELIMITED -> s.setName(r.string());
        case 6 << 3 | VARINT -> s.setKindValue((int) r.varint());
        case 7 << 3 | FIXED64 -> s.setStartTimeUnixNano(r.fixed64());
        case 8 << 3 | FIXED64 -> s.setEndTimeUnixNano(r.fixed64());
        case 9 << 3 | LENGTH_DELIMITED -> attrs.add(nextKeyValue(r));
        case 10 << 3 | VARINT -> s.setDroppedAttributesCount((int) r.varint());
        case 11 << 3 | LENGTH_DELIMITED -> s.addEvents(r.message(Span.Event.parser()));
        case 12 << 3 | VARINT -> s.setDroppedEventsCount((int) r.varint());
        case 13 << 3 | LENGTH_DELIMITED -> s.addLinks(r.message(Span.Link.parser()));
        case 14 << 3 | VARINT -> s.setDroppedLinksCount((int) r.varint());
        case 15 << 3 | LENGTH_DELIMITED -> {
          if (statusSeen) {
            throw NotCommon.INSTANCE;
          }
          statusSeen = true;
          s.setStatus(r.message(Status.parser()));
        }
        default -> throw NotCommon.INSTANCE;
      }
    }
    if (!attrs.isEmpty()) {
      s.addAllAttributes(attrs);
    }
    return s.build();
  }

  /** The length-delimited KeyValue at {@code r}'s position; {@code r} moves past it. */
  private KeyValue nextKeyValue(Reader r) throws NotCommon {
    int len = r.length();
    KeyValue kv = keyValue(r.b, r.at, r.at + len, 0);
    r.at += len;
    return kv;
  }

  /** A KeyValue at {@code depth} values inside the outermost attribute (0 for an attribute itself). */
  private KeyValue keyValue(byte[] b, int from, int to, int depth) throws NotCommon {
    String key = "";
    AnyValue value = null;
    Reader r = new Reader(b, from, to);
    while (r.more()) {
      int tag = r.tag();
      switch (tag) {
        case 1 << 3 | LENGTH_DELIMITED -> key = r.string(keys);
        case 2 << 3 | LENGTH_DELIMITED -> {
          if (value != null) {
            throw NotCommon.INSTANCE;
          }
          int len = r.length();
          value = anyValue(b, r.at, r.at + len, depth);
          r.at += len;
        }
        default -> throw NotCommon.INSTANCE;
      }
    }
    KeyValue.Builder kv = KeyValue.newBuilder().setKey(key);
    if (value != null) {
      kv.setValue(value);
    }
    return kv.build();
  }

  /**
   * An AnyValue; arrays and key-value lists nest up to {@value #MAX_VALUE_DEPTH} deep (deeper ones go to protobuf-java,
   * which has its own recursion limit), so hostile nesting cannot exhaust the stack.
   */
  private AnyValue anyValue(byte[] b, int from, int to, int depth) throws NotCommon {
    AnyValue.Builder v = AnyValue.newBuilder();
    boolean messageSeen = false;
    Reader r = new Reader(b, from, to);
    while (r.more()) {
      int tag = r.tag();
      switch (tag) {
        case 1 << 3 | LENGTH_DELIMITED -> v.setStringValue(r.string());
        case 2 << 3 | VARINT -> v.setBoolValue(r.varint() != 0);
        case 3 << 3 | VARINT -> v.setIntValue(r.varint());
        case 4 << 3 | FIXED64 -> v.setDoubleValue(Double.longBitsToDouble(r.fixed64()));
        case 5 << 3 | LENGTH_DELIMITED -> {
          if (messageSeen || depth >= MAX_VALUE_DEPTH) {
            throw NotCommon.INSTANCE; // a message member given twice (or after another): protobuf merges
          }
          messageSeen = true;
          int len = r.length();
          v.setArrayValue(arrayValue(b, r.at, r.at + len, depth + 1));
          r.at += len;
        }
        case 6 << 3 | LENGTH_DELIMITED -> {
          if (messageSeen || depth >= MAX_VALUE_DEPTH) {
            throw NotCommon.INSTANCE;
          }
          messageSeen = true;
          int len = r.length();
          v.setKvlistValue(keyValueList(b, r.at, r.at + len, depth + 1));
          r.at += len;
        }
        case 7 << 3 | LENGTH_DELIMITED -> v.setBytesValue(r.bytes());
        default -> throw NotCommon.INSTANCE;
      }
    }
    return v.build();
  }

  private static final int MAX_VALUE_DEPTH = 8;

  private ArrayValue arrayValue(byte[] b, int from, int to, int depth) throws NotCommon {
    return ArrayValue.newBuilder().addAllValues(repeated(b, from, to, depth, anyValues)).build();
  }

  private KeyValueList keyValueList(byte[] b, int from, int to, int depth) throws NotCommon {
    return KeyValueList.newBuilder().addAllValues(repeated(b, from, to, depth, keyValues)).build();
  }

  /** Decodes one element of a repeated message field from {@code b[from, to)}. */
  private interface Element<T> {
    T decode(byte[] b, int from, int to, int depth) throws NotCommon;
  }

  private final Element<AnyValue> anyValues = this::anyValue;
  private final Element<KeyValue> keyValues = this::keyValue;

  /** The elements of a message whose only field is repeated message field 1 (ArrayValue, KeyValueList). */
  private static <T> List<T> repeated(byte[] b, int from, int to, int depth, Element<T> element) throws NotCommon {
    List<T> values = new ArrayList<>();
    Reader r = new Reader(b, from, to);
    while (r.more()) {
      if (r.tag() != (1 << 3 | LENGTH_DELIMITED)) {
        throw NotCommon.INSTANCE;
      }
      int len = r.length();
      values.add(element.decode(b, r.at, r.at + len, depth));
      r.at += len;
    }
    return values;
  }

  /** A bounded cursor over protobuf wire data; any inconsistency is a NotCommon (the fallback reports it). */
  private static final class Reader {
    final byte[] b;
    final int end;
    int at;

    Reader(byte[] b, int from, int to) throws NotCommon {
      if (from < 0 || to > b.length || from > to) {
        throw NotCommon.INSTANCE;
      }
      this.b = b;
      this.at = from;
      this.end = to;
    }

    boolean more() {
      return at < end;
    }

    int tag() throws NotCommon {
      long t = varint();
      if (t <= 0 || t > Integer.MAX_VALUE) {
        throw NotCommon.INSTANCE;
      }
      return (int) t;
    }

    long varint() throws NotCommon {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (at >= end) {
          throw NotCommon.INSTANCE;
        }
        byte x = b[at++];
        v |= (long) (x & 0x7f) << shift;
        if (x >= 0) {
          return v;
        }
      }
      throw NotCommon.INSTANCE;
    }

    int length() throws NotCommon {
      long n = varint();
      if (n < 0 || n > end - at) {
        throw NotCommon.INSTANCE;
      }
      return (int) n;
    }

    int fixed32() throws NotCommon {
      if (end - at < 4) {
        throw NotCommon.INSTANCE;
      }
      int v = (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
      at += 4;
      return v;
    }

    long fixed64() throws NotCommon {
      if (end - at < 8) {
        throw NotCommon.INSTANCE;
      }
      long v = 0;
      for (int i = 7; i >= 0; i--) {
        v = v << 8 | (b[at + i] & 0xff);
      }
      at += 8;
      return v;
    }

    /**
     * A nested message that protobuf-java parses (events, links, status); one it rejects is a NotCommon too, and the
     * fallback reports it.
     */
    <M> M message(com.google.protobuf.Parser<M> parser) throws NotCommon {
      int len = length();
      try {
        M m = parser.parseFrom(b, at, len);
        at += len;
        return m;
      } catch (InvalidProtocolBufferException e) {
        throw NotCommon.INSTANCE;
      }
    }

    ByteString bytes() throws NotCommon {
      int len = length();
      ByteString s = len == 0 ? ByteString.EMPTY : ByteString.copyFrom(b, at, len);
      at += len;
      return s;
    }

    /** An ASCII string (a byte outside ASCII is left to protobuf-java, which validates UTF-8). */
    String string() throws NotCommon {
      int len = length();
      int from = at;
      if (!isAscii(b, from, len)) {
        throw NotCommon.INSTANCE;
      }
      at = from + len;
      return len == 0 ? "" : new String(b, from, len, StandardCharsets.ISO_8859_1);
    }

    /** {@link #string()}, as the instance {@code cache} holds for these bytes when it holds one. */
    String string(StringCache cache) throws NotCommon {
      int len = length();
      String s = cache.string(b, at, len);
      at += len;
      return s;
    }
  }

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  /** Whether {@code b[from, from + len)} is ASCII: eight bytes at a time. */
  static boolean isAscii(byte[] b, int from, int len) {
    int stop = from + len;
    long or = 0;
    int i = from;
    for (; i + 8 <= stop; i += 8) {
      or |= (long) LONGS.get(b, i);
    }
    for (; i < stop; i++) {
      or |= b[i];
    }
    return (or & HIGH_BITS) == 0;
  }

  /**
   * Strings decoded before, direct-mapped by a hash of their bytes: the same bytes again give the same instance. Only
   * strings of up to {@value #MAX_LENGTH} bytes are remembered; every string is checked to be ASCII (else a
   * NotCommon: protobuf-java validates UTF-8). Bounded: {@code slots} strings and their bytes.
   */
  static final class StringCache {
    static final int MAX_LENGTH = 64;
    private final String[] strings;
    private final byte[][] bytes;
    private final int mask;

    StringCache(int slots) {
      if (Integer.bitCount(slots) != 1) {
        throw new IllegalArgumentException("slots must be a power of two: " + slots);
      }
      strings = new String[slots];
      bytes = new byte[slots][];
      mask = slots - 1;
    }

    String string(byte[] b, int from, int len) throws NotCommon {
      if (len == 0) {
        return "";
      }
      if (len > MAX_LENGTH) {
        if (!isAscii(b, from, len)) {
          throw NotCommon.INSTANCE;
        }
        return new String(b, from, len, StandardCharsets.ISO_8859_1);
      }
      // the ASCII check and the hash in one pass, eight bytes at a time (the last eight overlap when len is not a
      // multiple of eight: the same bytes give the same hash all the same)
      long or;
      long h = len;
      if (len >= 8) {
        or = 0;
        int i = from;
        int last = from + len - 8;
        for (; i < last; i += 8) {
          long v = (long) LONGS.get(b, i);
          or |= v;
          h = (h ^ v) * 0x9E3779B97F4A7C15L;
        }
        long v = (long) LONGS.get(b, last);
        or |= v;
        h = (h ^ v) * 0x9E3779B97F4A7C15L;
      } else {
        long v = 0;
        for (int i = from, stop = from + len; i < stop; i++) {
          v = v << 8 | (b[i] & 0xff);
        }
        or = v;
        h = (h ^ v) * 0x9E3779B97F4A7C15L;
      }
      if ((or & HIGH_BITS) != 0) {
        throw NotCommon.INSTANCE;
      }
      int slot = (int) (h >>> 40) & mask;
      byte[] known = bytes[slot];
      if (known != null && known.length == len && Arrays.equals(known, 0, len, b, from, from + len)) {
        return strings[slot];
      }
      String s = new String(b, from, len, StandardCharsets.ISO_8859_1);
      bytes[slot] = Arrays.copyOfRange(b, from, from + len);
      strings[slot] = s;
      return s;
    }
  }
}
