package io.goblinos.gateway.auth;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A SPIFFE ID ({@code spiffe://<trust-domain>/<path>}) per the SPIFFE ID specification: lower-case scheme
 * {@code spiffe}, a trust domain of {@code [a-z0-9._-]}, a path of segments of {@code [A-Za-z0-9._-]} (none empty,
 * none {@code .} or {@code ..}), no user info, port, query or fragment, at most 2048 bytes.
 *
 * @param trustDomain e.g. {@code goblinos.internal}
 * @param path e.g. {@code /ns/default/sa/collector}; may be empty
 */
public record SpiffeId(String trustDomain, String path) {
  public static final int MAX_LENGTH = 2048;
  private static final String SCHEME = "spiffe://";
  /** X.509 GeneralName type of a uniformResourceIdentifier. */
  private static final int URI_SAN = 6;

  /** Thrown for text that is not a SPIFFE ID; the message says why. */
  public static final class InvalidSpiffeIdException extends Exception {
    public InvalidSpiffeIdException(String message) {
      super(message, null, false, false);
    }
  }

  /** Parses a SPIFFE ID. */
  public static SpiffeId parse(String text) throws InvalidSpiffeIdException {
    if (text == null || text.isEmpty()) {
      throw new InvalidSpiffeIdException("empty");
    }
    if (text.length() > MAX_LENGTH) {
      throw new InvalidSpiffeIdException("longer than " + MAX_LENGTH + " characters");
    }
    if (!text.startsWith(SCHEME)) {
      throw new InvalidSpiffeIdException("does not start with spiffe://");
    }
    String rest = text.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String td = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    checkTrustDomain(td);
    if (!path.isEmpty()) {
      List<String> segments = segments(path);
      for (String s : segments) {
        checkSegment(s, false);
      }
    }
    return new SpiffeId(td, path);
  }

  /** Checks a trust-domain name ({@code [a-z0-9._-]+}). */
  public static void checkTrustDomain(String td) throws InvalidSpiffeIdException {
    if (td.isEmpty()) {
      throw new InvalidSpiffeIdException("the trust domain is empty");
    }
    for (int i = 0; i < td.length(); i++) {
      char c = td.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
        throw new InvalidSpiffeIdException("the trust domain may only hold a-z, 0-9, '.', '-' and '_' (found '" + printable(c) + "')");
      }
    }
  }

  static List<String> segments(String path) throws InvalidSpiffeIdException {
    if (!path.startsWith("/")) {
      throw new InvalidSpiffeIdException("the path must start with /");
    }
    List<String> out = new ArrayList<>();
    int start = 1;
    while (true) {
      int next = path.indexOf('/', start);
      String seg = next < 0 ? path.substring(start) : path.substring(start, next);
      out.add(seg);
      if (next < 0) {
        return out;
      }
      start = next + 1;
    }
  }

  static void checkSegment(String s, boolean allowWildcard) throws InvalidSpiffeIdException {
    if (s.isEmpty()) {
      throw new InvalidSpiffeIdException("the path has an empty segment or a trailing /");
    }
    if (s.equals(".") || s.equals("..")) {
      throw new InvalidSpiffeIdException("the path may not hold '.' or '..' segments");
    }
    if (allowWildcard && (s.equals("*") || s.equals("**"))) {
      return;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
        throw new InvalidSpiffeIdException("path segments may only hold A-Z, a-z, 0-9, '.', '-' and '_' (found '" + printable(c) + "')");
      }
    }
  }

  /**
   * The SPIFFE ID of an X.509-SVID: its one URI SAN. Fails when the certificate has no URI SAN, more than one, or
   * one that is not a SPIFFE ID.
   */
  public static SpiffeId fromCertificate(X509Certificate cert) throws InvalidSpiffeIdException {
    Collection<List<?>> sans;
    try {
      sans = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new InvalidSpiffeIdException("cannot read the certificate's subject alternative names");
    }
    String uri = null;
    if (sans != null) {
      for (List<?> san : sans) {
        if (san.size() >= 2 && san.get(0) instanceof Integer type && type == URI_SAN) {
          if (uri != null) {
            throw new InvalidSpiffeIdException("the certificate has more than one URI SAN");
          }
          uri = String.valueOf(san.get(1));
        }
      }
    }
    if (uri == null) {
      throw new InvalidSpiffeIdException("the certificate has no URI SAN");
    }
    return parse(uri);
  }

  private static String printable(char c) {
    return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }

  @Override
  public String toString() {
    return SCHEME + trustDomain + path;
  }
}
