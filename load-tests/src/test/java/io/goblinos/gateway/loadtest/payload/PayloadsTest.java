package io.goblinos.gateway.loadtest.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PayloadsTest {

  @Test
  void traceRequestsHoldExactlyTheAskedSpansWithManyDistinctTraces() throws Exception {
    List<Payload> pool = Payloads.generate(Payloads.Kind.TRACES_PROTOBUF, 20, 100, 1);
    Set<String> traceIds = new HashSet<>();
    Set<String> spanIds = new HashSet<>();
    int llmSpans = 0;
    for (Payload p : pool) {
      assertThat(p.items()).isEqualTo(100);
      ExportTraceServiceRequest r = ExportTraceServiceRequest.parseFrom(p.body());
      List<Span> spans = r.getResourceSpansList().stream().flatMap(rs -> rs.getScopeSpansList().stream())
          .flatMap(ss -> ss.getSpansList().stream()).toList();
      assertThat(spans).hasSize(100);
      assertThat(r.getResourceSpans(0).getResource().getAttributesList()).extracting(KeyValue::getKey)
          .contains("service.name", "service.namespace", "k8s.pod.name");
      for (Span s : spans) {
        assertThat(s.getTraceId().size()).isEqualTo(16);
        assertThat(s.getSpanId().size()).isEqualTo(8);
        traceIds.add(s.getTraceId().toStringUtf8() + Arrays.toString(s.getTraceId().toByteArray()));
        spanIds.add(Arrays.toString(s.getSpanId().toByteArray()));
        if (s.getAttributesList().stream().anyMatch(kv -> kv.getKey().equals("gen_ai.usage.input_tokens"))) {
          llmSpans++;
          assertThat(s.getAttributesList()).extracting(KeyValue::getKey)
              .contains("gen_ai.provider.name", "gen_ai.request.model", "gen_ai.usage.output_tokens", "goblin.id");
        }
      }
    }
    assertThat(spanIds).hasSize(2000);
    assertThat(traceIds.size()).isGreaterThan(2000 / 15);
    assertThat(llmSpans).isGreaterThan(300);
  }

  @Test
  void bodiesAreDistinctAndDeterministicForASeedAndBaseTime() {
    GoblinTelemetry a = new GoblinTelemetry(42, 1_764_000_000_000_000_000L);
    GoblinTelemetry b = new GoblinTelemetry(42, 1_764_000_000_000_000_000L);
    Set<String> distinct = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      byte[] x = a.traces(50).toByteArray();
      assertThat(Arrays.equals(x, b.traces(50).toByteArray())).isTrue();
      distinct.add(Arrays.toString(x));
    }
    assertThat(distinct).hasSize(10);
  }

  @Test
  void jsonBodiesUseHexIdsAndIntegerEnums() {
    Payload p = Payloads.generate(Payloads.Kind.TRACES_JSON, 1, 20, 3).get(0);
    String json = new String(p.body(), StandardCharsets.UTF_8);
    Matcher traceIds = Pattern.compile("\"traceId\":\"([^\"]*)\"").matcher(json);
    int n = 0;
    while (traceIds.find()) {
      assertThat(traceIds.group(1)).matches("[0-9a-f]{32}");
      n++;
    }
    assertThat(n).isEqualTo(20);
    assertThat(json).containsPattern("\"spanId\":\"[0-9a-f]{16}\"").contains("\"kind\":2").doesNotContain("SPAN_KIND_");
  }

  @Test
  void metricsAndLogsHoldTheAskedItems() throws Exception {
    for (Payload p : Payloads.generate(Payloads.Kind.METRICS_PROTOBUF, 5, 30, 1)) {
      ExportMetricsServiceRequest r = ExportMetricsServiceRequest.parseFrom(p.body());
      int points = 0;
      for (Metric m : r.getResourceMetrics(0).getScopeMetrics(0).getMetricsList()) {
        points += m.getHistogram().getDataPointsCount() + m.getSum().getDataPointsCount() + m.getGauge().getDataPointsCount();
      }
      assertThat(points).isEqualTo(30);
    }
    for (Payload p : Payloads.generate(Payloads.Kind.LOGS_PROTOBUF, 5, 30, 1)) {
      assertThat(ExportLogsServiceRequest.parseFrom(p.body()).getResourceLogs(0).getScopeLogs(0).getLogRecordsCount()).isEqualTo(30);
    }
  }

  @Test
  void poolFileRoundTrips(@TempDir Path dir) throws Exception {
    List<Payload> pool = Payloads.generate(Payloads.Kind.LOGS_PROTOBUF, 7, 10, 5);
    Path file = dir.resolve("logs.pool");
    Payloads.write(file, pool);
    List<Payload> back = Payloads.read(file);
    assertThat(back).hasSize(7);
    for (int i = 0; i < 7; i++) {
      assertThat(back.get(i).body()).isEqualTo(pool.get(i).body());
      assertThat(back.get(i).items()).isEqualTo(10);
      assertThat(back.get(i).traceIdOffsets()).containsExactly(pool.get(i).traceIdOffsets());
    }
    // per body: items, length, body, offset count, 10 offsets
    assertThat(java.nio.file.Files.size(file)).isEqualTo(Payloads.bytes(pool) + (12L + 4 * 10) * 7);
  }

  @Test
  void freshTraceIdsKeepTracesTogetherAndNeverRepeat() throws Exception {
    Payload p = Payloads.generate(Payloads.Kind.TRACES_PROTOBUF, 1, 100, 8).get(0);
    ExportTraceServiceRequest original = ExportTraceServiceRequest.parseFrom(p.body());
    List<Span> before = original.getResourceSpans(0).getScopeSpansList().stream().flatMap(s -> s.getSpansList().stream()).toList();
    assertThat(p.traceIdOffsets()).hasSize(100);
    Set<String> seen = new HashSet<>();
    for (long seq = 0; seq < 3; seq++) {
      ExportTraceServiceRequest fresh = ExportTraceServiceRequest.parseFrom(p.withFreshTraceIds(Payload.mask(seq)));
      List<Span> after = fresh.getResourceSpans(0).getScopeSpansList().stream().flatMap(s -> s.getSpansList().stream()).toList();
      assertThat(after).hasSize(100);
      for (int i = 0; i < after.size(); i++) {
        assertThat(after.get(i).getSpanId()).isEqualTo(before.get(i).getSpanId());
        assertThat(after.get(i).getTraceId()).isNotEqualTo(before.get(i).getTraceId());
        // spans that shared a trace still do
        for (int j = 0; j < i; j++) {
          assertThat(after.get(i).getTraceId().equals(after.get(j).getTraceId()))
              .isEqualTo(before.get(i).getTraceId().equals(before.get(j).getTraceId()));
        }
      }
      after.stream().map(s -> Arrays.toString(s.getTraceId().toByteArray())).distinct().forEach(id -> assertThat(seen.add(id)).isTrue());
    }
    // logs carry trace ids too; JSON bodies have none to rewrite
    assertThat(Payloads.generate(Payloads.Kind.LOGS_PROTOBUF, 1, 10, 1).get(0).traceIdOffsets()).hasSize(10);
    assertThat(Payloads.generate(Payloads.Kind.TRACES_JSON, 1, 10, 1).get(0).traceIdOffsets()).isEmpty();
  }

  @Test
  void refusesEmptyPools() {
    assertThatThrownBy(() -> Payloads.generate(Payloads.Kind.TRACES_PROTOBUF, 0, 10, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("count and itemsPerRequest must be > 0");
    assertThat(Payloads.Kind.parse("traces-json")).isEqualTo(Payloads.Kind.TRACES_JSON);
  }
}
