package io.goblinos.gateway.tracing.cost;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.PartitioningStrategyConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.map.listener.MapClearedListener;
import com.hazelcast.partition.strategy.StringPartitioningStrategy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Price table and totals in Hazelcast maps shared by the members of a cluster ({@code mode: embedded}).
 *
 * <ul>
 *   <li>{@code goblin.cost.prices}: {@code IMap<String, String>} of price entries as JSON. Each member keeps a local
 *       snapshot, updated by an entry listener, so lookups on the hot path never touch the network. A member that
 *       started a cluster of its own (its join timed out) and merged into another one later registers its listener
 *       again and re-reads the map ({@link #resyncPrices}), so its copy cannot stay behind.
 *   <li>{@code goblin.cost.totals}: {@code IMap<String, double[]>} of running totals per provider/model/goblin.
 *       All its keys share one partition ({@link #mapKey}). Increments are merged locally per key ({@code unflushed})
 *       and flushed every {@code flush_interval} (default 1s), sooner when {@value #EARLY_FLUSH_KEYS} keys are
 *       waiting: one {@code submitToKeys} with an {@link AddAllTotals} entry processor per flush, at most one flush in
 *       flight, so one operation per member and interval, never one per request, span or key. (Flushing after every
 *       request, with keys spread over all partitions, made Hazelcast's partition threads a third of the gateway's
 *       CPU under load.)
 * </ul>
 *
 * <p>The unflushed increments are bounded at {@value #MAX_UNFLUSHED_KEYS} keys (meter
 * {@code gateway.processor.cost.tracker.pending{processor}}). When full (Hazelcast slow or unreachable), increments
 * of keys already pending keep being merged into them; increments of new keys are dropped from the totals, counted
 * in {@code gateway.processor.cost.tracker.dropped{processor}} (spans) and logged at most once a minute. Spans are
 * still enriched and the {@code llm.*} meters still count them; only the shared running totals miss them.
 *
 * <p>Each key's pending increments are a {@link Tally} in {@code unflushed}; the {@link Account} of a key remembers
 * the tally it last added to, so an add is one uncontended lock: no map lookup, no encoded key string, no allocation.
 * A flush removes each tally from {@code unflushed}, then closes it; an add that finds its tally closed goes through
 * {@code unflushed} to the key's next one (once per key and flush).
 *
 * <p>The embedded member: phone-home off, no multicast or auto-detection, TCP-IP join with the configured members
 * listed one by one, bound to the configured address. It is started and shut down on a worker thread, never on an
 * event loop; every IMap call is either async ({@code CompletionStage} wrapped with
 * {@code Future.fromCompletionStage}) or run in {@code executeBlocking}.
 */
public final class HazelcastCostStore implements CostStore {
  private static final Logger LOG = Logger.getLogger(HazelcastCostStore.class.getName());
  static final String PRICES = "goblin.cost.prices";
  static final String TOTALS = "goblin.cost.totals";
  static final String TOTALS_PARTITION_KEY = "totals";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx;
  private final HazelcastSettings settings;
  private final String name;
  private volatile HazelcastInstance hz;
  private volatile IMap<String, String> prices;
  /** The registration of the price map's entry listener (replaced after a merge). */
  private volatile UUID priceListener;
  /**
   * Orders the local price copy's updates: listener events and a re-read (worker or Hazelcast threads only, never an
   * event loop).
   */
  private final Object priceLock = new Object();
  private volatile IMap<String, double[]> totals;
  private final ConcurrentHashMap<String, PriceEntry> priceCopy = new ConcurrentHashMap<>();
  private volatile PriceIndex snapshot = PriceIndex.EMPTY;
  /** Keys with increments waiting for a flush. */
  static final int MAX_UNFLUSHED_KEYS = 10_000;
  /** Keys waiting that start a flush before the interval is up. */
  static final int EARLY_FLUSH_KEYS = MAX_UNFLUSHED_KEYS / 2;
  private static final long DROP_LOG_INTERVAL_NANOS = 60_000_000_000L;

  /** Per key, the tally its increments go to until the next flush takes it; at most {@link #MAX_UNFLUSHED_KEYS}. */
  private final ConcurrentHashMap<CostKey, Pending> unflushed = new ConcurrentHashMap<>();
  private final AtomicBoolean flushing = new AtomicBoolean();
  private final AtomicLong droppedSpans = new AtomicLong();
  private final AtomicLong droppedSinceLog = new AtomicLong();
  private final AtomicLong lastDropLog = new AtomicLong(System.nanoTime() - DROP_LOG_INTERVAL_NANOS);
  private final Counter droppedMeter;
  private volatile boolean closed;
  private volatile long flushTimer = -1;
  private Future<Void> closeFuture;

  public HazelcastCostStore(Vertx vertx, HazelcastSettings settings, String name) {
    this(vertx, settings, name, null);
  }

  /** With meters for the pending and dropped increments ({@code registry} may be null). */
  public HazelcastCostStore(Vertx vertx, HazelcastSettings settings, String name, MeterRegistry registry) {
    this.vertx = vertx;
    this.settings = settings;
    this.name = name;
    if (registry != null) {
      Gauge.builder("gateway.processor.cost.tracker.pending", unflushed, Map::size).tag("processor", name)
          .description("Keys of cost increments waiting to be flushed to Hazelcast").register(registry);
      this.droppedMeter = Counter.builder("gateway.processor.cost.tracker.dropped").tag("processor", name)
          .description("LLM spans left out of the running totals because too many keys were unflushed")
          .register(registry);
    } else {
      this.droppedMeter = null;
    }
  }

  /** The Hazelcast config this store starts its member with. */
  Config config() {
    Config cfg = new Config();
    cfg.setInstanceName("goblin-cost-" + name.replace('/', '-') + "-" + UUID.randomUUID());
    cfg.setClusterName(settings.clusterName());
    cfg.setProperty("hazelcast.phone.home.enabled", "false");
    cfg.setProperty("hazelcast.logging.type", "jdk");
    cfg.setProperty("hazelcast.shutdownhook.enabled", "false");
    cfg.setProperty("hazelcast.local.localAddress", settings.bindAddress());
    cfg.setProperty("hazelcast.socket.bind.any", "false");
    cfg.setProperty("hazelcast.wait.seconds.before.join", "0");
    cfg.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    NetworkConfig net = cfg.getNetworkConfig();
    net.setPort(settings.port()).setPortAutoIncrement(settings.portAutoIncrement()).setPortCount(settings.portCount());
    net.getInterfaces().setEnabled(true).addInterface(settings.bindAddress());
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(new ArrayList<>(settings.members()));
    cfg.getJetConfig().setEnabled(false);
    // totals: one partition (keys end in @totals), kept as objects so entry processors do not deserialize each value
    cfg.addMapConfig(new MapConfig(TOTALS).setInMemoryFormat(InMemoryFormat.OBJECT)
        .setPartitioningStrategyConfig(new PartitioningStrategyConfig(StringPartitioningStrategy.class.getName())));
    return cfg;
  }

  @Override
  public Future<Void> start() {
    // Hazelcast.newHazelcastInstance blocks (binds, joins): worker thread
    return vertx.executeBlocking(() -> {
      HazelcastInstance instance = Hazelcast.newHazelcastInstance(config());
      hz = instance;
      // A member that started a cluster of its own (its join timed out) merges into the other one later; re-read the
      // prices then, and listen again, so that it does not keep a copy that no event will ever update.
      instance.getLifecycleService().addLifecycleListener(event -> {
        if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
          vertx.executeBlocking(() -> {
            resyncPrices();
            return null;
          }).onFailure(t -> LOG.log(Level.WARNING, "cost " + name + ": re-reading prices after a merge failed", t));
        }
      });
      IMap<String, String> p = instance.getMap(PRICES);
      prices = p;
      totals = instance.getMap(TOTALS);
      resyncPrices();
      long every = settings.flushInterval().toMillis();
      if (every > 0) {
        flushTimer = vertx.setPeriodic(every, id -> flush());
      }
      LOG.info(() -> "cost " + name + ": Hazelcast member " + instance.getCluster().getLocalMember().getAddress()
          + " started, cluster '" + settings.clusterName() + "' has " + instance.getCluster().getMembers().size()
          + " member(s)");
      return null;
    });
  }

  /**
   * (Re)registers the price listener and replaces the local copy with the shared map's entries. Blocking: at start
   * and after a merge, on a worker thread.
   */
  void resyncPrices() {
    IMap<String, String> p = prices;
    if (p == null) {
      return;
    }
    synchronized (priceLock) {
      UUID previous = priceListener;
      if (previous != null) {
        p.removeEntryListener(previous);
      }
      priceListener = p.addEntryListener(new PriceListener(), true);
      Map<String, String> now = new HashMap<>();
      for (Map.Entry<String, String> e : p.entrySet()) {
        now.put(e.getKey(), e.getValue());
      }
      replaceCopy(now);
    }
  }

  /** Makes the local copy the given entries (key to JSON) and rebuilds the snapshot. */
  private void replaceCopy(Map<String, String> entries) {
    synchronized (priceLock) {
      priceCopy.keySet().retainAll(entries.keySet());
      entries.forEach((k, v) -> priceCopy.put(k, fromJson(v)));
      rebuild();
    }
  }

  /** The registration of the price listener (for tests). */
  UUID priceListener() {
    return priceListener;
  }

  /** The embedded member, or null before start (for tests). */
  HazelcastInstance instance() {
    return hz;
  }

  /** Members currently in the cluster (for tests and health). */
  public int clusterSize() {
    HazelcastInstance i = hz;
    return i == null ? 0 : i.getCluster().getMembers().size();
  }

  @Override
  public PriceIndex current() {
    return snapshot;
  }

  @Override
  public Future<Void> replaceAll(List<PriceEntry> entries) {
    IMap<String, String> p = prices;
    if (p == null) {
      return Future.failedFuture("cost store is not started");
    }
    Map<String, String> next = new HashMap<>();
    for (PriceEntry e : entries) {
      next.put(e.key(), toJson(e));
    }
    return vertx.executeBlocking(() -> {
      p.putAll(next);
      Set<String> stale = new HashSet<>(p.keySet());
      stale.removeAll(next.keySet());
      for (String k : stale) {
        p.delete(k);
      }
      replaceCopy(next); // this member's snapshot reflects the change now (listener events may trail)
      return null;
    });
  }

  /** An account that keeps the key's current {@link Pending} tally, so that adding is one uncontended lock. */
  @Override
  public Account account(CostKey key) {
    return new KeyAccount(key);
  }

  @Override
  public Future<Void> endBatch() {
    if (flushTimer < 0 || unflushed.size() >= EARLY_FLUSH_KEYS) {
      flush();
    }
    return Future.succeededFuture();
  }

  /**
   * Adds to the key's pending tally: the one in {@code unflushed}, else a new one when fewer than
   * {@link #MAX_UNFLUSHED_KEYS} keys are pending (else the increment is dropped and counted). Returns the tally added
   * to, or null when dropped.
   */
  private Pending addToKey(CostKey key, double cost, long in, long out, long spans, long unpriced) {
    for (;;) {
      Pending p = unflushed.get(key);
      if (p == null) {
        if (unflushed.size() >= MAX_UNFLUSHED_KEYS) {
          dropped(spans);
          return null;
        }
        Pending fresh = new Pending(key);
        p = unflushed.putIfAbsent(key, fresh);
        if (p == null) {
          p = fresh;
        }
      }
      if (p.tryAdd(cost, in, out, spans, unpriced)) {
        return p;
      }
      // a flush took p between the lookup and the add; it removed p from unflushed first: look again
    }
  }

  private void dropped(long spans) {
    droppedSpans.addAndGet(spans);
    droppedSinceLog.addAndGet(spans);
    if (droppedMeter != null) {
      droppedMeter.increment(spans);
    }
    long now = System.nanoTime();
    long last = lastDropLog.get();
    if (now - last >= DROP_LOG_INTERVAL_NANOS && lastDropLog.compareAndSet(last, now)) {
      long n = droppedSinceLog.getAndSet(0);
      LOG.warning(() -> "cost " + name + ": " + n + " LLM span(s) left out of the running totals: "
          + MAX_UNFLUSHED_KEYS + " keys are waiting to be flushed to Hazelcast (slow or unreachable cluster?)");
    }
  }

  /** LLM spans whose increments were dropped because the unflushed map was full (for tests and health). */
  public long droppedSpans() {
    return droppedSpans.get();
  }

  /** Keys waiting to be flushed. */
  int unflushedKeys() {
    return unflushed.size();
  }

  /**
   * Sends every unflushed increment in one {@code submitToKeys} with an {@link AddAllTotals}; at most one flush runs at
   * a time (increments added meanwhile wait for the next one). Each pending tally is removed from {@code unflushed}
   * and then closed: an add that reached it before it was closed is in this flush, a later one goes to a new tally for
   * the next flush, so none is lost or counted twice. On failure the increments are merged back for the next flush.
   */
  Future<Void> flush() {
    IMap<String, double[]> t = totals;
    if (t == null || unflushed.isEmpty() || !flushing.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    Map<CostKey, CostTotals> taken = new HashMap<>();
    Map<String, double[]> increments = new HashMap<>();
    for (Pending p : unflushed.values()) {
      if (unflushed.remove(p.key, p)) {
        CostTotals inc = p.close();
        if (inc != null) {
          taken.put(p.key, inc);
          increments.put(mapKey(p.key.encode()), inc.toArray());
        }
      }
    }
    Promise<Void> sent = Promise.promise();
    if (increments.isEmpty()) {
      sent.complete();
    } else {
      try {
        t.submitToKeys(new HashSet<>(increments.keySet()), new AddAllTotals(increments)).whenComplete((r, err) -> {
          if (err != null) {
            mergeBack(taken);
            sent.fail(err);
          } else {
            sent.complete();
          }
        });
      } catch (RuntimeException e) { // e.g. the member is shutting down: nothing was sent
        mergeBack(taken);
        sent.fail(e);
      }
    }
    return sent.future().eventually(() -> {
      flushing.set(false);
      // on a timer, what arrived meanwhile waits for the next tick unless the pending keys are piling up
      boolean again = !closed && !unflushed.isEmpty() && (flushTimer < 0 || unflushed.size() >= EARLY_FLUSH_KEYS);
      return again ? flush() : Future.succeededFuture();
    });
  }

  /** Increments of a failed flush, kept for the next one (within the same bound as new ones). */
  private void mergeBack(Map<CostKey, CostTotals> taken) {
    taken.forEach((k, v) -> addToKey(k, v.costUsd(), v.inputTokens(), v.outputTokens(), v.spans(), v.unpricedSpans()));
  }

  /** The increments waiting for a flush (for tests). */
  Map<CostKey, CostTotals> pendingTotals() {
    Map<CostKey, CostTotals> m = new HashMap<>();
    unflushed.forEach((k, p) -> {
      CostTotals t = p.totals();
      if (t != null) {
        m.put(k, t);
      }
    });
    return m;
  }

  /**
   * The {@code goblin.cost.totals} key of an encoded {@link CostKey}: {@code @} and {@code %} percent-escaped, then
   * {@code @totals}. The map uses Hazelcast's {@code StringPartitioningStrategy}, which partitions by what follows the
   * first {@code @}: every total lives in the same partition, so a flush is one operation.
   */
  static String mapKey(String encodedCostKey) {
    return encodedCostKey.replace("%", "%25").replace("@", "%40") + "@" + TOTALS_PARTITION_KEY;
  }

  /** The encoded {@link CostKey} of a {@code goblin.cost.totals} key. */
  static String costKeyOf(String mapKey) {
    int at = mapKey.indexOf('@');
    String escaped = at < 0 ? mapKey : mapKey.substring(0, at);
    return escaped.replace("%40", "@").replace("%25", "%");
  }

  @Override
  public Future<Map<CostKey, CostTotals>> totals() {
    IMap<String, double[]> t = totals;
    if (t == null) {
      return Future.failedFuture("cost store is not started");
    }
    return awaitFlushed().compose(v -> vertx.executeBlocking(() -> {
      Map<CostKey, CostTotals> out = new TreeMap<>(Comparator.comparing(CostKey::encode));
      for (Map.Entry<String, double[]> e : t.entrySet()) {
        out.put(CostKey.decode(costKeyOf(e.getKey())), CostTotals.fromArray(e.getValue()));
      }
      return out;
    }));
  }

  /** Completes once nothing added before this call is still unflushed. */
  private Future<Void> awaitFlushed() {
    if (unflushed.isEmpty() && !flushing.get()) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    long[] timer = new long[1];
    flush();
    timer[0] = vertx.setPeriodic(5, id -> {
      if ((unflushed.isEmpty() && !flushing.get()) || closed) {
        vertx.cancelTimer(id);
        p.tryComplete();
      } else {
        flush();
      }
    });
    return p.future();
  }

  @Override
  public synchronized Future<Void> close() {
    if (closeFuture != null) {
      return closeFuture;
    }
    HazelcastInstance instance = hz;
    if (instance == null) {
      closed = true;
      closeFuture = Future.succeededFuture();
      return closeFuture;
    }
    if (flushTimer >= 0) {
      vertx.cancelTimer(flushTimer);
    }
    closeFuture = awaitFlushed()
        .transform(ar -> {
          closed = true;
          return vertx.<Void>executeBlocking(() -> {
            instance.shutdown();
            return null;
          });
        })
        .onFailure(t -> LOG.log(Level.WARNING, "cost " + name + ": Hazelcast shutdown failed", t))
        .onSuccess(v -> LOG.info(() -> "cost " + name + ": Hazelcast member stopped"));
    return closeFuture;
  }

  private void rebuild() {
    snapshot = new PriceIndex(new ArrayList<>(priceCopy.values()));
  }

  static String toJson(PriceEntry e) {
    try {
      return JSON.writeValueAsString(e.toMap());
    } catch (Exception ex) {
      throw new IllegalStateException(ex);
    }
  }

  private static PriceEntry fromJson(String json) {
    try {
      List<PriceEntry> one = PriceList.fromTree(Map.of("models", List.of(JSON.readValue(json, Map.class))));
      return one.get(0);
    } catch (Exception e) {
      throw new IllegalStateException("unreadable price entry in " + PRICES + ": " + json, e);
    }
  }

  /** The increments of one key waiting for a flush; closed (and out of {@code unflushed}) once a flush took them. */
  private static final class Pending extends Tally {
    final CostKey key;

    Pending(CostKey key) {
      this.key = key;
    }
  }

  /**
   * The account of one key: remembers the pending tally it last added to, so that adding is that tally's lock and
   * nothing else until a flush closes it (once per {@code flush_interval}); then it looks up or starts the next one.
   */
  private final class KeyAccount implements Account {
    private final CostKey key;
    private volatile Pending pending;

    KeyAccount(CostKey key) {
      this.key = key;
    }

    @Override
    public void add(double costUsd, long inputTokens, long outputTokens, long spans, long unpricedSpans) {
      Pending p = pending;
      if (p != null && p.tryAdd(costUsd, inputTokens, outputTokens, spans, unpricedSpans)) {
        return;
      }
      p = addToKey(key, costUsd, inputTokens, outputTokens, spans, unpricedSpans);
      if (p != null) {
        pending = p;
      }
    }
  }

  /** Keeps the local copy in step with the shared map. Runs on Hazelcast event threads. */
  private final class PriceListener implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
      EntryRemovedListener<String, String>, MapClearedListener {
    // synchronized with resyncPrices: an event that arrives while the copy is re-read applies after it

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      put(event);
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      put(event);
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      synchronized (priceLock) {
        priceCopy.remove(event.getKey());
        rebuild();
      }
    }

    @Override
    public void mapCleared(MapEvent event) {
      synchronized (priceLock) {
        priceCopy.clear();
        rebuild();
      }
    }

    private void put(EntryEvent<String, String> event) {
      try {
        synchronized (priceLock) {
          priceCopy.put(event.getKey(), fromJson(event.getValue()));
          rebuild();
        }
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "cost " + name + ": ignoring price entry " + event.getKey(), e);
      }
    }
  }
}
