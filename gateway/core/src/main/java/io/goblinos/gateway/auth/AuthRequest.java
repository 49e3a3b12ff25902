package io.goblinos.gateway.auth;

import io.vertx.core.MultiMap;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What an authenticator may look at.
 *
 * @param headers the HTTP request headers or gRPC metadata
 * @param peerCertificates the client's certificate chain (leaf first), already verified by the TLS layer against
 *     the receiver's {@code client_ca_file}; empty when the client sent none or the connection is not TLS
 */
public record AuthRequest(MultiMap headers, List<X509Certificate> peerCertificates) {
  public AuthRequest {
    Objects.requireNonNull(headers, "headers");
    peerCertificates = List.copyOf(peerCertificates);
  }
}
