package io.goblinos.gateway.cli;

import io.goblinos.gateway.audit.cli.AuditCommand;

/** Adds {@code goblin-gateway audit keygen|sign|verify|prove} from the audit module. */
public final class AuditSubcommand implements SubcommandProvider {

  @Override
  public Object command() {
    return new AuditCommand();
  }
}
