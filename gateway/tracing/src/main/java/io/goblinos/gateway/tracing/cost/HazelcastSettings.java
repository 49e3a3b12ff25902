package io.goblinos.gateway.tracing.cost;

import java.time.Duration;
import java.util.List;

/**
 * How the embedded Hazelcast member of the cost processor is set up.
 *
 * @param clusterName Hazelcast cluster name ({@code cluster_name}, default "goblin-gateway-cost")
 * @param bindAddress interface to bind and advertise ({@code bind_address}, default 127.0.0.1)
 * @param port first port to try ({@code port}, default 5701)
 * @param portAutoIncrement try the next ports when taken ({@code port_auto_increment}, default true)
 * @param portCount how many ports to try ({@code port_count}, default 20)
 * @param members other members, one {@code host:port} each (ranges are not accepted) ({@code members}, default
 *     none: a single member)
 * @param flushInterval how long increments to the running totals are merged locally before they are sent to the
 *     cluster in one batch ({@code flush_interval}, default 1s; 0 sends after every request). The totals read through
 *     {@code GET /v1/costs} always include everything added before the read.
 */
public record HazelcastSettings(String clusterName, String bindAddress, int port, boolean portAutoIncrement,
                                int portCount, List<String> members, Duration flushInterval) {
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);

  public HazelcastSettings {
    members = List.copyOf(members);
  }

  /** With the default flush interval. */
  public HazelcastSettings(String clusterName, String bindAddress, int port, boolean portAutoIncrement, int portCount,
                           List<String> members) {
    this(clusterName, bindAddress, port, portAutoIncrement, portCount, members, DEFAULT_FLUSH_INTERVAL);
  }
}
