package io.goblinos.gateway.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every metric name (and every label matched in a selector) used by the dashboards, the alert rules and the
 * rules' unit tests exists on a real gateway's /metrics: the one the chart's default config starts (see
 * {@link GatewayScrape}). Names that rules record themselves, and Prometheus' own {@code up}, are allowed too.
 */
class MetricNamesTest {
  /** Labels Prometheus adds at scrape time, and histogram bucket bounds. */
  private static final Set<String> TARGET_LABELS = Set.of("job", "instance", "le", "__name__");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
      "ignoring", "group_left", "group_right", "inf", "nan", "Inf", "NaN");

  private static Map<String, Set<String>> scraped;

  @BeforeAll
  static void scrape() throws Exception {
    scraped = new TreeMap<>(GatewayScrape.metrics());
  }

  @Test
  void scrapeHasTheMetricsTheBriefNames() {
    assertThat(scraped).containsKeys("gateway_receiver_refused_spans_total", "gateway_receiver_requests_total",
        "gateway_exporter_send_failed_spans_total", "gateway_exporter_queue_size", "gateway_exporter_queue_capacity",
        "gateway_audit_verification_failures_total", "gateway_audit_rejected_events_total",
        "gateway_trace_coverage_ratio", "llm_cost_usd_total", "goblin_task_latency_seconds_bucket",
        "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum");
    assertThat(scraped.get("gateway_receiver_requests_total")).contains("status", "transport", "receiver");
    assertThat(scraped.get("llm_cost_usd_total")).contains("provider", "model", "goblin_id");
    assertThat(scraped.get("goblin_task_latency_seconds_bucket")).contains("task", "le");
  }

  @Test
  void dashboardsUseOnlyMetricsThatExist() throws Exception {
    Map<String, String> exprs = new LinkedHashMap<>();
    try (Stream<Path> s = Files.list(Charts.DASHBOARDS)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        JsonNode d = Charts.JSON.readTree(p.toFile());
        assertThat(d.path("uid").asText()).as(p.toString()).isNotBlank();
        int n = 0;
        for (JsonNode panel : d.path("panels")) {
          for (JsonNode t : panel.path("targets")) {
            exprs.put(p.getFileName() + " / " + panel.path("title").asText() + " / " + t.path("refId").asText(),
                t.path("expr").asText());
            n++;
          }
        }
        assertThat(n).as("%s has queries", p).isPositive();
        for (JsonNode v : d.path("templating").path("list")) {
          String q = v.path("query").isObject() ? v.path("query").path("query").asText() : v.path("query").asText();
          Matcher m = Pattern.compile("^label_values\\((.+),\\s*(\\w+)\\)$").matcher(q.trim());
          if (m.matches()) {
            exprs.put(p.getFileName() + " / variable " + v.path("name").asText(), m.group(1));
          }
        }
      }
    }
    assertThat(exprs).hasSizeGreaterThan(40);
    assertKnown(exprs, Set.of());
  }

  @Test
  void alertRulesAndTheirTestsUseOnlyMetricsThatExist() {
    Map<String, String> exprs = new LinkedHashMap<>();
    Set<String> recorded = new TreeSet<>();
    for (JsonNode g : Charts.yaml(Charts.read(Charts.RULES)).path("groups")) {
      for (JsonNode r : g.path("rules")) {
        String name = r.has("alert") ? r.path("alert").asText() : r.path("record").asText();
        if (r.has("record")) {
          recorded.add(name);
        }
        exprs.put("rule " + name, r.path("expr").asText());
      }
    }
    for (JsonNode t : Charts.yaml(Charts.read(Charts.RULES_TEST)).path("tests")) {
      for (JsonNode s : t.path("input_series")) {
        exprs.put("test series " + s.path("series").asText(), s.path("series").asText());
      }
      for (JsonNode e : t.path("promql_expr_test")) {
        exprs.put("test expr " + e.path("expr").asText(), e.path("expr").asText());
      }
    }
    assertKnown(exprs, recorded);
  }

  /** The extraction itself: functions, keywords, strings, label lists and Grafana variables are not metric names. */
  @Test
  void extractsMetricNamesAndMatchedLabels() {
    Map<String, Set<String>> used = selectors(
        "histogram_quantile(0.99, sum by (le, task) (rate(goblin_task_latency_seconds_bucket{job=~\"$job\", "
            + "instance=~\"$instance\"}[$__rate_interval]))) / on (job) group_left up"
            + " or label_replace(gateway_x_total{reason!~\"a|b\"} offset 5m, \"signal\", \"traces\", \"\", \"\") > bool 0.5");
    assertThat(used).containsOnlyKeys("goblin_task_latency_seconds_bucket", "up", "gateway_x_total");
    assertThat(used.get("goblin_task_latency_seconds_bucket")).containsExactlyInAnyOrder("job", "instance");
    assertThat(used.get("gateway_x_total")).containsExactly("reason");
  }

  private static void assertKnown(Map<String, String> exprs, Set<String> recorded) {
    List<String> problems = new ArrayList<>();
    exprs.forEach((where, expr) -> selectors(expr).forEach((metric, labels) -> {
      if (metric.equals("up") || recorded.contains(metric)) {
        return;
      }
      Set<String> known = scraped.get(metric);
      if (known == null) {
        problems.add(where + ": metric " + metric + " is not on /metrics");
        return;
      }
      for (String l : labels) {
        if (!known.contains(l) && !TARGET_LABELS.contains(l)) {
          problems.add(where + ": " + metric + " has no label " + l + " (it has " + known + ")");
        }
      }
    }));
    assertThat(problems).as("names not on a real gateway's /metrics (scraped: %s)", scraped.keySet()).isEmpty();
  }

  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
  private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
  private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)?\\s*\\{([^}]*)}");
  private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"");
  private static final Pattern IDENT = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

  /** Metric name → label names its selectors match on. */
  static Map<String, Set<String>> selectors(String promql) {
    Map<String, Set<String>> out = new TreeMap<>();
    String e = GROUPING.matcher(promql).replaceAll(" ");
    e = RANGE.matcher(e).replaceAll(" ");
    // selectors with label matchers: record the label names, then drop the braces
    Matcher s = SELECTOR.matcher(e);
    StringBuilder sb = new StringBuilder();
    while (s.find()) {
      if (s.group(1) != null) {
        Set<String> labels = out.computeIfAbsent(s.group(1), k -> new TreeSet<>());
        Matcher m = MATCHER.matcher(s.group(2));
        while (m.find()) {
          labels.add(m.group(1));
        }
      }
      s.appendReplacement(sb, Matcher.quoteReplacement(s.group(1) == null ? " " : s.group(1) + " "));
    }
    s.appendTail(sb);
    e = STRING.matcher(sb.toString()).replaceAll(" ");
    e = VARIABLE.matcher(e).replaceAll(" ");
    Matcher i = IDENT.matcher(e);
    while (i.find()) {
      String id = i.group(1);
      boolean function = i.group(2) != null;
      if (function || KEYWORDS.contains(id) || id.matches("\\d.*")) {
        continue;
      }
      out.computeIfAbsent(id, k -> new TreeSet<>());
    }
    return out;
  }
}
