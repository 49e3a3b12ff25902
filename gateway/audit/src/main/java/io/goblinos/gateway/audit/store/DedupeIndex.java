package io.goblinos.gateway.audit.store;

import io.goblinos.gateway.audit.merkle.Rfc6962Hasher;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * An on-disk open-addressing hash table from event_id fingerprints (first 16 bytes of SHA-256(event_id)) to
 * record indexes, so idempotency holds across restarts without keeping event ids on the heap.
 *
 * <p>Memory bound: O(1) Java heap (a few buffers); the table itself is {@value #SLOT_BYTES} bytes per slot on
 * disk, at most half full (doubled when it gets there), i.e. about 48-96 bytes per accepted event, cached by the
 * operating system's page cache as it sees fit. Lookups are linear probes of 24-byte positional reads.
 *
 * <p>The index is derived data: the header records how many store records it covers and whether it was closed
 * cleanly. The owner rebuilds it from the store when it was not closed cleanly or covers more records than the
 * store holds (see {@code AuditLog.open}). Not thread-safe: the owner serialises access.
 */
public final class DedupeIndex implements Closeable {
    static final int SLOT_BYTES = 24;
    static final int FINGERPRINT_BYTES = 16;
    private static final int HEADER_BYTES = 64;
    private static final long MAGIC = 0x474F424C44445531L; // "GOBLDDU1"
    private static final long INITIAL_CAPACITY = 1024;

    private final Path file;
    private FileChannel channel;
    private long capacity;
    private long count;
    private long coveredRecords;
    private boolean clean;

    private DedupeIndex(Path file, FileChannel channel, long capacity, long count, long coveredRecords, boolean clean) {
        this.file = file;
        this.channel = channel;
        this.capacity = capacity;
        this.count = count;
        this.coveredRecords = coveredRecords;
        this.clean = clean;
    }

    /** Opens the index; a missing or unreadable file yields an empty, not-clean index covering 0 records. */
    public static DedupeIndex open(Path file) throws IOException {
        if (Files.exists(file)) {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            channel.read(header, 0);
            header.flip();
            if (header.remaining() == HEADER_BYTES && header.getLong() == MAGIC) {
                long capacity = header.getLong();
                long count = header.getLong();
                long covered = header.getLong();
                boolean clean = header.getLong() == 1;
                if (Long.bitCount(capacity) == 1 && channel.size() == HEADER_BYTES + capacity * SLOT_BYTES && count * 2 <= capacity) {
                    return new DedupeIndex(file, channel, capacity, count, covered, clean);
                }
            }
            channel.close();
        }
        return create(file);
    }

    /** Replaces whatever is at {@code file} with an empty index. */
    public static DedupeIndex create(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        writeEmpty(tmp, INITIAL_CAPACITY);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new DedupeIndex(file, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE), INITIAL_CAPACITY, 0, 0, false);
    }

    private static void writeEmpty(Path file, long capacity) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(1), HEADER_BYTES + capacity * SLOT_BYTES - 1);
            channel.write(header(capacity, 0, 0, false), 0);
        }
    }

    private static ByteBuffer header(long capacity, long count, long covered, boolean clean) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.putLong(MAGIC).putLong(capacity).putLong(count).putLong(covered).putLong(clean ? 1 : 0);
        header.rewind();
        return header;
    }

    /** First 16 bytes of SHA-256 of the UTF-8 event id. */
    public static byte[] fingerprint(String eventId) {
        return Arrays.copyOf(Rfc6962Hasher.sha256().digest(eventId.getBytes(StandardCharsets.UTF_8)), FINGERPRINT_BYTES);
    }

    /** The record index stored for {@code fingerprint}, or -1. */
    public long find(byte[] fingerprint) throws IOException {
        long slot = homeSlot(fingerprint);
        ByteBuffer buffer = ByteBuffer.allocate(SLOT_BYTES);
        byte[] stored = new byte[FINGERPRINT_BYTES];
        for (long probes = 0; probes < capacity; probes++) {
            readSlot(slot, buffer);
            buffer.get(stored);
            long value = buffer.getLong();
            if (value == 0) {
                return -1;
            }
            if (Arrays.equals(stored, fingerprint)) {
                return value - 1;
            }
            slot = (slot + 1) & (capacity - 1);
        }
        return -1;
    }

    /** Records {@code fingerprint -> index}; requires that the fingerprint is absent and {@code index >= 0}. */
    public void put(byte[] fingerprint, long index) throws IOException {
        if ((count + 1) * 2 > capacity) {
            grow();
        }
        insert(channel, capacity, fingerprint, index);
        count++;
    }

    private void insert(FileChannel target, long targetCapacity, byte[] fingerprint, long index) throws IOException {
        long slot = homeSlot(fingerprint, targetCapacity);
        ByteBuffer buffer = ByteBuffer.allocate(SLOT_BYTES);
        while (true) {
            buffer.clear();
            target.read(buffer, HEADER_BYTES + slot * SLOT_BYTES);
            if (buffer.getLong(FINGERPRINT_BYTES) == 0) {
                buffer.clear();
                buffer.put(fingerprint).putLong(index + 1).flip();
                target.write(buffer, HEADER_BYTES + slot * SLOT_BYTES);
                return;
            }
            slot = (slot + 1) & (targetCapacity - 1);
        }
    }

    private void grow() throws IOException {
        long newCapacity = capacity * 2;
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        writeEmpty(tmp, newCapacity);
        try (FileChannel target = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer chunk = ByteBuffer.allocate(SLOT_BYTES * 4096);
            byte[] fingerprint = new byte[FINGERPRINT_BYTES];
            for (long start = 0; start < capacity; start += 4096) {
                chunk.clear();
                long slots = Math.min(4096, capacity - start);
                chunk.limit((int) (slots * SLOT_BYTES));
                while (chunk.hasRemaining()) {
                    channel.read(chunk, HEADER_BYTES + start * SLOT_BYTES + chunk.position());
                }
                chunk.flip();
                for (long i = 0; i < slots; i++) {
                    chunk.get(fingerprint);
                    long value = chunk.getLong();
                    if (value != 0) {
                        insert(target, newCapacity, fingerprint, value - 1);
                    }
                }
            }
            target.write(header(newCapacity, count, coveredRecords, false), 0);
        }
        channel.close();
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        capacity = newCapacity;
    }

    private void readSlot(long slot, ByteBuffer buffer) throws IOException {
        buffer.clear();
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, HEADER_BYTES + slot * SLOT_BYTES + buffer.position()) < 0) {
                throw new IOException(file + ": ends inside slot " + slot);
            }
        }
        buffer.flip();
    }

    private long homeSlot(byte[] fingerprint) {
        return homeSlot(fingerprint, capacity);
    }

    private static long homeSlot(byte[] fingerprint, long capacity) {
        return ByteBuffer.wrap(fingerprint).getLong() & (capacity - 1);
    }

    public long count() {
        return count;
    }

    public long coveredRecords() {
        return coveredRecords;
    }

    /** Whether the last session closed the index cleanly (header written and synced at close). */
    public boolean wasClosedCleanly() {
        return clean;
    }

    /** Notes that records up to {@code records} are indexed (written to the header at the next mark). */
    public void setCoveredRecords(long records) {
        this.coveredRecords = records;
    }

    /** Writes the header with the clean flag cleared and syncs it: call once after opening for writing. */
    public void markInUse() throws IOException {
        clean = false;
        channel.write(header(capacity, count, coveredRecords, false), 0);
        channel.force(false);
    }

    /** Syncs the table, then writes a clean header and syncs again. */
    public void markClean() throws IOException {
        channel.force(false);
        clean = true;
        channel.write(header(capacity, count, coveredRecords, true), 0);
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
