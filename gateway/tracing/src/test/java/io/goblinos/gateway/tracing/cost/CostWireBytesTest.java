package io.goblinos.gateway.tracing.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.CodedOutputStream;
import io.goblinos.gateway.api.signal.WireBytes;
import io.goblinos.gateway.tracing.internal.Otlp;
import io.goblinos.gateway.tracing.testing.Contexts;
import io.goblinos.gateway.tracing.testing.GoblinTraces;
import io.goblinos.gateway.tracing.testing.Sink;
import io.goblinos.gateway.tracing.testing.TestHost;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enriched spans are rebuilt one by one, everything else in the request stays the very object received, and a span
 * whose new attributes were all appended is declared to {@link WireBytes} so that tail sampling can store it as its
 * received bytes followed by the added KeyValues.
 */
class CostWireBytesTest {
  @TempDir Path dir;
  private Vertx vertx;
  private GoblinTraces traces;
  private final Sink<ExportTraceServiceRequest> sink = new Sink<>();
  private CostProcessor processor;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    traces = new GoblinTraces();
    Files.writeString(dir.resolve("prices.yaml"), """
        models:
          - {provider: openai, model: "gpt-4o*", input_per_mtok: 2.50, output_per_mtok: 10.00}
          - {provider: anthropic, model: "claude-*", input_per_mtok: 3.00, output_per_mtok: 15.00}
        """);
    CostConfig cfg = Contexts.parse("processors::cost", "mode: local\nprices_file: prices.yaml", CostConfig::parse);
    processor = new CostProcessor(Contexts.context(vertx, new SimpleMeterRegistry(), "cost", dir), cfg,
        new LocalCostStore(), sink);
    processor.start(new TestHost()).await();
  }

  @AfterEach
  void tearDown() {
    processor.shutdown().await();
    traces.close();
    vertx.close().await();
  }

  /** A request as the OTLP/HTTP receiver has it: parsed from bytes, which it offers while consume runs. */
  private record Received(ExportTraceServiceRequest parsed, WireBytes wire) {
    static Received of(ExportTraceServiceRequest r) throws Exception {
      byte[] bytes = r.toByteArray();
      ExportTraceServiceRequest parsed = ExportTraceServiceRequest.parseFrom(bytes);
      return new Received(parsed, new WireBytes(parsed, bytes));
    }
  }

  private ExportTraceServiceRequest consume(Received r) {
    sink.clear();
    WireBytes.during(r.wire(), () -> processor.consume(r.parsed())).await();
    return sink.received().get(0);
  }

  private static boolean isLlm(Span s) {
    return Otlp.find(s.getAttributesList(), "gen_ai.provider.name") != null;
  }

  /** {@code original}'s encoding followed by each of {@code added} encoded as field 9 (attributes). */
  private static byte[] appended(Span original, List<? extends KeyValue> added) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    original.writeTo(bytes);
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    for (KeyValue kv : added) {
      out.writeMessage(Span.ATTRIBUTES_FIELD_NUMBER, kv);
    }
    out.flush();
    return bytes.toByteArray();
  }

  /**
   * Checks every span of {@code out} against the one at the same place in {@code in}: the same object unless it is an
   * LLM span, and then declared exactly when {@code declared} says so. Returns the number of LLM spans.
   */
  private static int checkSpans(ExportTraceServiceRequest in, ExportTraceServiceRequest out, WireBytes wire,
                                boolean declared) throws Exception {
    int llm = 0;
    assertThat(out.getResourceSpansCount()).isEqualTo(in.getResourceSpansCount());
    for (int i = 0; i < in.getResourceSpansCount(); i++) {
      ResourceSpans rsIn = in.getResourceSpans(i);
      ResourceSpans rsOut = out.getResourceSpans(i);
      assertThat(rsOut.getResource()).isSameAs(rsIn.getResource());
      assertThat(rsOut.getScopeSpansCount()).isEqualTo(rsIn.getScopeSpansCount());
      for (int j = 0; j < rsIn.getScopeSpansCount(); j++) {
        ScopeSpans ssIn = rsIn.getScopeSpans(j);
        ScopeSpans ssOut = rsOut.getScopeSpans(j);
        assertThat(ssOut.getScope()).isSameAs(ssIn.getScope());
        assertThat(ssOut.getSpansCount()).isEqualTo(ssIn.getSpansCount());
        for (int k = 0; k < ssIn.getSpansCount(); k++) {
          Span original = ssIn.getSpans(k);
          Span rebuilt = ssOut.getSpans(k);
          if (!isLlm(original)) {
            assertThat(rebuilt).isSameAs(original);
            assertThat(wire.appendedTo(rebuilt)).isNull();
            continue;
          }
          llm++;
          assertThat(rebuilt).isNotSameAs(original);
          assertThat(rebuilt.getAttributesCount()).isGreaterThan(original.getAttributesCount());
          WireBytes.Appended a = wire.appendedTo(rebuilt);
          if (!declared) {
            assertThat(a).isNull();
            continue;
          }
          assertThat(a).isNotNull();
          assertThat(a.original()).isSameAs(original);
          assertThat(a.fieldNumber()).isEqualTo(Span.ATTRIBUTES_FIELD_NUMBER).isEqualTo(9);
          assertThat(a.added()).isEqualTo(rebuilt.getAttributesList()
              .subList(original.getAttributesCount(), rebuilt.getAttributesCount()));
          // what tail sampling writes: the received span's bytes, then the additions as more attributes
          @SuppressWarnings("unchecked")
          List<? extends KeyValue> added = (List<? extends KeyValue>) a.added();
          assertThat(Span.parseFrom(appended(original, added))).isEqualTo(rebuilt);
        }
      }
    }
    return llm;
  }

  @Test
  void appendOnlyEnrichmentIsDeclaredAndItsAppendedBytesParseToTheRebuiltSpan() throws Exception {
    Received r = Received.of(traces.request(GoblinTraces.task().tokens(1200, 300)));
    ExportTraceServiceRequest out = consume(r);
    assertThat(checkSpans(r.parsed(), out, r.wire(), true)).isEqualTo(1);
    Span rebuilt = Sink.spans(List.of(out)).stream().filter(CostWireBytesTest::isLlm).findFirst().orElseThrow();
    List<KeyValue> added = rebuilt.getAttributesList().subList(rebuilt.getAttributesCount() - 3,
        rebuilt.getAttributesCount());
    assertThat(added).extracting(KeyValue::getKey).containsExactly("llm.latency", "llm.tokens.total", "llm.cost");
    assertThat(added.get(2).getValue().getDoubleValue()).isCloseTo(0.006, within(1e-12));
  }

  @Test
  void unknownModelIsAppendOnlyToo() throws Exception {
    Received r = Received.of(traces.request(GoblinTraces.task().model("openai", "gpt-7", null)));
    ExportTraceServiceRequest out = consume(r);
    assertThat(checkSpans(r.parsed(), out, r.wire(), true)).isEqualTo(1);
    Span rebuilt = Sink.spans(List.of(out)).stream().filter(CostWireBytesTest::isLlm).findFirst().orElseThrow();
    assertThat(Otlp.find(rebuilt.getAttributesList(), "llm.cost.unknown_model").getBoolValue()).isTrue();
  }

  @Test
  void manySpansScopesAndModelsKeepTheRequestShapeAndAreEachDeclared() throws Exception {
    BenchTraces gen = new BenchTraces(7);
    for (int n = 0; n < 5; n++) {
      Received r = Received.of(gen.request(100));
      ExportTraceServiceRequest out = consume(r);
      assertThat(checkSpans(r.parsed(), out, r.wire(), true)).isEqualTo(BenchTraces.llmSpans(r.parsed()))
          .isGreaterThan(10);
    }
  }

  @Test
  void replacingASenderReportedKeyDeclaresNothing() throws Exception {
    // within the threshold: llm.cost is replaced in place by the computed cost
    Received close = Received.of(traces.request(GoblinTraces.task().tokens(1200, 300).reportedCost(0.0062)));
    Span original = Sink.spans(List.of(close.parsed())).stream().filter(CostWireBytesTest::isLlm).findFirst()
        .orElseThrow();
    int at = original.getAttributesList().stream().map(KeyValue::getKey).toList().indexOf("llm.cost");
    assertThat(at).isNotNegative();
    ExportTraceServiceRequest out = consume(close);
    assertThat(checkSpans(close.parsed(), out, close.wire(), false)).isEqualTo(1);
    Span rebuilt = Sink.spans(List.of(out)).stream().filter(CostWireBytesTest::isLlm).findFirst().orElseThrow();
    assertThat(rebuilt.getAttributes(at).getKey()).isEqualTo("llm.cost");
    assertThat(rebuilt.getAttributes(at).getValue().getDoubleValue()).isCloseTo(0.006, within(1e-12));
    assertThat(rebuilt.getAttributesList().stream().filter(kv -> kv.getKey().equals("llm.cost"))).hasSize(1);
    assertThat(rebuilt.getAttributesList().subList(original.getAttributesCount(), rebuilt.getAttributesCount()))
        .extracting(KeyValue::getKey).containsExactly("llm.latency", "llm.tokens.total");

    // beyond it: llm.cost replaced, the reported value and the flag appended, still nothing declared
    Received off = Received.of(traces.request(GoblinTraces.task().tokens(1200, 300).reportedCost(0.012)));
    out = consume(off);
    assertThat(checkSpans(off.parsed(), out, off.wire(), false)).isEqualTo(1);
    rebuilt = Sink.spans(List.of(out)).stream().filter(CostWireBytesTest::isLlm).findFirst().orElseThrow();
    assertThat(rebuilt.getAttributesList().subList(original.getAttributesCount(), rebuilt.getAttributesCount()))
        .extracting(KeyValue::getKey)
        .containsExactly("llm.latency", "llm.tokens.total", "llm.cost.reported", "llm.cost.discrepancy");
  }

  @Test
  void withoutWireBytesTheSameSpansAreProducedAndNothingIsDeclared() throws Exception {
    Received r = Received.of(traces.request(GoblinTraces.task().tokens(1200, 300)));
    ExportTraceServiceRequest with = consume(r);
    sink.clear();
    assertThat(WireBytes.current()).isNull();
    processor.consume(r.parsed()).await();
    ExportTraceServiceRequest without = sink.received().get(0);
    assertThat(without).isEqualTo(with);
    // the declarations made during the first call belong to its WireBytes only
    Span rebuilt = Sink.spans(List.of(without)).stream().filter(CostWireBytesTest::isLlm).findFirst().orElseThrow();
    assertThat(r.wire().appendedTo(rebuilt)).isNull();
  }

  @Test
  void aRequestWithoutLlmSpansIsPassedOnAsIs() throws Exception {
    Received r = Received.of(traces.request(GoblinTraces.task().withoutProvider()));
    assertThat(consume(r)).isSameAs(r.parsed());
  }
}
