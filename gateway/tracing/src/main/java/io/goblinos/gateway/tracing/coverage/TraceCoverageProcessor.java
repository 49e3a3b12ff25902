package io.goblinos.gateway.tracing.coverage;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.config.Durations;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.tracing.internal.Otlp;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>Per tracked trace only span id, parent id and a hop bit mask are kept; tracked traces are bounded by
 * {@code max_traces} (oldest judged early, counted in {@code gateway.processor.trace_coverage.traces.evicted}).
 * Webhook POSTs are bounded by {@code max_in_flight} (more are dropped, counted).
 */
public final class TraceCoverageProcessor implements Processor<ExportTraceServiceRequest> {
  private static final Logger LOG = Logger.getLogger(TraceCoverageProcessor.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BUCKETS = 30;

  private final ComponentContext context;
  private final CoverageConfig config;
  private final Consumer<ExportTraceServiceRequest> next;
  private final LongSupplier clock;
  private final MeterRegistry registry;
  private final int allHops;
  private final long afterNanos;
  private final long bucketNanos;

  // guarded by this
  private final LinkedHashMap<TraceKey, TraceState> tracked = new LinkedHashMap<>();
  private final LinkedHashMap<TraceKey, Boolean> judged;
  private final long[] bucketStart = new long[BUCKETS];
  private final long[] bucketComplete = new long[BUCKETS];
  private final long[] bucketTotal = new long[BUCKETS];

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

  private record TraceKey(long high, long low) {}

  private static final class TraceState {
    final long firstSeen;
    long[] spanIds = new long[8];
    long[] parentIds = new long[8];
    int[] masks = new int[8];
    int n;
    int seenHops;
    final Set<String> services = new LinkedHashSet<>();

    TraceState(long firstSeen) {
      this.firstSeen = firstSeen;
    }

    void add(long id, long parent, int mask) {
      if (n == spanIds.length) {
        spanIds = Arrays.copyOf(spanIds, n * 2);
        parentIds = Arrays.copyOf(parentIds, n * 2);
        masks = Arrays.copyOf(masks, n * 2);
      }
      spanIds[n] = id;
      parentIds[n] = parent;
      masks[n] = mask;
      seenHops |= mask;
      n++;
    }
  }

  /** Why a trace is incomplete: the first hop that is missing, or present but not connected. */
  record Verdict(int hop, boolean disconnected) {
    static final Verdict COMPLETE = new Verdict(-1, false);

    boolean complete() {
      return hop < 0;
    }
  }

  public TraceCoverageProcessor(ComponentContext context, CoverageConfig config,
                                Consumer<ExportTraceServiceRequest> next) {
    this(context, config, next, System::nanoTime);
  }

  TraceCoverageProcessor(ComponentContext context, CoverageConfig config, Consumer<ExportTraceServiceRequest> next,
                         LongSupplier clock) {
    this.context = context;
    this.config = config;
    this.next = next;
    this.clock = clock;
    this.registry = context.meters();
    this.allHops = (1 << config.chain().size()) - 1;
    this.afterNanos = config.incompleteAfter().toNanos();
    this.bucketNanos = Math.max(1, config.window().toNanos() / BUCKETS);
    int judgedMax = config.maxTraces();
    this.judged = new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<TraceKey, Boolean> eldest) {
        return size() > judgedMax;
      }
    };
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
    for (CoverageConfig.Hop h : config.chain()) {
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
    LOG.info(() -> "trace_coverage " + context.id() + " started: chain="
        + config.chain().stream().map(CoverageConfig.Hop::name).toList() + " incomplete_after="
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

  @Override
  public Future<Void> consume(ExportTraceServiceRequest request) {
    long now = clock.getAsLong();
    List<Map.Entry<TraceKey, TraceState>> early = null;
    synchronized (this) {
      for (ResourceSpans rs : request.getResourceSpansList()) {
        List<KeyValue> resAttrs = rs.getResource().getAttributesList();
        String service = Otlp.asString(Otlp.find(resAttrs, "service.name"));
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (Span span : ss.getSpansList()) {
            TraceKey key = new TraceKey(Otlp.high(span.getTraceId()), Otlp.low(span.getTraceId()));
            if (judged.containsKey(key)) {
              continue;
            }
            TraceState st = tracked.get(key);
            if (st == null) {
              if (tracked.size() >= config.maxTraces()) {
                Iterator<Map.Entry<TraceKey, TraceState>> it = tracked.entrySet().iterator();
                Map.Entry<TraceKey, TraceState> oldest = it.next();
                it.remove();
                evicted.increment();
                if (early == null) {
                  early = new ArrayList<>();
                }
                early.add(oldest);
              }
              st = new TraceState(now);
              tracked.put(key, st);
            }
            if (st.n < config.maxSpansPerTrace()) {
              st.add(Otlp.spanId(span.getSpanId()), Otlp.spanId(span.getParentSpanId()), mask(span, service));
              if (service != null && st.services.size() < 32) {
                st.services.add(service);
              }
            }
            if (st.seenHops == allHops && verdict(st).complete()) {
              tracked.remove(key);
              judged.put(key, Boolean.TRUE);
              record(now, true);
              complete.increment();
            }
          }
        }
      }
      if (early != null) {
        for (Map.Entry<TraceKey, TraceState> e : early) {
          judge(e.getKey(), e.getValue(), now);
        }
      }
    }
    return next.consume(request);
  }

  private int mask(Span span, String service) {
    int m = 0;
    List<CoverageConfig.Hop> chain = config.chain();
    for (int h = 0; h < chain.size(); h++) {
      CoverageConfig.Hop hop = chain.get(h);
      if (hop.service() != null && !hop.service().equals(service)) {
        continue;
      }
      if (!hop.attributes().isEmpty()) {
        boolean any = false;
        for (String a : hop.attributes()) {
          if (Otlp.find(span.getAttributesList(), a) != null) {
            any = true;
            break;
          }
        }
        if (!any) {
          continue;
        }
      }
      m |= 1 << h;
    }
    // a span stands for the last hop it matches: the provider CLIENT span emitted by litebrain is the provider
    // hop, so a missing litebrain server span is reported as "litebrain", not hidden by the client span
    return Integer.highestOneBit(m);
  }

  /** Walks parent links: each hop needs a span that descends from a span of the previous hop. */
  Verdict verdict(TraceState st) {
    Map<Long, Integer> byId = new HashMap<>(st.n * 2);
    for (int i = 0; i < st.n; i++) {
      byId.put(st.spanIds[i], i);
    }
    boolean[] prev = new boolean[st.n];
    boolean any = false;
    for (int i = 0; i < st.n; i++) {
      if ((st.masks[i] & 1) != 0) {
        prev[i] = true;
        any = true;
      }
    }
    if (!any) {
      return new Verdict(0, false);
    }
    for (int h = 1; h < config.chain().size(); h++) {
      boolean[] cur = new boolean[st.n];
      boolean present = false;
      any = false;
      for (int i = 0; i < st.n; i++) {
        if ((st.masks[i] & (1 << h)) == 0) {
          continue;
        }
        present = true;
        Integer p = byId.get(st.parentIds[i]);
        int guard = 0;
        while (p != null && guard++ < st.n) {
          if (prev[p]) {
            cur[i] = true;
            any = true;
            break;
          }
          p = st.parentIds[p] == 0 ? null : byId.get(st.parentIds[p]);
        }
      }
      if (!any) {
        return new Verdict(h, present);
      }
      prev = cur;
    }
    return Verdict.COMPLETE;
  }

  /** Judges traces tracked for incomplete_after or longer. Called by the timer; visible for tests. */
  synchronized void check() {
    long now = clock.getAsLong();
    Iterator<Map.Entry<TraceKey, TraceState>> it = tracked.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<TraceKey, TraceState> e = it.next();
      if (now - e.getValue().firstSeen < afterNanos) {
        break; // insertion order = first-seen order
      }
      it.remove();
      judge(e.getKey(), e.getValue(), now);
    }
  }

