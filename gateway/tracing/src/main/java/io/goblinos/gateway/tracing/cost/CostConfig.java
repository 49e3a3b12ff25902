package io.goblinos.gateway.tracing.cost;

import io.goblinos.gateway.api.config.ConfigNode;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Config of the {@code cost} processor.
 *
 * @param mode {@code embedded} (default: an embedded Hazelcast member holds prices and totals, joining
 *     {@code hazelcast.members} when listed) or {@code local} (plain in-process maps, for sidecars)
 * @param pricesFile price table file ({@code prices_file}, default {@code conf/prices.yaml}, relative to the working
 *     directory)
 * @param pricesFileExplicit whether {@code prices_file} was set (then a missing file fails start-up; the default
 *     file may be missing: every model is then unknown until prices are PUT)
 * @param reloadInterval how often the price file is checked for changes ({@code reload_interval}, default 10s; 0
 *     disables)
 * @param discrepancyThreshold relative difference above which a client-reported {@code llm.cost} is flagged
 *     ({@code discrepancy_threshold}, default 0.05)
 * @param goblinIdAttribute span or resource attribute naming the goblin ({@code goblin_id_attribute}, default
 *     {@code goblin.id})
 * @param maxLabelValues distinct values per label (provider, model, goblin id) kept in totals and meters before
 *     new ones collapse into {@code other} ({@code max_label_values}, default 1000)
 * @param adminEndpoints mount {@code GET /v1/costs}, {@code GET|PUT /v1/prices} ({@code admin_endpoints}, default
 *     true)
 * @param hazelcast embedded member settings ({@code hazelcast::*})
 */
public record CostConfig(String mode, String pricesFile, boolean pricesFileExplicit, Duration reloadInterval,
                         double discrepancyThreshold, String goblinIdAttribute, int maxLabelValues,
                         boolean adminEndpoints, HazelcastSettings hazelcast) {

  public static final String DEFAULT_PRICES_FILE = "conf/prices.yaml";
  private static final Pattern MEMBER = Pattern.compile("[^\\s:]+:\\d{1,5}");

  static CostConfig parse(ConfigNode node) {
    String mode = node.oneOf("mode", "embedded", "embedded", "local");
    boolean explicit = node.has("prices_file");
    String file = node.string("prices_file", DEFAULT_PRICES_FILE);
    Duration reload = node.duration("reload_interval", Duration.ofSeconds(10), Duration.ZERO);
    double threshold = node.number("discrepancy_threshold", 0.05, 0, 10);
    String goblin = node.string("goblin_id_attribute", "goblin.id");
    int maxValues = node.integer("max_label_values", 1000, 1, 1_000_000);
    boolean admin = node.bool("admin_endpoints", true);
    ConfigNode hz = node.child("hazelcast");
    String cluster = hz.string("cluster_name", "goblin-gateway-cost");
    String bind = hz.string("bind_address", "127.0.0.1");
    int port = hz.integer("port", 5701, 1, 65535);
    boolean autoInc = hz.bool("port_auto_increment", true);
    int portCount = hz.integer("port_count", 20, 1, 1000);
    List<String> members = hz.stringList("members", List.of());
    for (String m : members) {
      if (!MEMBER.matcher(m).matches()) {
        hz.invalid("members", m, "host:port, one member per entry (ranges like 127.0.0.1:5701-5702 are not accepted)");
      }
    }
    Duration flush = hz.duration("flush_interval", HazelcastSettings.DEFAULT_FLUSH_INTERVAL, Duration.ZERO);
    return new CostConfig(mode, file, explicit, reload, threshold, goblin, maxValues, admin,
        new HazelcastSettings(cluster, bind, port, autoInc, portCount, members, flush));
  }
}
