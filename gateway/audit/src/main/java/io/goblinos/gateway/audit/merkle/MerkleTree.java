package io.goblinos.gateway.audit.merkle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An append-only RFC 6962 Merkle tree. Appends cost O(log n): the tree keeps its compact range (the roots of
 * the perfect subtrees covering all leaves, largest first). Leaf hashes live in a {@link LeafHashStore} so that
 * inclusion and consistency proofs (RFC 6962 section 2.1.1 PATH and 2.1.2 PROOF) can be produced for any
 * earlier tree size. Hashes of perfect subtrees with at least {@value #CACHED_SUBTREE_LEAVES} leaves are memoised
 * (heap: about 1/128 of an entry per leaf), so a proof reads at most a few hundred leaf hashes per level.
 * All methods are synchronized.
 */
public final class MerkleTree {
    static final int CACHED_SUBTREE_LEAVES = 256;

    private final LeafHashStore leaves;
    /** Compact range: perfect subtree roots, left to right, strictly decreasing sizes. */
    private final List<byte[]> rangeHashes = new ArrayList<>();
    private final List<Integer> rangeLevels = new ArrayList<>();
    private final Map<Long, byte[]> perfectSubtreeCache = new ConcurrentHashMap<>();

    /** Wraps {@code leaves} and rebuilds the compact range from the hashes already there (O(n) reads). */
    public MerkleTree(LeafHashStore leaves) throws IOException {
        this.leaves = leaves;
        for (long i = 0; i < leaves.size(); i++) {
            pushToRange(leaves.get(i));
        }
    }

    /** An empty tree on the heap. */
    public static MerkleTree inMemory() {
        try {
            return new MerkleTree(new InMemoryLeafHashes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized long size() {
        return leaves.size();
    }

    /** Appends a leaf by its data; returns its index. */
    public synchronized long appendData(byte[] data) throws IOException {
        return appendLeafHash(Rfc6962Hasher.hashLeaf(data));
    }

    /** Appends a 32-byte leaf hash; returns its index. */
    public synchronized long appendLeafHash(byte[] leafHash) throws IOException {
        long index = leaves.size();
        leaves.append(leafHash);
        pushToRange(leafHash);
        return index;
    }

    /** Appends 32-byte leaf hashes in order (one write to the leaf hash store); returns the first one's index. */
    public synchronized long appendLeafHashes(List<byte[]> leafHashes) throws IOException {
        long first = leaves.size();
        leaves.appendAll(leafHashes);
        for (byte[] leafHash : leafHashes) {
            pushToRange(leafHash);
        }
        return first;
    }

    private void pushToRange(byte[] leafHash) {
        byte[] hash = leafHash;
        int level = 0;
        while (!rangeLevels.isEmpty() && rangeLevels.get(rangeLevels.size() - 1) == level) {
            int last = rangeLevels.size() - 1;
            hash = Rfc6962Hasher.hashChildren(rangeHashes.remove(last), hash);
            rangeLevels.remove(last);
            level++;
        }
        rangeHashes.add(hash);
        rangeLevels.add(level);
    }

    /** The root of the current tree. */
    public synchronized byte[] root() {
        if (rangeHashes.isEmpty()) {
            return Rfc6962Hasher.emptyRoot();
        }
        byte[] hash = rangeHashes.get(rangeHashes.size() - 1);
        for (int i = rangeHashes.size() - 2; i >= 0; i--) {
            hash = Rfc6962Hasher.hashChildren(rangeHashes.get(i), hash);
        }
        return hash;
    }

    /** The root of the tree made of the first {@code size} leaves; requires {@code 0 <= size <= size()}. */
    public synchronized byte[] rootAt(long size) throws IOException {
        checkSize("size", size);
        return size == 0 ? Rfc6962Hasher.emptyRoot() : subtreeHash(0, size);
    }

    /** The hash of leaf {@code index}; requires {@code 0 <= index < size()}. */
    public synchronized byte[] leafHash(long index) throws IOException {
        return leaves.get(index);
    }

    /** Inclusion proof of leaf {@code index} in the tree of {@code treeSize} leaves; requires {@code 0 <= index < treeSize <= size()}. */
    public synchronized List<byte[]> inclusionProof(long index, long treeSize) throws IOException {
        checkSize("treeSize", treeSize);
        if (index < 0 || index >= treeSize) {
            throw new IllegalArgumentException("index " + index + " is not in [0, " + treeSize + ")");
        }
        List<byte[]> proof = new ArrayList<>();
        path(index, 0, treeSize, proof);
        return proof;
    }

    /** Consistency proof between sizes; requires {@code 0 <= size1 <= size2 <= size()}; empty when size1 is 0 or equal. */
    public synchronized List<byte[]> consistencyProof(long size1, long size2) throws IOException {
        checkSize("size2", size2);
        if (size1 < 0 || size1 > size2) {
            throw new IllegalArgumentException("size1 " + size1 + " is not in [0, " + size2 + "]");
        }
        List<byte[]> proof = new ArrayList<>();
        if (size1 > 0 && size1 < size2) {
            subproof(size1, 0, size2, true, proof);
        }
        return proof;
    }

    private void path(long index, long start, long end, List<byte[]> proof) throws IOException {
        long n = end - start;
        if (n == 1) {
            return;
        }
        long k = largestPowerOfTwoBelow(n);
        if (index < k) {
            path(index, start, start + k, proof);
            proof.add(subtreeHash(start + k, end));
        } else {
            path(index - k, start + k, end, proof);
            proof.add(subtreeHash(start, start + k));
        }
    }

    private void subproof(long m, long start, long end, boolean startsAtOldRoot, List<byte[]> proof) throws IOException {
        long n = end - start;
        if (m == n) {
            if (!startsAtOldRoot) {
                proof.add(subtreeHash(start, end));
            }
            return;
        }
        long k = largestPowerOfTwoBelow(n);
        if (m <= k) {
            subproof(m, start, start + k, startsAtOldRoot, proof);
            proof.add(subtreeHash(start + k, end));
        } else {
            subproof(m - k, start + k, end, false, proof);
            proof.add(subtreeHash(start, start + k));
        }
    }

    /** MTH(D[start:end]) of RFC 6962; requires {@code 0 <= start < end <= size()}. */
    private byte[] subtreeHash(long start, long end) throws IOException {
        long n = end - start;
        if (n == 1) {
            return leaves.get(start);
        }
        boolean perfect = Long.bitCount(n) == 1 && start % n == 0;
        Long cacheKey = perfect && n >= CACHED_SUBTREE_LEAVES ? (start << 6) | Long.numberOfTrailingZeros(n) : null;
        if (cacheKey != null) {
            byte[] cached = perfectSubtreeCache.get(cacheKey);
            if (cached != null) {
                return cached;
            }
        }
        long k = largestPowerOfTwoBelow(n);
        byte[] hash = Rfc6962Hasher.hashChildren(subtreeHash(start, start + k), subtreeHash(start + k, end));
        if (cacheKey != null) {
            perfectSubtreeCache.put(cacheKey, hash);
        }
        return hash;
    }

    /** The largest power of two strictly smaller than {@code n}; requires {@code n >= 2}. */
    static long largestPowerOfTwoBelow(long n) {
        return Long.highestOneBit(n - 1);
    }

    private void checkSize(String name, long value) {
        if (value < 0 || value > leaves.size()) {
            throw new IllegalArgumentException(name + " " + value + " is not in [0, " + leaves.size() + "]");
        }
    }
}
