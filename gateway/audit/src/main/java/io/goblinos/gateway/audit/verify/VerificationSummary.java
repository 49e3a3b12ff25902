package io.goblinos.gateway.audit.verify;

/**
 * What a successful verification covered.
 *
 * @param uncheckpointedRecords records after the latest checkpoint: verified one by one but not yet sealed by a
 *     signed root
 * @param gatewayKeySource where the checkpoint verifier key came from ("--gateway-key" or the store's own copy)
 */
public record VerificationSummary(long records, int segments, int checkpoints, long uncheckpointedRecords,
                                  String rootHex, String gatewayKeySource) {
    @Override
    public String toString() {
        return "OK: " + records + " records in " + segments + " segments, " + checkpoints + " checkpoints"
                + (uncheckpointedRecords > 0 ? ", " + uncheckpointedRecords + " records after the latest checkpoint" : "")
                + "; tree root " + rootHex + "; gateway key from " + gatewayKeySource;
    }
}
