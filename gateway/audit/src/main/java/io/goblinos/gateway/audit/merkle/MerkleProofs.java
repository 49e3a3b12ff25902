package io.goblinos.gateway.audit.merkle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Pure verification of RFC 6962 / RFC 9162 inclusion and consistency proofs. Inputs are never modified.
 * Errors are {@link ProofVerificationException}s with got/want messages such as
 * {@code wrong proof size 3, want 4} or {@code root mismatch: got 5dc9..., want 6e34...}.
 */
public final class MerkleProofs {
    private static final HexFormat HEX = HexFormat.of();

    private MerkleProofs() {
    }

    /**
     * Computes the root implied by an inclusion proof (RFC 9162 section 2.1.3.2).
     * Requires {@code 0 <= index < size}, a 32-byte {@code leafHash} and a proof of exactly the length the
     * shape of the tree dictates.
     */
    public static byte[] rootFromInclusionProof(long index, long size, byte[] leafHash, List<byte[]> proof)
            throws ProofVerificationException {
        if (index < 0 || size <= 0 || index >= size) {
            throw new ProofVerificationException("index is beyond size: " + index + " >= " + size);
        }
        requireHash("leaf hash", leafHash);
        int inner = 64 - Long.numberOfLeadingZeros(index ^ (size - 1));
        int border = Long.bitCount(index >>> inner);
        int want = inner + border;
        if (proof.size() != want) {
            throw new ProofVerificationException("wrong proof size " + proof.size() + ", want " + want);
        }
        for (int i = 0; i < proof.size(); i++) {
            requireHash("proof hash " + i, proof.get(i));
        }
        byte[] hash = leafHash;
        for (int i = 0; i < inner; i++) {
            byte[] sibling = proof.get(i);
            hash = ((index >>> i) & 1) == 0 ? Rfc6962Hasher.hashChildren(hash, sibling) : Rfc6962Hasher.hashChildren(sibling, hash);
        }
        for (int i = inner; i < want; i++) {
            hash = Rfc6962Hasher.hashChildren(proof.get(i), hash);
        }
        return hash;
    }

    /** Checks that {@code leafHash} is at {@code index} in the tree of {@code size} leaves with {@code root}. */
    public static void verifyInclusion(long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root)
            throws ProofVerificationException {
        requireHash("root", root);
        byte[] computed = rootFromInclusionProof(index, size, leafHash, proof);
        requireMatch(computed, root);
    }

    /**
     * Computes the size2 root implied by a consistency proof from (size1, root1) (RFC 9162 section 2.1.4.2).
     * Requires {@code 0 <= size1 <= size2}; for {@code size1 == size2} and {@code size1 == 0} the proof must be
     * empty.
     */
    public static byte[] rootFromConsistencyProof(long size1, long size2, List<byte[]> proof, byte[] root1)
            throws ProofVerificationException {
        if (size1 < 0 || size2 < size1) {
            throw new ProofVerificationException("size2 (" + size2 + ") < size1 (" + size1 + ")");
        }
        if (size1 == size2) {
            if (!proof.isEmpty()) {
                throw new ProofVerificationException("wrong proof size " + proof.size() + ", want 0 for equal sizes");
            }
            requireHash("root1", root1);
            return root1.clone();
        }
        if (size1 == 0) {
            if (!proof.isEmpty()) {
                throw new ProofVerificationException("wrong proof size " + proof.size() + ", want 0 from an empty tree");
            }
            throw new ProofVerificationException("consistency from the empty tree proves nothing about root2; compare roots directly");
        }
        requireHash("root1", root1);
        int level = Long.numberOfTrailingZeros(size1);
        long index = (size1 - 1) >>> level;
        long end = (size2 - 1) >>> level;
        int inner = 64 - Long.numberOfLeadingZeros(index ^ end);
        int border = Long.bitCount(index >>> inner);
        boolean seedFromProof = index != 0;
        int want = (seedFromProof ? 1 : 0) + inner + border;
        if (proof.size() != want) {
            throw new ProofVerificationException("wrong proof size " + proof.size() + ", want " + want);
        }
        for (int i = 0; i < proof.size(); i++) {
            requireHash("proof hash " + i, proof.get(i));
        }
        List<byte[]> path = seedFromProof ? proof.subList(1, proof.size()) : proof;
        byte[] seed = seedFromProof ? proof.get(0) : root1;
        // Walk up from the node covering the end of tree 1: left siblings feed both roots, right siblings only root2.
        byte[] hash1 = seed;
        byte[] hash2 = seed;
        for (int i = 0; i < inner; i++) {
            byte[] sibling = path.get(i);
            if (((index >>> i) & 1) == 1) {
                hash1 = Rfc6962Hasher.hashChildren(sibling, hash1);
                hash2 = Rfc6962Hasher.hashChildren(sibling, hash2);
            } else {
                hash2 = Rfc6962Hasher.hashChildren(hash2, sibling);
            }
        }
        for (int i = inner; i < path.size(); i++) {
            hash1 = Rfc6962Hasher.hashChildren(path.get(i), hash1);
            hash2 = Rfc6962Hasher.hashChildren(path.get(i), hash2);
        }
        if (seedFromProof && !Arrays.equals(hash1, root1)) {
            throw new ProofVerificationException("root1 mismatch: got " + HEX.formatHex(hash1) + ", want " + HEX.formatHex(root1));
        }
        return hash2;
    }

    /** Checks that the tree (size2, root2) extends the tree (size1, root1). */
    public static void verifyConsistency(long size1, long size2, List<byte[]> proof, byte[] root1, byte[] root2)
            throws ProofVerificationException {
        requireHash("root2", root2);
        if (size1 == 0 && size2 >= 0 && proof.isEmpty()) {
            return; // every tree extends the empty tree
        }
        byte[] computed = rootFromConsistencyProof(size1, size2, proof, root1);
        requireMatch(computed, root2);
    }

    private static void requireMatch(byte[] got, byte[] want) throws ProofVerificationException {
        if (!Arrays.equals(got, want)) {
            throw new ProofVerificationException("root mismatch: got " + HEX.formatHex(got) + ", want " + HEX.formatHex(want));
        }
    }

    private static void requireHash(String what, byte[] hash) throws ProofVerificationException {
        if (hash == null || hash.length != Rfc6962Hasher.HASH_LENGTH) {
            throw new ProofVerificationException(what + " has " + (hash == null ? "no" : hash.length) + " bytes, want " + Rfc6962Hasher.HASH_LENGTH);
        }
    }

    /** Copies a proof, e.g. to corrupt it in a test or hand it out safely. */
    public static List<byte[]> copy(List<byte[]> proof) {
        List<byte[]> copy = new ArrayList<>(proof.size());
        proof.forEach(hash -> copy.add(hash.clone()));
        return copy;
    }
}
