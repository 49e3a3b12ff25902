package io.goblinos.gateway.audit.merkle;

import java.util.ArrayList;
import java.util.List;

/** Leaf hashes on the heap, 32 bytes each in 1 MiB chunks: for tests and the offline verifier. */
public final class InMemoryLeafHashes implements LeafHashStore {
    private static final int HASHES_PER_CHUNK = 32 * 1024;
    private final List<byte[]> chunks = new ArrayList<>();
    private long size;

    @Override
    public long size() {
        return size;
    }

    @Override
    public byte[] get(long index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("leaf " + index + " requested, size " + size);
        }
        byte[] chunk = chunks.get((int) (index / HASHES_PER_CHUNK));
        int offset = (int) (index % HASHES_PER_CHUNK) * Rfc6962Hasher.HASH_LENGTH;
        byte[] hash = new byte[Rfc6962Hasher.HASH_LENGTH];
        System.arraycopy(chunk, offset, hash, 0, hash.length);
        return hash;
    }

    @Override
    public void append(byte[] leafHash) {
        if (leafHash.length != Rfc6962Hasher.HASH_LENGTH) {
            throw new IllegalArgumentException("leaf hash has " + leafHash.length + " bytes, want 32");
        }
        if (size % HASHES_PER_CHUNK == 0) {
            chunks.add(new byte[HASHES_PER_CHUNK * Rfc6962Hasher.HASH_LENGTH]);
        }
        byte[] chunk = chunks.get(chunks.size() - 1);
        System.arraycopy(leafHash, 0, chunk, (int) (size % HASHES_PER_CHUNK) * Rfc6962Hasher.HASH_LENGTH, leafHash.length);
        size++;
    }
}
