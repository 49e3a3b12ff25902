package io.goblinos.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway as a separate process ({@code java -cp <test class path> GoblinGateway run}), for signals and
 * {@code kill -9}. Close kills it if it still runs.
 */
public final class GatewayProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private GatewayProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** A port free right now (bind 0, read it, close). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts {@code run --config config} in {@code workDir} and waits until /health/ready on {@code adminPort}. */
  public static GatewayProcess start(Path config, Path workDir, int adminPort, String... extraArgs) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        "io.goblinos.gateway.cli.GoblinGateway", "run", "--config", config.toString()));
    cmd.addAll(List.of(extraArgs));
    Path log = Files.createTempFile(workDir, "gateway", ".log");
    Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    GatewayProcess gp = new GatewayProcess(p, log);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      if (!p.isAlive()) {
        throw new IllegalStateException("gateway exited " + p.exitValue() + ":\n" + gp.log());
      }
      try {
        if (Http.get(adminPort, "/health/ready").statusCode() == 200) {
          return gp;
        }
      } catch (RuntimeException notYet) {
        // not listening yet
      }
      sleep(100);
    }
    gp.close();
    throw new IllegalStateException("gateway not ready within 60s:\n" + gp.log());
  }

  public Process process() {
    return process;
  }

  /** SIGKILL, and wait for the process to be gone. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
