package io.goblinos.gateway.tracing.cost;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;

/**
 * Adds increments to one running total where the entry lives (on its partition owner): one network call per key
 * and flush, atomic per key. Java-serializable; every member has this class on its classpath.
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
