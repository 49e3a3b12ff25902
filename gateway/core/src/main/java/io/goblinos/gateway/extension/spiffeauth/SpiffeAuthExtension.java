package io.goblinos.gateway.extension.spiffeauth;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Extension;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.auth.AuthRequest;
import io.goblinos.gateway.auth.AuthResult;
import io.goblinos.gateway.auth.Principal;
import io.goblinos.gateway.auth.ServerAuthenticator;
import io.goblinos.gateway.auth.SpiffeId;
import io.goblinos.gateway.auth.SpiffeIdPattern;
import io.vertx.core.Future;
import java.util.logging.Logger;

/**
 * Authenticates X.509-SVIDs: the client certificate (already verified by the receiver's TLS layer against its
 * {@code client_ca_file}, the trust bundle) must carry exactly one URI SAN that is a SPIFFE ID of an allowed trust
 * domain matching {@code allowed_ids}. The principal is the SPIFFE ID.
 *
 * <p>Outcomes: no certificate: no credential; no or malformed SPIFFE ID: 401 ({@code no_spiffe_id},
 * {@code bad_spiffe_id}); other trust domain or an ID outside the allow-list: 403 ({@code trust_domain_not_allowed},
 * {@code id_not_allowed}).
 */
public final class SpiffeAuthExtension implements Extension, ServerAuthenticator {
  private static final Logger LOG = Logger.getLogger(SpiffeAuthExtension.class.getName());

  private final ComponentContext context;
  private final SpiffeAuthConfig config;
  private final String name;

  SpiffeAuthExtension(ComponentContext context, SpiffeAuthConfig config) {
    this.context = context;
    this.config = config;
    this.name = context.id().toString();
  }

  @Override
  public Future<Void> start(Host host) {
    if (config.trustDomains().isEmpty()) {
      LOG.warning(() -> "extensions::" + name + "::trust_domains is empty: no client certificate will be accepted");
    }
    LOG.info(() -> "extension started: extension=" + name + " trust_domains=" + config.trustDomains()
        + " allowed_ids=" + (config.allowedIds().isEmpty() ? "any" : config.allowedIds()));
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> shutdown() {
    return Future.succeededFuture();
  }

  @Override
  public Credentials credentials() {
    return Credentials.CLIENT_CERTIFICATE;
  }

  @Override
  public AuthResult authenticate(AuthRequest request) {
    if (request.peerCertificates().isEmpty()) {
      return AuthResult.noCredentials();
    }
    SpiffeId id;
    try {
      id = SpiffeId.fromCertificate(request.peerCertificates().get(0));
    } catch (SpiffeId.InvalidSpiffeIdException e) {
      return AuthResult.unauthenticated(e.getMessage().contains("no URI SAN") ? "no_spiffe_id" : "bad_spiffe_id");
    }
    if (!config.trustDomains().contains(id.trustDomain())) {
      return AuthResult.forbidden("trust_domain_not_allowed");
    }
    if (!config.allowedIds().isEmpty()) {
      boolean allowed = false;
      for (SpiffeIdPattern p : config.allowedIds()) {
        if (p.matches(id)) {
          allowed = true;
          break;
        }
      }
      if (!allowed) {
        return AuthResult.forbidden("id_not_allowed");
      }
    }
    return AuthResult.authenticated(new Principal(id.toString(), name));
  }

  @Override
  public String toString() {
    return "spiffeauth[" + name + "]";
  }
}
