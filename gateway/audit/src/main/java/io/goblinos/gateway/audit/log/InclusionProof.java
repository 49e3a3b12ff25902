package io.goblinos.gateway.audit.log;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.merkle.MerkleProofs;
import io.goblinos.gateway.audit.merkle.ProofVerificationException;
import java.util.Base64;
import java.util.List;

/**
 * Proof that an event is leaf {@code leafIndex} of the tree of {@code treeSize} leaves.
 *
 * @param checkpoint the signed note whose root the proof leads to, or null when the event is newer than the
 *     latest checkpoint (then {@code rootHash} is the current, not yet signed, root)
 */
public record InclusionProof(String eventId, long leafIndex, long treeSize, byte[] leafHash, List<byte[]> hashes,
                             byte[] rootHash, String checkpoint) {
    public InclusionProof {
        hashes = MerkleProofs.copy(hashes);
    }

    /** Re-checks the proof against {@link #rootHash()}. */
    public void verify() throws ProofVerificationException {
        MerkleProofs.verifyInclusion(leafIndex, treeSize, leafHash, hashes, rootHash);
    }

    /** The JSON served by {@code GET /v1/audit/proof/inclusion}: hashes in standard base64. */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("event_id", eventId);
        json.put("leaf_index", leafIndex);
        json.put("tree_size", treeSize);
        json.put("leaf_hash", Base64.getEncoder().encodeToString(leafHash));
        var proof = json.putArray("proof");
        hashes.forEach(hash -> proof.add(Base64.getEncoder().encodeToString(hash)));
        json.put("root_hash", Base64.getEncoder().encodeToString(rootHash));
        if (checkpoint == null) {
            json.putNull("checkpoint");
        } else {
            json.put("checkpoint", checkpoint);
        }
        return json;
    }
}
