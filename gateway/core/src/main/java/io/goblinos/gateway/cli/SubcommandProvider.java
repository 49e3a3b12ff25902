package io.goblinos.gateway.cli;

/**
 * Adds a subcommand to {@code goblin-gateway} (e.g. {@code audit}), found with {@link java.util.ServiceLoader}.
 */
public interface SubcommandProvider {

  /** A picocli command object (annotated with {@code @Command}). */
  Object command();
}
