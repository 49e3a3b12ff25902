package io.goblinos.gateway.audit.store;

import java.util.Objects;

/**
 * A signed checkpoint as stored, chained to its predecessor.
 *
 * @param sequence 0 for the first checkpoint, then 1, 2, ...
 * @param signedNote the C2SP signed note (checkpoint body, blank line, signature lines)
 * @param previousNoteSha256 lowercase hex SHA-256 of the previous checkpoint's signed note (UTF-8), "" for the first
 */
public record StoredCheckpoint(long sequence, long treeSize, String signedNote, String previousNoteSha256) {
    public StoredCheckpoint {
        Objects.requireNonNull(signedNote, "signedNote");
        Objects.requireNonNull(previousNoteSha256, "previousNoteSha256");
    }
}
