package io.goblinos.gateway.audit.merkle;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/** Append-only list of 32-byte leaf hashes, addressable by index. Not thread-safe: {@link MerkleTree} guards it. */
public interface LeafHashStore extends Closeable {
    long size();

    /** Requires {@code 0 <= index < size()}. */
    byte[] get(long index) throws IOException;

    /** Requires a 32-byte hash. */
    void append(byte[] leafHash) throws IOException;

    /** Appends several 32-byte hashes in order; a file store writes them at once. */
    default void appendAll(List<byte[]> leafHashes) throws IOException {
        for (byte[] leafHash : leafHashes) {
            append(leafHash);
        }
    }

    /** Makes appended hashes durable where that means anything; a no-op in memory. */
    default void flush() throws IOException {
    }

    @Override
    default void close() throws IOException {
    }
}
