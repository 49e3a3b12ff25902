package io.goblinos.gateway.audit.cli;

import io.goblinos.gateway.audit.crypto.Ed25519PrivateKey;
import io.goblinos.gateway.audit.crypto.PemKeys;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code audit keygen}: writes {@code DIR/<key-id>.pem} (PKCS#8) and prints the registry entry to paste. */
@Command(name = "keygen", description = "Generate a goblin signing key and print its key registry entry.")
final class KeygenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--goblin-id", required = true, description = "goblin_id the key belongs to")
    String goblinId;

    @Option(names = "--key-id", required = true, description = "key_id of the new key")
    String keyId;

    @Option(names = "--out", required = true, description = "directory for <key-id>.pem")
    Path out;

    @Option(names = "--valid-days", defaultValue = "365", description = "validity from now, in days (default ${DEFAULT-VALUE})")
    int validDays;

    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() throws Exception {
        if (!keyId.matches("[A-Za-z0-9._-]+")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--key-id was '" + keyId + "' but it must match [A-Za-z0-9._-]+");
        }
        Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
        Path file = out.resolve(keyId + ".pem");
        PemKeys.writePrivateKey(key, file);
        Instant notBefore = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = notBefore.plus(Duration.ofDays(validDays));
        var stdout = spec.commandLine().getOut();
        stdout.println("# private key written to " + file + " (keep it secret; set AUDIT_SIGNING_KEY_PATH to it)");
        stdout.println("# add under keys: in the key registry file");
        stdout.println("- key_id: " + keyId);
        stdout.println("  goblin_id: " + goblinId);
        stdout.println("  algorithm: ed25519");
        stdout.println("  public_key: " + key.publicKey().toBase64());
        stdout.println("  not_before: " + notBefore);
        stdout.println("  not_after: " + notAfter);
        stdout.flush();
        return 0;
    }
}
