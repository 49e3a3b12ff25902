package io.goblinos.gateway.loadtest.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * OTLP/JSON as the specification wants it: protobuf JSON mapping with lowerCamelCase names, enums as integers, and
 * {@code traceId}/{@code spanId}/{@code parentSpanId} as lowercase hex instead of base64.
 */
public final class OtlpJsonEncoding {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().printingEnumsAsInts().omittingInsignificantWhitespace();
  private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId");

  private OtlpJsonEncoding() {}

  public static byte[] encode(Message message) {
    try {
      JsonNode tree = MAPPER.readTree(PRINTER.print(message));
      hexIds(tree);
      return MAPPER.writeValueAsBytes(tree);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void hexIds(JsonNode node) {
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (ID_FIELDS.contains(field.getKey()) && field.getValue().isTextual()) {
          field.setValue(object.textNode(HexFormat.of().formatHex(Base64.getDecoder().decode(field.getValue().asText()))));
        } else {
          hexIds(field.getValue());
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (JsonNode element : array) {
        hexIds(element);
      }
    }
  }
}
