package io.goblinos.gateway.testing;

import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.config.ComponentRegistry;
import io.goblinos.gateway.config.ConfigLoader;
import io.goblinos.gateway.config.GatewayConfig;
import io.goblinos.gateway.receiver.otlp.OtlpReceiver;
import io.goblinos.gateway.service.GatewayRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A whole gateway in the test's JVM, started from YAML with every port ephemeral (receivers on 127.0.0.1:0, the
 * telemetry server on 127.0.0.1:0). Close it to drain and stop.
 */
public final class TestGateway implements AutoCloseable {
  private final GatewayRuntime runtime;

  private TestGateway(GatewayRuntime runtime) {
    this.runtime = runtime;
  }

  public static GatewayConfig parse(String yaml, List<String> sets) {
    try {
      Map<String, Object> raw = new ConfigLoader(name -> null).loadString(yaml, sets);
      GatewayConfig.Result r = GatewayConfig.parse(raw, ComponentRegistry.discover());
      if (!r.ok()) {
        throw new IllegalArgumentException("invalid test config:\n" + String.join("\n", r.errors()));
      }
      return r.config();
    } catch (ConfigLoader.ConfigLoadException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Starts a gateway; {@code yaml} should use port 0 everywhere (see {@link #EPHEMERAL}). */
  public static TestGateway start(String yaml, Path workDir) {
    return start(yaml, GatewayRuntime.Options.defaults().withWorkDir(workDir));
  }

  public static TestGateway start(String yaml, GatewayRuntime.Options options) {
    GatewayConfig config = parse(yaml, EPHEMERAL);
    try {
      return new TestGateway(GatewayRuntime.start(config, options).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("gateway failed to start: " + e.getMessage(), e);
    }
  }

  /** Overrides that make the telemetry server ephemeral. Receivers' endpoints are set in each test's YAML. */
  public static final List<String> EPHEMERAL = List.of("service.telemetry.metrics.address=127.0.0.1:0");

  public GatewayRuntime runtime() {
    return runtime;
  }

  public OtlpReceiver otlp(String id) {
    return (OtlpReceiver) runtime.gateway().receiver(ComponentId.parse(id)).orElseThrow();
  }

  public int httpPort() {
    return otlp("otlp").httpPort();
  }

  public int grpcPort() {
    return otlp("otlp").grpcPort();
  }

  public int telemetryPort() {
    return runtime.telemetryPort();
  }

  /** The audit service, when the config has an {@code audit} section. */
  public io.goblinos.gateway.auditservice.AuditService runtimeAudit() {
    return runtime.audit().orElseThrow();
  }

  public String scrape() {
    return runtime.registry().scrape();
  }

  @Override
  public void close() {
    try {
      runtime.stop(Duration.ofSeconds(10)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
