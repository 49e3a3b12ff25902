package io.goblinos.gateway.audit.verify;

import io.goblinos.gateway.audit.jcs.StrictJson;
import io.goblinos.gateway.audit.log.AuditLog;
import io.goblinos.gateway.audit.log.InclusionProof;
import io.goblinos.gateway.audit.merkle.MerkleTree;
import io.goblinos.gateway.audit.merkle.ProofVerificationException;
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
import io.goblinos.gateway.audit.store.StoredCheckpoint;
import io.goblinos.gateway.audit.store.StoredRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Builds and checks an inclusion proof from a store directory without opening it for writing: the proof leads
 * to the latest checkpoint whose signature verifies with the gateway key and whose root matches the records.
 */
public final class OfflineProver {
    private OfflineProver() {
    }

    /**
     * @param gatewayKey null = the verifier key the gateway wrote into the store
     * @throws Discrepancy if the event is absent, not covered by a checkpoint, or the proof does not check
     */
    public static InclusionProof prove(Path storeDirectory, String eventId, NoteVerifierKey gatewayKey) throws Discrepancy, IOException {
        NoteVerifierKey key = gatewayKey != null ? gatewayKey : NoteVerifierKey.parse(
                Files.readString(storeDirectory.resolve(AuditLog.VERIFIER_KEY_FILE), StandardCharsets.US_ASCII));
        MerkleTree tree = MerkleTree.inMemory();
        long found = -1;
        for (SegmentNames.Segment segment : SegmentNames.list(storeDirectory.resolve(SegmentNames.SEGMENTS_DIRECTORY))) {
            try (LineReader reader = new LineReader(segment.file())) {
                for (LineReader.Line line = reader.next(); line != null && line.terminated(); line = reader.next()) {
                    StoredRecord record;
                    try {
                        record = RecordCodec.decode(line.bytes(), segment.displayName() + " record " + line.number());
                    } catch (CorruptRecordException e) {
                        throw new Discrepancy(e.getMessage());
                    }
                    long index = tree.appendData(record.canonicalJson().getBytes(StandardCharsets.UTF_8));
                    var id = StrictJson.parse(record.canonicalJson()).get("event_id");
                    if (found < 0 && id != null && eventId.equals(id.asText())) {
                        found = index;
                    }
                }
            }
        }
        if (found < 0) {
            throw new Discrepancy("event_id " + eventId + " is not in the store");
        }
        String note = latestNote(storeDirectory.resolve(FileAuditStore.CHECKPOINTS_FILE));
        if (note == null) {
            throw new Discrepancy("the store has no checkpoint yet");
        }
        Checkpoint checkpoint;
        try {
            checkpoint = Checkpoint.parse(SignedNote.open(note, key));
        } catch (NoteVerificationException | IllegalArgumentException e) {
            throw new Discrepancy("latest checkpoint: " + e.getMessage());
        }
        if (checkpoint.size() <= found) {
            throw new Discrepancy("event_id " + eventId + " is leaf " + found + ", after the latest checkpoint (size " + checkpoint.size() + ")");
        }
        if (checkpoint.size() > tree.size()) {
            throw new Discrepancy("latest checkpoint: size " + checkpoint.size() + " but the store has " + tree.size() + " records");
        }
        if (!Arrays.equals(tree.rootAt(checkpoint.size()), checkpoint.rootHash())) {
            throw new Discrepancy("latest checkpoint: root got " + HexFormat.of().formatHex(tree.rootAt(checkpoint.size()))
                    + ", want " + HexFormat.of().formatHex(checkpoint.rootHash()));
        }
        InclusionProof proof = new InclusionProof(eventId, found, checkpoint.size(), tree.leafHash(found),
                tree.inclusionProof(found, checkpoint.size()), checkpoint.rootHash(), note);
        try {
            proof.verify();
        } catch (ProofVerificationException e) {
            throw new Discrepancy("inclusion proof does not verify: " + e.getMessage());
        }
        return proof;
    }

    private static String latestNote(Path file) throws IOException, Discrepancy {
        if (!Files.exists(file)) {
            return null;
        }
        String note = null;
        try (LineReader reader = new LineReader(file)) {
            for (LineReader.Line line = reader.next(); line != null && line.terminated(); line = reader.next()) {
                try {
                    StoredCheckpoint stored = CheckpointCodec.decode(line.bytes(), FileAuditStore.CHECKPOINTS_FILE + " checkpoint " + (line.number() - 1));
                    note = stored.signedNote();
                } catch (CorruptRecordException e) {
                    throw new Discrepancy(e.getMessage());
                }
            }
        }
        return note;
    }
}
