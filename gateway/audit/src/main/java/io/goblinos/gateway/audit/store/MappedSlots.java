package io.goblinos.gateway.audit.store;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * The slot array of a {@link DedupeIndex} file, memory-mapped: a probe is a memory access instead of a
 * positional read (the index is consulted and updated for every accepted event, inside the audit log's append
 * lock). Slots are {@code fingerprint (16 bytes) | index + 1 (8 bytes, 0 = empty)}, starting at a fixed offset.
 *
 * <p>Large tables are mapped in regions of {@value #REGION_SLOTS} slots because one mapping cannot exceed 2 GiB.
 * The mapped pages belong to the operating system's page cache, not to the Java heap; Java 17 cannot unmap
 * explicitly, so a replaced table's mappings go away when they are garbage collected. The file must be fully
 * allocated (no holes): a write into a hole on a full disk would fault instead of throwing an IOException.
 * Not thread-safe.
 */
final class MappedSlots {
    static final int SLOT_BYTES = 24;
    static final int FINGERPRINT_BYTES = 16;
    private static final int REGION_BITS = 22;
    private static final long REGION_SLOTS = 1L << REGION_BITS;

    private final MappedByteBuffer[] regions;

    private MappedSlots(MappedByteBuffer[] regions) {
        this.regions = regions;
    }

    /** Maps {@code capacity} slots of {@code channel} (opened for reading and writing) starting at {@code offset}. */
    static MappedSlots map(FileChannel channel, long offset, long capacity) throws IOException {
        int count = (int) ((capacity + REGION_SLOTS - 1) / REGION_SLOTS);
        MappedByteBuffer[] regions = new MappedByteBuffer[count];
        for (int i = 0; i < count; i++) {
            long first = i * REGION_SLOTS;
            long slots = Math.min(REGION_SLOTS, capacity - first);
            regions[i] = channel.map(FileChannel.MapMode.READ_WRITE, offset + first * SLOT_BYTES, slots * SLOT_BYTES);
        }
        return new MappedSlots(regions);
    }

    /** The stored value (record index + 1) of {@code slot}; 0 when the slot is empty. */
    long value(long slot) {
        return region(slot).getLong(position(slot) + FINGERPRINT_BYTES);
    }

    /** Copies the fingerprint stored in {@code slot} into {@code into} (16 bytes). */
    void fingerprint(long slot, byte[] into) {
        region(slot).get(position(slot), into, 0, FINGERPRINT_BYTES);
    }

    boolean holds(long slot, byte[] fingerprint, byte[] scratch) {
        fingerprint(slot, scratch);
        return Arrays.equals(scratch, fingerprint);
    }

    void set(long slot, byte[] fingerprint, long value) {
        MappedByteBuffer region = region(slot);
        int position = position(slot);
        region.put(position, fingerprint, 0, FINGERPRINT_BYTES);
        region.putLong(position + FINGERPRINT_BYTES, value);
    }

    /** Writes dirty pages back to the file (msync). */
    void force() {
        for (MappedByteBuffer region : regions) {
            region.force();
        }
    }

    private MappedByteBuffer region(long slot) {
        return regions[(int) (slot >>> REGION_BITS)];
    }

    private static int position(long slot) {
        return (int) (slot & (REGION_SLOTS - 1)) * SLOT_BYTES;
    }
}
