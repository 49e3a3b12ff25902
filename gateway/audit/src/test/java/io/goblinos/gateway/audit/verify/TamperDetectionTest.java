package io.goblinos.gateway.audit.verify;

import static io.goblinos.gateway.audit.testing.Goblins.NOT_AFTER;
import static io.goblinos.gateway.audit.testing.Goblins.NOT_BEFORE;
import static io.goblinos.gateway.audit.testing.Goblins.NOW;
import static io.goblinos.gateway.audit.testing.Goblins.entry;
import static io.goblinos.gateway.audit.testing.Goblins.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.audit.cli.AuditCommand;
import io.goblinos.gateway.audit.crypto.PemKeys;
import io.goblinos.gateway.audit.jcs.JsonCanonicalizer;
import io.goblinos.gateway.audit.log.AuditLog;
import io.goblinos.gateway.audit.log.AuditLogConfig;
import io.goblinos.gateway.audit.merkle.Rfc6962Hasher;
import io.goblinos.gateway.audit.note.Checkpoint;
import io.goblinos.gateway.audit.note.NoteSigner;
import io.goblinos.gateway.audit.note.SignedNote;
import io.goblinos.gateway.audit.store.CheckpointCodec;
import io.goblinos.gateway.audit.store.FileAuditStore;
import io.goblinos.gateway.audit.store.RecordCodec;
import io.goblinos.gateway.audit.store.SegmentNames;
import io.goblinos.gateway.audit.store.StoredCheckpoint;
import io.goblinos.gateway.audit.store.StoredRecord;
import io.goblinos.gateway.audit.testing.Goblins;
import io.goblinos.gateway.audit.testing.MutableClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Each kind of tampering the issue lists, applied to a real store, must make {@code audit verify} fail naming
 * the first discrepancy. The store: 20 events from 4 batches of 5, a checkpoint after each batch, 1 KiB segments.
 */
class TamperDetectionTest {
    @TempDir
    Path dir;
    Path store;
    Path keys;
    String gatewayKey;

    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void buildStore() throws Exception {
        keys = Goblins.writeKeys(dir.resolve("keys.yaml"), entry("k1", "goblin-1", key(1), NOT_BEFORE, NOT_AFTER, null));
        store = dir.resolve("store");
        AuditLogConfig config = AuditLogConfig.builder(keys).directory(store).segmentBytes(1024).clock(new MutableClock(NOW)).build();
        try (AuditLog log = AuditLog.open(config)) {
            for (int batch = 0; batch < 4; batch++) {
                log.submit(Goblins.batch("t" + batch, 5), "spiffe://test");
                log.checkpointIfGrown();
            }
            gatewayKey = log.gatewayVerifierKey();
        }
        Run clean = verify();
        assertThat(clean.exit()).as(clean.err()).isZero();
        assertThat(clean.out()).contains("OK: 20 records in 4 segments, 4 checkpoints");
        for (SegmentNames.Segment segment : segments()) {
            segment.file().toFile().setWritable(true); // the attacker has root
        }
    }

