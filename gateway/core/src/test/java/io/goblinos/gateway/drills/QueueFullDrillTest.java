package io.goblinos.gateway.drills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.testing.Http;
import io.goblinos.gateway.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drill 3: the backend is down long enough for the persistent queue to fill up. Senders get 429 with Retry-After
 * (backpressure), the queue stays within its bounds in memory and on disk, the gateway stays up; when the backend
 * returns the queue drains, 200s resume, and everything acknowledged arrives.
 */
class QueueFullDrillTest {
  @TempDir Path dir;

  static final long QUEUE_BYTES = 64 * 1024;
  static final long DISK_LIMIT = 256 * 1024;

  static String frontYaml(int backendPort) {
    return """
        receivers:
          otlp:
            protocols:
              http: {endpoint: 127.0.0.1:0}
        exporters:
          otlphttp:
            endpoint: http://127.0.0.1:%d
            timeout: 2s
            sending_queue: {storage: file_storage, num_consumers: 2, queue_size_bytes: %d}
            retry_on_failure: {initial_interval: 20ms, max_interval: 100ms, max_elapsed_time: 0}
        extensions:
          file_storage: {directory: queue, segment_size: 16KiB, max_size_per_queue: %d}
        service:
          extensions: [file_storage]
          pipelines:
            traces: {receivers: [otlp], exporters: [otlphttp]}
            metrics: {receivers: [otlp], exporters: [otlphttp]}
            logs: {receivers: [otlp], exporters: [otlphttp]}
        """.formatted(backendPort, QUEUE_BYTES, DISK_LIMIT);
  }

  static double meter(TestGateway g, String name) {
    return g.runtime().registry().find(name).gauges().stream().mapToDouble(x -> x.value()).max().orElse(0);
  }

  static long directoryBytes(Path queueDir) throws Exception {
    long max = 0;
    try (Stream<Path> queues = Files.list(queueDir)) {
      for (Path q : queues.filter(Files::isDirectory).filter(p -> p.getFileName().toString().startsWith("exporter_")).toList()) {
        try (Stream<Path> files = Files.list(q)) {
          long sum = 0;
          for (Path f : files.toList()) {
            sum += Files.size(f);
          }
          max = Math.max(max, sum);
        }
      }
    }
    return max;
  }

  @Test
  void aFullQueuePushesBackStaysBoundedAndRecovers() throws Exception {
    int backendPort = DrillSupport.freePort(); // nothing listens there yet: the backend is down
    Path backendDir = dir.resolve("backend");
    TestGateway backend = null;
    try (TestGateway front = TestGateway.start(frontYaml(backendPort), dir.resolve("front"))) {
      DrillSupport.Load load = new DrillSupport.Load(front.httpPort(), 4, 10, 0, 100).start();
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> load.count(429) >= 200);
        // bounded: the queue never holds more than its limits (one request may overshoot the byte bound only when
        // the queue is empty), and the files stay under max_size_per_queue
        assertThat(meter(front, "gateway.exporter.queue.bytes")).isLessThanOrEqualTo(QUEUE_BYTES);
        assertThat(directoryBytes(dir.resolve("front/queue"))).isLessThanOrEqualTo(DISK_LIMIT);
        assertThat(Http.get(front.telemetryPort(), "/health/live").statusCode()).isEqualTo(200);
        assertThat(load.retryAfters).isNotEmpty().allMatch(v -> Integer.parseInt(v) >= 1);
        assertThat(load.statuses.keySet()).as("only 200 and 429, never a 5xx or a dropped connection")
            .containsOnly(200, 429);

        backend = TestGateway.start(BackendOutageDrillTest.backendYaml(backendPort), backendDir);
        long acked = load.ackedRequests.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> load.ackedRequests.get() >= acked + 300); // recovered
      } finally {
        load.close();
      }
      assertThat(front.scrape()).contains("gateway_exporter_enqueue_failed_spans_total");
      await().atMost(Duration.ofSeconds(30)).until(() ->
          DrillSupport.missing(load, DrillSupport.received(backendDir.resolve("out"))).values().stream()
              .allMatch(Set::isEmpty));
      Map<String, List<String>> received = DrillSupport.received(backendDir.resolve("out"));
      for (String s : DrillSupport.SIGNALS) {
        assertThat(Set.copyOf(received.get(s))).as(s).isEqualTo(load.acked.get(s));
      }
      System.out.println("drill 3: answers " + load.statuses + ", acknowledged " + load.ackedItems() + " items");
    } finally {
      if (backend != null) {
        backend.close();
      }
    }
  }
}
