package io.goblinos.gateway.audit.verify;

import io.goblinos.gateway.audit.event.AuditEvent;
import io.goblinos.gateway.audit.event.AuditEventParser;
import io.goblinos.gateway.audit.event.EventRejectedException;
import io.goblinos.gateway.audit.event.EventVerifier;
import io.goblinos.gateway.audit.keys.KeyRegistry;
import io.goblinos.gateway.audit.log.AuditLog;
import io.goblinos.gateway.audit.merkle.MerkleTree;
import io.goblinos.gateway.audit.note.Checkpoint;
import io.goblinos.gateway.audit.note.NoteVerificationException;
import io.goblinos.gateway.audit.note.NoteVerifierKey;
import io.goblinos.gateway.audit.note.SignedNote;
import io.goblinos.gateway.audit.store.CheckpointCodec;
import io.goblinos.gateway.audit.store.CorruptRecordException;
import io.goblinos.gateway.audit.store.FileAuditStore;
import io.goblinos.gateway.audit.store.LineReader;
import io.goblinos.gateway.audit.store.RecordCodec;
import io.goblinos.gateway.audit.store.SegmentNames;
import io.goblinos.gateway.audit.store.SegmentNames.Segment;
import io.goblinos.gateway.audit.store.StoredCheckpoint;
import io.goblinos.gateway.audit.store.StoredRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Offline, read-only verification of a file store: replays every record (checksum, position, shape, canonical
 * form, signature against the key registry at the event's timestamp, unique event_id), recomputes the Merkle tree,
 * and checks every checkpoint's chain link, signature, size and root. Stops at the first discrepancy.
 * Memory: the tree's leaf hashes and the set of event ids are held on the heap (offline tool). Not thread-safe:
 * use one instance per verification.
 */
public final class StoreVerifier {
    private static final HexFormat HEX = HexFormat.of();

    private final KeyRegistry registry;
    private final NoteVerifierKey gatewayKey;
    /** Size of the last checkpoint verified so far in the current run. */
    private long lastCheckpointSize;

    /** @param gatewayKey the gateway's checkpoint verifier key; null = use the copy the gateway wrote into the store */
    public StoreVerifier(KeyRegistry registry, NoteVerifierKey gatewayKey) {
        this.registry = registry;
        this.gatewayKey = gatewayKey;
    }

    /** @throws Discrepancy naming the first problem found */
    public VerificationSummary verify(Path storeDirectory) throws Discrepancy, IOException {
        if (!Files.isDirectory(storeDirectory)) {
            throw new Discrepancy(storeDirectory + ": not a directory");
        }
        String keySource = "--gateway-key";
        NoteVerifierKey key = gatewayKey;
        if (key == null) {
            key = storedGatewayKey(storeDirectory);
            keySource = AuditLog.VERIFIER_KEY_FILE + " in the store (not independent: pass --gateway-key)";
        }
        MerkleTree tree = MerkleTree.inMemory();
        List<Segment> segments = SegmentNames.list(storeDirectory.resolve(SegmentNames.SEGMENTS_DIRECTORY));
        long records = replaySegments(segments, tree);
        int checkpoints = verifyCheckpoints(storeDirectory.resolve(FileAuditStore.CHECKPOINTS_FILE), key, tree);
        long sealed = lastCheckpointSize;
        return new VerificationSummary(records, segments.size(), checkpoints, records - sealed, HEX.formatHex(tree.root()), keySource);
    }

    private static NoteVerifierKey storedGatewayKey(Path storeDirectory) throws Discrepancy, IOException {
        Path file = storeDirectory.resolve(AuditLog.VERIFIER_KEY_FILE);
        if (!Files.exists(file)) {
            throw new Discrepancy("no --gateway-key given and " + file + " is missing");
        }
        try {
            return NoteVerifierKey.parse(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new Discrepancy(file + ": " + e.getMessage());
        }
    }

    private long replaySegments(List<Segment> segments, MerkleTree tree) throws Discrepancy, IOException {
        AuditEventParser parser = new AuditEventParser(Integer.MAX_VALUE);
        EventVerifier verifier = EventVerifier.offline(registry);
        Map<String, Long> firstIndexOfEventId = new HashMap<>();
        long expected = 0;
        for (Segment segment : segments) {
            String file = segment.displayName();
            if (segment.firstIndex() != expected) {
                throw new Discrepancy(file + ": starts at record " + segment.firstIndex() + ", want " + expected
                        + (segment.firstIndex() > expected ? " (records " + expected + ".." + (segment.firstIndex() - 1) + " missing: segment deleted or truncated)" : " (overlaps the previous segment)"));
            }
            try (LineReader reader = new LineReader(segment.file())) {
                for (LineReader.Line line = reader.next(); line != null; line = reader.next()) {
                    String where = file + " record " + line.number();
                    if (!line.terminated()) {
                        throw new Discrepancy(where + ": truncated (" + line.bytes().length + " bytes without newline)");
                    }
                    StoredRecord record;
                    try {
                        record = RecordCodec.decode(line.bytes(), where);
                    } catch (CorruptRecordException e) {
                        throw new Discrepancy(e.getMessage());
                    }
                    if (record.index() != expected) {
                        throw new Discrepancy(where + ": index got " + record.index() + ", want " + expected + " (records deleted, reordered or inserted)");
                    }
                    verifyEvent(record, where, parser, verifier, firstIndexOfEventId);
                    tree.appendData(record.canonicalJson().getBytes(StandardCharsets.UTF_8));
                    expected++;
                }
            }
        }
        return expected;
    }

    private static void verifyEvent(StoredRecord record, String where, AuditEventParser parser, EventVerifier verifier,
                                    Map<String, Long> firstIndexOfEventId) throws Discrepancy {
        AuditEvent event;
        try {
            event = parser.parse(record.canonicalJson());
        } catch (EventRejectedException e) {
            throw new Discrepancy(where + ": " + e.reason().code() + ": " + e.getMessage());
        }
        if (!event.canonicalJson().equals(record.canonicalJson())) {
            throw new Discrepancy(where + " (event_id " + event.eventId() + "): stored text is not in canonical form");
        }
        try {
            verifier.verify(event);
        } catch (EventRejectedException e) {
            throw new Discrepancy(where + " (event_id " + event.eventId() + "): " + e.reason().code() + ": " + e.getMessage());
        }
        Long first = firstIndexOfEventId.putIfAbsent(event.eventId(), record.index());
        if (first != null) {
            throw new Discrepancy(where + ": event_id " + event.eventId() + " appears again, first at record index " + first);
        }
    }

    private int verifyCheckpoints(Path file, NoteVerifierKey key, MerkleTree tree) throws Discrepancy, IOException {
        lastCheckpointSize = 0;
        if (!Files.exists(file)) {
            if (tree.size() > 0) {
                throw new Discrepancy(FileAuditStore.CHECKPOINTS_FILE + ": missing, but the store holds " + tree.size() + " records");
            }
            return 0;
        }
        String previousNote = null;
        int count = 0;
        try (LineReader reader = new LineReader(file)) {
            for (LineReader.Line line = reader.next(); line != null; line = reader.next()) {
                String where = FileAuditStore.CHECKPOINTS_FILE + " checkpoint " + (line.number() - 1);
                if (!line.terminated()) {
                    throw new Discrepancy(where + ": truncated (no newline)");
                }
                StoredCheckpoint stored;
                try {
                    stored = CheckpointCodec.decode(line.bytes(), where);
                } catch (CorruptRecordException e) {
                    throw new Discrepancy(e.getMessage());
                }
                verifyCheckpoint(stored, where, count, previousNote, key, tree);
                previousNote = stored.signedNote();
                count++;
            }
        }
        return count;
    }

    private void verifyCheckpoint(StoredCheckpoint stored, String where, int position, String previousNote,
                                  NoteVerifierKey key, MerkleTree tree) throws Discrepancy, IOException {
        if (stored.sequence() != position) {
            throw new Discrepancy(where + ": sequence got " + stored.sequence() + ", want " + position);
        }
        String wantLink = previousNote == null ? "" : AuditLog.sha256Hex(previousNote);
        if (!stored.previousNoteSha256().equals(wantLink)) {
            throw new Discrepancy(where + ": previous-note hash got '" + stored.previousNoteSha256() + "', want '" + wantLink
                    + "' (chain broken: an earlier checkpoint was replaced or removed)");
        }
        Checkpoint checkpoint;
        try {
            checkpoint = Checkpoint.parse(SignedNote.open(stored.signedNote(), key));
        } catch (NoteVerificationException | IllegalArgumentException e) {
            throw new Discrepancy(where + ": " + e.getMessage());
        }
        if (checkpoint.size() != stored.treeSize()) {
            throw new Discrepancy(where + ": note size " + checkpoint.size() + " but tree_size field " + stored.treeSize());
        }
        if (checkpoint.size() <= lastCheckpointSize && position > 0) {
            throw new Discrepancy(where + ": size " + checkpoint.size() + " does not grow past the previous checkpoint's " + lastCheckpointSize);
        }
        if (checkpoint.size() > tree.size()) {
            throw new Discrepancy(where + ": size got " + tree.size() + " records in the store, want at least " + checkpoint.size()
                    + " (records or segments deleted)");
        }
        byte[] root = tree.rootAt(checkpoint.size());
        if (!Arrays.equals(root, checkpoint.rootHash())) {
            throw new Discrepancy(where + " (size " + checkpoint.size() + "): root got " + HEX.formatHex(root) + ", want "
                    + HEX.formatHex(checkpoint.rootHash()) + " (records altered or reordered, or checkpoint forked)");
        }
        lastCheckpointSize = checkpoint.size();
    }
}
