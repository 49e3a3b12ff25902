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
 * disk, at most half full (doubled when it gets there), i.e. about 48-96 bytes per accepted event, memory-mapped
 * ({@link MappedSlots}) and so cached by the operating system's page cache as it sees fit. Lookups are linear
 * probes of mapped 24-byte slots (no system call per probe). Table files are written in full, without holes.
 *
 * <p>The index is derived data: the header records how many store records it covers and whether it was closed
 * cleanly. The owner rebuilds it from the store when it was not closed cleanly or covers more records than the
 * store holds (see {@code AuditLog.open}). Not thread-safe: the owner serialises access.
 */
public final class DedupeIndex implements Closeable {
    static final int SLOT_BYTES = MappedSlots.SLOT_BYTES;
    static final int FINGERPRINT_BYTES = MappedSlots.FINGERPRINT_BYTES;
    private static final int HEADER_BYTES = 64;
    private static final long MAGIC = 0x474F424C44445531L; // "GOBLDDU1"
    private static final long INITIAL_CAPACITY = 1024;

    private final Path file;
    private FileChannel channel;
    private MappedSlots slots;
    private long capacity;
    private long count;
    private long coveredRecords;
    private boolean clean;

    private DedupeIndex(Path file, FileChannel channel, MappedSlots slots, long capacity, long count, long coveredRecords, boolean clean) {
        this.file = file;
        this.channel = channel;
        this.slots = slots;
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
                    return mapped(file, channel, capacity, count, covered, clean);
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
        return mapped(file, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE), INITIAL_CAPACITY, 0, 0, false);
    }

    private static DedupeIndex mapped(Path file, FileChannel channel, long capacity, long count, long covered, boolean clean) throws IOException {
        try {
            return new DedupeIndex(file, channel, MappedSlots.map(channel, HEADER_BYTES, capacity), capacity, count, covered, clean);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Writes a header and {@code capacity} empty slots as real zeros (no holes, see {@link MappedSlots}). */
    private static void writeEmpty(Path file, long capacity) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            channel.write(header(capacity, 0, 0, false), 0);
            ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
            long end = HEADER_BYTES + capacity * SLOT_BYTES;
            for (long position = HEADER_BYTES; position < end; position += zeros.position()) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), end - position));
                channel.write(zeros, position);
            }
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
        return Arrays.copyOf(Rfc6962Hasher.sha256(eventId.getBytes(StandardCharsets.UTF_8)), FINGERPRINT_BYTES);
    }

    /** The record index stored for {@code fingerprint}, or -1. */
    public long find(byte[] fingerprint) {
        byte[] scratch = new byte[FINGERPRINT_BYTES];
        long slot = homeSlot(fingerprint);
        for (long probes = 0; probes < capacity; probes++) {
            long value = slots.value(slot);
            if (value == 0) {
                return -1;
            }
            if (slots.holds(slot, fingerprint, scratch)) {
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
        insert(slots, capacity, fingerprint, index + 1);
        count++;
    }

    private static void insert(MappedSlots target, long targetCapacity, byte[] fingerprint, long value) {
        long slot = homeSlot(fingerprint, targetCapacity);
        while (target.value(slot) != 0) {
            slot = (slot + 1) & (targetCapacity - 1);
        }
        target.set(slot, fingerprint, value);
    }

    /** Rehashes into a table of twice the capacity, built beside the file and moved over it. */
    private void grow() throws IOException {
        long newCapacity = capacity * 2;
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        writeEmpty(tmp, newCapacity);
        FileChannel grown = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            MappedSlots target = MappedSlots.map(grown, HEADER_BYTES, newCapacity);
            byte[] fingerprint = new byte[FINGERPRINT_BYTES];
            for (long slot = 0; slot < capacity; slot++) {
                long value = slots.value(slot);
                if (value != 0) {
                    slots.fingerprint(slot, fingerprint);
                    insert(target, newCapacity, fingerprint, value);
                }
            }
            grown.write(header(newCapacity, count, coveredRecords, false), 0);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            channel.close();
            channel = grown;
            slots = target;
            capacity = newCapacity;
        } catch (IOException | RuntimeException e) {
            grown.close();
            throw e;
        }
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
        slots.force();
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
