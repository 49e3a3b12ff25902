package io.goblinos.gateway.audit.cli;

import io.goblinos.gateway.audit.keys.KeyRegistryFile;
import io.goblinos.gateway.audit.verify.Discrepancy;
import io.goblinos.gateway.audit.verify.StoreVerifier;
import io.goblinos.gateway.audit.verify.VerificationSummary;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code audit verify}: replays a store; exit 0 with a summary, or 1 naming the first discrepancy. */
@Command(name = "verify", description = "Re-verify every record, the Merkle tree and every checkpoint of a store.")
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--store", required = true, description = "store directory")
    Path store;

    @Option(names = "--keys", required = true, description = "key registry YAML")
    Path keys;

    @Option(names = "--gateway-key", description = "gateway verifier key (name+hash+base64) or a file holding it")
    String gatewayKey;

    @Override
    public Integer call() throws Exception {
        StoreVerifier verifier = new StoreVerifier(KeyRegistryFile.read(keys), GatewayKeyOption.parse(gatewayKey));
        try {
            VerificationSummary summary = verifier.verify(store);
            spec.commandLine().getOut().println(summary);
            spec.commandLine().getOut().flush();
            return 0;
        } catch (Discrepancy e) {
            spec.commandLine().getErr().println("FAILED: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return AuditCommand.EXIT_DISCREPANCY;
        }
    }
}
