package io.goblinos.gateway.tracing.sampling;

import io.goblinos.gateway.api.config.ConfigNode;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One validated policy of the config, in the Collector's shape ({@code {name, type, <type>: {...}}}). Immutable;
 * {@link #create()} makes a fresh evaluator, so two processor instances never share rate budgets.
 */
public record PolicySpec(String name, String type, Supplier<Policy> factory) {

  /** Policy types this processor implements (the Collector's names). */
  public static final List<String> TYPES = List.of(
      "always_sample", "status_code", "latency", "probabilistic", "string_attribute", "numeric_attribute",
      "boolean_attribute", "span_count", "rate_limiting", "and", "composite", "drop");

  public Policy create() {
    return factory.get();
  }

  /** Parses a list of policy mappings; problems are recorded on the nodes. Invalid entries are left out. */
  static List<PolicySpec> parseAll(List<ConfigNode> nodes) {
    List<PolicySpec> out = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (ConfigNode n : nodes) {
      PolicySpec s = parse(n);
      if (s != null) {
        if (!names.add(s.name())) {
          n.error("name", "duplicate policy name '" + s.name() + "'");
        }
        out.add(s);
      }
    }
    return List.copyOf(out);
  }

  static PolicySpec parse(ConfigNode node) {
    String name = node.string("name", null);
    String type = node.string("type", null);
    if (name == null || name.isBlank()) {
      node.error("name", "is required");
      name = "";
    }
    if (type == null) {
      node.error("type", "is required (one of " + String.join(", ", TYPES) + ")");
      return null;
    }
    for (String t : TYPES) { // a Collector config may carry blocks of other types; only `type` selects one
      if (!t.equals(type)) {
        node.accept(t);
      }
    }
    final String n = name;
    switch (type) {
      case "always_sample": {
        node.accept("always_sample");
        return new PolicySpec(n, type, () -> new Policy.AlwaysSample(n));
      }
      case "status_code": {
        ConfigNode c = node.child("status_code");
        Set<Status.StatusCode> codes = EnumSet.noneOf(Status.StatusCode.class);
        for (String s : c.stringList("status_codes", List.of())) {
          switch (s) {
            case "ERROR" -> codes.add(Status.StatusCode.STATUS_CODE_ERROR);
            case "OK" -> codes.add(Status.StatusCode.STATUS_CODE_OK);
            case "UNSET" -> codes.add(Status.StatusCode.STATUS_CODE_UNSET);
            default -> c.invalid("status_codes", s, "one of ERROR, OK, UNSET");
          }
        }
        if (codes.isEmpty()) {
          c.error("status_codes", "must list at least one of ERROR, OK, UNSET");
        }
        Set<Status.StatusCode> frozen = Set.copyOf(codes);
        return new PolicySpec(n, type, () -> new Policy.StatusCodes(n, frozen));
      }
      case "latency": {
        ConfigNode c = node.child("latency");
        long threshold = c.longValue("threshold_ms", 0, 0, Long.MAX_VALUE);
        long upper = c.longValue("upper_threshold_ms", 0, 0, Long.MAX_VALUE);
        if (upper > 0 && upper < threshold) {
          c.invalid("upper_threshold_ms", upper, "at least threshold_ms (" + threshold + ")");
        }
        return new PolicySpec(n, type, () -> new Policy.Latency(n, threshold, upper));
      }
      case "probabilistic": {
        ConfigNode c = node.child("probabilistic");
        String salt = c.string("hash_salt", "");
        double pct = c.number("sampling_percentage", 0, 0, 100);
        return new PolicySpec(n, type, () -> new Policy.Probabilistic(n, salt, pct));
      }
      case "string_attribute": {
        ConfigNode c = node.child("string_attribute");
        String key = requiredString(c, "key");
        List<String> values = c.stringList("values", List.of());
        if (values.isEmpty()) {
          c.error("values", "must list at least one value");
        }
        boolean regex = c.bool("enabled_regex_matching", false);
        c.integer("cache_max_size", 0, 0, Integer.MAX_VALUE); // accepted for compatibility: compiled patterns need no cache
        boolean invert = c.bool("invert_match", false);
        List<Pattern> patterns = new ArrayList<>();
        if (regex) {
          for (String v : values) {
            try {
              patterns.add(Pattern.compile(v));
            } catch (PatternSyntaxException e) {
              c.invalid("values", v, "a regular expression (" + e.getDescription() + ")");
            }
          }
        }
        Set<String> valueSet = Set.copyOf(values);
        List<Pattern> frozen = List.copyOf(patterns);
        return new PolicySpec(n, type, () -> new Policy.StringAttribute(n, key, valueSet, frozen, invert));
      }
      case "numeric_attribute": {
        ConfigNode c = node.child("numeric_attribute");
        String key = requiredString(c, "key");
        Double min = c.has("min_value") ? c.number("min_value", 0, -Double.MAX_VALUE, Double.MAX_VALUE) : null;
        Double max = c.has("max_value") ? c.number("max_value", 0, -Double.MAX_VALUE, Double.MAX_VALUE) : null;
        c.accept("min_value");
        c.accept("max_value");
        if (min == null && max == null) {
          c.error("min_value", "min_value or max_value is required");
        } else if (min != null && max != null && max < min) {
          c.invalid("max_value", max, "at least min_value (" + min + ")");
        }
        boolean invert = c.bool("invert_match", false);
        return new PolicySpec(n, type, () -> new Policy.NumericAttribute(n, key, min, max, invert));
      }
      case "boolean_attribute": {
        ConfigNode c = node.child("boolean_attribute");
        String key = requiredString(c, "key");
        boolean value = c.bool("value", false);
        boolean invert = c.bool("invert_match", false);
        return new PolicySpec(n, type, () -> new Policy.BooleanAttribute(n, key, value, invert));
      }
      case "span_count": {
        ConfigNode c = node.child("span_count");
        int min = c.integer("min_spans", 0, 0, Integer.MAX_VALUE);
        int max = c.integer("max_spans", 0, 0, Integer.MAX_VALUE);
        if (max > 0 && max < min) {
          c.invalid("max_spans", max, "at least min_spans (" + min + ")");
        }
        boolean invert = c.bool("invert_match", false);
        return new PolicySpec(n, type, () -> new Policy.SpanCount(n, min, max, invert));
      }
      case "rate_limiting": {
        ConfigNode c = node.child("rate_limiting");
        long sps = c.longValue("spans_per_second", 0, 0, Long.MAX_VALUE);
        if (sps == 0) {
          c.error("spans_per_second", "is required and must be > 0");
        }
        return new PolicySpec(n, type, () -> new Policy.RateLimiting(n, sps));
      }
      case "and": {
        ConfigNode c = node.child("and");
        List<PolicySpec> subs = parseAll(c.childList("and_sub_policy"));
        if (subs.isEmpty()) {
          c.error("and_sub_policy", "must list at least one policy");
        }
        return new PolicySpec(n, type, () -> new Policy.And(n, createAll(subs)));
      }
      case "drop": {
        ConfigNode c = node.child("drop");
        List<PolicySpec> subs = parseAll(c.childList("drop_sub_policy"));
        if (subs.isEmpty()) {
          c.error("drop_sub_policy", "must list at least one policy");
        }
        return new PolicySpec(n, type, () -> new Policy.Drop(n, createAll(subs)));
      }
      case "composite":
        return parseComposite(node, n);
      default:
        node.invalid("type", type, "one of " + String.join(", ", TYPES));
        return null;
    }
  }

  private static PolicySpec parseComposite(ConfigNode node, String name) {
    ConfigNode c = node.child("composite");
    long maxTotal = c.longValue("max_total_spans_per_second", 0, 0, Long.MAX_VALUE);
    if (maxTotal == 0) {
      c.error("max_total_spans_per_second", "is required and must be > 0");
    }
    List<String> order = c.stringList("policy_order", List.of());
    List<PolicySpec> subs = parseAll(c.childList("composite_sub_policy"));
    Map<String, PolicySpec> byName = new LinkedHashMap<>();
    subs.forEach(s -> byName.put(s.name(), s));
    List<PolicySpec> ordered = new ArrayList<>();
    for (String o : order) {
      PolicySpec s = byName.remove(o);
      if (s == null) {
        c.invalid("policy_order", o, "the name of a composite_sub_policy");
      } else {
        ordered.add(s);
      }
    }
    ordered.addAll(byName.values()); // sub-policies missing from policy_order keep their listed order, last
    if (ordered.isEmpty()) {
      c.error("composite_sub_policy", "must list at least one policy");
    }
    Map<String, Double> percent = new LinkedHashMap<>();
    for (ConfigNode a : c.childList("rate_allocation")) {
      String p = requiredString(a, "policy");
      double pct = a.number("percent", 0, 0, 100);
      percent.put(p, pct);
    }
    double sum = percent.values().stream().mapToDouble(Double::doubleValue).sum();
    if (sum > 100.0001) {
      c.invalid("rate_allocation", sum + "%", "at most 100% in total");
    }
    long[] max = new long[ordered.size()];
    for (int i = 0; i < max.length; i++) {
      Double pct = percent.get(ordered.get(i).name());
      // like the Collector: an allocation of 0 or none gives an equal share of the total
      max[i] = pct == null || pct == 0 ? maxTotal / Math.max(1, max.length) : (long) (maxTotal * pct / 100.0);
    }
    List<PolicySpec> frozen = List.copyOf(ordered);
    return new PolicySpec(name, "composite", () -> new Policy.Composite(name, maxTotal, createAll(frozen), max));
  }

  private static List<Policy> createAll(List<PolicySpec> specs) {
    List<Policy> out = new ArrayList<>(specs.size());
    for (PolicySpec s : specs) {
      out.add(s.create());
    }
    return out;
  }

  private static String requiredString(ConfigNode c, String key) {
    String v = c.string(key, null);
    if (v == null || v.isEmpty()) {
      c.error(key, "is required");
      return "";
    }
    return v;
  }
}
