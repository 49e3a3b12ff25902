package io.goblinos.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.testing.Http;
import io.goblinos.gateway.testing.SdkData;
import io.goblinos.gateway.testing.TestGateway;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipeline pushback reaches senders as OTLP says: 429 + Retry-After when throttled, 503 when unavailable. */
class PushbackStatusTest {
  @TempDir Path dir;

  private static final byte[] SPANS = SdkData.toProto(SdkData.spans("pushback")).toByteArray();

  @Test
  void memoryLimiterAboveItsLimitAnswers429WithRetryAfter() {
    try (TestGateway gw = TestGateway.start("""
        receivers:
          otlp:
            protocols: {http: {endpoint: 127.0.0.1:0}}
        processors:
          memory_limiter: {check_interval: 100ms, limit_mib: 1, spike_limit_mib: 0}
        exporters:
          file: {directory: out}
        service:
          pipelines:
            traces: {receivers: [otlp], processors: [memory_limiter], exporters: [file]}
        """, dir)) {
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        HttpResponse<byte[]> r = Http.post(gw.httpPort(), "/v1/traces", "application/x-protobuf", SPANS);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("retry-after")).isPresent();
      });
      assertThat(gw.scrape()).containsPattern("gateway_receiver_refused_spans_total\\{receiver=\"otlp\",transport=\"http\"} [1-9]");
    }
  }

  @Test
  void unreachableBackendWithoutQueueAnswers503OverHttpAndUnavailableOverGrpc() {
    try (TestGateway gw = TestGateway.start("""
        receivers:
          otlp:
            protocols: {http: {endpoint: 127.0.0.1:0}, grpc: {endpoint: 127.0.0.1:0}}
        exporters:
          otlphttp:
            endpoint: http://127.0.0.1:1
            sending_queue: {enabled: false}
            retry_on_failure: {enabled: false}
            timeout: 2s
        service:
          pipelines:
            traces: {receivers: [otlp], exporters: [otlphttp]}
        """, dir)) {
      HttpResponse<byte[]> r = Http.post(gw.httpPort(), "/v1/traces", "application/x-protobuf", SPANS);
      assertThat(r.statusCode()).isEqualTo(503);
      // The SDK's gRPC exporter reports the failure (UNAVAILABLE is retryable; the SDK gives up after its retries).
      try (OtlpGrpcSpanExporter e = OtlpGrpcSpanExporter.builder()
          .setEndpoint("http://127.0.0.1:" + gw.grpcPort()).setRetryPolicy(null).build()) {
        var result = e.export(SdkData.spans("grpc-503"));
        result.join(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(result.isSuccess()).isFalse();
      }
      assertThat(gw.scrape()).contains("gateway_receiver_requests_total{receiver=\"otlp\",status=\"503\",transport=\"http\"}");
    }
  }
}
