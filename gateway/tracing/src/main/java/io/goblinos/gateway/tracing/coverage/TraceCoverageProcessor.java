package io.goblinos.gateway.tracing.coverage;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.config.Durations;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.tracing.internal.Otlp;
import io.goblinos.gateway.tracing.internal.RecentTraceIds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Trace coverage: is every hop of the expected chain (default overmind -> goblin-runtime -> litebrain -> a provider
 * span) present in a trace and connected by parent links (each hop's span a descendant of the previous hop's)?
 * A trace is judged complete as soon as it is, or incomplete {@code incomplete_after} after its first span; an
 * incomplete trace counts in {@code gateway_incomplete_traces_total{missing_service}} (the first hop missing or not
 * connected) and is POSTed as JSON to the webhook. {@code gateway_trace_coverage_ratio} is complete / judged over
 * the sliding {@code window} (NaN when nothing was judged). Spans pass unchanged.
 *
 * <p>Per tracked trace only span id, parent id, hop and (with a webhook) an interned service id per span are kept,
 * in primitive arrays ({@link TraceTable}); tracked traces are bounded by {@code max_traces} (oldest judged early,
 * counted in {@code gateway.processor.trace_coverage.traces.evicted}), and so are the ids of recently judged traces
 * whose late spans are ignored ({@link RecentTraceIds}). Webhook POSTs are bounded by {@code max_in_flight} (more are
 * dropped, counted).
 *
 * <p>Threads: {@link #consume} reads a request's spans (ids, hop) into a per-thread buffer without the lock, then
 * applies them under the lock {@value #CHUNK} spans at a time; webhook bodies are built and sent after the lock is
 * released. Traces evicted early by a request are judged at the end of that request.
 */
public final class TraceCoverageProcessor implements Processor<ExportTraceServiceRequest> {
  private static final Logger LOG = Logger.getLogger(TraceCoverageProcessor.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BUCKETS = 30;
  /** One reading buffer per thread, shared by all instances: consume is done with it before it calls next. */
  private static final ThreadLocal<Batch> BATCHES = ThreadLocal.withInitial(Batch::new);
  /** Spans read per pass outside the lock, then applied under it. */
  static final int CHUNK = 512;
  /** Distinct service names interned per processor; further names are kept as strings per trace. */
  static final int MAX_SERVICE_NAMES = 1024;
  /** Service names remembered per trace (the webhook's {@code services}). */
  private static final int MAX_SERVICES_PER_TRACE = 32;
  private static final int NO_SERVICE = -1;
  private static final int UNRESOLVED = -3;
  private static final int OVERFLOW = -4;
  /** {@link #verdict} of a complete trace. */
  static final int COMPLETE = -1;

  private final ComponentContext context;
  private final CoverageConfig config;
  private final Consumer<ExportTraceServiceRequest> next;
  private final LongSupplier clock;
  private final MeterRegistry registry;
  private final int hopCount;
  private final int allHops;
  private final int plainHops;
  private final int maxTraces;
  private final int maxSpans;
  private final long afterNanos;
  private final long bucketNanos;
  private final boolean keepServices;
  private final String[][] hopAttributes;
  private final String[] hopServices;
  private final List<String> chainNames;

  private final Object lock = new Object();
  // guarded by lock
  private final TraceTable tracked;
  private final RecentTraceIds judged;
  private final Map<String, Integer> serviceIds = new HashMap<>();
  private final List<String> serviceNames = new ArrayList<>();
  private final long[] bucketStart = new long[BUCKETS];
  private final long[] bucketComplete = new long[BUCKETS];
  private final long[] bucketTotal = new long[BUCKETS];
  private final Verdicts verdicts = new Verdicts();

  private final Counter complete;
  private final Counter evicted;
  private final Counter webhookSent;
  private final Counter webhookFailed;
  private final Counter webhookDropped;
  private final Map<String, Counter> incomplete = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile HttpClient client;
  private volatile long timer = -1;
  private Future<Void> shutdownFuture;

  /** What the webhook POST says about one incomplete trace, taken from the table before the trace is forgotten. */
  record Report(long hi, long lo, int verdict, int seenHops, List<String> services, int spanCount, long ageMillis) {}

  public TraceCoverageProcessor(ComponentContext context, CoverageConfig config,
                                Consumer<ExportTraceServiceRequest> next) {
    this(context, config, next, System::nanoTime);
  }

  TraceCoverageProcessor(ComponentContext context, CoverageConfig config, Consumer<ExportTraceServiceRequest> next,
                         LongSupplier clock) {
    this(context, config, next, clock, ThreadLocalRandom.current().nextLong());
  }

  /** @param seed of the trace-id hash (tests fix it) */
  TraceCoverageProcessor(ComponentContext context, CoverageConfig config, Consumer<ExportTraceServiceRequest> next,
                         LongSupplier clock, long seed) {
    this.context = context;
    this.config = config;
    this.next = next;
    this.clock = clock;
    this.registry = context.meters();
    List<CoverageConfig.Hop> chain = config.chain();
    this.hopCount = chain.size();
    this.allHops = (1 << hopCount) - 1;
    this.hopAttributes = new String[hopCount][];
    this.hopServices = new String[hopCount];
    int plain = 0;
    for (int h = 0; h < hopCount; h++) {
      hopServices[h] = chain.get(h).service();
      hopAttributes[h] = chain.get(h).attributes().toArray(String[]::new);
      if (hopAttributes[h].length == 0) {
        plain |= 1 << h;
      }
    }
    this.plainHops = plain;
    this.chainNames = chain.stream().map(CoverageConfig.Hop::name).toList();
    this.maxTraces = config.maxTraces();
    this.maxSpans = config.maxSpansPerTrace();
    this.afterNanos = config.incompleteAfter().toNanos();
    this.bucketNanos = Math.max(1, config.window().toNanos() / BUCKETS);
    this.keepServices = config.webhook() != null;
    this.tracked = new TraceTable(maxTraces, seed);
    this.judged = new RecentTraceIds(maxTraces, ~seed);
    Arrays.fill(bucketStart, Long.MIN_VALUE);
    String id = context.id().toString();
    Gauge.builder("gateway.trace.coverage.ratio", this, TraceCoverageProcessor::ratio)
        .description("Share of judged traces whose expected chain was complete, over the sliding window")
        .tag("processor", id).register(registry);
    Gauge.builder("gateway.processor.trace_coverage.traces.pending", this, p -> p.pending())
        .description("Traces being tracked for coverage").tag("processor", id).register(registry);
    complete = Counter.builder("gateway.processor.trace_coverage.traces.complete").tag("processor", id)
        .description("Traces whose expected chain was complete").register(registry);
    evicted = Counter.builder("gateway.processor.trace_coverage.traces.evicted").tag("processor", id)
        .description("Traces judged before incomplete_after because max_traces was reached").register(registry);
    webhookSent = webhookCounter(id, "sent");
    webhookFailed = webhookCounter(id, "failed");
    webhookDropped = webhookCounter(id, "dropped");
    for (CoverageConfig.Hop h : chain) {
      incompleteCounter(h.name());
    }
  }

  private Counter webhookCounter(String id, String outcome) {
    return Counter.builder("gateway.processor.trace_coverage.webhook").tag("processor", id).tag("outcome", outcome)
        .description("Incomplete-trace webhook POSTs by outcome").register(registry);
  }

  private Counter incompleteCounter(String hop) {
    return incomplete.computeIfAbsent(hop, h -> Counter.builder("gateway.incomplete.traces")
        .description("Traces still missing a hop of the expected chain after incomplete_after")
        .tag("missing_service", h).tag("processor", context.id().toString()).register(registry));
  }

  @Override
  public Future<Void> start(Host host) {
    if (config.webhook() != null) {
      client = context.vertx().createHttpClient(new HttpClientOptions()
          .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.webhook().timeout().toMillis())));
    }
    timer = context.vertx().setPeriodic(Math.max(1, config.checkInterval().toMillis()), id -> check());
    LOG.info(() -> "trace_coverage " + context.id() + " started: chain=" + chainNames + " incomplete_after="
        + Durations.format(config.incompleteAfter()) + (config.webhook() == null ? "" : " webhook=" + config.webhook().endpoint()));
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> shutdown() {
    if (shutdownFuture != null) {
      return shutdownFuture;
    }
    if (timer >= 0) {
      context.vertx().cancelTimer(timer);
    }
    HttpClient c = client;
    shutdownFuture = c == null ? Future.succeededFuture() : c.close();
    return shutdownFuture;
  }

  /**
   * One thread's reading of (part of) a request: per span its trace id, span and parent ids, hop and resource; the
   * resources' services; the traces the request evicted, to judge at its end; the reports to POST. Reused by every
   * request on the thread, so reading a span allocates nothing.
   */
  private static final class Batch {
    final long[] his = new long[CHUNK];
    final long[] los = new long[CHUNK];
    final long[] spanIds = new long[CHUNK];
    final long[] parentIds = new long[CHUNK];
    final byte[] hops = new byte[CHUNK];
    final int[] resources = new int[CHUNK];
    int n;
    String[] services = new String[16];
    int[] serviceIds = new int[16];
    int resourceCount;
    // traces evicted by this request: id and verdict, judged at the end of the request
    long[] evictedHis = new long[16];
    long[] evictedLos = new long[16];
    int[] evictedVerdicts = new int[16];
    int evicted;
    /** Traces this request completed (or evicted complete), and evicted incomplete per missing hop: counted at the end. */
    int completed;
    private int[] missing = new int[0];
    final List<Report> reports = new ArrayList<>();

    /** The per-hop counts of incomplete evicted traces, zeroed, for {@code hops} hops. */
    int[] missingCounts(int hops) {
      if (missing.length < hops) {
        missing = new int[hops];
      }
      Arrays.fill(missing, 0);
      return missing;
    }

    int addResource(String service) {
      if (resourceCount == services.length) {
        services = Arrays.copyOf(services, resourceCount * 2);
        serviceIds = Arrays.copyOf(serviceIds, resourceCount * 2);
      }
      services[resourceCount] = service;
      serviceIds[resourceCount] = UNRESOLVED;
      return resourceCount++;
    }

    void addEvicted(long hi, long lo, int verdict) {
      if (evicted == evictedHis.length) {
        evictedHis = Arrays.copyOf(evictedHis, evicted * 2);
        evictedLos = Arrays.copyOf(evictedLos, evicted * 2);
        evictedVerdicts = Arrays.copyOf(evictedVerdicts, evicted * 2);
      }
      evictedHis[evicted] = hi;
      evictedLos[evicted] = lo;
      evictedVerdicts[evicted] = verdict;
      evicted++;
    }

    /** Empties the span part, keeping evicted traces and reports. */
    void nextChunk() {
      n = 0;
      Arrays.fill(services, 0, resourceCount, null);
      resourceCount = 0;
    }

    void clear() {
      nextChunk();
      evicted = 0;
      completed = 0;
      reports.clear();
    }
  }

  @Override
  public Future<Void> consume(ExportTraceServiceRequest request) {
    long now = clock.getAsLong();
    Batch b = BATCHES.get();
    b.clear();
    try {
      List<ResourceSpans> rsList = request.getResourceSpansList();
      for (int r = 0, rn = rsList.size(); r < rn; r++) {
        ResourceSpans rs = rsList.get(r);
        String service = Otlp.asString(Otlp.find(rs.getResource().getAttributesList(), "service.name"));
        int candidates = candidateHops(service);
        int resource = -1;
        List<ScopeSpans> ssList = rs.getScopeSpansList();
        for (int s = 0, sn = ssList.size(); s < sn; s++) {
          List<Span> spans = ssList.get(s).getSpansList();
          for (int i = 0, n = spans.size(); i < n; i++) {
            if (b.n == CHUNK) {
              synchronized (lock) {
                apply(b, now);
              }
              b.nextChunk();
              resource = -1;
            }
            if (resource < 0) {
              resource = b.addResource(service);
            }
            Span span = spans.get(i);
            int k = b.n++;
            b.his[k] = Otlp.high(span.getTraceId());
            b.los[k] = Otlp.low(span.getTraceId());
            b.spanIds[k] = Otlp.spanId(span.getSpanId());
            b.parentIds[k] = Otlp.spanId(span.getParentSpanId());
            b.hops[k] = (byte) hop(span, candidates);
            b.resources[k] = resource;
          }
        }
      }
      synchronized (lock) {
        apply(b, now);
        judgeEvicted(b, now);
      }
      for (int i = 0; i < b.reports.size(); i++) {
        post(b.reports.get(i));
      }
    } finally {
      b.clear();
    }
    return next.consume(request);
  }

  /** The hops a span of {@code service} may stand for: those without a service or with this one. */
  private int candidateHops(String service) {
    int m = 0;
    for (int h = 0; h < hopCount; h++) {
      if (hopServices[h] == null || hopServices[h].equals(service)) {
        m |= 1 << h;
      }
    }
    return m;
  }

  /**
   * The hop a span stands for, or -1: the last hop it matches (its service, if the hop names one, and one of the
   * hop's attributes, if it lists any). The provider CLIENT span emitted by litebrain is the provider hop, so a
   * missing litebrain server span is reported as "litebrain", not hidden by the client span.
   */
  private int hop(Span span, int candidates) {
    int plain = candidates & plainHops;
    int best = plain == 0 ? -1 : 31 - Integer.numberOfLeadingZeros(plain);
    int withAttributes = candidates & ~plainHops;
    if (withAttributes == 0) {
      return best;
    }
    List<KeyValue> attrs = span.getAttributesList();
    for (int h = hopCount - 1; h > best; h--) {
      if ((withAttributes & (1 << h)) == 0) {
        continue;
      }
      for (String a : hopAttributes[h]) {
        if (Otlp.find(attrs, a) != null) {
          return h;
        }
      }
    }
    return best;
  }

  /** Applies the batch's spans to the table. Requires lock. */
  private void apply(Batch b, long now) {
    // a request's spans of one trace usually come one after another: the previous span's slot, while it is tracked
    int memoSlot = TraceTable.NONE;
    long memoHi = 0;
    long memoLo = 0;
    for (int k = 0; k < b.n; k++) {
      long hi = b.his[k];
      long lo = b.los[k];
      int slot;
      if (memoSlot != TraceTable.NONE && hi == memoHi && lo == memoLo) {
        slot = memoSlot; // tracked, so not judged: a trace is judged only when it leaves the table
      } else {
        if (judged.contains(hi, lo)) {
          continue;
        }
        slot = tracked.find(hi, lo);
      }
      if (slot == TraceTable.NONE) {
        if (tracked.size() >= maxTraces) {
          int oldest = tracked.oldest();
          int v = verdict(oldest);
          b.addEvicted(tracked.hi(oldest), tracked.lo(oldest), v);
          if (v != COMPLETE && keepServices) {
            b.reports.add(report(oldest, v, now));
          }
          tracked.remove(oldest); // counted in evicted with the request's others (judgeEvicted)
          if (oldest == memoSlot) {
            memoSlot = TraceTable.NONE;
          }
        }
        slot = tracked.add(hi, lo, now);
      }
      memoSlot = slot;
      memoHi = hi;
      memoLo = lo;
      // a span that is not kept leaves the trace as it was, and so its verdict: not complete, or it would be gone
      if (tracked.spanCount(slot) < maxSpans) {
        tracked.addSpan(slot, b.spanIds[k], b.parentIds[k], b.hops[k], keepServices ? service(b, k, slot) : NO_SERVICE);
        if (tracked.seenHops(slot) == allHops && verdict(slot) == COMPLETE) {
          tracked.remove(slot);
          memoSlot = TraceTable.NONE;
          judged.add(hi, lo);
          record(now, true);
          b.completed++;
        }
      }
    }
  }

  /**
   * The service of span {@code k} as kept in the table: an interned id, {@link #NO_SERVICE}, or for names that could
   * not be interned {@code -2 - i} with i the name's index in the trace's overflow names. Requires lock.
   */
  private int service(Batch b, int k, int slot) {
    int r = b.resources[k];
    int id = b.serviceIds[r];
    if (id == UNRESOLVED) {
      String name = b.services[r];
      if (name == null) {
        id = NO_SERVICE;
      } else {
        Integer known = serviceIds.get(name);
        if (known != null) {
          id = known;
        } else if (serviceNames.size() < MAX_SERVICE_NAMES) {
          id = serviceNames.size();
          serviceNames.add(name);
          serviceIds.put(name, id);
        } else {
          id = OVERFLOW;
        }
      }
      b.serviceIds[r] = id;
    }
    if (id != OVERFLOW) {
      return id;
    }
    String name = b.services[r];
    List<String> names = tracked.overflowNames(slot, true);
    int i = names.indexOf(name);
    if (i < 0) {
      if (names.size() >= MAX_SERVICES_PER_TRACE) {
        return NO_SERVICE; // the trace already has that many distinct services: this one is not reported
      }
      i = names.size();
      names.add(name);
    }
    return -2 - i;
  }

  /** Judges the traces this request evicted, as the last step of the request. Requires lock. */
  private void judgeEvicted(Batch b, long now) {
    // meters once per request: the shared adders cost more than the table work when every new trace evicts one
    int[] missing = b.missingCounts(hopCount);
    for (int i = 0; i < b.evicted; i++) {
      judged.add(b.evictedHis[i], b.evictedLos[i]);
      int v = b.evictedVerdicts[i];
      if (v == COMPLETE) {
        record(now, true);
        b.completed++;
      } else {
        record(now, false);
        missing[v >> 1]++;
      }
    }
    if (b.evicted > 0) {
      evicted.increment(b.evicted);
    }
    if (b.completed > 0) {
      complete.increment(b.completed);
    }
    for (int h = 0; h < hopCount; h++) {
      if (missing[h] > 0) {
        incompleteCounter(chainNames.get(h)).increment(missing[h]);
      }
    }
    if (client == null) {
      b.reports.clear();
    }
  }

  /** Scratch space of {@link #verdict}, reused; guarded by lock. */
  private static final class Verdicts {
    private static final int KEEP = 8192;
    long[] spanIds = new long[16];
    long[] parentIds = new long[16];
    int[] hops = new int[16];
    boolean[] prev = new boolean[16];
    boolean[] cur = new boolean[16];
    long[] keys = new long[32];
    int[] values = new int[32];
    int mask;

    void ensure(int n) {
      if (spanIds.length < n) {
        int len = Math.max(n, 2 * spanIds.length);
        spanIds = new long[len];
        parentIds = new long[len];
        hops = new int[len];
        prev = new boolean[len];
        cur = new boolean[len];
      }
      int table = Integer.highestOneBit(Math.max(8, 2 * n) - 1) << 1;
      if (keys.length < table) {
        keys = new long[table];
        values = new int[table];
      }
      mask = table - 1;
      Arrays.fill(values, 0, table, 0);
    }

    /** Maps a span id to its index; a later span with the same id wins. */
    void put(long id, int index) {
      int i = (int) Otlp.mix64(id) & mask;
      while (values[i] != 0 && keys[i] != id) {
        i = (i + 1) & mask;
      }
      keys[i] = id;
      values[i] = index + 1;
    }

    /** The index of the span with this id, or -1. */
    int get(long id) {
      int i = (int) Otlp.mix64(id) & mask;
      while (values[i] != 0) {
        if (keys[i] == id) {
          return values[i] - 1;
        }
        i = (i + 1) & mask;
      }
      return -1;
    }

    /** Drops arrays grown for a very large trace. */
    void release() {
      if (spanIds.length > KEEP) {
        spanIds = new long[16];
        parentIds = new long[16];
        hops = new int[16];
        prev = new boolean[16];
        cur = new boolean[16];
        keys = new long[32];
        values = new int[32];
      }
    }
  }

  /**
   * Walks parent links: each hop needs a span that descends from a span of the previous hop. Returns
   * {@link #COMPLETE}, or {@code hop << 1 | disconnected} for the first hop missing (0) or present but not
   * connected (1). Requires lock.
   */
  int verdict(int slot) {
    // without a span of the first hop, or of the second, the answer needs no walk (the common incomplete trace)
    int seen = tracked.seenHops(slot);
    if ((seen & 1) == 0) {
      return 0;
    }
    if (hopCount > 1 && (seen & 2) == 0) {
      return 1 << 1;
    }
    int n = tracked.spanCount(slot);
    Verdicts v = verdicts;
    v.ensure(n);
    int i = 0;
    for (int node = tracked.firstNode(slot); node != TraceTable.NONE; node = tracked.nextNode(node), i++) {
      v.spanIds[i] = tracked.spanId(node);
      v.parentIds[i] = tracked.parentId(node);
      v.hops[i] = tracked.hop(node);
      v.put(v.spanIds[i], i);
    }
    boolean[] prev = v.prev;
    boolean[] cur = v.cur;
    boolean any = false;
    for (i = 0; i < n; i++) {
      prev[i] = v.hops[i] == 0;
      any |= prev[i];
    }
    if (!any) {
      return 0;
    }
    for (int h = 1; h < hopCount; h++) {
      boolean present = false;
      any = false;
      Arrays.fill(cur, 0, n, false);
      for (i = 0; i < n; i++) {
        if (v.hops[i] != h) {
          continue;
        }
        present = true;
        int p = v.get(v.parentIds[i]);
        int guard = 0;
        while (p >= 0 && guard++ < n) {
          if (prev[p]) {
            cur[i] = true;
            any = true;
            break;
          }
          p = v.parentIds[p] == 0 ? -1 : v.get(v.parentIds[p]);
        }
      }
      if (!any) {
        return h << 1 | (present ? 1 : 0);
      }
      boolean[] t = prev;
      prev = cur;
      cur = t;
    }
    return COMPLETE;
  }

  /** Judges traces tracked for incomplete_after or longer. Called by the timer; visible for tests. */
  void check() {
    List<Report> reports = null;
    synchronized (lock) {
      long now = clock.getAsLong();
      for (int s = tracked.oldest(); s != TraceTable.NONE; s = tracked.oldest()) {
        if (now - tracked.firstSeen(s) < afterNanos) {
          break; // first-seen order
        }
        judged.add(tracked.hi(s), tracked.lo(s));
        int v = verdict(s);
        if (v == COMPLETE) {
          record(now, true);
          complete.increment();
        } else {
          record(now, false);
          incompleteCounter(chainNames.get(v >> 1)).increment();
          if (client != null) {
            if (reports == null) {
              reports = new ArrayList<>();
            }
            reports.add(report(s, v, now));
          }
        }
        tracked.remove(s);
      }
      tracked.shrinkIfSparse();
      verdicts.release();
    }
    if (reports != null) {
      reports.forEach(this::post);
    }
  }

  /** What the webhook will say about the trace in {@code slot}. Requires lock. */
  private Report report(int slot, int verdict, long now) {
    List<String> services = new ArrayList<>();
    List<String> overflow = tracked.overflowNames(slot, false);
    for (int node = tracked.firstNode(slot); node != TraceTable.NONE && services.size() < MAX_SERVICES_PER_TRACE;
         node = tracked.nextNode(node)) {
      int id = tracked.service(node);
      if (id == NO_SERVICE) {
        continue;
      }
      String name = id >= 0 ? serviceNames.get(id) : overflow.get(-2 - id);
      if (!services.contains(name)) {
        services.add(name);
      }
    }
    return new Report(tracked.hi(slot), tracked.lo(slot), verdict, tracked.seenHops(slot), List.copyOf(services),
        tracked.spanCount(slot), (now - tracked.firstSeen(slot)) / 1_000_000L);
  }

  private void post(Report r) {
    if (client == null) {
      return;
    }
    if (inFlight.incrementAndGet() > config.webhook().maxInFlight()) {
      inFlight.decrementAndGet();
      webhookDropped.increment();
      return;
    }
    List<String> present = new ArrayList<>();
    for (int h = 0; h < hopCount; h++) {
      if ((r.seenHops() & (1 << h)) != 0) {
        present.add(chainNames.get(h));
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("trace_id", Otlp.hex(Otlp.traceId(r.hi(), r.lo())));
    body.put("missing_service", chainNames.get(r.verdict() >> 1));
    body.put("reason", (r.verdict() & 1) != 0 ? "not_connected" : "missing");
    body.put("expected_chain", chainNames);
    body.put("present", present);
    body.put("services", r.services());
    body.put("span_count", r.spanCount());
    body.put("first_seen", Instant.now().minusMillis(r.ageMillis()).toString());
    body.put("incomplete_after_seconds", config.incompleteAfter().toMillis() / 1000.0);
    body.put("gateway_processor", context.id().toString());
    Buffer payload;
    try {
      payload = Buffer.buffer(JSON.writeValueAsBytes(body));
    } catch (Exception e) {
      inFlight.decrementAndGet();
      webhookFailed.increment();
      return;
    }
    CoverageConfig.Webhook wh = config.webhook();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(wh.endpoint().toString())
        .setTimeout(wh.timeout().toMillis()).putHeader("content-type", "application/json");
    wh.headers().forEach(options::putHeader);
    client.request(options)
        .compose(req -> req.send(payload))
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(ar -> {
          inFlight.decrementAndGet();
          if (ar.succeeded() && ar.result() / 100 == 2) {
            webhookSent.increment();
          } else {
            webhookFailed.increment();
          }
        });
  }

  /** Requires lock. */
  private void record(long now, boolean ok) {
    long slot = Math.floorDiv(now, bucketNanos);
    int i = (int) Math.floorMod(slot, (long) BUCKETS);
    if (bucketStart[i] != slot) {
      bucketStart[i] = slot;
      bucketComplete[i] = 0;
      bucketTotal[i] = 0;
    }
    bucketTotal[i]++;
    if (ok) {
      bucketComplete[i]++;
    }
  }

  /** complete / judged over the window; NaN when nothing was judged. */
  double ratio() {
    synchronized (lock) {
      long slot = Math.floorDiv(clock.getAsLong(), bucketNanos);
      long c = 0;
      long t = 0;
      for (int i = 0; i < BUCKETS; i++) {
        if (bucketStart[i] > slot - BUCKETS) {
          c += bucketComplete[i];
          t += bucketTotal[i];
        }
      }
      return t == 0 ? Double.NaN : c / (double) t;
    }
  }

  int pending() {
    synchronized (lock) {
      return tracked.size();
    }
  }
}
