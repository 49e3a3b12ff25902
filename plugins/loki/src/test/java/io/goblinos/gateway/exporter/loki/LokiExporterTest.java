package io.goblinos.gateway.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.testing.SdkData;
import io.goblinos.gateway.testing.Scrape;
import io.goblinos.gateway.testing.TestGateway;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Logs made by the OpenTelemetry SDK go through a whole gateway to the {@code loki} exporter and arrive at a Loki
 * stand-in that decodes the published push formats (protobuf + snappy, JSON) on its own.
 */
class LokiExporterTest {

  private static String yaml(String exporters, String list) {
    return """
        receivers:
          otlp:
            protocols:
              http: {endpoint: 127.0.0.1:0}
        exporters:
        %s
        service:
          pipelines:
            logs: {receivers: [otlp], exporters: [%s]}
        """.formatted(exporters.indent(2).stripTrailing(), list);
  }

  private static String loki(String id, String url, String extra) {
    return id + ":\n  endpoint: " + url + "\n" + ("""
        retry_on_failure: {initial_interval: 50ms, max_interval: 200ms}
        sending_queue: {drain_timeout: 2s}
        """ + extra).indent(2);
  }

  private static void export(TestGateway gateway, Collection<LogRecordData> logs) {
    try (OtlpHttpLogRecordExporter e = OtlpHttpLogRecordExporter.builder()
        .setEndpoint("http://127.0.0.1:" + gateway.httpPort() + "/v1/logs").build()) {
      CompletableResultCode r = e.export(logs);
      r.join(20, TimeUnit.SECONDS);
      assertThat(r.isSuccess()).as("OTLP export to the gateway succeeded").isTrue();
    }
  }

  private static int entries(FakeLoki loki) {
    return loki.acceptedStreams().stream().mapToInt(s -> s.entries().size()).sum();
  }

  @ParameterizedTest
  @ValueSource(strings = {"protobuf", "json"})
  void sdkLogsArriveAsStreamsWithStructuredMetadata(String encoding, @TempDir Path dir) throws Exception {
    List<LogRecordData> logs = SdkTelemetry.logs();
    ExportLogsServiceRequest otlp = SdkData.logsToProto(logs);
    try (FakeLoki fake = new FakeLoki();
        TestGateway gateway = TestGateway.start(yaml(loki("loki", fake.url(),
            "tenant_id: goblins\nencoding: " + encoding + "\n"), "loki"), dir)) {
      export(gateway, logs);
      await().atMost(Duration.ofSeconds(20)).until(() -> entries(fake) == 3);

      FakeLoki.Push push = fake.pushes.get(0);
      assertThat(push.tenant()).isEqualTo("goblins");
      if (encoding.equals("protobuf")) {
        assertThat(push.contentType()).isEqualTo("application/x-protobuf");
        assertThat(push.contentEncoding()).isEqualTo("snappy");
      } else {
        assertThat(push.contentType()).isEqualTo("application/json");
      }
      assertThat(fake.acceptedStreams()).hasSize(1);
      FakeLoki.Stream stream = fake.acceptedStreams().get(0);
      assertThat(stream.labels()).isEqualTo("{service_name=\"goblin-runtime\", service_namespace=\"goblinos\"}");
      assertThat(stream.entries()).extracting(FakeLoki.Entry::line)
          .containsExactlyInAnyOrder("goblin 7 approved task 42", "provider failed", "inside a span");
      assertThat(stream.entries()).extracting(FakeLoki.Entry::timeUnixNano).isSorted();

      Map<String, LogRecord> byLine = new java.util.HashMap<>();
      otlp.getResourceLogs(0).getScopeLogs(0).getLogRecordsList().forEach(l -> byLine.put(l.getBody().getStringValue(), l));
      for (FakeLoki.Entry e : stream.entries()) {
        LogRecord src = byLine.get(e.line());
        long expectedTime = src.getTimeUnixNano() != 0 ? src.getTimeUnixNano() : src.getObservedTimeUnixNano();
        assertThat(e.timeUnixNano()).as(e.line()).isEqualTo(expectedTime);
        assertThat(e.structuredMetadata()).as(e.line())
            .containsEntry("severity_number", Integer.toString(src.getSeverityNumberValue()))
            .containsEntry("scope_name", "io.goblinos.test")
            .containsEntry("telemetry_sdk_language", "java")
            .containsEntry("goblin_id", "goblin-7")
            .doesNotContainKeys("service_name", "service_namespace");
      }
      FakeLoki.Entry failed = entry(stream, "provider failed");
      assertThat(failed.timeUnixNano()).isEqualTo(1_700_000_000_123_000_000L);
      assertThat(failed.structuredMetadata())
          .containsEntry("severity_text", "ERROR")
          .containsEntry("severity_number", "17")
          .containsEntry("attempt", "3")
          .doesNotContainKeys("trace_id", "span_id");
      FakeLoki.Entry inSpan = entry(stream, "inside a span");
      LogRecord src = byLine.get("inside a span");
      assertThat(inSpan.structuredMetadata())
          .containsEntry("trace_id", HexFormat.of().formatHex(src.getTraceId().toByteArray()))
          .containsEntry("span_id", HexFormat.of().formatHex(src.getSpanId().toByteArray()));
      assertThat(inSpan.structuredMetadata().get("trace_id")).hasSize(32);
      assertThat(Scrape.value(gateway, "gateway_exporter_sent_log_records_total", "exporter=\"loki\"")).isEqualTo(3.0);
    }
  }

