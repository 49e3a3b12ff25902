package io.goblinos.gateway.audit.merkle;

/** A Merkle proof did not verify; the message says what was computed (got) and what was expected (want). */
public final class ProofVerificationException extends Exception {
    public ProofVerificationException(String message) {
        super(message);
    }
}
