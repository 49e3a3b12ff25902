package io.goblinos.gateway.auth;

import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.component.Host;
import io.vertx.core.MultiMap;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpConnection;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The authenticators of one receiver protocol, in configured order; any one suffices. Certificate authenticators
 * are asked once per connection (the result is kept for the connection's lifetime), header authenticators for every
 * request.
 *
 * <p>Combined outcome: the first AUTHENTICATED result wins; otherwise FORBIDDEN (a valid identity that is not
 * allowed) beats UNAUTHENTICATED (a bad credential), which beats NO_CREDENTIALS (reported as UNAUTHENTICATED with
 * reason {@code missing_credentials}).
 */
public final class AuthChain {

  /** One authenticator with the id it was configured under. */
  public record Member(ComponentId id, ServerAuthenticator authenticator) {}

  private final List<Member> members;
  private final boolean anyCertificate;
  private final boolean onlyCertificate;
  // Weak keys: a closed connection's results go with it.
  private final Map<HttpConnection, AuthResult[]> byConnection = Collections.synchronizedMap(new WeakHashMap<>());

  public AuthChain(List<Member> members) {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("an auth chain needs at least one authenticator");
    }
    this.members = List.copyOf(members);
    this.anyCertificate = members.stream().anyMatch(m -> m.authenticator().credentials() == ServerAuthenticator.Credentials.CLIENT_CERTIFICATE);
    this.onlyCertificate = members.stream().allMatch(m -> m.authenticator().credentials() == ServerAuthenticator.Credentials.CLIENT_CERTIFICATE);
  }

  /**
   * Looks the configured authenticators up among the started extensions.
   *
   * @param path the config path of the auth block, for the message
   * @throws IllegalArgumentException naming the first id that is not a started authenticator extension
   */
  public static AuthChain resolve(Host host, AuthSettings settings, String path) {
    List<Member> members = new ArrayList<>();
    for (ComponentId id : settings.authenticators()) {
      ServerAuthenticator a = host.extension(id, ServerAuthenticator.class).orElseThrow(() -> new IllegalArgumentException(
          path + ": '" + id + "' is not a started authenticator extension (configure it under extensions: and list it in"
              + " service::extensions)"));
      members.add(new Member(id, a));
    }
    return new AuthChain(members);
  }

  public List<Member> members() {
    return members;
  }

  /** True when some authenticator reads the client certificate (TLS with client_ca_file is then needed). */
  public boolean usesClientCertificates() {
    return anyCertificate;
  }

  /**
   * What the TLS layer asks of clients: REQUIRED when only certificate authenticators are configured, REQUEST when
   * a certificate may authenticate or a CA is configured beside other authenticators, NONE otherwise.
   */
  public ClientAuth clientAuth(boolean clientCaConfigured) {
    if (onlyCertificate) {
      return ClientAuth.REQUIRED;
    }
    return anyCertificate || clientCaConfigured ? ClientAuth.REQUEST : ClientAuth.NONE;
  }

  /** Authenticates one request (event loop; never blocks). */
  public AuthResult authenticate(MultiMap headers, HttpConnection connection) {
    AuthResult best = null;
    AuthResult[] cached = null;
    for (int i = 0; i < members.size(); i++) {
      ServerAuthenticator a = members.get(i).authenticator();
      AuthResult r;
      if (a.credentials() == ServerAuthenticator.Credentials.CLIENT_CERTIFICATE) {
        if (cached == null) {
          cached = byConnection.computeIfAbsent(connection, c -> new AuthResult[members.size()]);
        }
        r = cached[i];
        if (r == null) {
          r = safe(a, new AuthRequest(MultiMap.caseInsensitiveMultiMap(), peerCertificates(connection)));
          cached[i] = r;
        }
      } else {
        r = safe(a, new AuthRequest(headers, List.of()));
      }
      if (r.authenticated()) {
        return r;
      }
      if (best == null || rank(r) > rank(best)) {
        best = r;
      }
    }
    if (best.outcome() == AuthResult.Outcome.NO_CREDENTIALS) {
      return AuthResult.unauthenticated("missing_credentials");
    }
    return best;
  }

  private static AuthResult safe(ServerAuthenticator a, AuthRequest request) {
    try {
      AuthResult r = a.authenticate(request);
      return r == null ? AuthResult.unauthenticated("authenticator_error") : r;
    } catch (RuntimeException e) {
      return AuthResult.unauthenticated("authenticator_error");
    }
  }

  private static int rank(AuthResult r) {
    return switch (r.outcome()) {
      case NO_CREDENTIALS -> 0;
      case UNAUTHENTICATED -> 1;
      case FORBIDDEN -> 2;
      case AUTHENTICATED -> 3;
    };
  }

  /** The verified client chain of a TLS connection (leaf first); empty when none. */
  public static List<X509Certificate> peerCertificates(HttpConnection connection) {
    if (connection == null || !connection.isSsl()) {
      return List.of();
    }
    try {
      List<Certificate> certs = connection.peerCertificates();
      if (certs == null) {
        return List.of();
      }
      List<X509Certificate> out = new ArrayList<>(certs.size());
      for (Certificate c : certs) {
        if (c instanceof X509Certificate x) {
          out.add(x);
        }
      }
      return out;
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }
}
