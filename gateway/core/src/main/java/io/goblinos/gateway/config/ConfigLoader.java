package io.goblinos.gateway.config;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the YAML config into plain maps, substitutes {@code ${env:NAME}} and {@code ${env:NAME:-default}} in string
 * values, and applies {@code --set key.path=value} overrides as the Collector does.
 */
public final class ConfigLoader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private final Function<String, String> env;

  public ConfigLoader(Function<String, String> env) {
    this.env = env;
  }

  public static ConfigLoader withSystemEnv() {
    return new ConfigLoader(System::getenv);
  }

  /** Thrown when the file cannot be read or is not a YAML mapping; the message names the file and the problem. */
  public static final class ConfigLoadException extends Exception {
    public ConfigLoadException(String message) {
      super(message);
    }
  }

  public Map<String, Object> load(Path file, List<String> overrides) throws ConfigLoadException {
    Map<String, Object> root;
    try (InputStream in = Files.newInputStream(file)) {
      root = parse(in.readAllBytes(), file.toString());
    } catch (IOException e) {
      throw new ConfigLoadException("cannot read config file " + file + ": " + e);
    }
    return finish(root, overrides);
  }

  public Map<String, Object> loadString(String yaml, List<String> overrides) throws ConfigLoadException {
    return finish(parse(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8), "<string>"), overrides);
  }

  private Map<String, Object> finish(Map<String, Object> root, List<String> overrides) throws ConfigLoadException {
    @SuppressWarnings("unchecked")
    Map<String, Object> substituted = (Map<String, Object>) substitute(root);
    for (String o : overrides) {
      applySet(substituted, o);
    }
    return substituted;
  }

  private static Map<String, Object> parse(byte[] bytes, String source) throws ConfigLoadException {
    try {
      if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
        return new LinkedHashMap<>();
      }
      Object parsed = YAML.readValue(bytes, Object.class);
      if (parsed == null) {
        return new LinkedHashMap<>();
      }
      if (!(parsed instanceof Map)) {
        throw new ConfigLoadException(source + ": the config must be a YAML mapping, found " + parsed.getClass().getSimpleName());
      }
      return YAML.convertValue(parsed, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (IOException e) {
      throw new ConfigLoadException(source + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private Object substitute(Object value) throws ConfigLoadException {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put(String.valueOf(e.getKey()), substitute(e.getValue()));
      }
      return out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) {
        out.add(substitute(o));
      }
      return out;
    }
    if (value instanceof String s && s.contains("${")) {
      Matcher m = ENV.matcher(s);
      StringBuilder b = new StringBuilder();
      while (m.find()) {
        String v = env.apply(m.group(1));
        if (v == null || v.isEmpty() && m.group(2) != null) {
          v = m.group(2) == null ? "" : m.group(2);
        }
        m.appendReplacement(b, Matcher.quoteReplacement(v));
      }
      m.appendTail(b);
      return b.toString();
    }
    return value;
  }

  /**
   * Applies one {@code key.path=value} override. Path segments are separated by '.'; a segment may contain '/'
   * (component ids like {@code otlp/tempo}). The value is read as a YAML scalar or flow collection
   * ({@code [a,b]}, {@code {k: v}}), so {@code --set exporters.file.rotation.max_megabytes=10} sets a number.
   */
  @SuppressWarnings("unchecked")
  static void applySet(Map<String, Object> root, String override) throws ConfigLoadException {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new ConfigLoadException("--set " + override + ": must be key.path=value");
    }
    String[] path = override.substring(0, eq).trim().split("\\.|::");
    String raw = override.substring(eq + 1);
    Object value;
    try {
      value = raw.isEmpty() ? "" : YAML.readValue(raw, Object.class);
    } catch (IOException e) {
      value = raw;
    }
    if (value instanceof Map || value instanceof List) {
      value = YAML.convertValue(value, Object.class);
    }
    Map<String, Object> node = root;
    for (int i = 0; i < path.length - 1; i++) {
      Object child = node.get(path[i]);
      if (!(child instanceof Map)) {
        child = new LinkedHashMap<String, Object>();
        node.put(path[i], child);
      }
      node = (Map<String, Object>) child;
    }
    node.put(path[path.length - 1], value);
  }
}
