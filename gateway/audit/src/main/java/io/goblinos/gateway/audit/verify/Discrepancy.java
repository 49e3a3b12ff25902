package io.goblinos.gateway.audit.verify;

/** The first thing found altered, missing or extra in a store; the message names file, record and expected vs found. */
public final class Discrepancy extends Exception {
    public Discrepancy(String message) {
        super(message);
    }
}
