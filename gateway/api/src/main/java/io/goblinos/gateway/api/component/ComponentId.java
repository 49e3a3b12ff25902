package io.goblinos.gateway.api.component;

import java.util.Objects;
import java.util.regex.Pattern;

/** A component's id in the config: {@code type} or {@code type/name}, e.g. {@code otlp/tempo}. */
public record ComponentId(String type, String name) {

  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]*");

  public ComponentId {
    Objects.requireNonNull(type, "type");
    name = name == null ? "" : name;
  }

  /** Parses {@code type[/name]}; throws IllegalArgumentException naming what is wrong. */
  public static ComponentId parse(String id) {
    String s = id.trim();
    int slash = s.indexOf('/');
    String type = slash < 0 ? s : s.substring(0, slash);
    String name = slash < 0 ? "" : s.substring(slash + 1);
    if (!TYPE.matcher(type).matches()) {
      throw new IllegalArgumentException(
          "'" + id + "' is not a component id: the type must match [a-z][a-z0-9_]* (optionally followed by /name)");
    }
    if (slash >= 0 && name.isEmpty()) {
      throw new IllegalArgumentException("'" + id + "' is not a component id: the name after '/' is empty");
    }
    return new ComponentId(type, name);
  }

  @Override
  public String toString() {
    return name.isEmpty() ? type : type + "/" + name;
  }
}