    Run verify() {
        return run("verify", "--store", store.toString(), "--keys", keys.toString(), "--gateway-key", gatewayKey);
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new AuditCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    List<SegmentNames.Segment> segments() throws Exception {
        return SegmentNames.list(store.resolve("segments"));
    }

    Path segment(int i) throws Exception {
        return segments().get(i).file();
    }

    static List<String> lines(Path file) throws Exception {
        return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    static void write(Path file, List<String> lines) throws Exception {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    /** Re-encodes a record line with a valid checksum, as a careful attacker would. */
    static String reencode(StoredRecord record) {
        byte[] line = RecordCodec.encode(record);
        return new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
    }

    static StoredRecord decode(String line) throws Exception {
        return RecordCodec.decode(line.getBytes(StandardCharsets.UTF_8), "test");
    }

    void assertFails(String... fragments) {
        Run run = verify();
        assertThat(run.exit()).as(run.out()).isEqualTo(AuditCommand.EXIT_DISCREPANCY);
        assertThat(run.err()).startsWith("FAILED: ");
        for (String fragment : fragments) {
            assertThat(run.err()).contains(fragment);
        }
    }

    @Test
    void editedFieldWithRecomputedChecksumBreaksTheSignature() throws Exception {
        Path file = segment(0);
        List<String> lines = lines(file);
        StoredRecord record = decode(lines.get(1));
        String edited = record.canonicalJson().replace("\"decision\":\"approved\"", "\"decision\":\"denied\"");
        lines.set(1, reencode(new StoredRecord(record.index(), edited, record.receivedAt(), record.receivedBy())));
        write(file, lines);
        assertFails("segments/00000000000000000000.log record 2 (event_id t0-1): bad_signature: signature does not verify with key_id \"k1\"");
    }

    @Test
    void flippedByteFailsTheChecksum() throws Exception {
        Path file = segment(1);
        byte[] bytes = Files.readAllBytes(file);
        bytes[40] ^= 0x01;
        Files.write(file, bytes);
        assertFails(segments().get(1).displayName() + " record 1: checksum mismatch: got ");
    }

    @Test
    void deletedRecordLeavesAGap() throws Exception {
        Path file = segment(0);
        List<String> lines = lines(file);
        lines.remove(1);
        write(file, lines);
        assertFails("segments/00000000000000000000.log record 2: index got 2, want 1 (records deleted, reordered or inserted)");
    }

    @Test
    void reorderedRecordsAreDetectedByPositionAndByRoot() throws Exception {
        Path file = segment(0);
        List<String> lines = lines(file);
        String second = lines.get(1);
        lines.set(1, lines.get(2));
        lines.set(2, second);
        write(file, lines);
        assertFails("segments/00000000000000000000.log record 2: index got 2, want 1");

        // an attacker who also renumbers and re-checksums is caught by the signed root
        StoredRecord a = decode(lines.get(1));
        StoredRecord b = decode(lines.get(2));
        lines.set(1, reencode(new StoredRecord(1, a.canonicalJson(), a.receivedAt(), a.receivedBy())));
        lines.set(2, reencode(new StoredRecord(2, b.canonicalJson(), b.receivedAt(), b.receivedBy())));
        write(file, lines);
        assertFails("checkpoints.log checkpoint 0 (size 5): root got ", "(records altered or reordered, or checkpoint forked)");
    }

    @Test
    void insertedForgedRecordIsRefused() throws Exception {
        Path file = segment(segments().size() - 1);
        List<String> lines = lines(file);
        String forged = Goblins.signed(Goblins.event("forged-1", "goblin-1", NOW), key(66), "k1");
        lines.add(reencode(new StoredRecord(20, forged, NOW, "spiffe://test")));
        write(file, lines);
        assertFails("record " + lines.size() + " (event_id forged-1): bad_signature");

        // signed with a real goblin key and slipped in between, renumbering the rest: the root no longer matches
        lines = lines(segment(0));
        List<String> shifted = new ArrayList<>();
        shifted.add(lines.get(0));
        String genuine = Goblins.signed(Goblins.event("slipped-in", "goblin-1", NOW), key(1), "k1");
        shifted.add(reencode(new StoredRecord(1, genuine, NOW, null)));
        for (int i = 1; i < lines.size(); i++) {
            StoredRecord r = decode(lines.get(i));
            shifted.add(reencode(new StoredRecord(r.index() + 1, r.canonicalJson(), r.receivedAt(), r.receivedBy())));
        }
        write(segment(0), shifted);
        assertFails(segments().get(1).displayName() + ": starts at record 5, want 6 (overlaps the previous segment)");
    }

    @Test
    void truncatedSegmentIsNamed() throws Exception {
        Path file = segment(1);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 30));
        assertFails(segments().get(1).displayName() + " record " + lines(file).size() + ": truncated (");

        // cut exactly at a record boundary: the next segment no longer starts where this one ends
        List<String> lines = lines(file);
        lines.remove(lines.size() - 1);
        write(file, lines);
        assertFails(segments().get(2).displayName() + ": starts at record ", "missing: segment deleted or truncated");
    }

    @Test
    void deletedSegmentIsNamed() throws Exception {
        String deleted = segments().get(1).displayName();
        long start = segments().get(1).firstIndex();
        long next = segments().get(2).firstIndex();
        Files.delete(segment(1));
        assertFails(segments().get(1).displayName() + ": starts at record " + next + ", want " + start
                + " (records " + start + ".." + (next - 1) + " missing");
        assertThat(deleted).isNotEqualTo(segments().get(1).displayName());

        // deleting the last segment is caught by the checkpoints
        Files.delete(segment(segments().size() - 1));
        Files.delete(segment(segments().size() - 1));
        assertFails("checkpoints.log checkpoint ", "records in the store, want at least ", "(records or segments deleted)");
    }

    @Test
    void replacedCheckpointIsCaughtBySignatureAndByTheChain() throws Exception {
        Path file = store.resolve(FileAuditStore.CHECKPOINTS_FILE);
        List<String> lines = lines(file);
        StoredCheckpoint original = CheckpointCodec.decode(lines.get(1).getBytes(StandardCharsets.UTF_8), "test");
        // replaced by a note signed with a key that is not the gateway's
        NoteSigner impostor = new NoteSigner(AuditLogConfig.DEFAULT_ORIGIN, key(77));
        String body = SignedNote.open(original.signedNote(), io.goblinos.gateway.audit.note.NoteVerifierKey.parse(gatewayKey));
        String forgedNote = SignedNote.sign(body, impostor);
        lines.set(1, line(new StoredCheckpoint(1, original.treeSize(), forgedNote, original.previousNoteSha256())));
        write(file, lines);
        assertFails("checkpoints.log checkpoint 1: no signature by " + AuditLogConfig.DEFAULT_ORIGIN + "+");

        // replaced by another genuine-looking note (signed with the stolen gateway key): the next link breaks
        NoteSigner stolen = new NoteSigner(AuditLogConfig.DEFAULT_ORIGIN, PemKeys.readPrivateKey(store.resolve(AuditLogConfig.GENERATED_KEY_FILE)));
        String resigned = SignedNote.sign(body, stolen) + "\u2014 witness AAAAAAA=\n";
        lines.set(1, line(new StoredCheckpoint(1, original.treeSize(), resigned, original.previousNoteSha256())));
        write(file, lines);
        assertFails("checkpoints.log checkpoint 2: previous-note hash got '", "(chain broken: an earlier checkpoint was replaced or removed)");
    }

    @Test
    void forkedCheckpointWithSameSizeAndOtherRootIsCaught() throws Exception {
        Path file = store.resolve(FileAuditStore.CHECKPOINTS_FILE);
        List<String> lines = lines(file);
        StoredCheckpoint last = CheckpointCodec.decode(lines.get(3).getBytes(StandardCharsets.UTF_8), "test");
        NoteSigner stolen = new NoteSigner(AuditLogConfig.DEFAULT_ORIGIN, PemKeys.readPrivateKey(store.resolve(AuditLogConfig.GENERATED_KEY_FILE)));
        byte[] otherRoot = Rfc6962Hasher.hashLeaf("another history".getBytes(StandardCharsets.UTF_8));
        String fork = SignedNote.sign(new Checkpoint(AuditLogConfig.DEFAULT_ORIGIN, 20, otherRoot).body(), stolen);
        lines.set(3, line(new StoredCheckpoint(3, 20, fork, last.previousNoteSha256())));
        write(file, lines);
        assertFails("checkpoints.log checkpoint 3 (size 20): root got ", ", want " + java.util.HexFormat.of().formatHex(otherRoot));
    }

    @Test
    void wrongGatewayKeyIsRefused() {
        String other = new NoteSigner(AuditLogConfig.DEFAULT_ORIGIN, key(78)).verifierKey().toString();
        Run run = run("verify", "--store", store.toString(), "--keys", keys.toString(), "--gateway-key", other);
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("checkpoints.log checkpoint 0: no signature by");
        assertThat(JsonCanonicalizer.canonicalize("{}")).isEqualTo("{}");
    }

    static String line(StoredCheckpoint checkpoint) {
        byte[] line = CheckpointCodec.encode(checkpoint);
        return new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
    }
}
