package io.goblinos.gateway.auth;

import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.config.ConfigNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code auth} block of a receiver protocol: {@code auth: {authenticator: spiffeauth}} or
 * {@code auth: {authenticators: [spiffeauth, apikeyauth]}} (either one suffices, tried in order).
 *
 * @param authenticators ids of authenticator extensions, at least one
 */
public record AuthSettings(List<ComponentId> authenticators) {

  public AuthSettings {
    authenticators = List.copyOf(authenticators);
  }

  /** Reads {@code parent.auth}; null when there is no {@code auth} key. */
  public static AuthSettings parse(ConfigNode parent) {
    if (!parent.has("auth")) {
      parent.accept("auth");
      return null;
    }
    ConfigNode auth = parent.child("auth");
    boolean one = auth.has("authenticator");
    boolean many = auth.has("authenticators");
    List<String> names;
    if (one && many) {
      auth.error("authenticators", "set either authenticator or authenticators, not both");
      names = List.of();
    } else if (one) {
      names = List.of(auth.string("authenticator", ""));
    } else if (many) {
      names = auth.stringList("authenticators", List.of());
      if (names.isEmpty()) {
        auth.error("authenticators", "must name at least one authenticator extension");
      }
    } else {
      auth.error("authenticator", "missing: name an authenticator extension (e.g. spiffeauth or apikeyauth)");
      names = List.of();
    }
    auth.accept("authenticator");
    auth.accept("authenticators");
    List<ComponentId> ids = new ArrayList<>();
    for (String n : names) {
      try {
        ComponentId id = ComponentId.parse(n);
        if (ids.contains(id)) {
          auth.error(one ? "authenticator" : "authenticators", "'" + n + "' is listed twice");
        } else {
          ids.add(id);
        }
      } catch (IllegalArgumentException e) {
        auth.error(one ? "authenticator" : "authenticators", e.getMessage());
      }
    }
    return new AuthSettings(ids);
  }
}
