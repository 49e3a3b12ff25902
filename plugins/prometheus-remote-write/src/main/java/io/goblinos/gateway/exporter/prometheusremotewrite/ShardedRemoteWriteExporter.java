package io.goblinos.gateway.exporter.prometheusremotewrite;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.component.Exporter;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.exporter.sending.ExportQueue;
import io.goblinos.gateway.exporter.sending.ExporterHelperConfig;
import io.goblinos.gateway.exporter.sending.QueueSettings;
import io.goblinos.gateway.exporter.sending.QueuedRetryExporter;
import io.goblinos.gateway.exporter.sending.RateLimitedLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.ToDoubleFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code prometheusremotewrite} exporter: translates each request once to find the series of every data point,
 * and routes each point to one of {@code sending_queue.num_consumers} shards by the hash of its series. Each shard
 * is a {@link QueuedRetryExporter} with its own queue and one sender, so it sends one request at a time and retries
 * it until it succeeds or is dropped before taking the next: the samples of one series reach Prometheus in the
 * order they were consumed (Prometheus refuses a whole request with 400 when one sample is out of order).
 *
 * <p>Each shard holds up to {@code queue_size} requests and {@code queue_size_bytes / num_consumers} bytes. A request
 * is refused (429 to the sender) when a shard it needs is full; the shards check room before any of them is offered
 * the request, so a refusal normally leaves nothing half-queued.
 *
 * <p>Meters: the shards count in private registries; this exporter publishes their sums under the standard exporter
 * names ({@code gateway.exporter.sent.metric_points}, ..., {@code gateway.exporter.queue.size}, tag {@code exporter})
 * plus {@code gateway.exporter.dropped.metric_points} (tag {@code reason}) for points that cannot be translated.
 *
 * <p>Threading: {@code consume} is thread-safe, never blocks, and does the translation (CPU only) on the caller's
 * event loop; sends run on each shard's own event-loop context.
 */
final class ShardedRemoteWriteExporter implements Exporter<ExportMetricsServiceRequest> {
  private static final Logger LOG = Logger.getLogger(ShardedRemoteWriteExporter.class.getName());

  private final ComponentContext context;
  private final MetricTranslator translator;
  private final List<QueuedRetryExporter<ExportMetricsServiceRequest>> shards = new ArrayList<>();
  private final List<MeterRegistry> shardMeters = new ArrayList<>();
  private final List<Meter> meters = new ArrayList<>();
  private final ConcurrentHashMap<String, Counter> dropped = new ConcurrentHashMap<>();
  /** Points refused because a shard they were routed to was full (part of enqueue_failed). */
  private final DoubleAdder refused = new DoubleAdder();
  private final RateLimitedLog droppedLog = new RateLimitedLog(LOG, 60, TimeUnit.SECONDS);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final PrometheusRemoteWriteConfig config;
  private volatile HttpClient client;

  ShardedRemoteWriteExporter(ComponentContext context, PrometheusRemoteWriteConfig config) {
    this.context = context;
    this.config = config;
    this.translator = new MetricTranslator(config.translation());
    ExporterHelperConfig helper = config.helper();
    QueueSettings q = helper.queue();
    int n = q.numConsumers();
    QueueSettings perShard = new QueueSettings(q.enabled(), 1, q.queueSize(), Math.max(1024, q.queueSizeBytes() / n),
        q.storage(), q.drainTimeout());
    RateLimitedLog deadLetters = RemoteWriteSender.deadLetterLog();
    for (int i = 0; i < n; i++) {
      ComponentId id = context.id();
      ComponentId shardId = n == 1 ? id
          : new ComponentId(id.type(), (id.name().isEmpty() ? "" : id.name() + "-") + "shard" + i);
      MeterRegistry registry = new SimpleMeterRegistry();
      shardMeters.add(registry);
      ComponentContext shardContext =
          new ComponentContext(shardId, context.pipeline(), context.vertx(), registry, context.workDir());
      shards.add(new QueuedRetryExporter<>(shardContext, Signal.METRICS, helper.withQueue(perShard),
          new RemoteWriteSender(shardContext, config, deadLetters, () -> client)));
    }
    MeterRegistry registry = context.meters();
    String exporter = context.id().toString();
    for (String counter : List.of("gateway.exporter.sent.metric_points", "gateway.exporter.send_failed.metric_points")) {
      meters.add(FunctionCounter.builder(counter, this, e -> e.shardCount(counter))
          .tag("exporter", exporter).register(registry));
    }
    meters.add(FunctionCounter.builder("gateway.exporter.enqueue_failed.metric_points", this,
            e -> e.shardCount("gateway.exporter.enqueue_failed.metric_points") + e.refused.sum())
        .description("Items refused because the sending queue was full or shut down")
        .tag("exporter", exporter).register(registry));
    meters.add(FunctionCounter.builder("gateway.exporter.retries", this, e -> e.shardCount("gateway.exporter.retries"))
        .description("Send attempts that were retried")
        .tag("exporter", exporter).tag("signal", "metrics").register(registry));
    queueGauge(registry, exporter, "gateway.exporter.queue.size", "Requests in the shards' queues", ExportQueue::size);
    queueGauge(registry, exporter, "gateway.exporter.queue.capacity", "Most requests the shards' queues hold",
        ExportQueue::capacity);
    queueGauge(registry, exporter, "gateway.exporter.queue.bytes", "Bytes in the shards' queues", ExportQueue::bytes);
  }

