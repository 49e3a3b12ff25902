package io.goblinos.gateway.audit.log;

import io.goblinos.gateway.audit.event.RejectReason;

/**
 * The outcome for one submitted event.
 *
 * @param eventId the event's id, or null when it could not be read
 * @param leafIndex the event's position in the log for ACCEPTED and DUPLICATE, else -1
 * @param reasonCode stable snake_case code for REJECTED (see {@link RejectReason#code()}), else null
 * @param message human-readable detail for REJECTED, else null
 */
public record SubmitResult(Status status, String eventId, long leafIndex, String reasonCode, String message) {
    public enum Status {
        /** Verified and durably appended. */
        ACCEPTED,
        /** An identical re-send of an accepted event: acknowledged, not appended again. */
        DUPLICATE,
        /** Refused: never appended, written to the quarantine file. */
        REJECTED
    }

    public static SubmitResult accepted(String eventId, long leafIndex) {
        return new SubmitResult(Status.ACCEPTED, eventId, leafIndex, null, null);
    }

    public static SubmitResult duplicate(String eventId, long leafIndex) {
        return new SubmitResult(Status.DUPLICATE, eventId, leafIndex, null, null);
    }

    public static SubmitResult rejected(String eventId, RejectReason reason, String message) {
        return new SubmitResult(Status.REJECTED, eventId, -1, reason.code(), message);
    }

    /** ACCEPTED or DUPLICATE: the emitter may consider the event delivered. */
    public boolean acknowledged() {
        return status != Status.REJECTED;
    }
}
