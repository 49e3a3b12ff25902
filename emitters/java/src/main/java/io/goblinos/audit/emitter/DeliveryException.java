package io.goblinos.audit.emitter;

/** Delivery failed after all attempts, or the gateway answered with a permanent error (400, 401, 403, ...). */
public final class DeliveryException extends Exception {
    private final int statusCode;

    public DeliveryException(String message, int statusCode, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
    }

    /** The last HTTP status seen, or -1 when the last attempt failed with an I/O error. */
    public int statusCode() {
        return statusCode;
    }
}
