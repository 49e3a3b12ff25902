package io.goblinos.gateway.auth;

import io.vertx.core.http.HttpServerRequest;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * Who sent a request, as established by an authenticator: a SPIFFE ID ({@code spiffe://goblinos.internal/ns/a/sa/b})
 * for mutual TLS, or the key's name for an API key.
 *
 * <p>The receivers put it on the data as the resource attribute {@value #RESOURCE_ATTRIBUTE} (replacing any value
 * the sender supplied) and record it for the request before a data endpoint ({@code Host.dataEndpoints()}, e.g.
 * {@code /v1/audit}) sees it. A data endpoint reads it with {@link #of(HttpServerRequest)} at any time while it handles
 * the request, e.g. to store it as the audit event's received-by metadata:
 *
 * <pre>{@code
 * String receivedBy = Principal.of(req).map(Principal::id).orElse(null); // null: the receiver has no auth
 * }</pre>
 *
 * @param id the SPIFFE ID or API-key name; never empty
 * @param authenticator the id of the authenticator extension that established it, e.g. {@code spiffeauth}
 */
public record Principal(String id, String authenticator) {

  /** The resource attribute the receivers set on every resource of accepted data. */
  public static final String RESOURCE_ATTRIBUTE = "gateway.auth.principal";

  // Weak keys: an entry lives as long as its request object; no cleanup hook on the response is needed.
  private static final Map<HttpServerRequest, Principal> BY_REQUEST = Collections.synchronizedMap(new WeakHashMap<>());

  public Principal {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(authenticator, "authenticator");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("id is empty");
    }
  }

  /** The principal the receiver authenticated for {@code request}; empty when the receiver has no authentication. */
  public static Optional<Principal> of(HttpServerRequest request) {
    return Optional.ofNullable(BY_REQUEST.get(request));
  }

  /** Records the principal of a request (called by the receivers before they dispatch it). */
  public static void attach(HttpServerRequest request, Principal principal) {
    BY_REQUEST.put(request, Objects.requireNonNull(principal, "principal"));
  }

  @Override
  public String toString() {
    return id;
  }
}
