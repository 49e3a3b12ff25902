package io.goblinos.gateway.processor.resource;

import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One entry of the {@code attributes} list of the resource processor, with the Collector attributes-processor
 * semantics.
 *
 * @param key the attribute the action works on; null only for delete/hash with a {@code pattern}
 * @param pattern for delete and hash: a regular expression matched against whole attribute keys, or null
 * @param action what to do
 * @param value the value to set (insert, update, upsert), or null when {@code fromAttribute} is used
 * @param fromAttribute the attribute of the same resource whose value is copied (insert, update, upsert), or null
 */
public record AttributeAction(String key, Pattern pattern, Type action, AnyValue value, String fromAttribute) {

  /** The supported actions. */
  public enum Type {
    /** Adds the attribute when the resource does not have it yet. */
    INSERT,
    /** Replaces the value when the resource has the attribute; never adds it. */
    UPDATE,
    /** Inserts or updates. */
    UPSERT,
    /** Removes the attribute (every entry with that key, or every key matching {@code pattern}). */
    DELETE,
    /** Replaces the value with the hex SHA-256 of its text (strings as UTF-8, other types as their text form). */
    HASH;

    /** The name used in config, e.g. "upsert". */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** True for the actions that set a value (insert, update, upsert). */
    public boolean setsValue() {
      return this == INSERT || this == UPDATE || this == UPSERT;
    }
  }

  /** True when the action applies to {@code attributeKey}. */
  public boolean matches(String attributeKey) {
    if (key != null && key.equals(attributeKey)) {
      return true;
    }
    return pattern != null && pattern.matcher(attributeKey).matches();
  }
}
