package io.goblinos.gateway.audit.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.jcs.InvalidJsonException;
import io.goblinos.gateway.audit.jcs.JsonCanonicalizer;
import io.goblinos.gateway.audit.jcs.StrictJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.zip.CRC32C;

/**
 * The line format of segment files: {@code <crc32c, 8 hex> SP <canonical event JSON> TAB <metadata JSON> LF}.
 * The checksum covers everything between the space and the newline. Canonical JSON never holds a raw TAB or
 * newline (RFC 8785 escapes control characters), so both separators are unambiguous and the event text can be
 * found with grep. Metadata is {@code {"index":N,"received_at":"...","received_by":"..."}}.
 */
public final class RecordCodec {
    static final int CRC_HEX_LENGTH = 8;

    private RecordCodec() {
    }

    /** Encodes a record as one line, newline included. */
    public static byte[] encode(StoredRecord record) {
        ObjectNode meta = JsonNodeFactory.instance.objectNode();
        meta.put("index", record.index());
        meta.put("received_at", record.receivedAt().toString());
        if (record.receivedBy() != null) {
            meta.put("received_by", record.receivedBy());
        }
        return checksummedLine(record.canonicalJson() + "\t" + JsonCanonicalizer.canonicalize(meta));
    }

    /** {@code crc32c(payload) SP payload LF} as UTF-8; requires a payload without LF. */
    public static byte[] checksummedLine(String payload) {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        String crc = crcHex(body, 0, body.length);
        byte[] line = new byte[CRC_HEX_LENGTH + 1 + body.length + 1];
        System.arraycopy(crc.getBytes(StandardCharsets.US_ASCII), 0, line, 0, CRC_HEX_LENGTH);
        line[CRC_HEX_LENGTH] = ' ';
        System.arraycopy(body, 0, line, CRC_HEX_LENGTH + 1, body.length);
        line[line.length - 1] = '\n';
        return line;
    }

    /**
     * Checks a line's checksum and returns its payload (UTF-8 text between the space and the newline).
     *
     * @param line the line without its newline
     * @param where e.g. {@code segments/00000000000000000000.log record 3}, used in messages
     */
    public static String verifiedPayload(byte[] line, String where) throws CorruptRecordException {
        if (line.length < CRC_HEX_LENGTH + 1 || line[CRC_HEX_LENGTH] != ' ') {
            throw new CorruptRecordException(where + ": not '<crc32c> <payload>' (" + line.length + " bytes)");
        }
        String stored = new String(line, 0, CRC_HEX_LENGTH, StandardCharsets.US_ASCII);
        String computed = crcHex(line, CRC_HEX_LENGTH + 1, line.length - CRC_HEX_LENGTH - 1);
        if (!stored.equals(computed)) {
            throw new CorruptRecordException(where + ": checksum mismatch: got " + computed + ", want " + stored + " (record bytes were altered)");
        }
        return new String(line, CRC_HEX_LENGTH + 1, line.length - CRC_HEX_LENGTH - 1, StandardCharsets.UTF_8);
    }

    /** Decodes a checked line into a record. */
    public static StoredRecord decode(byte[] line, String where) throws CorruptRecordException {
        String payload = verifiedPayload(line, where);
        int tab = payload.indexOf('\t');
        if (tab < 0) {
            throw new CorruptRecordException(where + ": no TAB between event and metadata");
        }
        String canonical = payload.substring(0, tab);
        try {
            JsonNode meta = StrictJson.parse(payload.substring(tab + 1));
            JsonNode index = meta.get("index");
            JsonNode receivedAt = meta.get("received_at");
            if (index == null || !index.canConvertToLong() || receivedAt == null || !receivedAt.isTextual()) {
                throw new CorruptRecordException(where + ": metadata lacks index or received_at");
            }
            JsonNode receivedBy = meta.get("received_by");
            return new StoredRecord(index.longValue(), canonical, Instant.parse(receivedAt.textValue()),
                    receivedBy == null ? null : receivedBy.asText());
        } catch (InvalidJsonException | java.time.format.DateTimeParseException e) {
            throw new CorruptRecordException(where + ": metadata is invalid: " + e.getMessage());
        }
    }

    static String crcHex(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return String.format("%08x", crc.getValue());
    }
}