  private void queueGauge(MeterRegistry registry, String exporter, String name, String description,
      ToDoubleFunction<ExportQueue<?>> f) {
    meters.add(Gauge.builder(name, this, e -> e.queueSum(f))
        .description(description)
        .tag("exporter", exporter).tag("signal", "metrics").register(registry));
  }

  private double shardCount(String name) {
    double sum = 0;
    for (MeterRegistry r : shardMeters) {
      for (Counter c : r.find(name).counters()) {
        sum += c.count();
      }
    }
    return sum;
  }

  private double queueSum(ToDoubleFunction<ExportQueue<?>> f) {
    double sum = 0;
    for (QueuedRetryExporter<ExportMetricsServiceRequest> s : shards) {
      ExportQueue<ExportMetricsServiceRequest> q = s.queue();
      if (q != null) {
        sum += f.applyAsDouble(q);
      }
    }
    return sum;
  }

  int shardCount() {
    return shards.size();
  }

  @Override
  public Future<Void> start(Host host) {
    try {
      client = RemoteWriteSender.createClient(context, config, shards.size());
    } catch (RuntimeException e) {
      return Future.failedFuture(e instanceof IllegalArgumentException ? e
          : new IllegalArgumentException("exporters::" + context.id() + ": " + e.getMessage(), e));
    }
    List<Future<Void>> all = new ArrayList<>();
    for (QueuedRetryExporter<ExportMetricsServiceRequest> s : shards) {
      all.add(s.start(host));
    }
    return Future.all(all).<Void>mapEmpty().onSuccess(v -> LOG.info(() -> "exporter " + context.id() + " (metrics): "
        + shards.size() + " shards, series routed by label hash"));
  }

  @Override
  public Future<Void> consume(ExportMetricsServiceRequest request) {
    int n = shards.size();
    ShardRequestBuilder[] parts = new ShardRequestBuilder[n];
    translator.translate(request, MetricTranslator.Mode.SPLIT, new MetricTranslator.Output() {
      @Override
      public void point(int r, int s, int m, int p, long seriesHash) {
        part(Math.floorMod(seriesHash, n)).point(r, s, m, p);
      }

      @Override
      public void targetInfo(int r, long timeUnixNano, long seriesHash) {
        part(Math.floorMod(seriesHash, n)).targetInfo(r, timeUnixNano);
      }

      @Override
      public void dropped(String reason, int points) {
        if (points > 0) {
          countDropped(reason, points);
        }
      }

      private ShardRequestBuilder part(int i) {
        ShardRequestBuilder b = parts[i];
        if (b == null) {
          b = parts[i] = new ShardRequestBuilder(request);
        }
        return b;
      }
    });
    // check every shard has room before offering to any of them
    int points = 0;
    for (int i = 0; i < n; i++) {
      if (parts[i] == null) {
        continue;
      }
      points += parts[i].points();
      ExportQueue<ExportMetricsServiceRequest> q = shards.get(i).queue();
      if (q != null && q.size() >= q.capacity()) {
        int total = 0;
        for (ShardRequestBuilder b : parts) {
          total += b == null ? 0 : b.points();
        }
        refused.add(total);
        return Future.failedFuture(ConsumeException.throttled("exporter " + context.id() + ": shard " + i
            + " of " + n + " is full (" + q.capacity() + " requests)", Duration.ofSeconds(1)));
      }
    }
    List<Future<Void>> offered = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (parts[i] != null) {
        offered.add(shards.get(i).consume(parts[i].build()));
      }
    }
    if (offered.isEmpty()) {
      return Future.succeededFuture();
    }
    return Future.join(offered).transform(ar -> {
      for (Future<Void> f : offered) {
        if (f.failed()) {
          return Future.failedFuture(f.cause());
        }
      }
      return Future.succeededFuture();
    });
  }

  private void countDropped(String reason, int points) {
    dropped.computeIfAbsent(reason, r -> {
      Counter c = Counter.builder("gateway.exporter.dropped.metric_points")
          .description("Data points the exporter cannot translate (exponential histograms, delta temporality, ...)")
          .tag("exporter", context.id().toString())
          .tag("reason", r)
          .register(context.meters());
      synchronized (meters) {
        meters.add(c);
      }
      return c;
    }).increment(points);
    droppedLog.log(Level.INFO, "exporter " + context.id() + " drops data points it cannot translate to Prometheus: "
        + points + " (" + reason + "); counted in gateway.exporter.dropped.metric_points");
  }

  @Override
  public Future<Void> shutdown() {
    List<Future<Void>> all = new ArrayList<>();
    for (QueuedRetryExporter<ExportMetricsServiceRequest> s : shards) {
      all.add(s.shutdown());
    }
    return Future.join(all).transform(ar -> {
      HttpClient c = client;
      Future<Void> closing = c == null ? Future.succeededFuture() : c.close().otherwiseEmpty();
      client = null;
      return closing.transform(x -> ar.succeeded() ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(ar.cause()));
    }).transform(ar -> {
      if (closed.compareAndSet(false, true)) {
        synchronized (meters) {
          meters.forEach(context.meters()::remove);
          meters.clear();
        }
      }
      return ar.succeeded() ? Future.<Void>succeededFuture() : Future.failedFuture(ar.cause());
    });
  }
}
