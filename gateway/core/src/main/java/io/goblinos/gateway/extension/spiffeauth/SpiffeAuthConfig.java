package io.goblinos.gateway.extension.spiffeauth;

import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.auth.SpiffeId;
import io.goblinos.gateway.auth.SpiffeIdPattern;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Config of the {@code spiffeauth} extension:
 * <pre>
 * spiffeauth:
 *   trust_domains: [goblinos.internal]                      # required
 *   allowed_ids: ["spiffe://goblinos.internal/ns/*&#47;sa/*"]  # optional; absent = any ID of the trust domains
 * </pre>
 * In {@code allowed_ids}, {@code *} matches one path segment and a final {@code **} one or more.
 */
public record SpiffeAuthConfig(Set<String> trustDomains, List<SpiffeIdPattern> allowedIds) {

  public SpiffeAuthConfig {
    trustDomains = Set.copyOf(trustDomains);
    allowedIds = List.copyOf(allowedIds);
  }

  static SpiffeAuthConfig parse(ConfigNode node) {
    Set<String> domains = new LinkedHashSet<>();
    List<String> tds = node.stringList("trust_domains", List.of());
    for (String td : tds) {
      try {
        SpiffeId.checkTrustDomain(td);
        domains.add(td);
      } catch (SpiffeId.InvalidSpiffeIdException e) {
        node.invalid("trust_domains", td, "a trust domain name: " + e.getMessage());
      }
    }
    // An empty block is the default config (it accepts no client, and says so at start); a block that sets
    // anything must name the trust domains.
    if (tds.isEmpty() && !node.keys().isEmpty()) {
      node.error("trust_domains", "missing: list the SPIFFE trust domains whose IDs are accepted");
    }
    List<SpiffeIdPattern> allowed = new ArrayList<>();
    for (String p : node.stringList("allowed_ids", List.of())) {
      try {
        SpiffeIdPattern pattern = SpiffeIdPattern.parse(p);
        if (!domains.contains(pattern.trustDomain())) {
          node.invalid("allowed_ids", p, "an ID pattern in one of trust_domains " + domains);
        } else {
          allowed.add(pattern);
        }
      } catch (SpiffeId.InvalidSpiffeIdException e) {
        node.invalid("allowed_ids", p, "a SPIFFE ID pattern like spiffe://td/ns/*/sa/* (" + e.getMessage() + ")");
      }
    }
    return new SpiffeAuthConfig(domains, allowed);
  }
}
