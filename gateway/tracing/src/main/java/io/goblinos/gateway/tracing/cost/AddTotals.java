package io.goblinos.gateway.tracing.cost;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;

/**
 * Adds one increment to one running total ({@code submitToKey}): Hazelcast runs it on the key's partition owner,
 * atomically for that key. Java-serializable; every member has this class on its classpath.
 *
 * <p>One call per key rather than one {@code submitToKeys} per batch: Hazelcast runs a batch as one operation per
 * partition that every key of the batch is handed to, so a batch of n keys over p partitions costs n × p key checks.
 */
final class AddTotals implements EntryProcessor<String, double[], Void> {
  private static final long serialVersionUID = 1L;
  private final double[] increment;

  AddTotals(double[] increment) {
    this.increment = increment.clone();
  }

  @Override
  public Void process(Map.Entry<String, double[]> entry) {
    double[] v = entry.getValue();
    double[] sum = v == null ? new double[increment.length] : v.clone();
    for (int i = 0; i < increment.length && i < sum.length; i++) {
      sum[i] += increment[i];
    }
    entry.setValue(sum);
    return null;
  }
}
