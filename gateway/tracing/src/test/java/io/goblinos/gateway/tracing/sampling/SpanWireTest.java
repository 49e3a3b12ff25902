package io.goblinos.gateway.tracing.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.api.signal.WireBytes;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpanWireTest {

  /** Resources with several scopes (some empty), spans with attributes, events and unknown-free fields. */
  static ExportTraceServiceRequest request(Random r) {
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    for (int i = 0; i < 1 + r.nextInt(4); i++) {
      ResourceSpans.Builder rs = ResourceSpans.newBuilder().setSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
          .setResource(Resource.newBuilder().addAttributes(kv("service.name", "svc-" + i)));
      for (int j = 0; j < r.nextInt(4); j++) {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("s" + j));
        for (int k = 0; k < r.nextInt(6); k++) {
          byte[] id = new byte[16];
          r.nextBytes(id);
          ss.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(id)).setName("op-" + k + "-é")
              .setStartTimeUnixNano(r.nextLong()).addAttributes(kv("k" + k, "v".repeat(r.nextInt(300))))
              .addEvents(Span.Event.newBuilder().setName("e")));
        }
        rs.addScopeSpans(ss);
      }
      req.addResourceSpans(rs);
    }
    return req.build();
  }

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static List<Span> flatten(ExportTraceServiceRequest req) {
    List<Span> out = new ArrayList<>();
    req.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss -> out.addAll(ss.getSpansList())));
    return out;
  }

  @Test
  void everyUnchangedSpanIsLocatedAtItsOwnBytes() throws Exception {
    Random r = new Random(5);
    for (int round = 0; round < 200; round++) {
      ExportTraceServiceRequest original = request(r);
      byte[] bytes = original.toByteArray();
      ExportTraceServiceRequest parsed = ExportTraceServiceRequest.parseFrom(bytes);
      List<Span> spans = flatten(parsed);
      SpanWire wire = SpanWire.locate(new WireBytes(parsed, bytes), parsed, spans.size());
      if (spans.isEmpty()) {
        assertThat(wire).isNull();
        continue;
      }
      for (int k = 0; k < spans.size(); k++) {
        long range = wire.range(k);
        assertThat(range).isNotNegative();
        assertThat(Span.parser().parseFrom(bytes, (int) (range >>> 32), (int) range)).isEqualTo(spans.get(k));
        assertThat((int) range).isEqualTo(spans.get(k).getSerializedSize());
      }
    }
  }

  @Test
  void theDecodersRangesAreUsedAsTheyAreAndGiveTheSameAsTheWalk() throws Exception {
    Random r = new Random(8);
    for (int round = 0; round < 200; round++) {
      // ASCII names: a non-ASCII string sends the request to protobuf-java, which records no ranges
      ExportTraceServiceRequest.Builder ascii = request(r).toBuilder();
      ascii.getResourceSpansBuilderList().forEach(rs -> rs.getScopeSpansBuilderList().forEach(ss ->
          ss.getSpansBuilderList().forEach(span -> span.setName(span.getName().replace("é", "e")))));
      byte[] bytes = ascii.build().toByteArray();
      WireBytes decoded = Signal.TRACES.parseWithWire(bytes);
      ExportTraceServiceRequest parsed = (ExportTraceServiceRequest) decoded.parsed();
      int n = flatten(parsed).size();
      assertThat(decoded.spanRanges()).hasSize(n);
      SpanWire fromDecoder = SpanWire.locate(decoded, parsed, n);
      SpanWire walked = SpanWire.locate(new WireBytes(parsed, bytes), parsed, n);
      if (n == 0) {
        assertThat(fromDecoder).isNull();
        continue;
      }
      for (int k = 0; k < n; k++) {
        assertThat(fromDecoder.range(k)).isEqualTo(walked.range(k)).isNotNegative();
      }
    }
    // ranges that do not match the parsed request's shape are not trusted
    byte[] bytes;
    ExportTraceServiceRequest parsed;
    do {
      bytes = request(r).toByteArray();
      parsed = ExportTraceServiceRequest.parseFrom(bytes);
    } while (flatten(parsed).isEmpty());
    int n = flatten(parsed).size();
    assertThat(SpanWire.locate(new WireBytes(parsed, bytes, new long[n + 1]), parsed, n)).isNull();
  }

  @Test
  void appendedAttributesAreEncodedExactlyAsProtobufEncodesThem() throws Exception {
    Random r = new Random(12);
    String[] keys = {"llm.cost", "llm.tokens.total", "llm.latency", "llm.cost.discrepancy", "", "k".repeat(64),
        "k".repeat(65), "grüße", "x".repeat(200)};
    for (int round = 0; round < 2000; round++) {
      List<KeyValue> added = new ArrayList<>();
      for (int i = 0; i < 1 + r.nextInt(6); i++) {
        AnyValue.Builder v = AnyValue.newBuilder();
        switch (r.nextInt(7)) {
          case 0 -> v.setDoubleValue(new double[] {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, 1e-300,
              r.nextGaussian() * 1e6}[r.nextInt(6)]);
          case 1 -> v.setIntValue(new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 127, 128, r.nextLong()}[r.nextInt(7)]);
          case 2 -> v.setBoolValue(r.nextBoolean());
          case 3 -> v.setStringValue("model-" + r.nextInt(100));
          case 4 -> v.setArrayValue(io.opentelemetry.proto.common.v1.ArrayValue.newBuilder()
              .addValues(AnyValue.newBuilder().setIntValue(r.nextInt())));
          case 5 -> { } // no value at all
          default -> v.setDoubleValue(r.nextDouble());
        }
        added.add(KeyValue.newBuilder().setKey(keys[r.nextInt(keys.length)]).setValue(v).build());
      }
      int field = r.nextBoolean() ? Span.ATTRIBUTES_FIELD_NUMBER : 99;
      java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
      com.google.protobuf.CodedOutputStream o = com.google.protobuf.CodedOutputStream.newInstance(expected);
      for (KeyValue kv : added) {
        o.writeMessage(field, kv);
      }
      o.flush();
      byte[] actual = SpanWire.encode(new WireBytes.Appended(Span.getDefaultInstance(), field, added));
      assertThat(actual).as("round %d: %s", round, added).isEqualTo(expected.toByteArray());
    }
  }

  @Test
  void aRebuiltSpanHasNoRangeAndAnotherShapeNoWireAtAll() throws Exception {
    Random r = new Random(6);
    ExportTraceServiceRequest parsed;
    byte[] bytes;
    do {
      bytes = request(r).toByteArray();
      parsed = ExportTraceServiceRequest.parseFrom(bytes);
    } while (flatten(parsed).size() < 3);
    // a processor rewrote the first span (another object, equal or not): serialize that one, copy the others
    ExportTraceServiceRequest.Builder b = parsed.toBuilder();
    int[] first = firstSpan(parsed);
    b.getResourceSpansBuilder(first[0]).getScopeSpansBuilder(first[1]).getSpansBuilder(0).setName("changed");
    ExportTraceServiceRequest changed = b.build();
    int n = flatten(changed).size();
    SpanWire wire = SpanWire.locate(new WireBytes(parsed, bytes), changed, n);
    assertThat(wire.range(0)).isEqualTo(-1);
    for (int k = 1; k < n; k++) {
      assertThat(wire.range(k)).isNotNegative();
    }
    // one span fewer: a different shape, nothing is used
    ExportTraceServiceRequest.Builder fewer = parsed.toBuilder();
    fewer.getResourceSpansBuilder(first[0]).getScopeSpansBuilder(first[1]).removeSpans(0);
    assertThat(SpanWire.locate(new WireBytes(parsed, bytes), fewer.build(), n - 1)).isNull();
    // not parsed from these bytes / no bytes
    assertThat(SpanWire.locate(null, parsed, n)).isNull();
    assertThat(SpanWire.locate(new WireBytes(parsed, new byte[] {(byte) 0x0a, (byte) 0xff}), parsed, n)).isNull();
  }

  @Test
  void aSpanDeclaredAsExtendedKeepsItsRangeAndGetsTheAddedFieldsAsExtraBytes() throws Exception {
    Random r = new Random(7);
    for (int round = 0; round < 100; round++) {
      ExportTraceServiceRequest parsed;
      byte[] bytes;
      do {
        bytes = request(r).toByteArray();
        parsed = ExportTraceServiceRequest.parseFrom(bytes);
      } while (flatten(parsed).size() < 2);
      WireBytes hint = new WireBytes(parsed, bytes);
      int[] first = firstSpan(parsed);
      Span original = parsed.getResourceSpans(first[0]).getScopeSpans(first[1]).getSpans(0);
      List<KeyValue> added = List.of(kv("llm.cost", "0." + r.nextInt(1000)), kv("llm.tokens.total", "x".repeat(r.nextInt(200))));
      Span extended = original.toBuilder().addAllAttributes(added).build();
      hint.declareAppended(extended, original, Span.ATTRIBUTES_FIELD_NUMBER, added);
      // a second span rewritten with a declaration whose original is not the parsed span: serialized as before
      Span other = parsed.getResourceSpans(first[0]).getScopeSpans(first[1]).getSpans(1 % parsed.getResourceSpans(first[0])
          .getScopeSpans(first[1]).getSpansCount());
      ExportTraceServiceRequest.Builder b = parsed.toBuilder();
      b.getResourceSpansBuilder(first[0]).getScopeSpansBuilder(first[1]).setSpans(0, extended);
      boolean twoInScope = parsed.getResourceSpans(first[0]).getScopeSpans(first[1]).getSpansCount() > 1;
      if (twoInScope) {
        Span renamed = other.toBuilder().setName("renamed").build();
        Span renamedMore = renamed.toBuilder().addAttributes(kv("a", "b")).build();
        hint.declareAppended(renamedMore, renamed, Span.ATTRIBUTES_FIELD_NUMBER, List.of(kv("a", "b")));
        b.getResourceSpansBuilder(first[0]).getScopeSpansBuilder(first[1]).setSpans(1, renamedMore);
      }
      ExportTraceServiceRequest consumed = b.build();
      List<Span> spans = flatten(consumed);
      SpanWire wire = SpanWire.locate(hint, consumed, spans.size());
      int k0 = indexOf(consumed, first);
      long range = wire.range(k0);
      assertThat(range).isNotNegative();
      byte[] extra = wire.extra(k0);
      assertThat(extra).isNotNull();
      byte[] stored = new byte[(int) range + extra.length];
      System.arraycopy(bytes, (int) (range >>> 32), stored, 0, (int) range);
      System.arraycopy(extra, 0, stored, (int) range, extra.length);
      assertThat(Span.parseFrom(stored)).isEqualTo(extended);
      assertThat(stored.length).isEqualTo(extended.getSerializedSize());
      if (twoInScope) {
        assertThat(wire.range(k0 + 1)).isEqualTo(-1);
        assertThat(wire.extra(k0 + 1)).isNull();
      }
      for (int k = 0; k < spans.size(); k++) {
        if (k != k0 && !(twoInScope && k == k0 + 1)) {
          assertThat(wire.extra(k)).isNull();
          assertThat(Span.parser().parseFrom(bytes, (int) (wire.range(k) >>> 32), (int) wire.range(k)))
              .isEqualTo(spans.get(k));
        }
      }
    }
  }

  /** The flattened index of the first span of scope {@code at}. */
  private static int indexOf(ExportTraceServiceRequest req, int[] at) {
    int k = 0;
    for (int i = 0; i < req.getResourceSpansCount(); i++) {
      for (int j = 0; j < req.getResourceSpans(i).getScopeSpansCount(); j++) {
        if (i == at[0] && j == at[1]) {
          return k;
        }
        k += req.getResourceSpans(i).getScopeSpans(j).getSpansCount();
      }
    }
    throw new IllegalArgumentException();
  }

  @Test
  void bytesThatDoNotWalkCleanlyGiveNothing() {
    assertThat(SpanWire.walk(new byte[] {0x0a, 0x05, 0x12})).isNull(); // length past the end
    assertThat(SpanWire.walk(new byte[] {0x0b})).isNull(); // a group
    assertThat(SpanWire.walk(new byte[0])).isEmpty();
  }

  private static int[] firstSpan(ExportTraceServiceRequest req) {
    for (int i = 0; i < req.getResourceSpansCount(); i++) {
      for (int j = 0; j < req.getResourceSpans(i).getScopeSpansCount(); j++) {
        if (req.getResourceSpans(i).getScopeSpans(j).getSpansCount() > 0) {
          return new int[] {i, j};
        }
      }
    }
    throw new AssertionError("no span");
  }
}
