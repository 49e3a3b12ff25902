package io.goblinos.gateway.audit.store;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a file as newline-terminated lines, keeping byte offsets and noticing a final line without newline. */
public final class LineReader implements Closeable {
    /** A line without its newline; {@code terminated} is false for a final line cut short. */
    public record Line(long number, long offset, byte[] bytes, boolean terminated) {
    }

    private final InputStream in;
    private long offset;
    private long number;

    public LineReader(Path file) throws IOException {
        this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    }

    /** The next line, or null at end of file. */
    public Line next() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        long start = offset;
        int b;
        while ((b = in.read()) >= 0) {
            offset++;
            if (b == '\n') {
                return new Line(++number, start, bytes.toByteArray(), true);
            }
            bytes.write(b);
        }
        return bytes.size() == 0 ? null : new Line(++number, start, bytes.toByteArray(), false);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
