package io.goblinos.gateway.audit.note;

/** A signed note is malformed or carries no valid signature by the expected key. */
public final class NoteVerificationException extends Exception {
    public NoteVerificationException(String message) {
        super(message);
    }
}
