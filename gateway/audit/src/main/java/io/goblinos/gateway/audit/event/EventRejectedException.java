package io.goblinos.gateway.audit.event;

/** An event failed parsing or verification; carries the stable reason and a message saying what was found. */
public final class EventRejectedException extends Exception {
    private final RejectReason reason;

    public EventRejectedException(RejectReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
