package io.goblinos.gateway.audit.cli;

import java.io.InputStream;
import picocli.CommandLine.Command;

/**
 * {@code audit}: offline tools for the tamper-evident audit log. The gateway launcher adds this as a subcommand
 * ({@code goblin-gateway audit ...}); it also runs on its own:
 * {@code new CommandLine(new AuditCommand()).execute(args)}. Output goes to the CommandLine's out/err writers.
 * Exit codes: 0 success, 1 verification failure or discrepancy, 2 usage error.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Tamper-evident audit log tools: keys, signing, verification, proofs.",
        subcommands = {KeygenCommand.class, SignCommand.class, VerifyCommand.class, ProveCommand.class})
public final class AuditCommand implements Runnable {
    /** Exit code when a store or proof fails verification. */
    public static final int EXIT_DISCREPANCY = 1;

    private InputStream in = System.in;

    /** Replaces standard input for {@code audit sign} (tests). */
    public AuditCommand withInput(InputStream input) {
        this.in = input;
        return this;
    }

    InputStream input() {
        return in;
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "a subcommand is required: keygen, sign, verify or prove");
    }
}
