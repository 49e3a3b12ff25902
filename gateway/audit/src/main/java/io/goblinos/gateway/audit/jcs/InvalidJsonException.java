package io.goblinos.gateway.audit.jcs;

/** The input is not I-JSON (RFC 7493) and so has no RFC 8785 canonical form. The message says why. */
public final class InvalidJsonException extends IllegalArgumentException {
    public InvalidJsonException(String message) {
        super(message);
    }

    public InvalidJsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
