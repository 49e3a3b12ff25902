package io.goblinos.gateway.tracing.coverage;

import io.goblinos.gateway.api.config.ConfigNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Config of the {@code trace_coverage} processor.
 *
 * @param chain the expected chain of hops ({@code expected_chain}); default overmind -> goblin-runtime -> litebrain
 *     -> provider (any span with gen_ai.provider.name or gen_ai.system)
 * @param incompleteAfter a trace still incomplete this long after its first span is reported
 *     ({@code incomplete_after}, default 90s)
 * @param window sliding window of {@code gateway_trace_coverage_ratio} ({@code window}, default 5m)
 * @param maxTraces traces tracked at once; when full the oldest is judged early ({@code max_traces}, default 100000)
 * @param maxSpansPerTrace spans remembered per trace ({@code max_spans_per_trace}, default 1000)
 * @param checkInterval how often due traces are judged ({@code check_interval}, default 1s)
 * @param webhook where incomplete traces are POSTed; null when {@code webhook::endpoint} is not set
 */
public record CoverageConfig(List<Hop> chain, Duration incompleteAfter, Duration window, int maxTraces,
                             int maxSpansPerTrace, Duration checkInterval, Webhook webhook) {

  /**
   * One hop: a span matches when its resource's service.name equals {@code service} (if set) and it carries one of
   * {@code attributes} (if any are listed).
   */
  public record Hop(String name, String service, List<String> attributes) {
    public Hop {
      attributes = List.copyOf(attributes);
    }
  }

  /** @param endpoint http(s) URL; @param timeout per request; @param maxInFlight concurrent POSTs before dropping */
  public record Webhook(URI endpoint, Duration timeout, Map<String, String> headers, int maxInFlight) {
    public Webhook {
      headers = Map.copyOf(headers);
    }
  }

  public static final List<Hop> DEFAULT_CHAIN = List.of(
      new Hop("overmind", "overmind", List.of()),
      new Hop("goblin-runtime", "goblin-runtime", List.of()),
      new Hop("litebrain", "litebrain", List.of()),
      new Hop("provider", null, List.of("gen_ai.provider.name", "gen_ai.system")));

  public CoverageConfig {
    chain = List.copyOf(chain);
  }

  @SuppressWarnings("unchecked")
  static CoverageConfig parse(ConfigNode node) {
    List<Hop> chain = DEFAULT_CHAIN;
    Object raw = node.raw("expected_chain");
    if (raw != null) {
      chain = new ArrayList<>();
      if (!(raw instanceof List<?> list) || list.isEmpty()) {
        node.invalid("expected_chain", raw, "a non-empty list of service names or {name, service, attributes}");
      } else {
        for (int i = 0; i < list.size(); i++) {
          Object o = list.get(i);
          if (o instanceof String s && !s.isBlank()) {
            chain.add(new Hop(s, s, List.of()));
          } else if (o instanceof Map<?, ?> m) {
            ConfigNode h = new ConfigNode(node.pathOf("expected_chain") + "::" + i, (Map<String, Object>) m, node.errors());
            String service = h.string("service", null);
            List<String> attrs = h.stringList("attributes", List.of());
            String name = h.string("name", service);
            if (service == null && attrs.isEmpty()) {
              h.error("service", "a hop needs a service, attributes, or both");
            }
            if (name == null) {
              h.error("name", "is required when the hop has no service");
              name = "hop" + i;
            }
            h.finish();
            chain.add(new Hop(name, service, attrs));
          } else {
            node.invalid("expected_chain", o, "a service name or {name, service, attributes}");
          }
        }
        if (chain.size() > 31) {
          node.invalid("expected_chain", chain.size() + " hops", "at most 31 hops");
        }
      }
    }
    Duration after = node.duration("incomplete_after", Duration.ofSeconds(90), Duration.ofMillis(1));
    Duration window = node.duration("window", Duration.ofMinutes(5), Duration.ofSeconds(1));
    int maxTraces = node.integer("max_traces", 100_000, 1, 10_000_000);
    int maxSpans = node.integer("max_spans_per_trace", 1000, 1, 1_000_000);
    Duration check = node.duration("check_interval", Duration.ofSeconds(1), Duration.ofMillis(1));
    ConfigNode wh = node.child("webhook");
    Webhook webhook = null;
    String endpoint = wh.string("endpoint", null);
    Duration timeout = wh.duration("timeout", Duration.ofSeconds(5), Duration.ofMillis(1));
    Map<String, String> headers = wh.stringMap("headers");
    int inFlight = wh.integer("max_in_flight", 16, 1, 10_000);
    if (endpoint != null) {
      try {
        URI uri = URI.create(endpoint);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
          wh.invalid("endpoint", endpoint, "an http:// or https:// URL");
        } else {
          webhook = new Webhook(uri, timeout, headers, inFlight);
        }
      } catch (IllegalArgumentException e) {
        wh.invalid("endpoint", endpoint, "an http:// or https:// URL");
      }
    }
    return new CoverageConfig(chain, after, window, maxTraces, maxSpans, check, webhook);
  }
}