  private void judge(TraceKey key, TraceState st, long now) {
    judged.put(key, Boolean.FALSE);
    Verdict v = verdict(st);
    if (v.complete()) {
      record(now, true);
      complete.increment();
      return;
    }
    record(now, false);
    String missing = config.chain().get(v.hop()).name();
    incompleteCounter(missing).increment();
    if (client != null) {
      post(key, st, v, now);
    }
  }

  private void post(TraceKey key, TraceState st, Verdict v, long now) {
    if (inFlight.incrementAndGet() > config.webhook().maxInFlight()) {
      inFlight.decrementAndGet();
      webhookDropped.increment();
      return;
    }
    List<String> present = new ArrayList<>();
    for (int h = 0; h < config.chain().size(); h++) {
      if ((st.seenHops & (1 << h)) != 0) {
        present.add(config.chain().get(h).name());
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("trace_id", Otlp.hex(Otlp.traceId(key.high(), key.low())));
    body.put("missing_service", config.chain().get(v.hop()).name());
    body.put("reason", v.disconnected() ? "not_connected" : "missing");
    body.put("expected_chain", config.chain().stream().map(CoverageConfig.Hop::name).toList());
    body.put("present", present);
    body.put("services", List.copyOf(st.services));
    body.put("span_count", st.n);
    long ageMillis = (now - st.firstSeen) / 1_000_000L;
    body.put("first_seen", Instant.now().minusMillis(ageMillis).toString());
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
  synchronized double ratio() {
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

  synchronized int pending() {
    return tracked.size();
  }
}
