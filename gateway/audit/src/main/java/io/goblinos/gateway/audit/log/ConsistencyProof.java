package io.goblinos.gateway.audit.log;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.merkle.MerkleProofs;
import io.goblinos.gateway.audit.merkle.ProofVerificationException;
import java.util.Base64;
import java.util.List;

/** Proof that the tree of {@code toSize} leaves extends the tree of {@code fromSize} leaves. */
public record ConsistencyProof(long fromSize, long toSize, byte[] fromRoot, byte[] toRoot, List<byte[]> hashes) {
    public ConsistencyProof {
        hashes = MerkleProofs.copy(hashes);
    }

    public void verify() throws ProofVerificationException {
        MerkleProofs.verifyConsistency(fromSize, toSize, hashes, fromRoot, toRoot);
    }

    /** The JSON served by {@code GET /v1/audit/proof/consistency}. */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("from", fromSize);
        json.put("to", toSize);
        json.put("from_root", Base64.getEncoder().encodeToString(fromRoot));
        json.put("to_root", Base64.getEncoder().encodeToString(toRoot));
        var proof = json.putArray("proof");
        hashes.forEach(hash -> proof.add(Base64.getEncoder().encodeToString(hash)));
        return json;
    }
}
