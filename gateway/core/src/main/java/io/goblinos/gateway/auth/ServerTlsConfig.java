package io.goblinos.gateway.auth;

import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.config.Durations;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code tls} block of a server (Collector {@code configtls.ServerConfig}):
 * <pre>
 * tls:
 *   cert_file: /etc/tls/tls.crt      # PEM chain, leaf first (required)
 *   key_file: /etc/tls/tls.key       # PEM private key: PKCS#8, PKCS#1 RSA or SEC1 EC (required)
 *   client_ca_file: /etc/tls/ca.crt  # PEM CAs client certificates must chain to (enables mutual TLS)
 *   min_version: "1.2"               # 1.2 or 1.3
 *   reload_interval: 1m              # how often the files are checked for changes; 0 = never
 * </pre>
 *
 * @param clientCaFile null when clients are not asked for certificates
 */
public record ServerTlsConfig(
    String certFile, String keyFile, String clientCaFile, String minVersion, Duration reloadInterval) {

  public static final String DEFAULT_MIN_VERSION = "1.2";
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofMinutes(1);
  public static final Duration MIN_RELOAD_INTERVAL = Duration.ofMillis(100);

  /** The JSSE protocol names enabled for {@link #minVersion()}. */
  public Set<String> protocols() {
    return minVersion.equals("1.3") ? Set.of("TLSv1.3") : Set.of("TLSv1.2", "TLSv1.3");
  }

  /** Reads {@code parent.tls}; null when there is no {@code tls} key. Errors name the full key path. */
  public static ServerTlsConfig parse(ConfigNode parent) {
    if (!parent.has("tls")) {
      parent.accept("tls");
      return null;
    }
    ConfigNode tls = parent.child("tls");
    String cert = required(tls, "cert_file");
    String key = required(tls, "key_file");
    String ca = blankToNull(tls.string("client_ca_file", null));
    String min = tls.oneOf("min_version", DEFAULT_MIN_VERSION, "1.2", "1.3");
    Duration reload = tls.duration("reload_interval", DEFAULT_RELOAD_INTERVAL, Duration.ZERO);
    if (!reload.isZero() && reload.compareTo(MIN_RELOAD_INTERVAL) < 0) {
      tls.invalid("reload_interval", Durations.format(reload), "0 (no reload) or at least 100ms");
      reload = DEFAULT_RELOAD_INTERVAL;
    }
    return new ServerTlsConfig(cert, key, ca, min, reload);
  }

  private static String required(ConfigNode node, String key) {
    String v = blankToNull(node.string(key, null));
    if (v == null) {
      node.error(key, "missing: a server with tls needs cert_file and key_file (PEM)");
    }
    return v;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
