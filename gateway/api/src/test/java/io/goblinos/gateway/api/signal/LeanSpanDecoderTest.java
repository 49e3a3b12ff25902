package io.goblinos.gateway.api.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
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
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The lean decoder against protobuf-java's parser: equal results on random requests, the same failures. */
class LeanSpanDecoderTest {
  private final LeanSpanDecoder decoder = new LeanSpanDecoder();

  @Test
  void randomRequestsDecodeEqualToProtobuf() throws Exception {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 2000; i++) {
      byte[] bytes = request(random, false).toByteArray();
      assertThat(decoder.request(bytes, 0, bytes.length)).isEqualTo(ExportTraceServiceRequest.parseFrom(bytes));
    }
    assertThat(decoder.fallbacks).as("the common shape is decoded without protobuf-java's parser").isZero();
  }

  @Test
  void theSpanRangesPointAtEachSpansOwnBytesAndAreNullAfterAFallback() throws Exception {
    SplittableRandom random = new SplittableRandom(9);
    for (int i = 0; i < 500; i++) {
      byte[] inner = request(random, false).toByteArray();
      // inside a larger array: the offsets count from the array's start
      byte[] bytes = new byte[inner.length + 7];
      System.arraycopy(inner, 0, bytes, 5, inner.length);
      ExportTraceServiceRequest decoded = decoder.request(bytes, 5, inner.length);
      List<Span> spans = new java.util.ArrayList<>();
      decoded.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss -> spans.addAll(ss.getSpansList())));
      long[] ranges = decoder.lastSpanRanges();
      assertThat(ranges).hasSize(spans.size());
      for (int k = 0; k < spans.size(); k++) {
        assertThat(Span.parseFrom(java.util.Arrays.copyOfRange(bytes, (int) (ranges[k] >>> 32),
            (int) (ranges[k] >>> 32) + (int) ranges[k]))).isEqualTo(spans.get(k));
      }
    }
    byte[] uncommon;
    do {
      uncommon = request(random, true).toByteArray();
      decoder.request(uncommon, 0, uncommon.length);
    } while (decoder.lastSpanRanges() != null); // an uncommon part anywhere: protobuf-java decoded it, no ranges
    assertThat(decoder.fallbacks).isPositive();
    byte[] common = request(random, false).toByteArray();
    decoder.request(common, 0, common.length);
    assertThat(decoder.lastSpanRanges()).isNotNull();
    assertThatThrownBy(() -> decoder.request(new byte[] {(byte) 0x0a, (byte) 0xff}, 0, 2))
        .isInstanceOf(InvalidProtocolBufferException.class);
    assertThat(decoder.lastSpanRanges()).isNull();
  }

  @Test
  void uncommonShapesFallBackAndStillDecodeEqual() throws Exception {
    SplittableRandom random = new SplittableRandom(2);
    for (int i = 0; i < 1000; i++) {
      // unknown fields, non-ASCII strings, arrays and key-value lists, at random depths
      byte[] bytes = request(random, true).toByteArray();
      assertThat(decoder.request(bytes, 0, bytes.length)).isEqualTo(ExportTraceServiceRequest.parseFrom(bytes));
    }
    assertThat(decoder.fallbacks).isBetween(100L, 990L); // some fall back, some do not
  }

  @Test
  void fieldsGivenTwiceFollowProtobufMergeRules() throws Exception {
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 300; i++) {
      // two encodings back to back are one message with every field given twice: scalars take the last value,
      // singular messages (resource, scope, status, values) merge, repeated fields concatenate
      byte[] one = request(random, i % 2 == 0).toByteArray();
      Span a = span(random, false);
      Span b = span(random, i % 3 == 0);
      ByteArrayOutputStream both = new ByteArrayOutputStream();
      both.write(a.toByteArray());
      both.write(b.toByteArray());
      byte[] spanBytes = both.toByteArray();
      assertThat(decoder.span(spanBytes, 0, spanBytes.length)).isEqualTo(Span.parseFrom(spanBytes));
      ByteArrayOutputStream twice = new ByteArrayOutputStream();
      twice.write(one);
      twice.write(one);
      byte[] requestBytes = twice.toByteArray();
      assertThat(decoder.request(requestBytes, 0, requestBytes.length))
          .isEqualTo(ExportTraceServiceRequest.parseFrom(requestBytes));
    }
  }

  @Test
  void aSpanInsideALargerArrayDecodesFromItsRange() throws Exception {
    SplittableRandom random = new SplittableRandom(4);
    for (int i = 0; i < 500; i++) {
      Span s = span(random, i % 4 == 0);
      byte[] inner = s.toByteArray();
      byte[] outer = new byte[inner.length + 20];
      random.nextBytes(outer);
      System.arraycopy(inner, 0, outer, 7, inner.length);
      assertThat(decoder.span(outer, 7, inner.length)).isEqualTo(s);
    }
  }

  @Test
  void malformedBytesFailAsProtobufFails() {
    SplittableRandom random = new SplittableRandom(5);
    int failed = 0;
    for (int i = 0; i < 500; i++) {
      byte[] bytes = request(random, i % 2 == 0).toByteArray();
      byte[] cut = java.util.Arrays.copyOf(bytes, random.nextInt(Math.max(1, bytes.length)));
      if (random.nextBoolean() && cut.length > 0) {
        cut[random.nextInt(cut.length)] ^= (byte) (1 + random.nextInt(255));
      }
      ExportTraceServiceRequest expected;
      try {
        expected = ExportTraceServiceRequest.parseFrom(cut);
      } catch (InvalidProtocolBufferException e) {
        failed++;
        assertThatThrownBy(() -> decoder.request(cut, 0, cut.length)).isInstanceOf(InvalidProtocolBufferException.class);
        continue;
      }
      try {
        assertThat(decoder.request(cut, 0, cut.length)).isEqualTo(expected);
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError("protobuf decoded what the lean decoder refused", e);
      }
    }
    assertThat(failed).as("some of the mangled inputs are malformed").isGreaterThan(50);
  }

  @Test
  void anAttributeKeySeenBeforeIsTheSameInstance() throws Exception {
    String longKey = "goblin." + "x".repeat(LeanSpanDecoder.StringCache.MAX_LENGTH);
    Span a = Span.newBuilder().setName("POST /v1/tasks")
        .addAttributes(KeyValue.newBuilder().setKey("http.route").setValue(AnyValue.newBuilder().setStringValue("/x")))
        .addAttributes(KeyValue.newBuilder().setKey(longKey).setValue(AnyValue.newBuilder().setIntValue(1)))
        .build();
    Span b = a.toBuilder().setSpanId(ByteString.copyFromUtf8("12345678")).build();
    byte[] ab = a.toByteArray();
    byte[] bb = b.toByteArray();
    Span first = decoder.span(ab, 0, ab.length);
    Span second = decoder.span(bb, 0, bb.length);
    assertThat(second).isEqualTo(b);
    assertThat(second.getAttributes(0).getKey()).isSameAs(first.getAttributes(0).getKey());
    assertThat(second.getAttributes(0).getValue().getStringValue())
        .isNotSameAs(first.getAttributes(0).getValue().getStringValue()); // values are not remembered
    assertThat(second.getAttributes(1).getKey()).as("a key longer than the cache remembers is a new string")
        .isEqualTo(longKey).isNotSameAs(first.getAttributes(1).getKey());
  }

  @Test
  void aNonAsciiByteAnywhereInAStringOfAnyLengthFallsBackAndDecodesEqual() throws Exception {
    // every length around the eight-byte steps and the cache's limit, a non-ASCII character at every position:
    // decoded equal, through protobuf-java (which validates the UTF-8), and ASCII ones without it
    for (int len = 0; len <= LeanSpanDecoder.StringCache.MAX_LENGTH + 20; len++) {
      for (int pos = -1; pos < len; pos++) {
        StringBuilder text = new StringBuilder("a".repeat(len));
        if (pos >= 0) {
          text.setCharAt(pos, 'é');
        }
        Span s = Span.newBuilder().setName(text.toString())
            .addAttributes(KeyValue.newBuilder().setKey(text.toString())
                .setValue(AnyValue.newBuilder().setStringValue(text.toString())))
            .build();
        byte[] bytes = s.toByteArray();
        long before = decoder.fallbacks;
        assertThat(decoder.span(bytes, 0, bytes.length)).isEqualTo(s);
        assertThat(decoder.fallbacks - before).as("length %d, non-ASCII at %d", len, pos).isEqualTo(pos >= 0 ? 1 : 0);
      }
    }
  }

  @Test
  void stringsThatShareASlotStillDecodeToTheirOwnText() throws Exception {
    // far more distinct keys than slots, many of one length: every decoded key is its own text
    SplittableRandom random = new SplittableRandom(6);
    for (int i = 0; i < 8 * LeanSpanDecoder.KEY_SLOTS; i++) {
      String text = Long.toString(random.nextLong(1L << 40), 36) + (i % 3 == 0 ? "-goblin-" + i : "");
      Span s = Span.newBuilder().setName(text).addAttributes(KeyValue.newBuilder().setKey(text)
          .setValue(AnyValue.newBuilder().setStringValue(text.toUpperCase())))
          .addAttributes(KeyValue.newBuilder().setKey("k" + (i % 700)).setValue(AnyValue.newBuilder().setIntValue(i)))
          .build();
      byte[] bytes = s.toByteArray();
      assertThat(decoder.span(bytes, 0, bytes.length)).isEqualTo(s);
    }
    assertThat(decoder.fallbacks).isZero();
  }

  @Test
  void valuesNestedDeeperThanTheDecoderGoesDecodeEqualThroughProtobuf() throws Exception {
    for (int depth = 1; depth <= 20; depth++) {
      AnyValue value = AnyValue.newBuilder().setStringValue("leaf").build();
      for (int d = 0; d < depth; d++) {
        value = d % 2 == 0
            ? AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(value).addValues(value)).build()
            : AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                .addValues(KeyValue.newBuilder().setKey("k" + d).setValue(value))).build();
      }
      Span s = Span.newBuilder().setName("nested").addAttributes(KeyValue.newBuilder().setKey("v").setValue(value)).build();
      byte[] bytes = s.toByteArray();
      long before = decoder.fallbacks;
      assertThat(decoder.span(bytes, 0, bytes.length)).isEqualTo(s);
      assertThat(decoder.fallbacks - before).as("depth %d", depth).isEqualTo(depth > 8 ? 1 : 0);
    }
  }

  @Test
  void emptyInputIsAnEmptyRequest() throws Exception {
    assertThat(decoder.request(new byte[0], 0, 0)).isEqualTo(ExportTraceServiceRequest.getDefaultInstance());
  }

  // ------------------------------------------------------------------ random messages

  private static ExportTraceServiceRequest request(SplittableRandom r, boolean uncommon) {
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    for (int i = r.nextInt(4); i > 0; i--) {
      ResourceSpans.Builder rs = ResourceSpans.newBuilder();
      if (r.nextInt(5) > 0) {
        Resource.Builder res = Resource.newBuilder().setDroppedAttributesCount(r.nextInt(3));
        for (int a = r.nextInt(6); a > 0; a--) {
          res.addAttributes(keyValue(r, uncommon));
        }
        if (uncommon && r.nextInt(4) == 0) {
          res.setUnknownFields(unknown(r));
        }
        rs.setResource(res);
      }
      if (r.nextBoolean()) {
        rs.setSchemaUrl("https://opentelemetry.io/schemas/1." + r.nextInt(30) + ".0");
      }
      for (int j = r.nextInt(4); j > 0; j--) {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder();
        if (r.nextInt(4) > 0) {
          InstrumentationScope.Builder scope = InstrumentationScope.newBuilder().setName(text(r, uncommon));
          if (r.nextBoolean()) {
            scope.setVersion("1." + r.nextInt(9));
          }
          for (int a = r.nextInt(3); a > 0; a--) {
            scope.addAttributes(keyValue(r, uncommon));
          }
          scope.setDroppedAttributesCount(r.nextInt(2));
          ss.setScope(scope);
        }
        if (r.nextBoolean()) {
          ss.setSchemaUrl("https://example.com/" + r.nextInt(10));
        }
        for (int k = r.nextInt(8); k > 0; k--) {
          ss.addSpans(span(r, uncommon));
        }
        if (uncommon && r.nextInt(6) == 0) {
          ss.setUnknownFields(unknown(r));
        }
        rs.addScopeSpans(ss);
      }
      if (uncommon && r.nextInt(6) == 0) {
        rs.setUnknownFields(unknown(r));
      }
      req.addResourceSpans(rs);
    }
    if (uncommon && r.nextInt(8) == 0) {
      req.setUnknownFields(unknown(r));
    }
    return req.build();
  }

  private static Span span(SplittableRandom r, boolean uncommon) {
    Span.Builder s = Span.newBuilder()
        .setTraceId(bytes(r, r.nextInt(10) == 0 ? 0 : 16))
        .setSpanId(bytes(r, 8))
        .setName(text(r, uncommon))
        .setKindValue(r.nextInt(uncommon ? 9 : 6))
        .setStartTimeUnixNano(r.nextLong())
        .setEndTimeUnixNano(r.nextInt(5) == 0 ? 0 : r.nextLong());
    if (r.nextBoolean()) {
      s.setParentSpanId(bytes(r, 8));
    }
    if (r.nextInt(5) == 0) {
      s.setTraceState("k=v" + r.nextInt(100));
    }
    if (r.nextInt(3) == 0) {
      s.setFlags(r.nextInt());
    }
    for (int a = r.nextInt(14); a > 0; a--) {
      s.addAttributes(keyValue(r, uncommon));
    }
    if (r.nextInt(4) == 0) {
      s.setDroppedAttributesCount(r.nextInt(1000));
    }
    for (int e = r.nextInt(4) == 0 ? r.nextInt(3) : 0; e > 0; e--) {
      s.addEvents(Span.Event.newBuilder().setName("event " + r.nextInt(9)).setTimeUnixNano(r.nextLong())
          .addAttributes(keyValue(r, uncommon)));
    }
    for (int l = r.nextInt(5) == 0 ? r.nextInt(3) : 0; l > 0; l--) {
      s.addLinks(Span.Link.newBuilder().setTraceId(bytes(r, 16)).setSpanId(bytes(r, 8))
          .addAttributes(keyValue(r, uncommon)).setFlags(r.nextInt(4)));
    }
    if (r.nextInt(6) == 0) {
      s.setDroppedEventsCount(r.nextInt(5)).setDroppedLinksCount(r.nextInt(5));
    }
    if (r.nextInt(3) == 0) {
      s.setStatus(Status.newBuilder().setCodeValue(r.nextInt(3)).setMessage(r.nextBoolean() ? "boom" : ""));
    }
    if (uncommon && r.nextInt(5) == 0) {
      s.setUnknownFields(unknown(r));
    }
    return s.build();
  }

  private static KeyValue keyValue(SplittableRandom r, boolean uncommon) {
    KeyValue.Builder kv = KeyValue.newBuilder().setKey(r.nextInt(20) == 0 ? "" : "key." + text(r, uncommon));
    if (r.nextInt(15) == 0) {
      return kv.build(); // no value at all
    }
    return kv.setValue(anyValue(r, uncommon, 0)).build();
  }

  private static AnyValue anyValue(SplittableRandom r, boolean uncommon, int depth) {
    // arrays and key-value lists nest in common shapes too; an empty value or unknown fields only in uncommon ones
    int kind = depth < 3 ? r.nextInt(uncommon ? 9 : 8) : r.nextInt(6);
    AnyValue.Builder v = AnyValue.newBuilder();
    switch (kind) {
      case 0, 1 -> v.setStringValue(text(r, uncommon));
      case 2 -> v.setIntValue(r.nextBoolean() ? r.nextInt(1000) : r.nextLong());
      case 3 -> v.setDoubleValue(r.nextBoolean() ? r.nextDouble() : -r.nextDouble() * 1e9);
      case 4 -> v.setBoolValue(r.nextBoolean());
      case 5 -> v.setBytesValue(bytes(r, r.nextInt(5)));
      case 6 -> {
        ArrayValue.Builder a = ArrayValue.newBuilder();
        for (int i = r.nextInt(3); i > 0; i--) {
          a.addValues(anyValue(r, uncommon, depth + 1));
        }
        v.setArrayValue(a);
      }
      case 7 -> {
        KeyValueList.Builder l = KeyValueList.newBuilder();
        for (int i = r.nextInt(3); i > 0; i--) {
          l.addValues(KeyValue.newBuilder().setKey("k" + i).setValue(anyValue(r, uncommon, depth + 1)));
        }
        v.setKvlistValue(l);
      }
      default -> {
        // empty value (no member set) or with unknown fields
        if (r.nextBoolean()) {
          v.setUnknownFields(unknown(r));
        }
      }
    }
    return v.build();
  }

  private static String text(SplittableRandom r, boolean uncommon) {
    String base = "v" + Long.toString(r.nextLong(1L << 40), 36);
    return uncommon && r.nextInt(6) == 0 ? base + "-é-\u4e2d-\ud83d\ude00" : base;
  }

  private static ByteString bytes(SplittableRandom r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return ByteString.copyFrom(b);
  }

  private static UnknownFieldSet unknown(SplittableRandom r) {
    return UnknownFieldSet.newBuilder()
        .addField(100 + r.nextInt(50), UnknownFieldSet.Field.newBuilder().addVarint(r.nextInt(1000)).build())
        .addField(200 + r.nextInt(50), UnknownFieldSet.Field.newBuilder()
            .addLengthDelimited(ByteString.copyFromUtf8("x" + r.nextInt(9))).build())
        .build();
  }
}
