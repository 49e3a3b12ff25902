package io.goblinos.gateway.api.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One mapping of the YAML config with its key path, read by a factory's {@code parseConfig}. Getters take a
 * default, check the value and record any problem in the shared {@link ConfigErrors} with the full key path and the
 * offending value ({@code processors::batch::timeout: was 'soon' but it must be a duration like 200ms}); they
 * then return the default so that parsing goes on and every error is found in one run.
 *
 * <p>Each key read is remembered; {@link #finish()} reports the keys nobody read as unknown, for this node and the
 * children it handed out. Values may be strings where numbers or booleans are expected, because {@code --set} and
 * {@code ${env:...}} produce strings.
 */
public final class ConfigNode {
  private final String path;
  private final Map<String, Object> values;
  private final ConfigErrors errors;
  private final Set<String> read = new LinkedHashSet<>();
  private final List<ConfigNode> children = new ArrayList<>();
  private boolean finished;

  public ConfigNode(String path, Map<String, Object> values, ConfigErrors errors) {
    this.path = path;
    this.values = values == null ? Map.of() : values;
    this.errors = errors;
  }

  /** An empty node with its own error list, for default configs. */
  public static ConfigNode empty(String path) {
    return new ConfigNode(path, Map.of(), new ConfigErrors());
  }

  public String path() {
    return path;
  }

  public ConfigErrors errors() {
    return errors;
  }

  /** The full path of a key of this node, e.g. "processors::batch::timeout". */
  public String pathOf(String key) {
    return path.isEmpty() ? key : path + "::" + key;
  }

  public boolean has(String key) {
    return values.containsKey(key) && values.get(key) != null;
  }

  public Set<String> keys() {
    return values.keySet();
  }

  /** The raw value, marking the key as read. */
  public Object raw(String key) {
    read.add(key);
    return values.get(key);
  }

  /** Records "path::key: was 'value' but it must be {@code mustBe}". */
  public void invalid(String key, Object value, String mustBe) {
    errors.add(pathOf(key), "was '" + value + "' but it must be " + mustBe);
  }

  /** Records "path::key: message". */
  public void error(String key, String message) {
    errors.add(pathOf(key), message);
  }

  public String string(String key, String defaultValue) {
    Object v = raw(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Map || v instanceof List) {
      invalid(key, v, "a string");
      return defaultValue;
    }
    return String.valueOf(v);
  }

  /** A string that must be one of {@code allowed}. */
  public String oneOf(String key, String defaultValue, String... allowed) {
    String v = string(key, defaultValue);
    if (v == null) {
      return null;
    }
    for (String a : allowed) {
      if (a.equals(v)) {
        return v;
      }
    }
    invalid(key, v, "one of " + String.join(", ", allowed));
    return defaultValue;
  }

  public long longValue(String key, long defaultValue, long min, long max) {
    Object v = raw(key);
    if (v == null) {
      return defaultValue;
    }
    long n;
    try {
      n = v instanceof Number num && !(v instanceof Double || v instanceof Float)
          ? num.longValue()
          : Long.parseLong(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      invalid(key, v, "an integer" + range(min, max));
      return defaultValue;
    }
    if (n < min || n > max) {
      invalid(key, v, "an integer" + range(min, max));
      return defaultValue;
    }
    return n;
  }

  public int integer(String key, int defaultValue, int min, int max) {
    return (int) longValue(key, defaultValue, min, max);
  }

  public double number(String key, double defaultValue, double min, double max) {
    Object v = raw(key);
    if (v == null) {
      return defaultValue;
    }
    double n;
    try {
      n = v instanceof Number num ? num.doubleValue() : Double.parseDouble(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      invalid(key, v, "a number between " + min + " and " + max);
      return defaultValue;
    }
    if (Double.isNaN(n) || n < min || n > max) {
      invalid(key, v, "a number between " + min + " and " + max);
      return defaultValue;
    }
    return n;
  }

  public boolean bool(String key, boolean defaultValue) {
    Object v = raw(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String s = String.valueOf(v).trim();
    if (s.equalsIgnoreCase("true")) {
      return true;
    }
    if (s.equalsIgnoreCase("false")) {
      return false;
    }
    invalid(key, v, "true or false");
    return defaultValue;
  }

  /** A duration like "200ms", "5s", "1m30s" that is at least {@code min}. */
  public Duration duration(String key, Duration defaultValue, Duration min) {
    Object v = raw(key);
    if (v == null) {
      return defaultValue;
    }
    Duration d = Durations.parse(String.valueOf(v));
    if (d == null) {
      invalid(key, v, "a duration like 200ms");
      return defaultValue;
    }
    if (d.compareTo(min) < 0) {
      invalid(key, v, "a duration of at least " + Durations.format(min));
      return defaultValue;
    }
    return d;
  }

  /** A byte size like "64MiB" or a plain number of bytes, at least {@code min}. */
  public long byteSize(String key, long defaultValue, long min) {
    Object v = raw(key);
    if (v == null) {
      return defaultValue;
    }
    long n = ByteSizes.parse(String.valueOf(v));
    if (n < 0) {
      invalid(key, v, "a size like 64MiB or a number of bytes");
      return defaultValue;
    }
    if (n < min) {
      invalid(key, v, "a size of at least " + min + " bytes");
      return defaultValue;
    }
    return n;
  }

  /** A list of strings; a single string is taken as a one-element list. */
  public List<String> stringList(String key, List<String> defaultValue) {
    Object v = raw(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object o : list) {
        if (o == null || o instanceof Map || o instanceof List) {
          invalid(key, v, "a list of strings");
          return defaultValue;
        }
        out.add(String.valueOf(o));
      }
      return List.copyOf(out);
    }
    if (v instanceof Map) {
      invalid(key, v, "a list of strings");
      return defaultValue;
    }
    String s = String.valueOf(v).trim();
    if (s.startsWith("[") && s.endsWith("]")) { // --set key=[a,b]
      List<String> out = new ArrayList<>();
      for (String part : s.substring(1, s.length() - 1).split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
      return List.copyOf(out);
    }
    return List.of(s);
  }

  /** A string-to-string map such as {@code headers}. */
  public Map<String, String> stringMap(String key) {
    Object v = raw(key);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> m)) {
      invalid(key, v, "a mapping");
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, val) -> out.put(String.valueOf(k), val == null ? "" : String.valueOf(val)));
    return out;
  }

  /** The child mapping at {@code key}; an empty node when absent. */
  @SuppressWarnings("unchecked")
  public ConfigNode child(String key) {
    Object v = raw(key);
    Map<String, Object> map = Map.of();
    if (v instanceof Map<?, ?> m) {
      map = (Map<String, Object>) m;
    } else if (v != null && !(v instanceof String s && s.isEmpty())) {
      invalid(key, v, "a mapping");
    }
    ConfigNode c = new ConfigNode(pathOf(key), map, errors);
    children.add(c);
    return c;
  }

  /** The list of mappings at {@code key}; empty when absent. */
  @SuppressWarnings("unchecked")
  public List<ConfigNode> childList(String key) {
    Object v = raw(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      invalid(key, v, "a list of mappings");
      return List.of();
    }
    List<ConfigNode> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Object o = list.get(i);
      String p = pathOf(key) + "::" + i;
      if (!(o instanceof Map)) {
        errors.add(p, "was '" + o + "' but it must be a mapping");
        continue;
      }
      ConfigNode c = new ConfigNode(p, (Map<String, Object>) o, errors);
      children.add(c);
      out.add(c);
    }
    return out;
  }

  /** Marks a key as known without reading it (for keys handled elsewhere). */
  public void accept(String key) {
    read.add(key);
  }

  /** Reports every key of this node and its children that no getter read. Idempotent. */
  public void finish() {
    if (finished) {
      return;
    }
    finished = true;
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(read);
    for (String key : unknown) {
      errors.add(pathOf(key), "unknown key" + (read.isEmpty() ? "" : " (known keys here: " + String.join(", ", new TreeSet<>(read)) + ")"));
    }
    for (ConfigNode c : children) {
      c.finish();
    }
    children.clear();
  }

  private static String range(long min, long max) {
    if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
      return min == Long.MIN_VALUE ? "" : " >= " + min;
    }
    return " between " + min + " and " + max;
  }
}
