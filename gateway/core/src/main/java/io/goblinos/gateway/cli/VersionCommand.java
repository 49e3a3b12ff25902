package io.goblinos.gateway.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the gateway version.")
final class VersionCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  static String version() {
    String v = GoblinGateway.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public Integer call() {
    spec.commandLine().getOut().println("goblin-gateway " + version() + " (Java " + System.getProperty("java.version") + ")");
    return 0;
  }

  static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"goblin-gateway " + version()};
    }
  }
}
