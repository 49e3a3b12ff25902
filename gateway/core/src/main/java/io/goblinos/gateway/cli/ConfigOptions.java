package io.goblinos.gateway.cli;

import io.goblinos.gateway.config.ComponentRegistry;
import io.goblinos.gateway.config.ConfigLoader;
import io.goblinos.gateway.config.GatewayConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --config FILE} and {@code --set key.path=value}, shared by run and validate. */
final class ConfigOptions {

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Collector-style YAML config.")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override a config key by dotted path, e.g. --set exporters.file.directory=/tmp/otlp (repeatable).")
  List<String> sets = new ArrayList<>();

  /** Loads and validates; prints every error to {@code err} and returns null when invalid. */
  GatewayConfig load(PrintWriter err) {
    Map<String, Object> raw;
    try {
      raw = ConfigLoader.withSystemEnv().load(config, sets);
    } catch (ConfigLoader.ConfigLoadException e) {
      err.println("error: " + e.getMessage());
      return null;
    }
    GatewayConfig.Result result = GatewayConfig.parse(raw, ComponentRegistry.discover());
    if (!result.ok()) {
      err.println("error: invalid configuration " + config + " (" + result.errors().size() + " problem"
          + (result.errors().size() == 1 ? "" : "s") + "):");
      for (String e : result.errors()) {
        err.println("  " + e);
      }
      return null;
    }
    return result.config();
  }
}
