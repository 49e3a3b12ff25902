package io.goblinos.gateway.audit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.audit.log.AuditLog;
import io.goblinos.gateway.audit.log.AuditLogConfig;
import io.goblinos.gateway.audit.log.SubmitResult;
import io.goblinos.gateway.audit.testing.Goblins;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The whole operator workflow through the CLI, in process: keygen, sign, (gateway accepts), verify, prove. */
class AuditCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new AuditCommand().withInput(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))));
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    @Test
    void keygenSignVerifyProve() throws Exception {
        Run keygen = run("", "keygen", "--goblin-id", "goblin-7", "--key-id", "goblin-7-a", "--out", dir.resolve("keys").toString());
        assertThat(keygen.exit()).as(keygen.err()).isZero();
        assertThat(keygen.out()).contains("- key_id: goblin-7-a", "  goblin_id: goblin-7", "  algorithm: ed25519", "  public_key: ");
        Path registry = dir.resolve("registry.yaml");
        Files.writeString(registry, "keys:\n" + keygen.out().lines().filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + "  " + b + "\n"));
        assertThat(Files.readString(dir.resolve("keys/goblin-7-a.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");

        String unsigned = "{\"event_id\":\"e-1\",\"goblin_id\":\"goblin-7\",\"role\":\"warden\",\"action\":\"open\",\"target\":\"gate/3\","
                + "\"decision\":\"allowed\",\"trace_id\":\"\",\"timestamp\":\"" + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString() + "\",\"note\":{\"b\":1,\"a\":2}}";
        Run sign = run(unsigned, "sign", "--key", dir.resolve("keys/goblin-7-a.pem").toString(), "--key-id", "goblin-7-a");
        assertThat(sign.exit()).as(sign.err()).isZero();
        String signed = sign.out().strip();
        assertThat(signed).startsWith("{\"action\":\"open\"").contains("\"key_id\":\"goblin-7-a\"", "\"note\":{\"a\":2,\"b\":1}", "\"signature\":\"");

        Path store = dir.resolve("store");
        String gatewayKey;
        try (AuditLog log = AuditLog.open(AuditLogConfig.builder(registry).directory(store).build())) {
            assertThat(log.submit(List.of(signed), null)).extracting(SubmitResult::status).containsExactly(SubmitResult.Status.ACCEPTED);
            log.submit(Goblins.batch("other", 0), null);
            gatewayKey = log.gatewayVerifierKey();
        }
        Files.writeString(dir.resolve("gateway.pub"), gatewayKey + "\n");

        Run verify = run("", "verify", "--store", store.toString(), "--keys", registry.toString(), "--gateway-key", dir.resolve("gateway.pub").toString());
        assertThat(verify.exit()).as(verify.err()).isZero();
        assertThat(verify.out()).startsWith("OK: 1 records in 1 segments, 1 checkpoints").contains("gateway key from --gateway-key");

        Run prove = run("", "prove", "--store", store.toString(), "--event-id", "e-1", "--gateway-key", gatewayKey);
        assertThat(prove.exit()).as(prove.err()).isZero();
        assertThat(prove.out()).contains("\"leaf_index\" : 0", "\"tree_size\" : 1", "OK: leaf 0 is included in the checkpoint of size 1");

        Run missing = run("", "prove", "--store", store.toString(), "--event-id", "nope");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("FAILED: event_id nope is not in the store");
    }

    @Test
    void usageErrorsExitTwo() {
        Run run = run("", "verify", "--store", dir.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required option: '--keys=<keys>'");
    }
}
