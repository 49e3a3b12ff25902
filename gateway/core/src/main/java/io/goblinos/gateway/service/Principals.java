package io.goblinos.gateway.service;

import io.vertx.core.http.HttpServerRequest;

/** The authenticated principal of a data request, for received-by metadata; null until authentication is configured. */
final class Principals {
  private Principals() {}

  static String of(HttpServerRequest request) {
    return null;
  }
}
