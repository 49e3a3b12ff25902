package io.goblinos.gateway.audit.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.goblinos.gateway.audit.jcs.EcmaScriptNumbers;
import io.goblinos.gateway.audit.jcs.InvalidJsonException;
import io.goblinos.gateway.audit.jcs.JsonCanonicalizer;
import io.goblinos.gateway.audit.jcs.StrictJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The line format of segment files: {@code <crc32c, 8 hex> SP <canonical event JSON> TAB <metadata JSON> LF}.
 * The checksum covers everything between the space and the newline. Canonical JSON never holds a raw TAB or
 * newline (RFC 8785 escapes control characters), so both separators are unambiguous and the event text can be
 * found with grep. Metadata is {@code {"index":N,"received_at":"...","received_by":"..."}}.
 */
public final class RecordCodec {
    static final int CRC_HEX_LENGTH = 8;
    private static final byte[] INDEX_HEAD = "\t{\"index\":".getBytes(StandardCharsets.US_ASCII);

    private RecordCodec() {
    }

    /** Encodes a record as one line, newline included. */
    public static byte[] encode(StoredRecord record) {
        return encode(record, metadataTail(record.receivedAt(), record.receivedBy()));
    }

    /**
     * Encodes a record whose {@link #metadataTail} the caller computed already: the store encodes every record
     * inside its write lock, and all records of one submit share {@code received_at} and {@code received_by}.
     * The metadata object is written directly in canonical form (its member names are already in RFC 8785
     * order) instead of building a JSON tree.
     */
    static byte[] encode(StoredRecord record, byte[] metadataTail) {
        byte[] event = record.canonicalJson().getBytes(StandardCharsets.UTF_8);
        byte[] index = EcmaScriptNumbers.format(record.index()).getBytes(StandardCharsets.US_ASCII);
        int payloadLength = event.length + INDEX_HEAD.length + index.length + metadataTail.length;
        byte[] line = new byte[CRC_HEX_LENGTH + 1 + payloadLength + 1];
        int at = CRC_HEX_LENGTH + 1;
        at = put(event, line, at);
        at = put(INDEX_HEAD, line, at);
        at = put(index, line, at);
        put(metadataTail, line, at);
        return frame(line, payloadLength);
    }

    /**
     * The canonical metadata after the index value, UTF-8: the {@code received_at} member, the
     * {@code received_by} member unless it is null, and the closing brace.
     */
    static byte[] metadataTail(Instant receivedAt, String receivedBy) {
        StringBuilder tail = new StringBuilder(96).append(",\"received_at\":");
        JsonCanonicalizer.appendString(receivedAt.toString(), tail);
        if (receivedBy != null) {
            tail.append(",\"received_by\":");
            JsonCanonicalizer.appendString(receivedBy, tail);
        }
        return tail.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static int put(byte[] part, byte[] line, int at) {
        System.arraycopy(part, 0, line, at, part.length);
        return at + part.length;
    }

    /** {@code crc32c(payload) SP payload LF} as UTF-8; requires a payload without LF. */
    public static byte[] checksummedLine(String payload) {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        byte[] line = new byte[CRC_HEX_LENGTH + 1 + body.length + 1];
        System.arraycopy(body, 0, line, CRC_HEX_LENGTH + 1, body.length);
        return frame(line, body.length);
    }

    /** Fills in checksum, space and newline around a payload already placed at {@code CRC_HEX_LENGTH + 1}. */
    private static byte[] frame(byte[] line, int payloadLength) {
        String crc = crcHex(line, CRC_HEX_LENGTH + 1, payloadLength);
        for (int i = 0; i < CRC_HEX_LENGTH; i++) {
            line[i] = (byte) crc.charAt(i);
        }
        line[CRC_HEX_LENGTH] = ' ';
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
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }
}
