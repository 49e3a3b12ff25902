package io.goblinos.gateway.audit.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.jcs.JsonCanonicalizer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * A parsed, well-formed (not yet verified) audit event. Holds its two canonical forms: the whole event
 * (the Merkle leaf data and the stored record) and the event without {@code signature} (the signed bytes).
 * Immutable; create it with {@link AuditEventParser}.
 */
public final class AuditEvent {
    public static final String EVENT_ID = "event_id";
    public static final String GOBLIN_ID = "goblin_id";
    public static final String ROLE = "role";
    public static final String ACTION = "action";
    public static final String TARGET = "target";
    public static final String DECISION = "decision";
    public static final String TRACE_ID = "trace_id";
    public static final String TIMESTAMP = "timestamp";
    public static final String KEY_ID = "key_id";
    public static final String SIGNATURE = "signature";

    /** The required string fields, in the order the issue lists them. */
    public static final List<String> REQUIRED_FIELDS =
            List.of(EVENT_ID, GOBLIN_ID, ROLE, ACTION, TARGET, DECISION, TRACE_ID, TIMESTAMP, KEY_ID, SIGNATURE);

    private final ObjectNode fields;
    private final Instant timestamp;
    private final byte[] signature;
    private final String canonicalJson;
    private final byte[] signedPayload;

    /**
     * Takes ownership of {@code fields} (the parser hands over a tree nobody else holds) and computes both
     * canonical forms in one pass.
     *
     * @throws io.goblinos.gateway.audit.jcs.InvalidJsonException if the event has no canonical form
     */
    AuditEvent(ObjectNode fields, Instant timestamp, byte[] signature) {
        this.fields = fields;
        this.timestamp = timestamp;
        this.signature = signature;
        JsonCanonicalizer.WithAndWithout forms = JsonCanonicalizer.canonicalizeWithAndWithout(fields, SIGNATURE);
        this.canonicalJson = forms.with();
        this.signedPayload = forms.without().getBytes(StandardCharsets.UTF_8);
    }

    /** The UTF-8 bytes of the JCS canonical form of {@code event} without its {@code signature} member. */
    public static byte[] signingPayload(ObjectNode event) {
        ObjectNode unsigned = event.deepCopy();
        unsigned.remove(SIGNATURE);
        return JsonCanonicalizer.canonicalize(unsigned).getBytes(StandardCharsets.UTF_8);
    }

    public String eventId() {
        return fields.get(EVENT_ID).textValue();
    }

    public String goblinId() {
        return fields.get(GOBLIN_ID).textValue();
    }

    public String keyId() {
        return fields.get(KEY_ID).textValue();
    }

    public String traceId() {
        return fields.get(TRACE_ID).textValue();
    }

    /** Any top-level string field, or {@code null}. */
    public String field(String name) {
        var value = fields.get(name);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    public Instant timestamp() {
        return timestamp;
    }

    public byte[] signature() {
        return signature.clone();
    }

    public String signatureBase64() {
        return Base64.getEncoder().encodeToString(signature);
    }

    /** The RFC 8785 canonical JSON of the whole event, {@code signature} included: the Merkle leaf data. */
    public String canonicalJson() {
        return canonicalJson;
    }

    /** The bytes the signature covers: canonical JSON without {@code signature}, UTF-8. */
    public byte[] signedPayload() {
        return signedPayload.clone();
    }

    /** A copy of the event's JSON members. */
    public ObjectNode toJson() {
        return fields.deepCopy();
    }

    @Override
    public String toString() {
        return "AuditEvent[" + eventId() + " by " + goblinId() + "]";
    }
}
