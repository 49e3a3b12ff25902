package io.goblinos.gateway.tracing.spanmetrics;

import io.goblinos.gateway.api.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Config of the {@code spanmetrics} processor.
 *
 * @param metricsPipeline metrics pipeline to push OTLP metrics into ({@code metrics_pipeline}, e.g. "metrics";
 *     default "": only the Micrometer registry, i.e. {@code /metrics})
 * @param flushInterval how often metrics are pushed to the pipeline ({@code flush_interval}, default 15s)
 * @param latencyBuckets histogram bucket bounds in seconds ({@code histogram_buckets})
 * @param goblinIdAttribute ({@code goblin_id_attribute}, default goblin.id)
 * @param guildAttribute ({@code guild_attribute}, default goblin.guild)
 * @param taskAttribute a span carrying this attribute itself is a task span ({@code task_attribute}, default
 *     goblin.task)
 * @param dimensions allow-list of extra span/resource attributes added as labels to the request and error
 *     counters ({@code dimensions}, default none; label name = attribute with '.' replaced by '_')
 * @param maxLabelValues distinct values per metric and label before new values collapse into "other"
 *     ({@code max_label_values}, default 100)
 */
public record SpanMetricsConfig(String metricsPipeline, Duration flushInterval, List<Double> latencyBuckets,
                                String goblinIdAttribute, String guildAttribute, String taskAttribute,
                                List<String> dimensions, int maxLabelValues) {

  public static final List<Double> DEFAULT_BUCKETS =
      List.of(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0);
  private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-]*");

  public SpanMetricsConfig {
    latencyBuckets = List.copyOf(latencyBuckets);
    dimensions = List.copyOf(dimensions);
  }

  static SpanMetricsConfig parse(ConfigNode node) {
    String pipeline = node.string("metrics_pipeline", "");
    Duration flush = node.duration("flush_interval", Duration.ofSeconds(15), Duration.ofMillis(10));
    List<Double> buckets = new ArrayList<>();
    for (String s : node.stringList("histogram_buckets", List.of())) {
      try {
        double d = Double.parseDouble(s.trim().replaceAll("s$", ""));
        if (d <= 0 || (!buckets.isEmpty() && d <= buckets.get(buckets.size() - 1))) {
          node.invalid("histogram_buckets", s, "increasing positive numbers of seconds");
        }
        buckets.add(d);
      } catch (NumberFormatException e) {
        node.invalid("histogram_buckets", s, "a list of numbers of seconds");
      }
    }
    if (buckets.isEmpty()) {
      buckets = DEFAULT_BUCKETS;
    }
    String goblin = node.string("goblin_id_attribute", "goblin.id");
    String guild = node.string("guild_attribute", "goblin.guild");
    String task = node.string("task_attribute", "goblin.task");
    List<String> dims = node.stringList("dimensions", List.of());
    for (String d : dims) {
      if (!ATTRIBUTE.matcher(d).matches()) {
        node.invalid("dimensions", d, "attribute names like deployment.environment.name");
      }
    }
    int max = node.integer("max_label_values", 100, 1, 100_000);
    return new SpanMetricsConfig(pipeline, flush, buckets, goblin, guild, task, dims, max);
  }
}
