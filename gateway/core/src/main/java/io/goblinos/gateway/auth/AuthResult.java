package io.goblinos.gateway.auth;

import java.util.Objects;

/**
 * The outcome of one authenticator for one request.
 *
 * @param outcome what happened
 * @param principal the principal when {@link Outcome#AUTHENTICATED}, else null
 * @param reason a short tag for metrics and logs ({@code bad_api_key}, {@code id_not_allowed}, ...), never shown to
 *     the client; null when authenticated
 */
public record AuthResult(Outcome outcome, Principal principal, String reason) {

  public enum Outcome {
    /** A valid credential: the request is accepted as {@link #principal()}. */
    AUTHENTICATED,
    /** The request carries no credential of this authenticator's kind. */
    NO_CREDENTIALS,
    /** A credential was presented but it is not valid (401 / UNAUTHENTICATED). */
    UNAUTHENTICATED,
    /** A valid identity that is not allowed (403 / PERMISSION_DENIED). */
    FORBIDDEN
  }

  private static final AuthResult NONE = new AuthResult(Outcome.NO_CREDENTIALS, null, "missing_credentials");

  public AuthResult {
    Objects.requireNonNull(outcome, "outcome");
    if ((outcome == Outcome.AUTHENTICATED) != (principal != null)) {
      throw new IllegalArgumentException("a principal goes with AUTHENTICATED and only with it");
    }
  }

  public static AuthResult authenticated(Principal principal) {
    return new AuthResult(Outcome.AUTHENTICATED, principal, null);
  }

  public static AuthResult noCredentials() {
    return NONE;
  }

  public static AuthResult unauthenticated(String reason) {
    return new AuthResult(Outcome.UNAUTHENTICATED, null, reason);
  }

  public static AuthResult forbidden(String reason) {
    return new AuthResult(Outcome.FORBIDDEN, null, reason);
  }

  public boolean authenticated() {
    return outcome == Outcome.AUTHENTICATED;
  }
}
