package io.goblinos.gateway.receiver;

import io.goblinos.gateway.auth.AuthChain;
import io.goblinos.gateway.auth.AuthResult;
import io.goblinos.gateway.auth.Principal;
import io.goblinos.gateway.exporter.sending.RateLimitedLog;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * What stands between a client and one server of a receiver (HTTP or gRPC), shared by all of that server's event
 * loops: the connection limit, the slow-client timers, authentication and the per-principal rate limit. Every
 * refusal is counted ({@code gateway_auth_failures_total{receiver,reason}},
 * {@code gateway_receiver_rate_limited_total}, {@code gateway_receiver_connections_refused_total},
 * {@code gateway_receiver_timeouts_total{kind}}) and logged at most once per 10 seconds per kind.
 *
 * <p>Threading: called on event loops; nothing blocks; per-connection state is in a map bounded by
 * {@code max_connections}.
 */
public final class ReceiverGuard {
  private static final Logger LOG = Logger.getLogger(ReceiverGuard.class.getName());

  private final Vertx vertx;
  private final String receiver;
  private final String transport;
  private final ServerSettings settings;
  private final AuthChain auth;
  private final PrincipalRateLimiter rateLimiter;
  private final ReceiverMetrics metrics;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<HttpConnection, ConnectionState> connections = new ConcurrentHashMap<>();
  private final RateLimitedLog authLog = new RateLimitedLog(LOG, 10, TimeUnit.SECONDS);
  private final RateLimitedLog tlsLog = new RateLimitedLog(LOG, 10, TimeUnit.SECONDS);
  private final RateLimitedLog limitLog = new RateLimitedLog(LOG, 10, TimeUnit.SECONDS);

  /** The outcome of {@link #admit}: a principal (null without auth) or the failure to answer. */
  public record Admission(Principal principal, StatusMapping.Failure failure) {
    public boolean admitted() {
      return failure == null;
    }
  }

  private static final Admission ANONYMOUS = new Admission(null, null);

  /**
   * @param auth null without authentication
   */
  public ReceiverGuard(
      Vertx vertx, String receiver, String transport, ServerSettings settings, AuthChain auth, ReceiverMetrics metrics) {
    this.vertx = vertx;
    this.receiver = receiver;
    this.transport = transport;
    this.settings = settings;
    this.auth = auth;
    this.metrics = metrics;
    this.rateLimiter = settings.rateLimit() == null
        ? null
        : new PrincipalRateLimiter(settings.rateLimit().requestsPerSecond(), settings.rateLimit().burst());
    metrics.registerGuard(transport, auth != null);
    Gauge.builder("gateway.receiver.connections", open, AtomicInteger::get)
        .description("Open client connections")
        .tag("receiver", receiver)
        .tag("transport", transport)
        .register(metrics.registry());
  }

  /** A guard with default limits and no auth (tests, embedded servers). */
  public static ReceiverGuard open(Vertx vertx, String receiver, String transport, ReceiverMetrics metrics) {
    return new ReceiverGuard(vertx, receiver, transport, ServerSettings.defaults(), null, metrics);
  }

  public ServerSettings settings() {
    return settings;
  }

  public int openConnections() {
    return open.get();
  }

  // ---------------------------------------------------------------- connections

  /** Per HTTP/1.x connection: when it last made progress, and the request in flight. */
  private static final class ConnectionState {
    long timer = -1;
    long lastProgress = System.nanoTime();
    int requests;
    HttpServerRequest current;
    boolean http2;
  }

  /**
   * Admits or closes a new connection (the server's connection handler). With {@code cutSlowHeaders} (HTTP/1.x
   * servers), a connection that does not complete a request's headers within {@code read_timeout} (after the
   * previous response, within {@code idle_timeout + read_timeout}) is closed, so a client dripping header bytes
   * cannot hold it.
   */
  public void onConnection(HttpConnection conn, boolean cutSlowHeaders) {
    int n = open.incrementAndGet();
    int max = settings.maxConnections();
    if (max > 0 && n > max) {
      open.decrementAndGet();
      metrics.connectionRefused(transport);
      limitLog.log(Level.WARNING, "connection refused: receiver=" + receiver + " transport=" + transport
          + " max_connections=" + max + " remote=" + host(conn.remoteAddress()));
      conn.close();
      return;
    }
    ConnectionState state = new ConnectionState();
    connections.put(conn, state);
    conn.closeHandler(v -> {
      open.decrementAndGet();
      ConnectionState s = connections.remove(conn);
      if (s != null && s.timer >= 0) {
        vertx.cancelTimer(s.timer);
      }
    });
    Duration read = settings.readTimeout();
    if (cutSlowHeaders && !read.isZero()) {
      long period = Math.max(10, read.toMillis() / 2);
      state.timer = vertx.setPeriodic(period, id -> checkProgress(conn, state, id));
    }
  }

