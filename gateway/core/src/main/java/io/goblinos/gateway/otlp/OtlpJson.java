package io.goblinos.gateway.otlp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The OTLP/JSON mapping (OTLP specification, "JSON Protobuf Encoding"): proto3 JSON with lowerCamelCase names,
 * except that trace and span ids are hex strings (any case on input, lowercase on output) instead of base64, enums
 * are integers on output, 64-bit integers are decimal strings on output and strings or numbers on input, and
 * unknown fields are ignored.
 *
 * <p>Input is read into a tree (bounded depth and string length), ids are rewritten to base64 and the result is
 * merged with protobuf's {@link JsonFormat}; output goes the other way.
 */
public final class OtlpJson {
  /** Field names holding trace or span ids, in both spellings the proto3 JSON mapping accepts. */
  private static final Set<String> ID_FIELDS =
      Set.of("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id");

  /** Deepest nesting accepted: OTLP nests about 10 levels; attribute values may nest kvlists a little more. */
  public static final int MAX_DEPTH = 64;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static {
    MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(MAX_DEPTH)
        .maxStringLength(64 * 1024 * 1024)
        .build());
  }

  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace().printingEnumsAsInts();

  private OtlpJson() {}

  /** Thrown for input that is not OTLP/JSON; the message says what and where. */
  public static final class OtlpJsonException extends Exception {
    OtlpJsonException(String message) {
      super(message);
    }
  }

  /** Parses OTLP/JSON bytes into a message built from {@code builder}. */
  @SuppressWarnings("unchecked")
  public static <T extends Message> T decode(byte[] json, Message.Builder builder) throws OtlpJsonException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new OtlpJsonException("invalid JSON: " + firstLine(e.getMessage()));
    }
    if (tree == null || !tree.isObject()) {
      throw new OtlpJsonException("invalid OTLP/JSON: the body must be a JSON object");
    }
    hexIdsToBase64(tree, "$");
    try {
      PARSER.merge(MAPPER.writeValueAsString(tree), builder);
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new OtlpJsonException("invalid OTLP/JSON: " + firstLine(e.getMessage()));
    } catch (RuntimeException e) {
      throw new OtlpJsonException("invalid OTLP/JSON: " + firstLine(String.valueOf(e.getMessage())));
    }
    return (T) builder.build();
  }

  /** Encodes a message as OTLP/JSON (compact, ids in lowercase hex, enums as integers). */
  public static byte[] encode(Message message) {
    return encodeToString(message).getBytes(StandardCharsets.UTF_8);
  }

  public static String encodeToString(Message message) {
    try {
      String printed = PRINTER.print(message);
      JsonNode tree = MAPPER.readTree(printed);
      base64IdsToHex(tree);
      return MAPPER.writeValueAsString(tree);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + message.getDescriptorForType().getFullName() + " as JSON", e);
    }
  }

  private static void hexIdsToBase64(JsonNode node, String path) throws OtlpJsonException {
    if (node instanceof ObjectNode obj) {
      Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String childPath = path + "." + e.getKey();
        JsonNode v = e.getValue();
        if (ID_FIELDS.contains(e.getKey()) && v.isTextual()) {
          e.setValue(new TextNode(hexToBase64(v.textValue(), childPath)));
        } else if (v.isContainerNode()) {
          hexIdsToBase64(v, childPath);
        }
      }
    } else if (node instanceof ArrayNode arr) {
      for (int i = 0; i < arr.size(); i++) {
        hexIdsToBase64(arr.get(i), path + "[" + i + "]");
      }
    }
  }

  private static String hexToBase64(String hex, String path) throws OtlpJsonException {
    if (hex.isEmpty()) {
      return "";
    }
    if (hex.length() % 2 != 0) {
      throw new OtlpJsonException(path + ": '" + abbreviate(hex) + "' is not a hex id (odd number of digits)");
    }
    try {
      return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new OtlpJsonException(path + ": '" + abbreviate(hex) + "' is not a hex id");
    }
  }

  private static void base64IdsToHex(JsonNode node) {
    if (node instanceof ObjectNode obj) {
      Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = e.getValue();
        if (ID_FIELDS.contains(e.getKey()) && v.isTextual()) {
          e.setValue(new TextNode(HexFormat.of().formatHex(Base64.getDecoder().decode(v.textValue()))));
        } else if (v.isContainerNode()) {
          base64IdsToHex(v);
        }
      }
    } else if (node instanceof ArrayNode arr) {
      for (JsonNode child : arr) {
        base64IdsToHex(child);
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 48 ? s.substring(0, 48) + "..." : s;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    String line = s.lines().findFirst().orElse("");
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
