package io.goblinos.gateway.audit.cli;

import io.goblinos.gateway.audit.log.InclusionProof;
import io.goblinos.gateway.audit.verify.Discrepancy;
import io.goblinos.gateway.audit.verify.OfflineProver;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code audit prove}: prints an inclusion proof for an event against the latest checkpoint, after checking it. */
@Command(name = "prove", description = "Print and check an inclusion proof for one event.")
final class ProveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--store", required = true, description = "store directory")
    Path store;

    @Option(names = "--event-id", required = true, description = "event_id to prove")
    String eventId;

    @Option(names = "--gateway-key", description = "gateway verifier key (name+hash+base64) or a file holding it")
    String gatewayKey;

    @Override
    public Integer call() throws Exception {
        try {
            InclusionProof proof = OfflineProver.prove(store, eventId, GatewayKeyOption.parse(gatewayKey));
            spec.commandLine().getOut().println(proof.toJson().toPrettyString());
            spec.commandLine().getOut().println("OK: leaf " + proof.leafIndex() + " is included in the checkpoint of size " + proof.treeSize());
            spec.commandLine().getOut().flush();
            return 0;
        } catch (Discrepancy e) {
            spec.commandLine().getErr().println("FAILED: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return AuditCommand.EXIT_DISCREPANCY;
        }
    }
}
