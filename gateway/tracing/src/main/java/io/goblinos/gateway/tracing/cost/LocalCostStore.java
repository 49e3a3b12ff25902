package io.goblinos.gateway.tracing.cost;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Price table and totals in this process only ({@code mode: local}, for sidecars): a volatile snapshot and a
 * concurrent map. The number of keys is bounded by the processor's label guard on model and goblin id.
 */
public final class LocalCostStore implements CostStore {
  private volatile PriceIndex prices = PriceIndex.EMPTY;
  private final ConcurrentHashMap<CostKey, CostTotals> totals = new ConcurrentHashMap<>();

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public PriceIndex current() {
    return prices;
  }

  @Override
  public Future<Void> replaceAll(List<PriceEntry> entries) {
    prices = new PriceIndex(entries);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> add(Map<CostKey, CostTotals> increments) {
    increments.forEach((k, v) -> totals.merge(k, v, CostTotals::plus));
    return Future.succeededFuture();
  }

  @Override
  public Future<Map<CostKey, CostTotals>> totals() {
    return Future.succeededFuture(sortedCopy());
  }

  private Map<CostKey, CostTotals> sortedCopy() {
    Map<CostKey, CostTotals> m = new TreeMap<>(java.util.Comparator.comparing(CostKey::encode));
    m.putAll(totals);
    return m;
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
