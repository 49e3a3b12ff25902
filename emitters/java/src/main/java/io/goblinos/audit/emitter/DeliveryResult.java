package io.goblinos.audit.emitter;

import java.util.List;

/**
 * The gateway's answer: how many events were accepted (including identical re-sends) and which were refused.
 * Refusals are permanent (bad signature, unknown key, ...): retrying the same event cannot succeed.
 */
public record DeliveryResult(int accepted, List<Rejection> rejected) {
    public DeliveryResult {
        rejected = List.copyOf(rejected);
    }

    /** One refused event and its stable reason code, e.g. {@code bad_signature}. */
    public record Rejection(String eventId, String reason) {
    }

    public boolean allAccepted() {
        return rejected.isEmpty();
    }
}
