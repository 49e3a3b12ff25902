package io.goblinos.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.service.GatewayRuntime;
import io.goblinos.gateway.testing.Http;
import io.goblinos.gateway.testing.SdkData;
import io.goblinos.gateway.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TELEMETRY_ENABLED=false: receivers keep answering 200, no exporter is created, pipelines count what they drop. */
class TelemetryDisabledTest {
  @TempDir Path dir;

  @Test
  void receiversAnswerButNothingIsExported() {
    try (TestGateway gw = TestGateway.start("""
        receivers:
          otlp:
            protocols: {http: {endpoint: 127.0.0.1:0}}
        exporters:
          file: {directory: out}
        service:
          pipelines:
            traces: {receivers: [otlp], exporters: [file]}
        """, GatewayRuntime.Options.defaults().withWorkDir(dir).withExportEnabled(false))) {
      byte[] body = SdkData.toProto(SdkData.spans("disabled")).toByteArray();
      assertThat(Http.post(gw.httpPort(), "/v1/traces", "application/x-protobuf", body).statusCode()).isEqualTo(200);
      assertThat(gw.scrape()).contains("gateway_pipeline_discarded_spans_total{pipeline=\"traces\"} 5.0");
    }
    assertThat(Files.exists(dir.resolve("out"))).as("the file exporter was never created").isFalse();
  }
}
