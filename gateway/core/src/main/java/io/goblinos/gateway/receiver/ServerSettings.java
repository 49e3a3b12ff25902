package io.goblinos.gateway.receiver;

import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.auth.AuthSettings;
import io.goblinos.gateway.auth.ServerTlsConfig;
import java.time.Duration;

/**
 * Security and limits shared by the receiver's servers (each of {@code protocols::grpc} and {@code protocols::http}):
 * <pre>
 * tls: {cert_file, key_file, client_ca_file, min_version: "1.2", reload_interval: 1m}
 * auth: {authenticator: spiffeauth}            # or authenticators: [spiffeauth, apikeyauth]
 * max_header_size: 16KiB                       # request line + headers (HTTP/1.1), header list (HTTP/2) → 431
 * max_connections: 4096                        # open connections; more are closed at once
 * max_concurrent_streams: 250                  # HTTP/2 streams per connection
 * read_timeout: 30s                            # a request (headers and body) must arrive within this → 408
 * idle_timeout: 60s                            # a connection with no traffic is closed
 * rate_limit: {requests_per_second: 100, burst: 200}   # per principal (per client IP without auth) → 429
 * </pre>
 * Durations of 0 disable the timeout; {@code max_connections: 0} removes the limit; no {@code rate_limit} = none.
 *
 * @param tls null for plaintext
 * @param auth null without authentication
 * @param rateLimit null without rate limit
 */
public record ServerSettings(
    ServerTlsConfig tls,
    AuthSettings auth,
    int maxHeaderSize,
    int maxConnections,
    long maxConcurrentStreams,
    Duration readTimeout,
    Duration idleTimeout,
    RateLimit rateLimit) {

  public static final int DEFAULT_MAX_HEADER_SIZE = 16 * 1024;
  public static final int DEFAULT_MAX_CONNECTIONS = 4096;
  public static final long DEFAULT_MAX_CONCURRENT_STREAMS = 250;
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  /** Token bucket per principal. */
  public record RateLimit(double requestsPerSecond, int burst) {}

  /** Plaintext, no auth, default limits (what an empty protocol block gives). */
  public static ServerSettings defaults() {
    return new ServerSettings(null, null, DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_CONNECTIONS,
        DEFAULT_MAX_CONCURRENT_STREAMS, DEFAULT_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT, null);
  }

  public static ServerSettings parse(ConfigNode node) {
    ServerTlsConfig tls = ServerTlsConfig.parse(node);
    AuthSettings auth = AuthSettings.parse(node);
    if (auth != null) {
      for (ComponentId id : auth.authenticators()) {
        if (id.type().equals("spiffeauth") && (tls == null || tls.clientCaFile() == null)) {
          node.error("auth", "'" + id + "' authenticates client certificates: set tls::client_ca_file (the CA bundle"
              + " client certificates are verified against) and tls::cert_file/key_file");
        }
      }
    }
    long header = node.byteSize("max_header_size", DEFAULT_MAX_HEADER_SIZE, 1024);
    if (header > 1024 * 1024) {
      node.invalid("max_header_size", header, "at most 1MiB");
      header = DEFAULT_MAX_HEADER_SIZE;
    }
    int maxConnections = node.integer("max_connections", DEFAULT_MAX_CONNECTIONS, 0, 1_000_000);
    long streams = node.longValue("max_concurrent_streams", DEFAULT_MAX_CONCURRENT_STREAMS, 1, 0xFFFFFFFFL);
    Duration read = node.duration("read_timeout", DEFAULT_READ_TIMEOUT, Duration.ZERO);
    Duration idle = node.duration("idle_timeout", DEFAULT_IDLE_TIMEOUT, Duration.ZERO);
    checkTimeout(node, "read_timeout", read);
    checkTimeout(node, "idle_timeout", idle);
    RateLimit rate = null;
    if (node.has("rate_limit")) {
      ConfigNode r = node.child("rate_limit");
      if (!r.has("requests_per_second")) {
        r.error("requests_per_second", "missing: the sustained number of requests per second allowed per principal");
      }
      double rps = r.number("requests_per_second", 1, 0.001, 1e9);
      int burst = r.integer("burst", (int) Math.max(1, Math.ceil(rps)), 1, Integer.MAX_VALUE);
      rate = new RateLimit(rps, burst);
    } else {
      node.accept("rate_limit");
    }
    return new ServerSettings(tls, auth, (int) header, maxConnections, streams, read, idle, rate);
  }

  private static void checkTimeout(ConfigNode node, String key, Duration d) {
    if (!d.isZero() && d.toMillis() < 10) {
      node.invalid(key, d.toMillis() + "ms", "0 (none) or at least 10ms");
    }
  }
}
