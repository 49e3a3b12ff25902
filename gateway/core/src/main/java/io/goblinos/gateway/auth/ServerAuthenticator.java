package io.goblinos.gateway.auth;

/**
 * An extension that authenticates the senders of a receiver (the Collector's {@code auth.authenticator}). The
 * receiver looks it up with {@code Host.extension(id, ServerAuthenticator.class)}.
 *
 * <p>{@link #authenticate} runs on an event loop for every request (header credentials) or once per connection
 * (certificate credentials, see {@link #credentials()}): it must not block and must not throw.
 */
public interface ServerAuthenticator {

  /** Where an authenticator finds its credential; decides caching and what the TLS layer asks of clients. */
  enum Credentials {
    /** The client certificate: checked once per connection; needs TLS with {@code client_ca_file}. */
    CLIENT_CERTIFICATE,
    /** Request headers (gRPC metadata): checked for every request. */
    REQUEST_HEADERS
  }

  Credentials credentials();

  AuthResult authenticate(AuthRequest request);
}