  private static FakeLoki.Entry entry(FakeLoki.Stream s, String line) {
    return s.entries().stream().filter(e -> e.line().equals(line)).findFirst().orElseThrow();
  }

  @Test
  void configuredAttributeLabelsSplitStreamsAndStructuredBodiesBecomeJson(@TempDir Path dir) throws Exception {
    InMemoryLogRecordExporter memory = InMemoryLogRecordExporter.create();
    List<LogRecordData> logs;
    try (SdkLoggerProvider provider = SdkLoggerProvider.builder()
        .setResource(Resource.create(Attributes.builder().put("service.name", "forge").put("host.name", "cave-3").build()))
        .addLogRecordProcessor(SimpleLogRecordProcessor.create(memory)).build()) {
      Logger logger = provider.get("io.goblinos.forge");
      logger.logRecordBuilder().setSeverity(Severity.INFO).setBody("plain line")
          .setAttribute(AttributeKey.stringKey("goblin.guild"), "smiths").emit();
      logger.logRecordBuilder().setSeverity(Severity.WARN)
          .setBody(Value.of(Map.of("event", Value.of("anvil.cracked"), "pieces", Value.of(3L))))
          .setAttribute(AttributeKey.stringKey("anvil.id"), "a-9").emit();
      logs = List.copyOf(memory.getFinishedLogRecordItems());
    }
    try (FakeLoki fake = new FakeLoki();
        TestGateway gateway = TestGateway.start(yaml(loki("loki", "http://127.0.0.1:" + fake.port(),
            "labels: {resource: [service.name], attributes: [goblin.guild]}\n"), "loki"), dir)) {
      export(gateway, logs);
      await().atMost(Duration.ofSeconds(20)).until(() -> entries(fake) == 2);
      assertThat(fake.acceptedStreams()).extracting(FakeLoki.Stream::labels).containsExactlyInAnyOrder(
          "{goblin_guild=\"smiths\", service_name=\"forge\"}", "{service_name=\"forge\"}");
      FakeLoki.Stream guild = fake.acceptedStreams().stream().filter(s -> s.labels().contains("goblin_guild"))
          .findFirst().orElseThrow();
      assertThat(guild.entries().get(0).line()).isEqualTo("plain line");
      assertThat(guild.entries().get(0).structuredMetadata())
          .containsEntry("host_name", "cave-3").doesNotContainKey("goblin_guild");
      FakeLoki.Stream other = fake.acceptedStreams().stream().filter(s -> !s.labels().contains("goblin_guild"))
          .findFirst().orElseThrow();
      assertThat(new io.vertx.core.json.JsonObject(other.entries().get(0).line()).getMap())
          .containsExactlyInAnyOrderEntriesOf(Map.of("event", "anvil.cracked", "pieces", 3));
      assertThat(other.entries().get(0).structuredMetadata()).containsEntry("anvil_id", "a-9")
          .containsEntry("severity_number", "13");
    }
  }

