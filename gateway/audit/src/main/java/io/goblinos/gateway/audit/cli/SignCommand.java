package io.goblinos.gateway.audit.cli;

import io.goblinos.gateway.audit.crypto.PemKeys;
import io.goblinos.gateway.audit.event.EventSigner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code audit sign}: reads an event from stdin, sets key_id and signature, prints the canonical signed event. */
@Command(name = "sign", description = "Sign the event read from standard input; fills key_id and signature only.")
final class SignCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    AuditCommand parent;

    @Option(names = "--key", required = true, description = "PKCS#8 PEM private key")
    Path key;

    @Option(names = "--key-id", required = true, description = "key_id registered for the key")
    String keyId;

    @Override
    public Integer call() throws Exception {
        String event = new String(parent.input().readAllBytes(), StandardCharsets.UTF_8);
        EventSigner signer = new EventSigner(PemKeys.readPrivateKey(key), keyId);
        spec.commandLine().getOut().println(signer.signToCanonicalJson(event));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
