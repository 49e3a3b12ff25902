package io.goblinos.gateway.receiver;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.auth.AuthChain;
import io.goblinos.gateway.auth.ServerTls;
import io.goblinos.gateway.auth.ServerTlsConfig;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The TLS and guard of one receiver server, assembled at start from its {@link ServerSettings}: authenticators are
 * looked up among the started extensions, the TLS files are read and checked, and the client-certificate mode is
 * chosen (REQUIRED when only certificate authenticators are configured, or when {@code client_ca_file} is set without
 * {@code auth}; REQUEST when a certificate or an API key may authenticate; NONE otherwise).
 *
 * @param tls null for plaintext
 */
public record ServerProtection(ReceiverGuard guard, ServerTls tls) {
  private static final Logger LOG = Logger.getLogger(ServerProtection.class.getName());

  /**
   * @param path the config path of the protocol block, e.g. {@code receivers::otlp::protocols::http}
   */
  public static Future<ServerProtection> prepare(
      ComponentContext context, Host host, ServerSettings settings, String path, String transport, ReceiverMetrics metrics) {
    AuthChain chain;
    ServerTls tls = null;
    try {
      chain = settings.auth() == null ? null : AuthChain.resolve(host, settings.auth(), path + "::auth");
      ServerTlsConfig t = settings.tls();
      if (chain != null && chain.usesClientCertificates() && (t == null || t.clientCaFile() == null)) {
        throw new IllegalArgumentException(path + "::auth: a configured authenticator reads client certificates:"
            + " set tls::cert_file, tls::key_file and tls::client_ca_file");
      }
      if (chain != null && t == null) {
        LOG.warning(() -> path + ": auth without tls: credentials travel in plaintext (use only on a trusted network)");
      }
      if (t != null) {
        boolean ca = t.clientCaFile() != null;
        ClientAuth mode = chain == null ? (ca ? ClientAuth.REQUIRED : ClientAuth.NONE) : chain.clientAuth(ca);
        String receiver = context.id().toString();
        tls = new ServerTls(
            context.vertx(),
            t,
            context.resolve(t.certFile()),
            context.resolve(t.keyFile()),
            ca ? context.resolve(t.clientCaFile()) : null,
            mode,
            path + "::tls",
            (result, changed) -> Counter.builder("gateway.receiver.tls.reloads")
                .description("Checks of the TLS files that found new content, by result")
                .tag("receiver", receiver).tag("transport", transport).tag("result", result)
                .register(context.meters()).increment());
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    ReceiverGuard guard = new ReceiverGuard(context.vertx(), context.id().toString(), transport, settings, chain, metrics);
    ServerTls finalTls = tls;
    Future<Void> loaded = tls == null ? Future.succeededFuture() : tls.load();
    return loaded.map(v -> new ServerProtection(guard, finalTls));
  }

  /** Sets TLS, header size, idle timeout and HTTP/2 limits on server options. */
  public HttpServerOptions apply(HttpServerOptions options) {
    ServerSettings s = guard.settings();
    if (tls != null) {
      tls.configure(options);
    }
    options.setMaxHeaderSize(s.maxHeaderSize());
    options.getInitialSettings()
        .setMaxConcurrentStreams(s.maxConcurrentStreams())
        .setMaxHeaderListSize(s.maxHeaderSize());
    if (!s.idleTimeout().isZero()) {
      options.setIdleTimeout((int) Math.min(Integer.MAX_VALUE, s.idleTimeout().toMillis())).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    }
    if (tls != null && !s.readTimeout().isZero()) {
      // a client that stalls the handshake is cut like one that stalls its request
      options.setSslHandshakeTimeout(s.readTimeout().toMillis()).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    }
    return options;
  }

  /** Wires a created server to the guard (connection limit, slow headers, TLS failures) and TLS reload. */
  public HttpServer attach(HttpServer server, boolean cutSlowHeaders) {
    server.connectionHandler(conn -> guard.onConnection(conn, cutSlowHeaders));
    server.exceptionHandler(guard::onServerException);
    if (tls != null) {
      tls.register(server);
    }
    return server;
  }

  /** Starts watching the TLS files (after the servers listen). */
  public void started() {
    if (tls != null) {
      tls.startReloading();
    }
  }

  public void close() {
    if (tls != null) {
      tls.close();
    }
  }
}
