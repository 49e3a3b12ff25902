package io.goblinos.gateway.exporter.prometheusremotewrite;

import io.goblinos.gateway.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (the Debian package's {@code prometheus} binary) on a loopback port with its remote-write
 * receiver on, storing into a temporary directory. Fails with a clear message when the binary is missing: CI
 * ({@code .ci/run}) installs it, and the test must not pass silently without it.
 */
final class PrometheusServer implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private PrometheusServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  static PrometheusServer start(Path dir) throws IOException, InterruptedException {
    String binary = findOnPath("prometheus");
    if (binary == null) {
      throw new IllegalStateException("the 'prometheus' binary is not on PATH (" + System.getenv("PATH") + "): install"
          + " the Debian package 'prometheus' (apt-get install prometheus; .ci/run does it) to run the remote-write tests");
    }
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, "global:\n  scrape_interval: 1h\n");
    Path data = Files.createDirectories(dir.resolve("tsdb"));
    Path log = dir.resolve("prometheus.log");
    IOException lastFailure = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      Process p = new ProcessBuilder(binary,
          "--config.file=" + config,
          "--storage.tsdb.path=" + data,
          "--web.listen-address=127.0.0.1:" + port,
          "--web.enable-remote-write-receiver",
          "--log.level=warn")
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      PrometheusServer server = new PrometheusServer(p, port, log);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline && p.isAlive()) {
        try {
          if (Http.get(port, "/-/ready").statusCode() == 200) {
            return server;
          }
        } catch (UncheckedIOException e) {
          lastFailure = e.getCause();
        }
        Thread.sleep(100);
      }
      server.close();
      if (!p.isAlive() && server.logText().contains("address already in use")) {
        continue; // the free port was taken in between: try another
      }
      throw new IllegalStateException("prometheus did not become ready on port " + port + ": " + server.logText(),
          lastFailure);
    }
    throw new IllegalStateException("prometheus could not bind a free port: " + Files.readString(log));
  }

  int port() {
    return port;
  }

  String remoteWriteUrl() {
    return "http://127.0.0.1:" + port + "/api/v1/write";
  }

  /** The result vector of an instant query (each element: {metric: {...}, value: [time, "value"]}). */
  JsonArray query(String promql) {
    HttpResponse<byte[]> r = Http.get(port, "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    JsonObject body = new JsonObject(Http.text(r));
    if (r.statusCode() != 200 || !"success".equals(body.getString("status"))) {
      throw new IllegalStateException("query " + promql + " failed: " + Http.text(r));
    }
    return body.getJsonObject("data").getJsonArray("result");
  }

  /** The label sets of the series matching {@code selector}. */
  List<JsonObject> series(String selector) {
    HttpResponse<byte[]> r = Http.get(port, "/api/v1/series?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
    JsonObject body = new JsonObject(Http.text(r));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("series " + selector + " failed: " + Http.text(r));
    }
    List<JsonObject> out = new ArrayList<>();
    body.getJsonArray("data").forEach(o -> out.add((JsonObject) o));
    return out;
  }

  String logText() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static String findOnPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      File f = new File(dir, name);
      if (f.isFile() && f.canExecute()) {
        return f.getAbsolutePath();
      }
    }
    return null;
  }
}
