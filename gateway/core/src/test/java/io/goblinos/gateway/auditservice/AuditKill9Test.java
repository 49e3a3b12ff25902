package io.goblinos.gateway.auditservice;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.audit.cli.AuditCommand;
import io.goblinos.gateway.testing.AuditFixtures;
import io.goblinos.gateway.testing.GatewayProcess;
import io.goblinos.gateway.testing.Http;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * kill -9 under load: every event acknowledged with 200 is in the store afterwards, and `audit verify` passes on
 * the store once a restarted gateway has cut any torn tail.
 */
class AuditKill9Test {
  @TempDir Path dir;

  @Test
  void acknowledgedEventsSurviveKill9AndTheStoreVerifies() throws Exception {
    AuditFixtures goblin = new AuditFixtures(11, "goblin-11", "goblin-11-k1");
    Path keys = AuditFixtures.writeRegistry(dir.resolve("keys.yaml"), goblin);
    int http = GatewayProcess.freePort();
    int admin = GatewayProcess.freePort();
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, """
        receivers:
          otlp:
            protocols: {http: {endpoint: 127.0.0.1:%d}}
        exporters:
          file: {directory: out}
        audit:
          keys_file: %s
          store: {directory: audit}
          checkpoint_interval: 1s
        service:
          pipelines:
            logs: {receivers: [otlp], exporters: [file]}
          telemetry:
            metrics: {address: 127.0.0.1:%d}
        """.formatted(http, keys, admin));

    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger sent = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    try (GatewayProcess gw = GatewayProcess.start(config, dir, admin)) {
      ExecutorService senders = Executors.newFixedThreadPool(6);
      for (int t = 0; t < 6; t++) {
        int thread = t;
        senders.submit(() -> {
          int n = 0;
          while (!stop.get()) {
            List<String> ids = new ArrayList<>();
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 5; i++) {
              String id = "k9-" + thread + "-" + n++;
              ids.add(id);
              batch.append(goblin.signed(id, "task " + id)).append('\n');
            }
            sent.addAndGet(ids.size());
            try {
              HttpResponse<byte[]> r = Http.post(http, "/v1/audit", "application/x-ndjson", batch.toString().getBytes());
              if (r.statusCode() == 200 && new JsonObject(Http.text(r)).getInteger("accepted") == ids.size()) {
                acknowledged.addAll(ids);
              }
            } catch (RuntimeException connectionLost) {
              // the gateway died mid-request: not acknowledged
            }
          }
          return null;
        });
      }
      while (acknowledged.size() < 300) {
        Thread.sleep(20);
      }
      gw.kill9();
      stop.set(true);
      senders.shutdown();
      assertThat(senders.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(300);

    // Restart on the same store (recovery cuts a torn tail), then stop gracefully.
    try (GatewayProcess again = GatewayProcess.start(config, dir, admin)) {
      again.process().destroy();
      assertThat(again.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    String stored;
    try (Stream<Path> segments = Files.list(dir.resolve("audit/segments"))) {
      StringBuilder all = new StringBuilder();
      for (Path p : segments.toList()) {
        all.append(Files.readString(p));
      }
      stored = all.toString();
    }
    for (String id : acknowledged) {
      assertThat(stored).as("acknowledged event %s is stored", id).contains("\"event_id\":\"" + id + "\"");
    }
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new AuditCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    int code = cli.execute("verify", "--store", dir.resolve("audit").toString(), "--keys", keys.toString(),
        "--gateway-key", dir.resolve("audit/gateway-verifier-key.txt").toString());
    assertThat(code).as(out.toString()).isZero();
  }
}
