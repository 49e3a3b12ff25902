package io.goblinos.gateway.tracing.cost;

import io.vertx.core.Future;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Price table and totals in this process only ({@code mode: local}, for sidecars): a volatile snapshot and a
 * concurrent map of one {@link Tally} per key, which is also the key's {@link CostTracker.Account}. The number of keys
 * is bounded by the processor's label guard on model and goblin id.
 */
public final class LocalCostStore implements CostStore {
  private volatile PriceIndex prices = PriceIndex.EMPTY;
  private final ConcurrentHashMap<CostKey, LocalAccount> totals = new ConcurrentHashMap<>();

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
  public Account account(CostKey key) {
    LocalAccount a = totals.get(key);
    return a != null ? a : totals.computeIfAbsent(key, k -> new LocalAccount());
  }

  @Override
  public Future<Void> endBatch() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Map<CostKey, CostTotals>> totals() {
    return Future.succeededFuture(sortedCopy());
  }

  private Map<CostKey, CostTotals> sortedCopy() {
    Map<CostKey, CostTotals> m = new TreeMap<>(Comparator.comparing(CostKey::encode));
    totals.forEach((k, a) -> {
      CostTotals t = a.totals();
      if (t != null) { // an account handed out but never added to is no total
        m.put(k, t);
      }
    });
    return m;
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  /** A running total that is never closed: every add lands. */
  private static final class LocalAccount extends Tally implements Account {
    @Override
    public void add(double costUsd, long inputTokens, long outputTokens, long spans, long unpricedSpans) {
      tryAdd(costUsd, inputTokens, outputTokens, spans, unpricedSpans);
    }
  }
}
