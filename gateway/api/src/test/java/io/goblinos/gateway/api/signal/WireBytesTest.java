package io.goblinos.gateway.api.signal;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link WireBytes#declareAppended} and {@link WireBytes#appendedTo}: found by identity, in any order. */
class WireBytesTest {
  private static final int N = 40; // past the first array size (16)

  private final List<Span> originals = new ArrayList<>();
  private final List<Span> rebuilt = new ArrayList<>();
  private final List<List<KeyValue>> added = new ArrayList<>();

  private WireBytes declared() {
    WireBytes wire = new WireBytes(ExportTraceServiceRequest.getDefaultInstance(), new byte[0]);
    for (int i = 0; i < N; i++) {
      Span original = Span.newBuilder().setName("s" + i).build();
      List<KeyValue> kvs = List.of(KeyValue.newBuilder().setKey("k")
          .setValue(AnyValue.newBuilder().setIntValue(i)).build());
      Span r = original.toBuilder().addAllAttributes(kvs).build();
      originals.add(original);
      rebuilt.add(r);
      added.add(kvs);
      wire.declareAppended(r, original, Span.ATTRIBUTES_FIELD_NUMBER, kvs);
    }
    return wire;
  }

  private void assertFound(WireBytes wire, int i) {
    WireBytes.Appended a = wire.appendedTo(rebuilt.get(i));
    assertThat(a).as("span %d", i).isNotNull();
    assertThat(a.original()).isSameAs(originals.get(i));
    assertThat(a.fieldNumber()).isEqualTo(Span.ATTRIBUTES_FIELD_NUMBER);
    assertThat(a.added()).isSameAs(added.get(i));
  }

  @Test
  void lookupsInDeclarationOrderFindEachDeclaration() {
    WireBytes wire = declared();
    for (int i = 0; i < N; i++) {
      assertFound(wire, i);
    }
    assertThat(wire.appendedTo(originals.get(3))).isNull(); // the original was not declared
    assertThat(wire.appendedTo(rebuilt.get(3).toBuilder().build())).isNull(); // an equal but other object
  }

  @Test
  void lookupsOutOfOrderOrRepeatedFindTheSameAsInOrder() {
    WireBytes wire = declared();
    assertFound(wire, 0);
    assertFound(wire, 1);
    assertFound(wire, 1); // asked again
    assertFound(wire, 30); // skipped ahead
    for (int i = N - 1; i >= 0; i--) {
      assertFound(wire, i);
    }
    // declared after lookups went out of order
    Span late = Span.newBuilder().setName("late").build();
    Span lateRebuilt = late.toBuilder().setName("late").addAttributes(KeyValue.newBuilder().setKey("x")).build();
    wire.declareAppended(lateRebuilt, late, Span.ATTRIBUTES_FIELD_NUMBER, lateRebuilt.getAttributesList());
    assertThat(wire.appendedTo(lateRebuilt).original()).isSameAs(late);
  }

  @Test
  void anUndeclaredObjectAmongInOrderLookupsDoesNotHideTheOthers() {
    WireBytes wire = declared();
    assertFound(wire, 0);
    assertThat(wire.appendedTo(Span.getDefaultInstance())).isNull();
    assertFound(wire, 1);
    assertFound(wire, 2);
  }

  @Test
  void nothingDeclared() {
    WireBytes wire = new WireBytes(ExportTraceServiceRequest.getDefaultInstance(), new byte[0]);
    assertThat(wire.appendedTo(Span.getDefaultInstance())).isNull();
  }
}
