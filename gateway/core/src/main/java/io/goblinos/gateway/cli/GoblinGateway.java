package io.goblinos.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code goblin-gateway}: run, validate, version (and the audit tools). */
@Command(
    name = "goblin-gateway",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "OTLP gateway with a tamper-evident audit log.",
    subcommands = {RunCommand.class, ValidateCommand.class, VersionCommand.class, CommandLine.HelpCommand.class})
public final class GoblinGateway implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** The common pool's parallelism property; read once, when the pool is first used. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    giveTheCommonPoolTwoWorkers();
    System.exit(commandLine().execute(args));
  }

  /**
   * On 1-2 CPUs the common ForkJoinPool gets parallelism 1, and Hazelcast (cost tracker) then starts a new thread
   * for every async callback instead of using the pool. Set before anything touches the pool, unless the user set it.
   */
  static void giveTheCommonPoolTwoWorkers() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null && Runtime.getRuntime().availableProcessors() <= 2) {
      System.setProperty(COMMON_POOL_PARALLELISM, "2");
    }
  }

  /** The command line with every subcommand, including those contributed by other modules. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new GoblinGateway());
    for (SubcommandProvider p : java.util.ServiceLoader.load(SubcommandProvider.class)) {
      cl.addSubcommand(p.command());
    }
    // A bad file or argument is the user's to fix: one line naming it, exit 2, no stack trace.
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
          || ex instanceof java.io.UncheckedIOException) {
        commandLine.getErr().println("error: " + ex.getMessage());
        return 2;
      }
      throw ex;
    });
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
