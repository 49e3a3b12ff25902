package io.goblinos.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.testing.Http;
import io.goblinos.gateway.testing.OtlpFiles;
import io.goblinos.gateway.testing.SdkData;
import io.goblinos.gateway.testing.TestGateway;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenTelemetry Java SDK sends traces, metrics and logs over gRPC, HTTP/protobuf and HTTP/JSON; what the file
 * exporter wrote must equal what the SDK encoded, field by field (protobuf message equality over every field:
 * ids, names, kinds, times, attributes of every type, events, links, status, resource, scope, all metric types,
 * log bodies and severities).
 */
class SdkToFileTest {
  enum Transport { GRPC, HTTP_PROTOBUF, HTTP_JSON }

  @TempDir Path dir;
  private TestGateway gateway;

  @BeforeEach
  void start() {
    gateway = TestGateway.start("""
        receivers:
          otlp:
            protocols:
              grpc: {endpoint: 127.0.0.1:0}
              http: {endpoint: 127.0.0.1:0}
        processors:
          batch: {timeout: 50ms}
        exporters:
          file: {directory: out}
        service:
          pipelines:
            traces: {receivers: [otlp], processors: [batch], exporters: [file]}
            metrics: {receivers: [otlp], processors: [batch], exporters: [file]}
            logs: {receivers: [otlp], processors: [batch], exporters: [file]}
        """, dir);
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private static void assertSuccess(CompletableResultCode result) {
    result.join(20, TimeUnit.SECONDS);
    assertThat(result.isSuccess()).as("export succeeded").isTrue();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void tracesArriveUnchanged(Transport transport) {
    List<SpanData> spans = SdkData.spans(transport.name());
    switch (transport) {
      case GRPC -> {
        try (OtlpGrpcSpanExporter e = OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + gateway.grpcPort()).build()) {
          assertSuccess(e.export(spans));
        }
      }
      case HTTP_PROTOBUF -> {
        try (OtlpHttpSpanExporter e = OtlpHttpSpanExporter.builder()
            .setEndpoint("http://127.0.0.1:" + gateway.httpPort() + "/v1/traces").setCompression("gzip").build()) {
          assertSuccess(e.export(spans));
        }
      }
      case HTTP_JSON -> assertJsonAccepted("/v1/traces", SdkData.spansToJson(spans));
    }
    var expected = OtlpFiles.spans(List.of(SdkData.toProto(spans)));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(OtlpFiles.tracesIn(dir.resolve("out"))).containsExactlyInAnyOrderElementsOf(expected));
    assertThat(expected).hasSize(5);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void metricsArriveUnchanged(Transport transport) {
    Collection<MetricData> metrics = SdkData.metrics();
    switch (transport) {
      case GRPC -> {
        try (OtlpGrpcMetricExporter e = OtlpGrpcMetricExporter.builder().setEndpoint("http://127.0.0.1:" + gateway.grpcPort()).build()) {
          assertSuccess(e.export(metrics));
        }
      }
      case HTTP_PROTOBUF -> {
        try (OtlpHttpMetricExporter e = OtlpHttpMetricExporter.builder()
            .setEndpoint("http://127.0.0.1:" + gateway.httpPort() + "/v1/metrics").build()) {
          assertSuccess(e.export(metrics));
        }
      }
      case HTTP_JSON -> assertJsonAccepted("/v1/metrics", SdkData.metricsToJson(metrics));
    }
    var expected = OtlpFiles.metrics(List.of(SdkData.metricsToProto(metrics)));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(OtlpFiles.metricsIn(dir.resolve("out"))).containsExactlyInAnyOrderElementsOf(expected));
    assertThat(expected).extracting(r -> r.item().getDataCase().name())
        .contains("SUM", "GAUGE", "HISTOGRAM", "EXPONENTIAL_HISTOGRAM");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void logsArriveUnchanged(Transport transport) {
    List<LogRecordData> logs = SdkData.logs();
    switch (transport) {
      case GRPC -> {
        try (OtlpGrpcLogRecordExporter e = OtlpGrpcLogRecordExporter.builder().setEndpoint("http://127.0.0.1:" + gateway.grpcPort()).build()) {
          assertSuccess(e.export(logs));
        }
      }
      case HTTP_PROTOBUF -> {
        try (OtlpHttpLogRecordExporter e = OtlpHttpLogRecordExporter.builder()
            .setEndpoint("http://127.0.0.1:" + gateway.httpPort() + "/v1/logs").build()) {
          assertSuccess(e.export(logs));
        }
      }
      case HTTP_JSON -> assertJsonAccepted("/v1/logs", SdkData.logsToJson(logs));
    }
    var expected = OtlpFiles.logs(List.of(SdkData.logsToProto(logs)));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(OtlpFiles.logsIn(dir.resolve("out"))).containsExactlyInAnyOrderElementsOf(expected));
    assertThat(expected).hasSize(3);
  }

  private void assertJsonAccepted(String path, byte[] json) {
    HttpResponse<byte[]> r = Http.post(gateway.httpPort(), path, "application/json", json);
    assertThat(r.statusCode()).as(Http.text(r)).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(Http.text(r)).as("full success leaves partial_success unset").isEqualTo("{}");
  }
}