  @Test
  void throttledAndUnavailableAreRetriedHonouringRetryAfter(@TempDir Path dir) throws Exception {
    try (FakeLoki fake = new FakeLoki()) {
      fake.script(n -> switch (n) {
        case 0 -> new FakeLoki.Answer(429, "1");
        case 1 -> new FakeLoki.Answer(503, null);
        default -> FakeLoki.Answer.OK;
      });
      try (TestGateway gateway = TestGateway.start(yaml(loki("loki", fake.url(), ""), "loki"), dir)) {
        export(gateway, SdkTelemetry.logs());
        await().atMost(Duration.ofSeconds(20)).until(() -> entries(fake) == 3);
        assertThat(fake.arrivals).hasSize(3);
        // the second attempt waited for Retry-After: 1 (the configured backoff alone is 50 ms)
        assertThat(fake.arrivals.get(1) - fake.arrivals.get(0)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(950));
        assertThat(Scrape.value(gateway, "gateway_exporter_retries_total", "exporter=\"loki\"")).isEqualTo(2.0);
        assertThat(Scrape.value(gateway, "gateway_exporter_send_failed_log_records_total")).isZero();
      }
    }
  }

  @Test
  void otherClientErrorsArePermanent(@TempDir Path dir) throws Exception {
    try (FakeLoki fake = new FakeLoki()) {
      fake.script(n -> new FakeLoki.Answer(400, null));
      try (TestGateway gateway = TestGateway.start(yaml(loki("loki", fake.url(), ""), "loki"), dir)) {
        export(gateway, SdkTelemetry.logs());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
            assertThat(Scrape.value(gateway, "gateway_exporter_send_failed_log_records_total")).isEqualTo(3.0));
        assertThat(Scrape.value(gateway, "gateway_exporter_retries_total")).isZero();
        assertThat(fake.arrivals).hasSize(1);
      }
    }
  }

  /**
   * Dual export: one logs pipeline, two Loki backends with their own queues. The second is stopped: the first gets
   * everything at once, the second's queue holds its copy and delivers it once it is back on the same port.
   */
  @Test
  void oneLokiDownDoesNotHoldTheOther(@TempDir Path dir) throws Exception {
    try (FakeLoki up = new FakeLoki(); FakeLoki down = new FakeLoki()) {
      down.stop();
      try (TestGateway gateway = TestGateway.start(yaml(
          loki("loki/primary", up.url(), "") + loki("loki/saas", down.url(), "retry_on_failure: {max_elapsed_time: 0}\n"),
          "loki/primary, loki/saas"), dir)) {
        export(gateway, SdkTelemetry.logs());
        export(gateway, SdkTelemetry.logs());
        await().atMost(Duration.ofSeconds(20)).until(() -> entries(up) == 6);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          assertThat(Scrape.value(gateway, "gateway_exporter_retries_total", "exporter=\"loki/saas\""))
              .isGreaterThanOrEqualTo(2.0);
        });
        // held in loki/saas's own queue: accepted (nothing refused), nothing sent, nothing dropped
        // (the core's queue-size gauge is not asserted: see the report, it can read NaN after a GC)
        assertThat(Scrape.value(gateway, "gateway_exporter_enqueue_failed_log_records_total", "exporter=\"loki/saas\"")).isZero();
        assertThat(Scrape.value(gateway, "gateway_exporter_sent_log_records_total", "exporter=\"loki/saas\"")).isZero();
        assertThat(Scrape.value(gateway, "gateway_exporter_send_failed_log_records_total", "exporter=\"loki/saas\"")).isZero();
        assertThat(Scrape.value(gateway, "gateway_exporter_sent_log_records_total", "exporter=\"loki/primary\"")).isEqualTo(6.0);
        assertThat(Scrape.value(gateway, "gateway_exporter_retries_total", "exporter=\"loki/primary\"")).isZero();

        down.restart();
        await().atMost(Duration.ofSeconds(30)).until(() -> entries(down) == 6);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
            assertThat(Scrape.value(gateway, "gateway_exporter_sent_log_records_total", "exporter=\"loki/saas\""))
                .isEqualTo(6.0));
      }
    }
  }
}
