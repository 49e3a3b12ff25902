package io.goblinos.gateway.audit.event;

import com.fasterxml.jackson.databind.JsonNode;
import io.goblinos.gateway.audit.jcs.InvalidJsonException;
import io.goblinos.gateway.audit.jcs.StrictJson;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a {@code POST /v1/audit} body into raw events: one JSON object, a JSON array of objects, or NDJSON
 * (one object per non-blank line). Elements are returned as JSON text for {@code AuditLog.submit}; an element
 * that is not an object is still returned, so that it is refused (and quarantined) with its own reason.
 */
public final class AuditRequestBody {
    private AuditRequestBody() {
    }

    /**
     * @throws InvalidJsonException when the body as a whole is none of the three forms (answer 400)
     */
    public static List<String> split(String body) {
        String trimmed = body == null ? "" : body.strip();
        if (trimmed.isEmpty()) {
            throw new InvalidJsonException("body is empty, want an event, a JSON array of events or NDJSON");
        }
        if (trimmed.startsWith("[")) {
            JsonNode array = StrictJson.parse(trimmed);
            List<String> events = new ArrayList<>(array.size());
            array.forEach(element -> events.add(element.toString()));
            return events;
        }
        try {
            StrictJson.parse(trimmed);
            return List.of(trimmed);
        } catch (InvalidJsonException notSingle) {
            List<String> events = new ArrayList<>();
            String[] lines = trimmed.split("\r?\n");
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                try {
                    StrictJson.parse(lines[i]);
                } catch (InvalidJsonException badLine) {
                    throw new InvalidJsonException("NDJSON line " + (i + 1) + ": " + badLine.getMessage(), badLine);
                }
                events.add(lines[i].strip());
            }
            return events;
        }
    }
}
