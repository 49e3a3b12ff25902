package io.goblinos.gateway.drills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.testing.Http;
import io.goblinos.gateway.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drill 2: the gateway holding a persistent queue is killed with SIGKILL ({@link Process#destroyForcibly()}) in the
 * middle of a stream, with a backlog on disk (the backend was down for a while), then started again on the same
 * directory: every item it acknowledged with 200 reaches the backend. Duplicates are allowed; the restarted gateway
 * counts what it recovered and what it may deliver twice.
 *
 * <p>The gateway runs as a real separate process ({@code java -cp <test class path> …GoblinGateway run --config F})
 * on explicit free ports; the backend is an in-process gateway with a file exporter.
 */
class KillDashNineDrillTest {
  @TempDir Path dir;
  private Process gateway;
  private TestGateway backend;

  @AfterEach
  void cleanUp() throws Exception {
    if (gateway != null && gateway.isAlive()) {
      gateway.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }
    if (backend != null) {
      backend.close();
    }
  }

  private Process startGateway(Path config, Path log, int telemetryPort) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "io.goblinos.gateway.cli.GoblinGateway", "run", "--config", config.toString())
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100)).until(() -> {
      if (!p.isAlive()) {
        throw new AssertionError("the gateway exited with " + p.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        return Http.get(telemetryPort, "/health/ready").statusCode() == 200;
      } catch (RuntimeException e) {
        return false;
      }
    });
    return p;
  }

  @Test
  void nothingAcknowledgedIsLostWhenTheGatewayIsKilled() throws Exception {
    int backendPort = DrillSupport.freePort();
    int httpPort = DrillSupport.freePort();
    int telemetryPort = DrillSupport.freePort();
    Path backendDir = dir.resolve("backend");
    Path config = dir.resolve("gateway.yaml");
    Path log = dir.resolve("gateway.log");
    Files.writeString(config, """
        receivers:
          otlp:
            protocols:
              http: {endpoint: 127.0.0.1:%d}
        exporters:
          otlphttp:
            endpoint: http://127.0.0.1:%d
            timeout: 2s
            sending_queue: {storage: file_storage, num_consumers: 4}
            retry_on_failure: {initial_interval: 20ms, max_interval: 200ms, max_elapsed_time: 0}
        extensions:
          file_storage: {directory: %s}
        service:
          extensions: [file_storage]
          telemetry:
            metrics: {address: 127.0.0.1:%d}
          pipelines:
            traces: {receivers: [otlp], exporters: [otlphttp]}
            metrics: {receivers: [otlp], exporters: [otlphttp]}
            logs: {receivers: [otlp], exporters: [otlphttp]}
        """.formatted(httpPort, backendPort, dir.resolve("queue"), telemetryPort), StandardCharsets.UTF_8);

    backend = TestGateway.start(BackendOutageDrillTest.backendYaml(backendPort), backendDir);
    gateway = startGateway(config, log, telemetryPort);
    DrillSupport.Load load = new DrillSupport.Load(httpPort, 4, 5, 0).start();
    String scrape;
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> load.ackedRequests.get() >= 60);
      backend.close(); // a backlog builds up on disk
      backend = null;
      long before = load.ackedRequests.get();
      await().atMost(Duration.ofSeconds(20)).until(() -> load.ackedRequests.get() >= before + 150);

      gateway.destroyForcibly(); // SIGKILL, mid-stream: four senders have requests in flight
      assertThat(gateway.waitFor(20, TimeUnit.SECONDS)).isTrue();
      long ackedAtKill = load.ackedRequests.get();

      backend = TestGateway.start(BackendOutageDrillTest.backendYaml(backendPort), backendDir);
      gateway = startGateway(config, log, telemetryPort);
      await().atMost(Duration.ofSeconds(20)).until(() -> load.ackedRequests.get() >= ackedAtKill + 60);
      scrape = Http.text(Http.get(telemetryPort, "/metrics"));
    } finally {
      load.close();
    }

    await().atMost(Duration.ofSeconds(30)).until(() ->
        DrillSupport.missing(load, DrillSupport.received(backendDir.resolve("out"))).values().stream()
            .allMatch(Set::isEmpty));
    Map<String, List<String>> received = DrillSupport.received(backendDir.resolve("out"));
    for (String s : DrillSupport.SIGNALS) {
      assertThat(received.get(s)).as(s).containsAll(load.acked.get(s));
    }
    double recovered = DrillSupport.scrapeValue(scrape, "gateway_exporter_queue_recovered_spans_total", "otlphttp")
        + DrillSupport.scrapeValue(scrape, "gateway_exporter_queue_recovered_metric_points_total", "otlphttp")
        + DrillSupport.scrapeValue(scrape, "gateway_exporter_queue_recovered_log_records_total", "otlphttp");
    double redelivered = DrillSupport.scrapeValue(scrape, "gateway_exporter_queue_redelivered_spans_total", "otlphttp")
        + DrillSupport.scrapeValue(scrape, "gateway_exporter_queue_redelivered_metric_points_total", "otlphttp")
        + DrillSupport.scrapeValue(scrape, "gateway_exporter_queue_redelivered_log_records_total", "otlphttp");
    assertThat(recovered).as("items resumed from the queue after the kill").isPositive();
    assertThat(redelivered).isLessThanOrEqualTo(recovered);
    assertThat(Files.readString(log)).contains("resumed with");
    System.out.println("drill 2: acknowledged " + load.ackedItems() + " items, recovered after the kill " + recovered
        + " (" + redelivered + " possibly delivered before), duplicates at the backend "
        + DrillSupport.duplicates(received) + ", answers " + load.statuses);
  }
}
