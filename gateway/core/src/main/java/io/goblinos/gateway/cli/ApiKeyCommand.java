package io.goblinos.gateway.cli;

import io.goblinos.gateway.auth.ApiKeys;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code goblin-gateway apikey create --name NAME}: prints a new random API key once, and the line to add to the
 * {@code apikeyauth} keys file (which holds only the key's SHA-256). Registered as a {@link SubcommandProvider}.
 */
@Command(
    name = "apikey",
    mixinStandardHelpOptions = true,
    description = "Manage API keys for the apikeyauth extension.",
    subcommands = {ApiKeyCommand.Create.class})
public final class ApiKeyCommand implements Runnable, SubcommandProvider {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Object command() {
    return new ApiKeyCommand();
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Print a new random API key (shown only this once: hand it to the client) and the line for the keys file.",
        "The keys file stores only the SHA-256 of the key."
      })
  static final class Create implements Callable<Integer> {

    @Option(names = "--name", required = true, description = "Name of the key: the principal its requests carry (letters, digits, '.', '-', '_').")
    String name;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      if (!ApiKeys.NAME.matcher(name).matches()) {
        spec.commandLine().getErr().println("--name: was '" + name
            + "' but it must be letters, digits, '.', '-' and '_' (up to 128, starting with a letter or digit)");
        return 2;
      }
      String key = ApiKeys.generate(new SecureRandom());
      PrintWriter out = spec.commandLine().getOut();
      out.println("API key (shown once; give it to the client as 'x-api-key: <key>' or 'Authorization: Bearer <key>'):");
      out.println();
      out.println("  " + key);
      out.println();
      out.println("Add this line under 'keys:' in the keys file (the gateway re-reads it within a second):");
      out.println();
      out.println(ApiKeys.keysFileLine(name, key));
      out.flush();
      return 0;
    }
  }
}