  private void checkProgress(HttpConnection conn, ConnectionState s, long timerId) {
    if (s.http2) {
      vertx.cancelTimer(timerId);
      return;
    }
    long now = System.nanoTime();
    if (s.current != null && !s.current.response().ended() && !s.current.response().closed()) {
      s.lastProgress = now; // a request in flight is governed by its own read timeout
      return;
    }
    if (s.current != null) {
      // The last response ended since the previous check: the wait for the next request starts now.
      s.current = null;
      s.lastProgress = now;
      return;
    }
    long allowed = settings.readTimeout().toNanos() + (s.requests > 0 ? settings.idleTimeout().toNanos() : 0);
    if (now - s.lastProgress > allowed) {
      vertx.cancelTimer(timerId);
      metrics.timeout(transport, "headers");
      limitLog.log(Level.WARNING, "connection closed: receiver=" + receiver + " transport=" + transport
          + " reason=no complete request within read_timeout remote=" + host(conn.remoteAddress()));
      conn.close();
    }
  }

  /**
   * Notes a request on its connection and arms its read timeout: when the request body has not been fully received
   * within {@code read_timeout}, {@code onTimeout} runs (the caller answers 408 and closes the connection). Returns
   * the timer, which the caller cancels with {@link #cancel} once the body is in (-1 when there is no timeout).
   */
  public long onRequest(HttpServerRequest req, Runnable onTimeout) {
    ConnectionState s = connections.get(req.connection());
    if (s != null) {
      s.requests++;
      s.lastProgress = System.nanoTime();
      s.current = req;
      s.http2 = req.version() == HttpVersion.HTTP_2;
    }
    Duration read = settings.readTimeout();
    if (read.isZero()) {
      return -1;
    }
    return vertx.setTimer(read.toMillis(), id -> {
      if (!req.isEnded()) {
        metrics.timeout(transport, "read");
        limitLog.log(Level.WARNING, "request cut: receiver=" + receiver + " transport=" + transport
            + " reason=body not received within read_timeout remote=" + host(req.remoteAddress()));
        onTimeout.run();
      }
    });
  }

  /** Arms a read timeout for something that is not an HTTP request (a gRPC call): {@code onTimeout} runs unless cancelled. */
  public long readTimer(Runnable onTimeout) {
    Duration read = settings.readTimeout();
    if (read.isZero()) {
      return -1;
    }
    return vertx.setTimer(read.toMillis(), id -> {
      metrics.timeout(transport, "read");
      onTimeout.run();
    });
  }

  public void cancel(long timer) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  // ---------------------------------------------------------------- auth and rate limit

  /** Authenticates a request and applies the rate limit (event loop; never blocks). */
  public Admission admit(MultiMap headers, HttpConnection conn) {
    Principal principal = null;
    if (auth != null) {
      AuthResult r = auth.authenticate(headers, conn);
      if (!r.authenticated()) {
        metrics.authFailure(r.reason());
        authLog.log(Level.WARNING, "authentication failed: receiver=" + receiver + " transport=" + transport
            + " reason=" + r.reason() + " remote=" + host(conn == null ? null : conn.remoteAddress()));
        return new Admission(null, r.outcome() == AuthResult.Outcome.FORBIDDEN
            ? StatusMapping.forbidden()
            : StatusMapping.unauthenticated());
      }
      principal = r.principal();
    }
    if (rateLimiter != null) {
      String key = principal != null ? principal.id() : "ip:" + host(conn == null ? null : conn.remoteAddress());
      long waitNanos = rateLimiter.tryAcquire(key);
      if (waitNanos > 0) {
        metrics.rateLimited(transport);
        limitLog.log(Level.INFO, "rate limited: receiver=" + receiver + " transport=" + transport + " principal=" + key);
        return new Admission(principal, StatusMapping.rateLimited(Duration.ofNanos(waitNanos)));
      }
    }
    return principal == null ? ANONYMOUS : new Admission(principal, null);
  }

  /**
   * Counts a failed TLS handshake (the server's exception handler) by reason: {@code cert_expired},
   * {@code cert_not_yet_valid}, {@code cert_untrusted} (unknown CA, bad chain), {@code missing_certificate}, or
   * {@code tls_handshake} for anything else (protocol version, cipher, plain HTTP on a TLS port).
   */
  public void onServerException(Throwable err) {
    if (!isTls(err)) {
      return;
    }
    String reason = handshakeReason(err);
    metrics.authFailure(reason);
    tlsLog.log(Level.WARNING, "TLS handshake failed: receiver=" + receiver + " transport=" + transport
        + " reason=" + reason + ": " + rootMessage(err));
  }

  static String handshakeReason(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof CertificateExpiredException) {
        return "cert_expired";
      }
      if (t instanceof CertificateNotYetValidException) {
        return "cert_not_yet_valid";
      }
      if (t instanceof CertPathValidatorException cpve) {
        if (cpve.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
          return "cert_expired";
        }
        if (cpve.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
          return "cert_not_yet_valid";
        }
      }
      String m = String.valueOf(t.getMessage());
      if (m.contains("Empty client certificate chain") || m.contains("certificate_required")) {
        return "missing_certificate";
      }
    }
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof CertificateException || t instanceof CertPathValidatorException) {
        return "cert_untrusted";
      }
      if (String.valueOf(t.getMessage()).contains("PKIX path")) {
        return "cert_untrusted";
      }
    }
    return "tls_handshake";
  }

  private static boolean isTls(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable err) {
    Throwable t = err;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  private static String host(SocketAddress a) {
    return a == null ? "unknown" : a.hostAddress() == null ? String.valueOf(a) : a.hostAddress();
  }
}
