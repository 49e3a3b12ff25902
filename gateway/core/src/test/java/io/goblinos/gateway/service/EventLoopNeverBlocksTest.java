package io.goblinos.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.goblinos.gateway.otlp.OtlpJson;
import io.goblinos.gateway.testing.Http;
import io.goblinos.gateway.testing.SdkData;
import io.goblinos.gateway.testing.TestGateway;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fails if any handler blocks an event loop: the gateway runs with a low max event-loop execute time (500 ms: low
 * enough to catch file I/O, sleeps or a large decode on the loop, high enough for a shared 2-core machine's
 * scheduling noise), and Vert.x's blocked-thread checker (which then reports where the thread was) must stay silent through a workload of large, compressed, concurrent and invalid requests
 * across every signal, with scrapes of /metrics in between.
 */
class EventLoopNeverBlocksTest {
  @TempDir Path dir;

  @Test
  void noEventLoopTaskRunsLongerThanTheLimit() throws Exception {
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        StringBuilder where = new StringBuilder(String.valueOf(r.getMessage()));
        if (r.getThrown() != null) {
          for (StackTraceElement e : r.getThrown().getStackTrace()) {
            where.append("\n  at ").append(e);
          }
        }
        warnings.add(where.toString());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger checker = Logger.getLogger("io.vertx.core.impl.BlockedThreadChecker");
    try (TestGateway gateway = TestGateway.start("""
        receivers:
          otlp:
            protocols:
              http: {endpoint: 127.0.0.1:0}
        exporters:
          file: {directory: out}
        service:
          pipelines:
            traces: {receivers: [otlp], exporters: [file]}
            metrics: {receivers: [otlp], exporters: [file]}
            logs: {receivers: [otlp], exporters: [file]}
        """, GatewayRuntime.Options.defaults().withWorkDir(dir).withMaxEventLoopExecuteTime(Duration.ofMillis(500)))) {
      int port = gateway.httpPort();
      byte[] small = SdkData.toProto(SdkData.spans("warm")).toByteArray();
      for (int i = 0; i < 50; i++) { // warm-up: class loading and JIT are not what this test is about
        Http.post(port, "/v1/traces", "application/x-protobuf", small);
      }
      checker.addHandler(capture);
      byte[] big = bigRequest(20_000).toByteArray(); // ~2 MB: decoded on the worker pool
      byte[] bigJson = OtlpJson.encode(bigRequest(5_000));
      ExecutorService clients = Executors.newFixedThreadPool(8);
      try {
        List<Future<Integer>> results = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
          results.add(clients.submit(() -> Http.post(port, "/v1/traces", "application/x-protobuf", big).statusCode()));
          results.add(clients.submit(() -> Http.post(port, "/v1/traces", "application/json", bigJson).statusCode()));
          results.add(clients.submit(() -> Http.post(port, "/v1/traces", "application/x-protobuf", small).statusCode()));
          results.add(clients.submit(() -> Http.post(port, "/v1/metrics", "application/x-protobuf",
              SdkData.metricsToProto(SdkData.metrics()).toByteArray()).statusCode()));
          results.add(clients.submit(() -> Http.post(port, "/v1/logs", "application/json", "{\"resourceLogs\":[".getBytes()).statusCode()));
          results.add(clients.submit(() -> Http.get(gateway.telemetryPort(), "/metrics").statusCode()));
        }
        for (Future<Integer> f : results) {
          assertThat(f.get()).isIn(200, 400);
        }
      } finally {
        clients.shutdownNow();
      }
    } finally {
      checker.removeHandler(capture);
    }
    assertThat(warnings).as("Vert.x blocked-thread warnings").isEmpty();
  }

  static ExportTraceServiceRequest bigRequest(int spans) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (int i = 0; i < spans; i++) {
      ss.addSpans(Span.newBuilder()
          .setTraceId(ByteString.copyFrom(java.nio.ByteBuffer.allocate(16).putLong(7).putLong(i).array()))
          .setSpanId(ByteString.copyFrom(java.nio.ByteBuffer.allocate(8).putLong(i + 1).array()))
          .setName("span-" + i)
          .setStartTimeUnixNano(1_700_000_000_000_000_000L + i)
          .setEndTimeUnixNano(1_700_000_000_100_000_000L + i));
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ss)).build();
  }
}
