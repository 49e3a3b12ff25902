package io.goblinos.gateway.service;

import io.goblinos.gateway.auth.Principal;
import io.vertx.core.http.HttpServerRequest;

/** The authenticated principal of a data request (SPIFFE ID or API-key name), for received-by metadata. */
final class Principals {
  private Principals() {}

  /** Null when the receiver has no authentication configured. */
  static String of(HttpServerRequest request) {
    return Principal.of(request).map(Principal::id).orElse(null);
  }
}
