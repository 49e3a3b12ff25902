package io.goblinos.gateway.tracing.cost;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.WireBytes;
import io.goblinos.gateway.tracing.internal.LabelGuard;
import io.goblinos.gateway.tracing.internal.Otlp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * LLM cost enrichment. For each span with GenAI attributes ({@code gen_ai.provider.name} or {@code gen_ai.system},
 * {@code gen_ai.response.model} or {@code gen_ai.request.model}, {@code gen_ai.usage.input_tokens} /
 * {@code output_tokens}) it sets {@code llm.tokens.total}, {@code llm.latency} (the span's duration in seconds, a
 * double) and {@code llm.cost} (USD, from the price table). A client-reported {@code llm.cost} more than
 * {@code discrepancy_threshold} away from the computed one is kept as {@code llm.cost.reported} with
 * {@code llm.cost.discrepancy=true}. A model without a price gets {@code llm.cost.unknown_model=true} and no
 * computed cost. Every LLM span is added to the running totals (the {@link CostTracker}) before sampling.
 *
 * <p>Meters: {@code llm.cost.usd{provider, model, goblin_id}} (Prometheus {@code llm_cost_usd_total}),
 * {@code llm.tokens{provider, model, goblin_id, direction}} ({@code llm_tokens_total}),
 * {@code llm.cost.discrepancy{provider, model}} ({@code llm_cost_discrepancy_total}),
 * {@code llm.cost.unknown.model{provider, model}} ({@code llm_cost_unknown_model_total}). Label values pass a
 * cardinality guard ({@code max_label_values}). The Counter objects are registered once per label set and kept in
 * bounded maps ({@value #MAX_CACHED_METER_KEYS} keys each); label sets beyond that are registered through Micrometer
 * on every use (same series, just the slower path).
 *
 * <p>Per span the work is kept small, as every span of every request passes here: one pass over the attributes finds
 * what is read and written ({@link GenAiAttributes}); an LLM span is rebuilt on its own ({@link SpanEdit}) and put into
 * copies of its scope and resource, so the other spans stay the very objects received. When the attributes set are
 * all new, the rebuilt span is declared to {@link WireBytes} as the received one with attributes appended, which lets
 * tail sampling copy its received bytes instead of serializing it. Meters and totals are recorded per span through one
 * per-key state (its Counters and its {@link CostTracker.Account}), reached with one map lookup, which also remembers
 * that the key's labels pass the guards. On an event loop the increments are summed per key in that thread's own
 * {@link ThreadTally} and recorded from there every {@value #TALLY_INTERVAL_MS} ms (and before {@code GET /v1/costs}
 * answers, and at shutdown): the meters and totals trail by up to that long, and a span costs a few array additions
 * instead of updates to its key's shared Counters and account. Prices come from {@link PriceIndex#lookup}, which
 * memoizes its answers.
 */
public final class CostProcessor implements Processor<ExportTraceServiceRequest> {
  private static final Logger LOG = Logger.getLogger(CostProcessor.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String COSTS_PATH = "/v1/costs";
  public static final String PRICES_PATH = "/v1/prices";
  /** Label sets whose Counter objects are cached (per map); later ones are looked up in the registry each time. */
  static final int MAX_CACHED_METER_KEYS = 10_000;
  /** How often the event loops' {@link ThreadTally tallies} are recorded into the meters and the tracker. */
  static final long TALLY_INTERVAL_MS = 1000;
  private static final KeyValue UNKNOWN_MODEL_TRUE = KeyValue.newBuilder()
      .setKey(GenAiAttributes.KEYS[GenAiAttributes.UNKNOWN_MODEL]).setValue(Otlp.boolValue(true)).build();
  private static final KeyValue DISCREPANCY_TRUE = KeyValue.newBuilder()
      .setKey(GenAiAttributes.KEYS[GenAiAttributes.DISCREPANCY]).setValue(Otlp.boolValue(true)).build();

  private final ComponentContext context;
  private final CostConfig config;
  private final CostStore store;
  private final Consumer<ExportTraceServiceRequest> next;
  private final MeterRegistry registry;
  private final LabelGuard providerGuard;
  private final LabelGuard modelGuard;
  private final LabelGuard goblinGuard;
  private final Counter trackerFailures;
  /** Counters and tracker account per (provider, model, goblin_id): at most {@link #MAX_CACHED_METER_KEYS} keys. */
  private final ConcurrentHashMap<CostKey, KeyState> keyStates = new ConcurrentHashMap<>();
  /** Counters per (provider, model): at most {@link #MAX_CACHED_METER_KEYS} keys. */
  private final ConcurrentHashMap<ModelKey, ModelMeters> modelMeters = new ConcurrentHashMap<>();
  /** {@link KeyState#id}s of the cached states: dense, so that tallies are arrays. */
  private final AtomicInteger nextStateId = new AtomicInteger();
  /** Every thread's tally, for {@link #flushTallies}. */
  private final Queue<ThreadTally> tallies = new ConcurrentLinkedQueue<>();
  private final ThreadLocal<ThreadTally> threadTally = ThreadLocal.withInitial(() -> {
    ThreadTally t = new ThreadTally();
    tallies.add(t);
    return t;
  });
  private volatile long tallyTimer = -1;
  private volatile long reloadTimer = -1;
  private volatile FileTime lastModified;
  private volatile long lastSize = -1;
  private volatile boolean started;
  private Future<Void> shutdownFuture;

  public CostProcessor(ComponentContext context, CostConfig config, CostStore store,
                       Consumer<ExportTraceServiceRequest> next) {
    this.context = context;
    this.config = config;
    this.store = store;
    this.next = next;
    this.registry = context.meters();
    String id = context.id().toString();
    this.providerGuard = new LabelGuard(registry, id, "llm.cost", "provider", Math.min(100, config.maxLabelValues()));
    this.modelGuard = new LabelGuard(registry, id, "llm.cost", "model", config.maxLabelValues());
    this.goblinGuard = new LabelGuard(registry, id, "llm.cost", "goblin_id", config.maxLabelValues());
    this.trackerFailures = Counter.builder("gateway.processor.cost.tracker.failures").tag("processor", id)
        .description("Batches of cost increments the tracker failed to record").register(registry);
  }

  /** The store holding prices and totals. */
  public CostStore store() {
    return store;
  }

  @Override
  public Future<Void> start(Host host) {
    return store.start()
        .compose(v -> loadPricesFile(true))
        .onSuccess(v -> {
          if (config.adminEndpoints()) {
            mountAdmin(host);
          }
          tallyTimer = context.vertx().setPeriodic(TALLY_INTERVAL_MS, t -> flushTallies());
          if (!config.reloadInterval().isZero()) {
            reloadTimer = context.vertx().setPeriodic(config.reloadInterval().toMillis(), t -> loadPricesFile(false)
                .onFailure(e -> LOG.warning("cost " + context.id() + ": price file not reloaded: " + e.getMessage())));
          }
          started = true;
          LOG.info(() -> "cost " + context.id() + " started: mode=" + config.mode() + " prices_file="
              + context.resolve(config.pricesFile()) + " models=" + store.current().entries().size());
        });
  }

  private void mountAdmin(Host host) {
    try {
      host.registerAdminEndpoint(COSTS_PATH, this::handleCosts);
      host.registerAdminEndpoint(PRICES_PATH, this::handlePrices);
    } catch (RuntimeException e) {
      LOG.warning("cost " + context.id() + ": admin endpoints not mounted (" + e.getMessage()
          + "); is a second cost processor configured?");
    }
  }

  /**
   * Reads the price file when it changed (or at start) on a worker thread and replaces the table. At start a
   * missing default file is a warning; a missing explicit file or an invalid one fails.
   */
  Future<Void> loadPricesFile(boolean initial) {
    Path file = context.resolve(config.pricesFile());
    return context.vertx().<List<PriceEntry>>executeBlocking(() -> {
      FileTime modified;
      long size;
      try {
        modified = Files.getLastModifiedTime(file);
        size = Files.size(file);
      } catch (NoSuchFileException e) {
        if (initial && config.pricesFileExplicit()) {
          throw new IllegalStateException("prices_file " + file + " does not exist");
        }
        if (initial) {
          LOG.warning("cost " + context.id() + ": default price file " + file
              + " not found; every model is unknown until prices are PUT to " + PRICES_PATH);
        }
        return null;
      }
      if (!initial && modified.equals(lastModified) && size == lastSize) {
        return null;
      }
      byte[] bytes = Files.readAllBytes(file);
      lastModified = modified;
      lastSize = size;
      try {
        return PriceList.parse(bytes);
      } catch (PriceList.InvalidPricesException e) {
        throw new IllegalStateException("prices_file " + file + " is invalid:\n" + e.getMessage());
      }
    }).compose(entries -> {
      if (entries == null) {
        return Future.succeededFuture();
      }
      if (!initial) {
        LOG.info(() -> "cost " + context.id() + ": price file changed, " + entries.size() + " models loaded");
      }
      return store.replaceAll(entries);
    });
  }

  @Override
  public synchronized Future<Void> shutdown() {
    if (shutdownFuture != null) {
      return shutdownFuture;
    }
    if (reloadTimer >= 0) {
      context.vertx().cancelTimer(reloadTimer);
    }
    if (tallyTimer >= 0) {
      context.vertx().cancelTimer(tallyTimer);
    }
    flushTallies();
    shutdownFuture = store.close().onComplete(ar -> {
      if (started) {
        LOG.info(() -> "cost " + context.id() + " stopped");
      }
    });
    return shutdownFuture;
  }

  @Override
  public Future<Void> consume(ExportTraceServiceRequest request) {
    // every thread sums into its own tally; an event loop's is recorded by the timer, any other thread's at once
    ThreadTally tally = threadTally.get();
    boolean recordNow = !Context.isOnEventLoopThread();
    ExportTraceServiceRequest.Builder out;
    tally.lock.lock();
    try {
      out = enrichAll(request, tally);
      if (out != null && recordNow) {
        tally.record();
      }
    } finally {
      tally.lock.unlock();
    }
    if (out == null) {
      return next.consume(request);
    }
    if (recordNow) {
      store.endBatch().onFailure(t -> trackerFailures.increment());
    }
    return next.consume(out.build());
  }

  /** The request with its LLM spans enriched, or null when it has none; their increments go to {@code tally}. */
  private ExportTraceServiceRequest.Builder enrichAll(ExportTraceServiceRequest request, ThreadTally tally) {
    GenAiAttributes found = new GenAiAttributes(config.goblinIdAttribute());
    PriceIndex prices = null;
    WireBytes wire = null;
    ExportTraceServiceRequest.Builder out = null;
    for (int i = 0, ni = request.getResourceSpansCount(); i < ni; i++) {
      ResourceSpans rs = request.getResourceSpans(i);
      ResourceSpans.Builder rsOut = null;
      for (int j = 0, nj = rs.getScopeSpansCount(); j < nj; j++) {
        ScopeSpans ss = rs.getScopeSpans(j);
        ScopeSpans.Builder ssOut = null;
        for (int k = 0, nk = ss.getSpansCount(); k < nk; k++) {
          Span span = ss.getSpans(k);
          found.scan(span.getAttributesList());
          String provider = Otlp.asString(found.value(GenAiAttributes.PROVIDER_NAME));
          if (provider == null) {
            provider = Otlp.asString(found.value(GenAiAttributes.SYSTEM));
            if (provider == null) {
              continue;
            }
          }
          if (ssOut == null) {
            if (prices == null) {
              prices = store.current();
              wire = WireBytes.current();
            }
            ssOut = ss.toBuilder();
          }
          // the enriched span replaces the original in a copy of its scope: the spans around it stay the very objects
          ssOut.setSpans(k,
              enrich(span, found, rs.getResource(), PriceIndex.normalizeProvider(provider), prices, wire, tally));
        }
        if (ssOut != null) {
          if (rsOut == null) {
            rsOut = rs.toBuilder();
          }
          rsOut.setScopeSpans(j, ssOut.build());
        }
      }
      if (rsOut != null) {
        if (out == null) {
          out = request.toBuilder();
        }
        out.setResourceSpans(i, rsOut.build());
      }
    }
    return out;
  }

  /**
   * Records what every event loop's tally holds into the meters and the tracker (then ends the tracker's batch). Runs
   * on the timer, before {@code GET /v1/costs} answers and at shutdown; each tally's lock is held while it is taken,
   * which waits for at most the request its thread is enriching.
   */
  void flushTallies() {
    boolean any = false;
    for (ThreadTally t : tallies) {
      t.lock.lock();
      try {
        any |= t.record();
      } finally {
        t.lock.unlock();
      }
    }
    if (any) {
      store.endBatch().onFailure(t -> trackerFailures.increment());
    }
  }

  /**
   * The enriched copy of one LLM span whose attributes {@code found} holds; its meters and increments go to
   * {@code tally}.
   */
  private Span enrich(Span span, GenAiAttributes found, Resource resource, String provider, PriceIndex prices,
                      WireBytes wire, ThreadTally tally) {
    SpanEdit edit = new SpanEdit(found);
    String model = Otlp.asString(found.value(GenAiAttributes.RESPONSE_MODEL));
    if (model == null || model.isEmpty()) {
      model = Otlp.asString(found.value(GenAiAttributes.REQUEST_MODEL));
    }
    long in = tokens(found, GenAiAttributes.INPUT_TOKENS, GenAiAttributes.PROMPT_TOKENS);
    long out = tokens(found, GenAiAttributes.OUTPUT_TOKENS, GenAiAttributes.COMPLETION_TOKENS);
    long start = span.getStartTimeUnixNano();
    long end = span.getEndTimeUnixNano();
    if (end != 0 && start != 0 && end >= start) {
      edit.put(GenAiAttributes.LATENCY, Otlp.doubleValue((end - start) / 1e9));
    }
    edit.put(GenAiAttributes.TOKENS_TOTAL, Otlp.intValue(in + out));
    String goblin = Otlp.asString(found.goblinId());
    if (goblin == null && resource != null) {
      goblin = Otlp.asString(Otlp.find(resource.getAttributesList(), config.goblinIdAttribute()));
    }
    String modelLabel = model == null ? "unknown" : model;
    String goblinLabel = goblin == null || goblin.isEmpty() ? "unknown" : goblin;
    KeyState state = tally.sameAsLast(provider, modelLabel, goblinLabel);
    if (state == null) {
      CostKey labels = new CostKey(provider, modelLabel, goblinLabel);
      state = keyStates.get(labels);
      if (state == null || !state.admittedAsIs) {
        state = admit(labels); // else the labels are the key: the guards would pass them unchanged (admitted stay admitted)
      }
    }
    PriceEntry price = prices.lookup(provider, model, start);
    double cost = 0;
    if (price == null) {
      edit.put(GenAiAttributes.UNKNOWN_MODEL, UNKNOWN_MODEL_TRUE);
      state.modelMeters().unknownModel().increment();
    } else {
      cost = price.cost(in, out);
      double reported = Otlp.asDouble(found.value(GenAiAttributes.COST));
      if (!Double.isNaN(reported) && Math.abs(reported - cost) > config.discrepancyThreshold() * Math.abs(cost)) {
        edit.put(GenAiAttributes.REPORTED, Otlp.doubleValue(reported));
        edit.put(GenAiAttributes.DISCREPANCY, DISCREPANCY_TRUE);
        state.modelMeters().discrepancy().increment();
      }
      edit.put(GenAiAttributes.COST, Otlp.doubleValue(cost));
    }
    tally.add(state, cost, in, out, price != null);
    return edit.applyTo(span, wire);
  }

  private static long tokens(GenAiAttributes found, int slot, int legacySlot) {
    long n = Otlp.asCount(found.value(slot));
    if (n < 0) {
      n = Otlp.asCount(found.value(legacySlot));
    }
    return Math.max(0, n);
  }

  /**
   * The state of the key {@code labels} count under: each label through its cardinality guard (which counts what it
   * collapses into {@value LabelGuard#OTHER}). When none changed, the state is marked {@link KeyState#admittedAsIs}:
   * later spans with these labels find it with one lookup and skip the guards, which would pass them unchanged again
   * and count nothing. A label that is literally {@code other} always takes the guards (an admitted value and a
   * collapsed one look the same).
   */
  private KeyState admit(CostKey labels) {
    CostKey k = new CostKey(providerGuard.admit(labels.provider()), modelGuard.admit(labels.model()),
        goblinGuard.admit(labels.goblinId()));
    KeyState state = keyState(k);
    if (!state.admittedAsIs && k.equals(labels) && !LabelGuard.OTHER.equals(k.provider())
        && !LabelGuard.OTHER.equals(k.model()) && !LabelGuard.OTHER.equals(k.goblinId())) {
      state.admittedAsIs = true;
    }
    return state;
  }

  /** The state of {@code k}: cached (one lookup), or beyond {@link #MAX_CACHED_METER_KEYS} keys made for this use. */
  private KeyState keyState(CostKey k) {
    KeyState m = keyStates.get(k);
    if (m != null) {
      return m;
    }
    if (keyStates.size() < MAX_CACHED_METER_KEYS) {
      m = new KeyState(k, nextStateId.getAndIncrement()); // an id lost in a race is never used: a gap in the tallies
      KeyState prev = keyStates.putIfAbsent(k, m);
      return prev == null ? m : prev;
    }
    return new KeyState(k, -1);
  }

  private ModelMeters modelMeters(CostKey k) {
    ModelKey mk = new ModelKey(k.provider(), k.model());
    ModelMeters m = modelMeters.get(mk);
    if (m != null) {
      return m;
    }
    m = new ModelMeters(mk);
    if (modelMeters.size() < MAX_CACHED_METER_KEYS) {
      ModelMeters prev = modelMeters.putIfAbsent(mk, m);
      return prev == null ? m : prev;
    }
    return m;
  }

  /** Cached Counter objects of one key. */
  Counter cachedTokenCounter(CostKey k, String direction) {
    KeyState m = keyState(k);
    return "input".equals(direction) ? m.inputTokens : m.outputTokens;
  }

  /** The cached {@code llm.cost.unknown.model} counter of one provider and model. */
  Counter cachedUnknownModelCounter(CostKey k) {
    return modelMeters(k).unknownModel();
  }

  private record ModelKey(String provider, String model) {}

  /**
   * What is recorded per key, reached with one map lookup per LLM span: its Counters and its {@link CostTracker}
   * account (which keeps the key's pending increments; no per-request map, no encoded key string per add).
   * {@code llm.tokens} is registered at once (every LLM span records tokens); {@code llm.cost.usd} only on the first
   * priced span, so a key whose spans are all unpriced has no cost series.
   */
  private final class KeyState {
    private final CostKey key;
    /** Where tallies keep this key's sums, or -1 for a state beyond the cached ones (recorded span by span). */
    final int id;
    final Counter inputTokens;
    final Counter outputTokens;
    private final CostTracker.Account account;
    private volatile Counter cost;
    private volatile ModelMeters model;
    /** Spans whose labels equal this key pass the guards unchanged (see {@link #admit}). */
    volatile boolean admittedAsIs;

    KeyState(CostKey k, int id) {
      this.key = k;
      this.id = id;
      this.inputTokens = tokenCounter(k, "input");
      this.outputTokens = tokenCounter(k, "output");
      this.account = store.account(k);
    }

    /** LLM spans of this key ({@code spans}, {@code unpriced} of them without a price): meters, then the totals. */
    void record(double costUsd, long in, long out, long spans, long unpriced) {
      if (spans > unpriced) {
        cost().increment(costUsd);
      }
      inputTokens.increment(in);
      outputTokens.increment(out);
      account.add(costUsd, in, out, spans, unpriced);
    }

    Counter cost() {
      Counter c = cost;
      if (c == null) {
        c = Counter.builder("llm.cost.usd").description("LLM cost computed from the price table, in USD")
            .tag("provider", key.provider()).tag("model", key.model()).tag("goblin_id", key.goblinId())
            .register(registry);
        cost = c; // a racing thread registers the same meter: Micrometer returns the same instance
      }
      return c;
    }

    /** The meters of this key's provider and model (shared by its goblins). */
    ModelMeters modelMeters() {
      ModelMeters m = model;
      if (m == null) {
        m = CostProcessor.this.modelMeters(key);
        model = m;
      }
      return m;
    }
  }

  /**
   * One thread's LLM span increments summed per key state since they were last recorded: by {@link #flushTallies} for
   * an event loop (its requests share it), at the end of each request for any other thread. A span adds to plain arrays
   * indexed by {@link KeyState#id}, which only the thread holding {@link #lock} touches, instead of to its key's
   * Counters and tracker account (cache lines the other event loops write too). States beyond the cached ones
   * ({@code id} -1) are recorded span by span. Bounded: the arrays grow to the highest id, at most
   * {@value #MAX_CACHED_METER_KEYS} plus the ids lost in races.
   */
  private static final class ThreadTally {
    /** Stride of {@link #counts}: input tokens, output tokens, spans, unpriced spans. */
    private static final int COUNTS = 4;
    final ReentrantLock lock = new ReentrantLock();
    private double[] cost = new double[64];
    private long[] counts = new long[64 * COUNTS];
    /** The states added to since the last {@link #record}, each once. */
    private KeyState[] touched = new KeyState[16];
    private int touchedCount;
    private KeyState lastState;

    /**
     * The state of the previous span's key when this span's labels equal its labels and that key is admitted as is
     * (then no guard would count anything): a request's LLM spans often repeat a key, and comparing three short
     * strings is cheaper than hashing them for the map. Else null.
     */
    KeyState sameAsLast(String provider, String model, String goblin) {
      KeyState last = lastState;
      if (last != null && last.admittedAsIs && last.key.goblinId().equals(goblin) && last.key.model().equals(model)
          && last.key.provider().equals(provider)) {
        return last;
      }
      return null;
    }

    void add(KeyState state, double costUsd, long inTokens, long outTokens, boolean priced) {
      lastState = state;
      int id = state.id;
      if (id < 0) {
        state.record(costUsd, inTokens, outTokens, 1, priced ? 0 : 1);
        return;
      }
      if (id >= cost.length) {
        int n = Math.max(id + 1, 2 * cost.length);
        cost = Arrays.copyOf(cost, n);
        counts = Arrays.copyOf(counts, n * COUNTS);
      }
      int at = id * COUNTS;
      if (counts[at + 2] == 0) {
        if (touchedCount == touched.length) {
          touched = Arrays.copyOf(touched, 2 * touched.length);
        }
        touched[touchedCount++] = state;
      }
      cost[id] += costUsd;
      counts[at] += inTokens;
      counts[at + 1] += outTokens;
      counts[at + 2]++;
      if (!priced) {
        counts[at + 3]++;
      }
    }

    /** Records the sums into each state's meters and account and clears them; true when there were any. */
    boolean record() {
      int n = touchedCount;
      for (int i = 0; i < n; i++) {
        KeyState state = touched[i];
        touched[i] = null;
        int id = state.id;
        int at = id * COUNTS;
        state.record(cost[id], counts[at], counts[at + 1], counts[at + 2], counts[at + 3]);
        cost[id] = 0;
        counts[at] = 0;
        counts[at + 1] = 0;
        counts[at + 2] = 0;
        counts[at + 3] = 0;
      }
      touchedCount = 0;
      return n > 0;
    }
  }

  /** {@code llm.cost.unknown.model} and {@code llm.cost.discrepancy} of one provider and model, on first use. */
  private final class ModelMeters {
    private final ModelKey key;
    private volatile Counter unknownModel;
    private volatile Counter discrepancy;

    ModelMeters(ModelKey key) {
      this.key = key;
    }

    Counter unknownModel() {
      Counter c = unknownModel;
      if (c == null) {
        c = Counter.builder("llm.cost.unknown.model").description("LLM spans whose model has no price")
            .tag("provider", key.provider()).tag("model", key.model()).register(registry);
        unknownModel = c;
      }
      return c;
    }

    Counter discrepancy() {
      Counter c = discrepancy;
      if (c == null) {
        c = Counter.builder("llm.cost.discrepancy")
            .description("LLM spans whose client-reported cost differs from the computed one")
            .tag("provider", key.provider()).tag("model", key.model()).register(registry);
        discrepancy = c;
      }
      return c;
    }
  }

  private Counter tokenCounter(CostKey k, String direction) {
    return Counter.builder("llm.tokens").description("LLM tokens by direction")
        .tag("provider", k.provider()).tag("model", k.model()).tag("goblin_id", k.goblinId())
        .tag("direction", direction).register(registry);
  }

  // ---- admin endpoints (event loop; store calls are async)

  private void handleCosts(HttpServerRequest req) {
    if (req.method() != HttpMethod.GET) {
      reply(req, 405, Map.of("error", "use GET"));
      return;
    }
    String provider = req.getParam("provider");
    String model = req.getParam("model");
    String goblin = req.getParam("goblin_id");
    flushTallies(); // the totals include every span enriched before this request
    store.totals().onComplete(ar -> {
      if (ar.failed()) {
        reply(req, 503, Map.of("error", String.valueOf(ar.cause().getMessage())));
        return;
      }
      List<Object> rows = new ArrayList<>();
      double total = 0;
      for (Map.Entry<CostKey, CostTotals> e : ar.result().entrySet()) {
        CostKey k = e.getKey();
        if ((provider != null && !provider.equals(k.provider())) || (model != null && !model.equals(k.model()))
            || (goblin != null && !goblin.equals(k.goblinId()))) {
          continue;
        }
        CostTotals t = e.getValue();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("provider", k.provider());
        row.put("model", k.model());
        row.put("goblin_id", k.goblinId());
        row.put("cost_usd", t.costUsd());
        row.put("input_tokens", t.inputTokens());
        row.put("output_tokens", t.outputTokens());
        row.put("spans", t.spans());
        row.put("unpriced_spans", t.unpricedSpans());
        rows.add(row);
        total += t.costUsd();
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("currency", "USD");
      body.put("total_cost_usd", total);
      body.put("totals", rows);
      reply(req, 200, body);
    });
  }

  private void handlePrices(HttpServerRequest req) {
    if (req.method() == HttpMethod.GET) {
      reply(req, 200, PriceList.toTree(store.current().entries()));
      return;
    }
    if (req.method() != HttpMethod.PUT) {
      reply(req, 405, Map.of("error", "use GET or PUT"));
      return;
    }
    req.body()
        .compose(body -> {
          try {
            return Future.succeededFuture(PriceList.parse(body.getBytes()));
          } catch (PriceList.InvalidPricesException e) {
            reply(req, 400, Map.of("error", e.getMessage()));
            return Future.<List<PriceEntry>>failedFuture(e);
          }
        })
        .compose(store::replaceAll)
        .onSuccess(v -> {
          LOG.info(() -> "cost " + context.id() + ": price table replaced through " + PRICES_PATH + " ("
              + store.current().entries().size() + " models)");
          reply(req, 200, Map.of("models", store.current().entries().size()));
        })
        .onFailure(t -> {
          if (!(t instanceof PriceList.InvalidPricesException)) {
            reply(req, 503, Map.of("error", String.valueOf(t.getMessage())));
          }
        });
  }

  private static void reply(HttpServerRequest req, int status, Object body) {
    if (req.response().ended()) {
      return;
    }
    try {
      req.response().setStatusCode(status).putHeader("content-type", "application/json")
          .end(Buffer.buffer(JSON.writeValueAsBytes(body)));
    } catch (Exception e) {
      LOG.log(Level.WARNING, "cost: cannot write admin response", e);
      req.response().setStatusCode(500).end();
    }
  }
}
