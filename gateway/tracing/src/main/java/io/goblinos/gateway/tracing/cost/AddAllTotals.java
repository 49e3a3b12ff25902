package io.goblinos.gateway.tracing.cost;

import com.hazelcast.map.EntryProcessor;
import java.util.HashMap;
import java.util.Map;

/**
 * Adds per-key increments to many running totals in one call ({@code submitToKeys}), atomically per key. All keys of
 * {@code goblin.cost.totals} share one partition (see {@link HazelcastCostStore#mapKey}), so a flush is one operation
 * on one member that walks its keys once. (Spread over partitions, Hazelcast runs one operation per partition and
 * hands each the whole key set: n keys × 271 partitions checks per flush.) Java-serializable; every member has this
 * class on its classpath.
 */
final class AddAllTotals implements EntryProcessor<String, double[], Void> {
  private static final long serialVersionUID = 1L;
  private final HashMap<String, double[]> increments;

  AddAllTotals(Map<String, double[]> increments) {
    this.increments = new HashMap<>(increments);
  }

  @Override
  public Void process(Map.Entry<String, double[]> entry) {
    double[] increment = increments.get(entry.getKey());
    if (increment == null) {
      return null;
    }
    double[] v = entry.getValue();
    double[] sum = v == null ? new double[increment.length] : v.clone();
    for (int i = 0; i < increment.length && i < sum.length; i++) {
      sum[i] += increment[i];
    }
    entry.setValue(sum);
    return null;
  }
}
