package io.goblinos.audit.emitter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Builds one unsigned audit event. {@code event_id} defaults to a random UUID, {@code timestamp} to now (UTC,
 * millisecond precision) and {@code trace_id} to the trace of the current OpenTelemetry span (empty when there is
 * none). Not thread-safe; build one event per instance.
 */
public final class AuditEventBuilder {
    private final ObjectNode event = JsonNodeFactory.instance.objectNode();
    private Clock clock = Clock.systemUTC();

    public AuditEventBuilder goblinId(String value) {
        event.put("goblin_id", value);
        return this;
    }

    public AuditEventBuilder role(String value) {
        event.put("role", value);
        return this;
    }

    public AuditEventBuilder action(String value) {
        event.put("action", value);
        return this;
    }

    public AuditEventBuilder target(String value) {
        event.put("target", value);
        return this;
    }

    public AuditEventBuilder decision(String value) {
        event.put("decision", value);
        return this;
    }

    public AuditEventBuilder eventId(String value) {
        event.put("event_id", value);
        return this;
    }

    public AuditEventBuilder timestamp(Instant value) {
        event.put("timestamp", value.truncatedTo(ChronoUnit.MILLIS).toString());
        return this;
    }

    /** @param value 32 lowercase hex digits or empty */
    public AuditEventBuilder traceId(String value) {
        event.put("trace_id", value);
        return this;
    }

    /** An additional field, covered by the signature like the others. */
    public AuditEventBuilder field(String name, JsonNode value) {
        event.set(name, value);
        return this;
    }

    public AuditEventBuilder field(String name, String value) {
        event.put(name, value);
        return this;
    }

    AuditEventBuilder clock(Clock value) {
        clock = value;
        return this;
    }

    /** The trace id of {@link Span#current()}, or "" when no valid span is current. */
    public static String currentTraceId() {
        SpanContext context = Span.current().getSpanContext();
        return context.isValid() ? context.getTraceId() : "";
    }

    /**
     * @throws IllegalStateException naming every required field that was not set
     */
    public ObjectNode build() {
        ObjectNode built = event.deepCopy();
        if (!built.has("event_id")) {
            built.put("event_id", UUID.randomUUID().toString());
        }
        if (!built.has("timestamp")) {
            built.put("timestamp", clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
        }
        if (!built.has("trace_id")) {
            built.put("trace_id", currentTraceId());
        }
        List<String> missing = new ArrayList<>();
        for (String field : List.of("goblin_id", "role", "action", "target", "decision")) {
            if (!built.hasNonNull(field) || Objects.equals(built.get(field).asText(), "")) {
                missing.add(field);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("audit event lacks " + String.join(", ", missing));
        }
        return built;
    }
}
