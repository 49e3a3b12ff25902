package io.goblinos.gateway.drills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.testing.TestGateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drill 1: the backend goes down for a while under steady load, then comes back. The gateway in front keeps
 * answering 200 because it queues durably (otlphttp exporter with {@code sending_queue.storage: file_storage}), and
 * every span, metric point and log record it acknowledged arrives at the backend once it is back.
 *
 * <p>The backend is a second in-process gateway (OTLP receiver + file exporter) on a fixed port, so that it can be
 * restarted where the exporter expects it.
 */
class BackendOutageDrillTest {
  @TempDir Path dir;

  static String backendYaml(int port) {
    return """
        receivers:
          otlp:
            protocols:
              http: {endpoint: 127.0.0.1:%d}
        exporters:
          file: {directory: out}
        service:
          pipelines:
            traces: {receivers: [otlp], exporters: [file]}
            metrics: {receivers: [otlp], exporters: [file]}
            logs: {receivers: [otlp], exporters: [file]}
        """.formatted(port);
  }

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
            sending_queue: {storage: file_storage, num_consumers: 4}
            retry_on_failure: {initial_interval: 20ms, max_interval: 200ms, max_elapsed_time: 0}
        extensions:
          file_storage: {directory: queue}
        service:
          extensions: [file_storage]
          pipelines:
            traces: {receivers: [otlp], exporters: [otlphttp]}
            metrics: {receivers: [otlp], exporters: [otlphttp]}
            logs: {receivers: [otlp], exporters: [otlphttp]}
        """.formatted(backendPort);
  }

  static double queued(TestGateway g) {
    return g.runtime().registry().find("gateway.exporter.queue.size").gauges().stream()
        .mapToDouble(x -> x.value()).sum();
  }

  @Test
  void everyAcknowledgedItemArrivesAfterTheBackendComesBack() throws Exception {
    int backendPort = DrillSupport.freePort();
    Path backendDir = dir.resolve("backend");
    TestGateway backend = TestGateway.start(backendYaml(backendPort), backendDir);
    try (TestGateway front = TestGateway.start(frontYaml(backendPort), dir.resolve("front"))) {
      DrillSupport.Load load = new DrillSupport.Load(front.httpPort(), 2, 5, 2).start();
      try {
        await().atMost(Duration.ofSeconds(20)).until(() -> load.ackedRequests.get() >= 60);

        backend.close(); // outage
        long ackedAtOutage = load.ackedRequests.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> load.ackedRequests.get() >= ackedAtOutage + 90);
        assertThat(queued(front)).as("requests held in the persistent queue during the outage").isPositive();

        backend = TestGateway.start(backendYaml(backendPort), backendDir); // back, same port, same files
        long ackedAtRecovery = load.ackedRequests.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> load.ackedRequests.get() >= ackedAtRecovery + 60);
      } finally {
        load.close();
      }
      assertThat(load.count(200)).isEqualTo(load.ackedRequests.get());
      assertThat(load.statuses.keySet()).as("answers other than 200 under a backend outage").containsOnly(200);

      await().atMost(Duration.ofSeconds(30)).until(() ->
          DrillSupport.missing(load, DrillSupport.received(backendDir.resolve("out"))).values().stream()
              .allMatch(Set::isEmpty));
      await().atMost(Duration.ofSeconds(10)).until(() -> queued(front) == 0);
      Map<String, List<String>> received = DrillSupport.received(backendDir.resolve("out"));
      for (String s : DrillSupport.SIGNALS) {
        // counts matched: nothing lost, nothing the gateway did not acknowledge
        assertThat(Set.copyOf(received.get(s))).as(s).isEqualTo(load.acked.get(s));
      }
      assertThat(load.acked.get("traces")).hasSizeGreaterThan(200);
      assertThat(load.acked.get("metrics")).hasSizeGreaterThan(200);
      assertThat(load.acked.get("logs")).hasSizeGreaterThan(200);
      System.out.println("drill 1: acknowledged " + load.ackedItems() + " items; duplicates at the backend: "
          + DrillSupport.duplicates(received));
    } finally {
      backend.close();
    }
  }
}
