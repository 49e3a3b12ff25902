package io.goblinos.gateway.tracing.cost;

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
 */
public record HazelcastSettings(String clusterName, String bindAddress, int port, boolean portAutoIncrement,
                                int portCount, List<String> members) {
  public HazelcastSettings {
    members = List.copyOf(members);
  }
}
