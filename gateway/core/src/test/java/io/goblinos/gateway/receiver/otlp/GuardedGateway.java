package io.goblinos.gateway.receiver.otlp;

import io.goblinos.gateway.api.component.ComponentFactory;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.config.ComponentRegistry;
import io.goblinos.gateway.config.ConfigLoader;
import io.goblinos.gateway.config.GatewayConfig;
import io.goblinos.gateway.extension.apikeyauth.ApiKeyAuthExtensionFactory;
import io.goblinos.gateway.extension.spiffeauth.SpiffeAuthExtensionFactory;
import io.goblinos.gateway.service.GatewayRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A whole gateway for the auth and hardening tests, like {@code testing.TestGateway} but with the authenticator
 * extensions in the registry whether or not META-INF/services lists them yet.
 */
final class GuardedGateway implements AutoCloseable {
  private final GatewayRuntime runtime;

  private GuardedGateway(GatewayRuntime runtime) {
    this.runtime = runtime;
  }

  static ComponentRegistry registry() {
    List<ComponentFactory<?>> all = new ArrayList<>(ComponentRegistry.discover().all());
    for (ComponentFactory<?> f : List.of(new ApiKeyAuthExtensionFactory(), new SpiffeAuthExtensionFactory())) {
      if (all.stream().noneMatch(x -> x.kind() == f.kind() && x.type().equals(f.type()))) {
        all.add(f);
      }
    }
    return new ComponentRegistry(all);
  }

  /** Parses a config; the errors when it is invalid. */
  static GatewayConfig.Result parse(String yaml) {
    try {
      Map<String, Object> raw = new ConfigLoader(name -> null)
          .loadString(yaml, List.of("service.telemetry.metrics.address=127.0.0.1:0"));
      return GatewayConfig.parse(raw, registry());
    } catch (ConfigLoader.ConfigLoadException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  static GuardedGateway start(String yaml, Path workDir) {
    return start(yaml, workDir, rt -> {});
  }

  static GuardedGateway start(String yaml, Path workDir, Consumer<GatewayRuntime> beforeStart) {
    GatewayConfig.Result r = parse(yaml);
    if (!r.ok()) {
      throw new IllegalArgumentException("invalid test config:\n" + String.join("\n", r.errors()));
    }
    try {
      return new GuardedGateway(GatewayRuntime.start(r.config(), GatewayRuntime.Options.defaults().withWorkDir(workDir)
          .withBeforeStart(beforeStart)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("gateway failed to start: " + e.getMessage(), e);
    }
  }

  GatewayRuntime runtime() {
    return runtime;
  }

  OtlpReceiver otlp(String id) {
    return (OtlpReceiver) runtime.gateway().receiver(ComponentId.parse(id)).orElseThrow();
  }

  /** The value of one Prometheus sample, 0 when absent. */
  double metric(String name, String... labels) {
    for (String line : runtime.registry().scrape().split("\n")) {
      if (!line.startsWith(name + "{")) {
        continue;
      }
      boolean all = true;
      for (String l : labels) {
        all &= line.contains(l);
      }
      if (all) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
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
