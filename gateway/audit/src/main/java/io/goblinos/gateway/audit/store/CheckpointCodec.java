package io.goblinos.gateway.audit.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.jcs.InvalidJsonException;
import io.goblinos.gateway.audit.jcs.JsonCanonicalizer;
import io.goblinos.gateway.audit.jcs.StrictJson;

/**
 * Line format of {@code checkpoints.log}: {@code <crc32c> <canonical JSON>} with members {@code sequence},
 * {@code tree_size}, {@code prev_note_sha256} and {@code note} (the signed note, newlines escaped).
 */
public final class CheckpointCodec {
    private CheckpointCodec() {
    }

    public static byte[] encode(StoredCheckpoint checkpoint) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("sequence", checkpoint.sequence());
        json.put("tree_size", checkpoint.treeSize());
        json.put("prev_note_sha256", checkpoint.previousNoteSha256());
        json.put("note", checkpoint.signedNote());
        return RecordCodec.checksummedLine(JsonCanonicalizer.canonicalize(json));
    }

    public static StoredCheckpoint decode(byte[] line, String where) throws CorruptRecordException {
        String payload = RecordCodec.verifiedPayload(line, where);
        try {
            JsonNode json = StrictJson.parse(payload);
            JsonNode sequence = json.get("sequence");
            JsonNode size = json.get("tree_size");
            JsonNode previous = json.get("prev_note_sha256");
            JsonNode note = json.get("note");
            if (sequence == null || !sequence.canConvertToLong() || size == null || !size.canConvertToLong()
                    || previous == null || !previous.isTextual() || note == null || !note.isTextual()) {
                throw new CorruptRecordException(where + ": want sequence, tree_size, prev_note_sha256 and note");
            }
            return new StoredCheckpoint(sequence.longValue(), size.longValue(), note.textValue(), previous.textValue());
        } catch (InvalidJsonException e) {
            throw new CorruptRecordException(where + ": " + e.getMessage());
        }
    }
}
