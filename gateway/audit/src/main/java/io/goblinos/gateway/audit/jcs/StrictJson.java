package io.goblinos.gateway.audit.jcs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Parses JSON text strictly enough for RFC 8785: duplicate member names, trailing content and non-standard
 * syntax are refused; numbers keep their exact decimal text so they can be rounded once, to double, when
 * canonicalized. Thread-safe.
 */
public final class StrictJson {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    private StrictJson() {
    }

    /** The shared mapper configured as described above; do not reconfigure it. */
    public static JsonMapper mapper() {
        return MAPPER;
    }

    /**
     * Parses one JSON value.
     *
     * @throws InvalidJsonException naming the position of the first syntax error or duplicate name
     */
    public static JsonNode parse(String json) {
        if (json == null) {
            throw new InvalidJsonException("JSON text is null");
        }
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new InvalidJsonException("JSON text is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidJsonException("not valid JSON: " + e.getOriginalMessage() + locationOf(e), e);
        }
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
    }
}
