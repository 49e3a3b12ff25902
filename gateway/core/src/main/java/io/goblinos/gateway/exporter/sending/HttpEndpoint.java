package io.goblinos.gateway.exporter.sending;

import io.goblinos.gateway.api.config.ConfigNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.function.Function;

/** The endpoint keys of HTTP exporters ({@code otlphttp}, {@code loki}, {@code prometheusremotewrite}). */
public final class HttpEndpoint {
  private HttpEndpoint() {}

  /** Null when {@code s} is an absolute http(s) URL with a host, else what is wrong. */
  public static String problem(String s) {
    try {
      URI u = new URI(s);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        return "the scheme must be http or https";
      }
      if (u.getHost() == null || u.getHost().isEmpty()) {
        return "it has no host";
      }
      return null;
    } catch (URISyntaxException e) {
      return "it is not a URL: " + e.getReason();
    }
  }

  /**
   * The http(s) URL at {@code key}, trimmed; null when it is unset or blank, or when it is not such a URL (recorded
   * as invalid: "an http:// or https:// URL like {@code example} (what is wrong)").
   */
  public static String optional(ConfigNode node, String key, String example) {
    String v = node.string(key, null);
    return v == null || v.isBlank() ? null : checked(node, key, v, example);
  }

  /** Like {@link #optional}, but an unset or blank value is an error too: "{@code missing}". */
  public static String required(ConfigNode node, String key, String example, String missing) {
    String v = node.string(key, null);
    if (v == null || v.isBlank()) {
      node.error(key, missing);
      return null;
    }
    return checked(node, key, v, example);
  }

  private static String checked(ConfigNode node, String key, String v, String example) {
    String problem = problem(v.trim());
    if (problem != null) {
      node.invalid(key, v, "an http:// or https:// URL like " + example + " (" + problem + ")");
      return null;
    }
    return v.trim();
  }

  /**
   * The config of an empty block for an exporter whose endpoint is required: {@code parse} of an empty node, where
   * the error {@code missing} is tolerated (an exporter made from it fails to start naming the key) and any other
   * error means a bug.
   */
  public static <C> C defaultConfig(String type, String missing, Function<ConfigNode, C> parse) {
    ConfigNode empty = ConfigNode.empty("exporters::" + type);
    C config = parse.apply(empty);
    if (empty.errors().messages().stream().anyMatch(m -> !m.endsWith(missing))) {
      throw new IllegalStateException("default config of " + type + " is invalid: " + empty.errors().messages());
    }
    return config;
  }
}
