package io.goblinos.gateway.tracing.cost;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads price tables: {@code models: [{provider, model, input_per_mtok, output_per_mtok, effective_from?,
 * effective_until?}]}, as YAML (the price file) or JSON (the admin endpoint; JSON is YAML). Every problem is
 * reported with its position, e.g. {@code models[3].input_per_mtok: was 'free' but it must be a number >= 0}.
 */
public final class PriceList {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private PriceList() {}

  /** Thrown for an invalid price table; the message lists every problem. */
  public static final class InvalidPricesException extends Exception {
    public InvalidPricesException(String message) {
      super(message);
    }
  }

  public static List<PriceEntry> parse(byte[] yamlOrJson) throws InvalidPricesException {
    Object root;
    try {
      root = YAML.readValue(yamlOrJson, Object.class);
    } catch (IOException e) {
      throw new InvalidPricesException("not YAML or JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
    return fromTree(root);
  }

  static List<PriceEntry> fromTree(Object root) throws InvalidPricesException {
    List<String> errors = new ArrayList<>();
    List<PriceEntry> out = new ArrayList<>();
    if (!(root instanceof Map<?, ?> m) || !(m.get("models") instanceof List<?> models)) {
      throw new InvalidPricesException("models: is required and must be a list of {provider, model, input_per_mtok, output_per_mtok}");
    }
    for (Object key : m.keySet()) {
      if (!"models".equals(key)) {
        errors.add(key + ": unknown key (known keys here: models)");
      }
    }
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < models.size(); i++) {
      String at = "models[" + i + "]";
      if (!(models.get(i) instanceof Map<?, ?> row)) {
        errors.add(at + ": was '" + models.get(i) + "' but it must be a mapping");
        continue;
      }
      for (Object k : row.keySet()) {
        if (!Set.of("provider", "model", "input_per_mtok", "output_per_mtok", "effective_from", "effective_until").contains(k)) {
          errors.add(at + "." + k + ": unknown key");
        }
      }
      String provider = text(row.get("provider"), at + ".provider", errors);
      String model = text(row.get("model"), at + ".model", errors);
      double in = number(row.get("input_per_mtok"), at + ".input_per_mtok", errors);
      double out2 = number(row.get("output_per_mtok"), at + ".output_per_mtok", errors);
      LocalDate from = date(row.get("effective_from"), at + ".effective_from", errors);
      LocalDate until = date(row.get("effective_until"), at + ".effective_until", errors);
      if (from != null && until != null && !until.isAfter(from)) {
        errors.add(at + ".effective_until: was '" + until + "' but it must be after effective_from (" + from + ")");
      }
      if (provider != null && model != null && !Double.isNaN(in) && !Double.isNaN(out2)) {
        PriceEntry e = new PriceEntry(provider, model, in, out2, from, until);
        if (!keys.add(e.key())) {
          errors.add(at + ": duplicate entry for provider '" + e.provider() + "', model '" + e.model()
              + "', effective_from '" + (from == null ? "" : from) + "'");
        }
        out.add(e);
      }
    }
    if (!errors.isEmpty()) {
      throw new InvalidPricesException(String.join("\n", errors));
    }
    return List.copyOf(out);
  }

  private static String text(Object v, String at, List<String> errors) {
    if (v == null || v instanceof Map || v instanceof List || String.valueOf(v).isBlank()) {
      errors.add(at + ": is required and must be a string");
      return null;
    }
    return String.valueOf(v).trim();
  }

  private static double number(Object v, String at, List<String> errors) {
    double d;
    try {
      d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      d = Double.NaN;
    }
    if (v == null || Double.isNaN(d) || Double.isInfinite(d) || d < 0) {
      errors.add(at + ": was '" + v + "' but it must be a number >= 0 (USD per million tokens)");
      return Double.NaN;
    }
    return d;
  }

  private static LocalDate date(Object v, String at, List<String> errors) {
    if (v == null) {
      return null;
    }
    try {
      return LocalDate.parse(String.valueOf(v).trim());
    } catch (DateTimeParseException e) {
      errors.add(at + ": was '" + v + "' but it must be a date like 2025-08-07");
      return null;
    }
  }

  /** The table as a JSON/YAML tree: {@code {models: [...]}}. */
  public static Map<String, Object> toTree(List<PriceEntry> entries) {
    List<Object> rows = new ArrayList<>();
    entries.forEach(e -> rows.add(e.toMap()));
    return Map.of("models", rows);
  }
}
