package io.goblinos.gateway.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Known answers from transparency-dev/merkle (testonly/constants.go LeafInputs/RootHashes/NodeHashes and the
 * happy-path probes under testdata/inclusion and testdata/consistency), which reproduce the Certificate
 * Transparency RFC 6962 test tree. Re-expressed here as hex; indices are 0-based.
 */
class MerkleTreeTest {
    private static final HexFormat HEX = HexFormat.of();
    static final String[] LEAVES = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
    static final String[] ROOTS = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };

    // Leaf and interior node hashes (testonly NodeHashes level 0 and 1).
    static final String LEAF0 = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d";
    static final String LEAF1 = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7";
    static final String LEAF2 = "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7";
    static final String LEAF4 = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b";
    static final String LEAF5 = "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658";
    static final String LEAF6 = "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f";
    static final String NODE_0_1 = "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125";
    static final String NODE_2_3 = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e";
    static final String NODE_4_5 = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a";
    static final String NODE_6_7 = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0";
    static final String NODE_0_3 = "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7";
    static final String NODE_4_7 = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4";

    static MerkleTree treeOf(int size) throws Exception {
        MerkleTree tree = MerkleTree.inMemory();
        for (int i = 0; i < size; i++) {
            tree.appendData(HEX.parseHex(LEAVES[i]));
        }
        return tree;
    }

    @Test
    void emptyTreeRootIsSha256OfNothing() throws Exception {
        // echo -n | sha256sum
        assertThat(HEX.formatHex(MerkleTree.inMemory().root())).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void rootsForSizesOneToEight() throws Exception {
        MerkleTree tree = MerkleTree.inMemory();
        for (int size = 1; size <= 8; size++) {
            tree.appendData(HEX.parseHex(LEAVES[size - 1]));
            assertThat(HEX.formatHex(tree.root())).as("root of size %d", size).isEqualTo(ROOTS[size - 1]);
            assertThat(HEX.formatHex(tree.rootAt(size))).as("rootAt(%d)", size).isEqualTo(ROOTS[size - 1]);
        }
        for (int size = 1; size <= 8; size++) {
            assertThat(HEX.formatHex(tree.rootAt(size))).isEqualTo(ROOTS[size - 1]);
        }
    }

    record InclusionVector(long index, long size, String leafHash, String root, String... proof) {
    }

    static final List<InclusionVector> INCLUSION = List.of(
            new InclusionVector(0, 1, LEAF0, ROOTS[0]),
            new InclusionVector(0, 8, LEAF0, ROOTS[7], LEAF1, NODE_2_3, NODE_4_7),
            new InclusionVector(5, 8, LEAF5, ROOTS[7], LEAF4, NODE_6_7, NODE_0_3),
            new InclusionVector(2, 3, LEAF2, ROOTS[2], NODE_0_1),
            new InclusionVector(1, 5, LEAF1, ROOTS[4], LEAF0, NODE_2_3, LEAF4));

    record ConsistencyVector(long size1, long size2, String... proof) {
    }

    static final List<ConsistencyVector> CONSISTENCY = List.of(
            new ConsistencyVector(1, 1),
            new ConsistencyVector(1, 8, LEAF1, NODE_2_3, NODE_4_7),
            new ConsistencyVector(6, 8, NODE_4_5, NODE_6_7, NODE_0_3),
            new ConsistencyVector(2, 5, NODE_2_3, LEAF4),
            new ConsistencyVector(6, 7, NODE_4_5, LEAF6, NODE_0_3));

    @Test
    void publishedInclusionProofsAreProducedAndVerify() throws Exception {
        MerkleTree tree = treeOf(8);
        for (InclusionVector v : INCLUSION) {
            List<byte[]> want = hashes(v.proof());
            assertThat(hex(tree.inclusionProof(v.index(), v.size()))).as("proof %d in %d", v.index(), v.size()).isEqualTo(List.of(v.proof()));
            MerkleProofs.verifyInclusion(v.index(), v.size(), HEX.parseHex(v.leafHash()), want, HEX.parseHex(v.root()));
        }
    }

    @Test
    void publishedConsistencyProofsAreProducedAndVerify() throws Exception {
        MerkleTree tree = treeOf(8);
        for (ConsistencyVector v : CONSISTENCY) {
            assertThat(hex(tree.consistencyProof(v.size1(), v.size2()))).as("proof %d -> %d", v.size1(), v.size2()).isEqualTo(List.of(v.proof()));
            MerkleProofs.verifyConsistency(v.size1(), v.size2(), hashes(v.proof()), HEX.parseHex(ROOTS[(int) v.size1() - 1]), HEX.parseHex(ROOTS[(int) v.size2() - 1]));
        }
    }

    @Test
    void everyGeneratedProofVerifiesUpToSeventyLeaves() throws Exception {
        MerkleTree tree = MerkleTree.inMemory();
        List<byte[]> roots = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            tree.appendData(new byte[] {(byte) i, (byte) (i >> 8)});
            roots.add(tree.root());
        }
        for (int size = 1; size <= 70; size++) {
            for (int index = 0; index < size; index++) {
                MerkleProofs.verifyInclusion(index, size, tree.leafHash(index), tree.inclusionProof(index, size), roots.get(size - 1));
            }
            for (int size1 = 1; size1 <= size; size1++) {
                MerkleProofs.verifyConsistency(size1, size, tree.consistencyProof(size1, size), roots.get(size1 - 1), roots.get(size - 1));
            }
        }
    }

    @Test
    void brokenInclusionProofsFailWithPreciseMessages() throws Exception {
        InclusionVector v = INCLUSION.get(2);
        byte[] leaf = HEX.parseHex(v.leafHash());
        byte[] root = HEX.parseHex(v.root());
        List<byte[]> proof = hashes(v.proof());
        assertThatThrownBy(() -> MerkleProofs.verifyInclusion(5, 8, leaf, proof.subList(0, 2), root))
                .isInstanceOf(ProofVerificationException.class).hasMessage("wrong proof size 2, want 3");
        List<byte[]> longer = new ArrayList<>(proof);
        longer.add(proof.get(0));
        assertThatThrownBy(() -> MerkleProofs.verifyInclusion(5, 8, leaf, longer, root)).hasMessage("wrong proof size 4, want 3");
        List<byte[]> flipped = MerkleProofs.copy(proof);
        flipped.get(1)[0] ^= 1;
        assertThatThrownBy(() -> MerkleProofs.verifyInclusion(5, 8, leaf, flipped, root)).hasMessageStartingWith("root mismatch: got ").hasMessageEndingWith(", want " + v.root());
        assertThatThrownBy(() -> MerkleProofs.verifyInclusion(4, 8, leaf, proof, root)).hasMessageStartingWith("root mismatch");
        assertThatThrownBy(() -> MerkleProofs.verifyInclusion(8, 8, leaf, proof, root)).hasMessage("index is beyond size: 8 >= 8");
        assertThatThrownBy(() -> MerkleProofs.verifyInclusion(5, 8, HEX.parseHex(LEAF4), proof, root)).hasMessageStartingWith("root mismatch");
        List<byte[]> swapped = List.of(proof.get(1), proof.get(0), proof.get(2));
        assertThatThrownBy(() -> MerkleProofs.verifyInclusion(5, 8, leaf, swapped, root)).hasMessageStartingWith("root mismatch");
        assertThatThrownBy(() -> MerkleProofs.verifyInclusion(5, 8, leaf, List.of(proof.get(0), new byte[31], proof.get(2)), root))
                .hasMessage("proof hash 1 has 31 bytes, want 32");
    }

    @Test
    void brokenConsistencyProofsFailWithPreciseMessages() throws Exception {
        byte[] root6 = HEX.parseHex(ROOTS[5]);
        byte[] root8 = HEX.parseHex(ROOTS[7]);
        List<byte[]> proof = hashes(CONSISTENCY.get(2).proof());
        assertThatThrownBy(() -> MerkleProofs.verifyConsistency(6, 8, proof.subList(0, 2), root6, root8)).hasMessage("wrong proof size 2, want 3");
        assertThatThrownBy(() -> MerkleProofs.verifyConsistency(6, 8, proof, root8, root8)).hasMessageStartingWith("root1 mismatch: got " + ROOTS[5]);
        assertThatThrownBy(() -> MerkleProofs.verifyConsistency(6, 8, proof, root6, root6)).hasMessage("root mismatch: got " + ROOTS[7] + ", want " + ROOTS[5]);
        assertThatThrownBy(() -> MerkleProofs.verifyConsistency(8, 6, proof, root8, root6)).hasMessage("size2 (6) < size1 (8)");
        assertThatThrownBy(() -> MerkleProofs.verifyConsistency(4, 4, proof, root8, root8)).hasMessage("wrong proof size 3, want 0 for equal sizes");
        List<byte[]> flipped = MerkleProofs.copy(proof);
        flipped.get(2)[31] ^= (byte) 0x80;
        assertThatThrownBy(() -> MerkleProofs.verifyConsistency(6, 8, flipped, root6, root8)).hasMessageContaining("mismatch: got ");
    }

    @Test
    void fileBackedLeavesGiveTheSameRootsAfterReopen(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("leaves");
        try (FileLeafHashes leaves = FileLeafHashes.open(file)) {
            MerkleTree tree = new MerkleTree(leaves);
            for (int i = 0; i < 600; i++) {
                tree.appendData(new byte[] {(byte) i, (byte) (i >> 8)});
            }
        }
        MerkleTree memory = MerkleTree.inMemory();
        for (int i = 0; i < 600; i++) {
            memory.appendData(new byte[] {(byte) i, (byte) (i >> 8)});
        }
        try (FileLeafHashes leaves = FileLeafHashes.open(file)) {
            MerkleTree reopened = new MerkleTree(leaves);
            assertThat(reopened.size()).isEqualTo(600);
            assertThat(reopened.root()).isEqualTo(memory.root());
            assertThat(reopened.rootAt(513)).isEqualTo(memory.rootAt(513));
            assertThat(hex(reopened.inclusionProof(300, 599))).isEqualTo(hex(memory.inclusionProof(300, 599)));
        }
    }

    private static List<byte[]> hashes(String... hex) {
        List<byte[]> list = new ArrayList<>();
        for (String h : hex) {
            list.add(HEX.parseHex(h));
        }
        return list;
    }

    private static List<String> hex(List<byte[]> hashes) {
        return hashes.stream().map(HEX::formatHex).toList();
    }
}
