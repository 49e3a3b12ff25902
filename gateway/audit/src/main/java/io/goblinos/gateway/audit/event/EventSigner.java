package io.goblinos.gateway.audit.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.crypto.Ed25519PrivateKey;
import io.goblinos.gateway.audit.jcs.InvalidJsonException;
import io.goblinos.gateway.audit.jcs.JsonCanonicalizer;
import io.goblinos.gateway.audit.jcs.StrictJson;
import java.util.Base64;
import java.util.Objects;

/**
 * Signs events: sets {@code key_id}, drops any old {@code signature}, signs the JCS canonical UTF-8 of the
 * rest and adds {@code signature} (standard base64). Fills nothing else. Thread-safe.
 */
public final class EventSigner {
    private final Ed25519PrivateKey key;
    private final String keyId;

    public EventSigner(Ed25519PrivateKey key, String keyId) {
        this.key = Objects.requireNonNull(key, "key");
        this.keyId = Objects.requireNonNull(keyId, "keyId");
        if (keyId.isEmpty()) {
            throw new IllegalArgumentException("keyId is empty");
        }
    }

    /** Returns a signed copy of {@code event}. */
    public ObjectNode sign(ObjectNode event) {
        ObjectNode signed = event.deepCopy();
        signed.remove(AuditEvent.SIGNATURE);
        signed.put(AuditEvent.KEY_ID, keyId);
        byte[] signature = key.sign(AuditEvent.signingPayload(signed));
        signed.put(AuditEvent.SIGNATURE, Base64.getEncoder().encodeToString(signature));
        return signed;
    }

    /**
     * Signs JSON text and returns the signed event in canonical form.
     *
     * @throws InvalidJsonException if the text is not a JSON object
     */
    public String signToCanonicalJson(String eventJson) {
        JsonNode node = StrictJson.parse(eventJson);
        if (!node.isObject()) {
            throw new InvalidJsonException("event is a JSON " + node.getNodeType().name().toLowerCase() + ", want an object");
        }
        return JsonCanonicalizer.canonicalize(sign((ObjectNode) node));
    }

    public String keyId() {
        return keyId;
    }
}
