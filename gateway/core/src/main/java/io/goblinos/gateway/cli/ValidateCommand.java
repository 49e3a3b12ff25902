package io.goblinos.gateway.cli;

import io.goblinos.gateway.config.GatewayConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a config file and exit: 0 when valid, 2 with every problem listed otherwise.")
final class ValidateCommand implements Callable<Integer> {

  @CommandLine.Mixin
  ConfigOptions options = new ConfigOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    GatewayConfig config = options.load(spec.commandLine().getErr());
    if (config == null) {
      return 2;
    }
    spec.commandLine().getOut().println("config OK: " + options.config + " (" + config.pipelines().size() + " pipelines)");
    return 0;
  }
}
