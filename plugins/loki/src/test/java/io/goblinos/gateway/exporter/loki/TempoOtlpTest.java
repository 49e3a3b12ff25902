package io.goblinos.gateway.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.testing.OtlpFiles;
import io.goblinos.gateway.testing.SdkData;
import io.goblinos.gateway.testing.TestGateway;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tempo speaks OTLP (gRPC on 4317, HTTP on 4318), so the gateway reaches it with its {@code otlp} and
 * {@code otlphttp} exporters, configured as docs/backends.md shows. No Tempo runs here: a second gateway stands in
 * for it (OTLP receiver + file exporter), and the spans the SDK sent must arrive there field by field.
 */
class TempoOtlpTest {

  @ParameterizedTest
  @ValueSource(strings = {"otlp", "otlphttp"})
  void spansReachTempoUnchanged(String exporter, @TempDir Path tempoDir, @TempDir Path edgeDir) {
    try (TestGateway tempo = TestGateway.start("""
        receivers:
          otlp:
            protocols:
              grpc: {endpoint: 127.0.0.1:0}
              http: {endpoint: 127.0.0.1:0}
        exporters:
          file: {directory: out}
        service:
          pipelines:
            traces: {receivers: [otlp], exporters: [file]}
        """, tempoDir)) {
      String exporterBlock = exporter.equals("otlp")
          ? "otlp/tempo:\n  endpoint: 127.0.0.1:" + tempo.grpcPort() + "\n  tls: {insecure: true}\n"
          : "otlphttp/tempo:\n  endpoint: http://127.0.0.1:" + tempo.httpPort() + "\n";
      try (TestGateway edge = TestGateway.start("""
          receivers:
            otlp:
              protocols:
                http: {endpoint: 127.0.0.1:0}
          exporters:
          %s
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [%s/tempo]}
          """.formatted(exporterBlock.indent(2).stripTrailing(), exporter), edgeDir)) {
        List<SpanData> spans = SdkTelemetry.spans(exporter);
        try (OtlpHttpSpanExporter e = OtlpHttpSpanExporter.builder()
            .setEndpoint("http://127.0.0.1:" + edge.httpPort() + "/v1/traces").build()) {
          CompletableResultCode r = e.export(spans);
          r.join(20, TimeUnit.SECONDS);
          assertThat(r.isSuccess()).isTrue();
        }
        var expected = OtlpFiles.spans(List.of(SdkData.toProto(spans)));
        assertThat(expected).hasSize(3);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
            assertThat(OtlpFiles.tracesIn(tempoDir.resolve("out"))).containsExactlyInAnyOrderElementsOf(expected));
      }
    }
  }
}
