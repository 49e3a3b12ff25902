package io.goblinos.gateway.auth;

import java.util.List;

/**
 * An allow-list entry for SPIFFE IDs: a SPIFFE ID whose path segments may be {@code *} (exactly one segment) and
 * whose last segment may be {@code **} (one or more segments), e.g. {@code spiffe://goblinos.internal/ns/*}{@code
 * /sa/*}. The trust domain is always literal.
 */
public final class SpiffeIdPattern {
  private final String text;
  private final String trustDomain;
  private final List<String> segments;

  private SpiffeIdPattern(String text, String trustDomain, List<String> segments) {
    this.text = text;
    this.trustDomain = trustDomain;
    this.segments = segments;
  }

  /** Parses a pattern; the message of the exception says what is wrong. */
  public static SpiffeIdPattern parse(String text) throws SpiffeId.InvalidSpiffeIdException {
    if (text == null || !text.startsWith("spiffe://")) {
      throw new SpiffeId.InvalidSpiffeIdException("does not start with spiffe://");
    }
    String rest = text.substring("spiffe://".length());
    int slash = rest.indexOf('/');
    String td = slash < 0 ? rest : rest.substring(0, slash);
    SpiffeId.checkTrustDomain(td);
    List<String> segs = slash < 0 ? List.of() : SpiffeId.segments(rest.substring(slash));
    for (int i = 0; i < segs.size(); i++) {
      SpiffeId.checkSegment(segs.get(i), true);
      if (segs.get(i).equals("**") && i != segs.size() - 1) {
        throw new SpiffeId.InvalidSpiffeIdException("'**' may only be the last segment");
      }
    }
    return new SpiffeIdPattern(text, td, List.copyOf(segs));
  }

  public String trustDomain() {
    return trustDomain;
  }

  public boolean matches(SpiffeId id) {
    if (!trustDomain.equals(id.trustDomain())) {
      return false;
    }
    List<String> actual;
    try {
      actual = id.path().isEmpty() ? List.of() : SpiffeId.segments(id.path());
    } catch (SpiffeId.InvalidSpiffeIdException e) {
      return false;
    }
    for (int i = 0; i < segments.size(); i++) {
      String want = segments.get(i);
      if (want.equals("**")) {
        return actual.size() > i;
      }
      if (i >= actual.size()) {
        return false;
      }
      if (!want.equals("*") && !want.equals(actual.get(i))) {
        return false;
      }
    }
    return actual.size() == segments.size();
  }

  @Override
  public String toString() {
    return text;
  }
}
