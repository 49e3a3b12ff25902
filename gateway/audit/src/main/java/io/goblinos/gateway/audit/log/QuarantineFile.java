package io.goblinos.gateway.audit.log;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

/**
 * Refused events, one JSON object per line:
 * {@code {"time":"...","reason":"bad_signature","message":"...","event_id":"...","received_by":"...","raw":"<event text>"}}.
 * Each batch is fsynced so a refusal is never lost silently. Thread-safe.
 */
final class QuarantineFile implements Closeable {
    static final String FILE_NAME = "quarantine.jsonl";
    private static final JsonMapper JSON = new JsonMapper();

    record Entry(Instant time, String reasonCode, String message, String eventId, String receivedBy, String raw) {
    }

    private final FileChannel channel;

    QuarantineFile(Path file) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    synchronized void write(List<Entry> entries) throws IOException {
        if (entries.isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        for (Entry entry : entries) {
            ObjectNode json = JSON.createObjectNode();
            json.put("time", entry.time().toString());
            json.put("reason", entry.reasonCode());
            json.put("message", entry.message());
            json.put("event_id", entry.eventId());
            json.put("received_by", entry.receivedBy());
            json.put("raw", entry.raw());
            lines.append(JSON.writeValueAsString(json)).append('\n');
        }
        ByteBuffer buffer = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        channel.force(false);
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
