package io.goblinos.gateway.audit.jcs;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * RFC 8785 JSON Canonicalization Scheme: members sorted by the UTF-16 code units of their names, no
 * whitespace, strings escaped as ECMAScript's {@code JSON.stringify} does, numbers serialized as ECMAScript's
 * {@code Number.prototype.toString} ({@link EcmaScriptNumbers}). Stateless and thread-safe.
 */
public final class JsonCanonicalizer {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonCanonicalizer() {
    }

    /**
     * Canonicalizes JSON text.
     *
     * @throws InvalidJsonException if the text is not I-JSON (syntax error, duplicate names, lone surrogates,
     *     numbers outside the double range)
     */
    public static String canonicalize(String json) {
        return canonicalize(StrictJson.parse(json));
    }

    /** Canonicalizes JSON text to UTF-8 bytes, the form that is hashed and signed. */
    public static byte[] canonicalizeToUtf8(String json) {
        return canonicalize(json).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Canonicalizes a parsed tree. Numbers are converted to the nearest double first, as I-JSON prescribes.
     *
     * @throws InvalidJsonException for lone surrogates, non-finite numbers or unsupported node types
     */
    public static String canonicalize(JsonNode node) {
        StringBuilder out = new StringBuilder(256);
        write(node, out);
        return out.toString();
    }

    /** The canonical form of an object with and without one of its top-level members. */
    public record WithAndWithout(String with, String without) {
    }

    /**
     * Canonicalizes an object twice in one pass: whole, and without its top-level member {@code member} (as if
     * it had been removed first). Each member is serialized once; the second form copies the first's text.
     * Used for audit events, whose signature covers the event without {@code signature}.
     *
     * @throws IllegalArgumentException if {@code node} is not an object
     * @throws InvalidJsonException as {@link #canonicalize(JsonNode)}
     */
    public static WithAndWithout canonicalizeWithAndWithout(JsonNode node, String member) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("want a JSON object, got " + node.getNodeType());
        }
        StringBuilder with = new StringBuilder(256).append('{');
        StringBuilder without = new StringBuilder(256).append('{');
        for (Map.Entry<String, JsonNode> entry : sortedMembers(node)) {
            if (with.length() > 1) {
                with.append(',');
            }
            int start = with.length();
            writeString(entry.getKey(), with);
            with.append(':');
            write(entry.getValue(), with);
            if (!entry.getKey().equals(member)) {
                if (without.length() > 1) {
                    without.append(',');
                }
                without.append(with, start, with.length());
            }
        }
        return new WithAndWithout(with.append('}').toString(), without.append('}').toString());
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(node, out);
            case ARRAY -> writeArray(node, out);
            case STRING -> writeString(node.textValue(), out);
            case NUMBER -> out.append(formatNumber(node));
            case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
            case NULL -> out.append("null");
            default -> throw new InvalidJsonException("JSON node type " + node.getNodeType() + " has no canonical form");
        }
    }

    private static List<Map.Entry<String, JsonNode>> sortedMembers(JsonNode node) {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.size());
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        fields.forEachRemaining(members::add);
        // String.compareTo compares UTF-16 code units, exactly the order RFC 8785 section 3.2.3 asks for.
        members.sort(Map.Entry.comparingByKey());
        return members;
    }

    private static void writeObject(JsonNode node, StringBuilder out) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> member : sortedMembers(node)) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(member.getKey(), out);
            out.append(':');
            write(member.getValue(), out);
        }
        out.append('}');
    }

    private static void writeArray(JsonNode node, StringBuilder out) {
        out.append('[');
        for (int i = 0; i < node.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            write(node.get(i), out);
        }
        out.append(']');
    }

    private static String formatNumber(JsonNode node) {
        double value;
        if (node.isBigDecimal() || node.isBigInteger()) {
            // Double.parseDouble rounds the exact decimal text correctly (half-even), unlike some BigDecimal paths.
            value = Double.parseDouble(node.isBigDecimal() ? node.decimalValue().toString() : node.bigIntegerValue().toString());
        } else {
            value = node.doubleValue();
        }
        if (Double.isInfinite(value)) {
            throw new InvalidJsonException("number " + abbreviate(node) + " is outside the IEEE-754 double range");
        }
        return EcmaScriptNumbers.format(value);
    }

    private static String abbreviate(JsonNode node) {
        String text = node.isBigDecimal() ? node.decimalValue().toString() : node.asText();
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    /**
     * Appends {@code value} as an RFC 8785 string literal, quotes included: for callers that assemble small
     * canonical objects by hand instead of building a tree.
     *
     * @throws InvalidJsonException if the string holds a lone surrogate
     */
    public static void appendString(String value, StringBuilder out) {
        writeString(value, out);
    }

    /**
     * Writes a JSON string literal as RFC 8785 section 3.2.2.2 requires.
     *
     * @throws InvalidJsonException if the string holds a lone surrogate (not valid Unicode, refused by I-JSON)
     */
    static void writeString(String value, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                            throw new InvalidJsonException("string has a lone high surrogate U+" + Integer.toHexString(c).toUpperCase() + " at index " + i);
                        }
                        out.append(c).append(value.charAt(++i));
                    } else if (Character.isLowSurrogate(c)) {
                        throw new InvalidJsonException("string has a lone low surrogate U+" + Integer.toHexString(c).toUpperCase() + " at index " + i);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
