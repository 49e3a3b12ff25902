package io.goblinos.gateway.service;

import io.goblinos.gateway.auditservice.AuditService;
import io.goblinos.gateway.config.GatewayConfig;
import io.goblinos.gateway.telemetry.HealthChecks;
import io.goblinos.gateway.telemetry.TelemetryServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One gateway process: the Vert.x instance (with Micrometer metrics), the Prometheus registry, the telemetry server
 * and the pipelines. Used by {@code goblin-gateway run} and by in-process tests.
 */
public final class GatewayRuntime {
  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final TelemetryServer telemetry;
  private final Gateway gateway;
  private final HealthChecks health;
  private final List<Runnable> closeHooks = new ArrayList<>();
  private JvmGcMetrics gcMetrics;
  private Future<Void> stopping;
  private AuditService audit;

  /**
   * How to run.
   *
   * @param workDir relative paths in the config resolve against it
   * @param exportEnabled false when {@code TELEMETRY_ENABLED=false}: exporters are not created, pipelines discard
   * @param maxEventLoopExecuteTime Vert.x warns when an event-loop task runs longer (tests lower it)
   * @param beforeStart called with the runtime after pipelines are built and before any port opens (the audit
   *     subsystem registers its endpoints here)
   */
  public record Options(
      Path workDir, boolean exportEnabled, Duration maxEventLoopExecuteTime, Consumer<GatewayRuntime> beforeStart) {
    public static Options defaults() {
      return new Options(Path.of("").toAbsolutePath(), true, Duration.ofSeconds(2), rt -> {});
    }

    public Options withWorkDir(Path dir) {
      return new Options(dir, exportEnabled, maxEventLoopExecuteTime, beforeStart);
    }

    public Options withExportEnabled(boolean enabled) {
      return new Options(workDir, enabled, maxEventLoopExecuteTime, beforeStart);
    }

    public Options withMaxEventLoopExecuteTime(Duration d) {
      return new Options(workDir, exportEnabled, d, beforeStart);
    }

    public Options withBeforeStart(Consumer<GatewayRuntime> hook) {
      return new Options(workDir, exportEnabled, maxEventLoopExecuteTime, hook);
    }
  }

  private GatewayRuntime(GatewayConfig config, Options options) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    VertxOptions vertxOptions = new VertxOptions()
        .setMaxEventLoopExecuteTime(options.maxEventLoopExecuteTime().toNanos())
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.NANOSECONDS)
        // Check often enough that a task running just over the limit is seen.
        .setBlockedThreadCheckInterval(Math.max(10, options.maxEventLoopExecuteTime().toMillis() / 4))
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        // Print where the thread was blocked as soon as it is reported.
        .setWarningExceptionTime(options.maxEventLoopExecuteTime().toNanos())
        .setWarningExceptionTimeUnit(TimeUnit.NANOSECONDS)
        // Vert.x's own HTTP server meters are off: they would look up meters by tag on every request (about 1 % of
        // the gateway's CPU at saturation) to repeat what gateway_receiver_* already counts (requests by status,
        // duration, refusals); the HTTP client, pool and event-bus meters stay.
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .setDisabledMetricsCategories(Set.of(MetricsDomain.HTTP_SERVER.toCategory())))
        .setEventLoopPoolSize(config.eventLoops());
    vertx = Vertx.builder().with(vertxOptions).withMetrics(new MicrometerMetricsFactory(registry)).build();
    health = new HealthChecks();
    initializeCodecs();
    Gateway[] holder = new Gateway[1];
    telemetry = new TelemetryServer(
        vertx, registry, config.telemetry().metricsAddress(), () -> holder[0] != null && holder[0].ready(), health);
    gateway = new Gateway(config, vertx, registry, options.workDir(), options.exportEnabled(), telemetry::register);
    holder[0] = gateway;
  }

  /**
   * Loads and initializes the JSON and protobuf codecs on the starting thread, so that their one-time class
   * initialization (hundreds of milliseconds) never runs on an event loop during the first requests.
   */
  private static void initializeCodecs() {
    new io.vertx.core.json.JsonObject().put("warm", true).encode();
    for (io.goblinos.gateway.api.signal.Signal<?> s : io.goblinos.gateway.api.signal.Signal.all()) {
      io.goblinos.gateway.otlp.OtlpJson.encode(s.empty());
      io.goblinos.gateway.otlp.OtlpJson.encode(io.goblinos.gateway.otlp.OtlpResponses.success(s, 1, "warm"));
    }
  }

  /**
   * Opens the audit log when configured (before any port opens), starts the telemetry server (so /health/live
   * answers during start-up), then the pipelines.
   */
  public static Future<GatewayRuntime> start(GatewayConfig config, Options options) {
    GatewayRuntime rt;
    try {
      rt = new GatewayRuntime(config, options);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    try {
      if (config.audit() != null) {
        rt.audit = AuditService.install(config.audit(), rt, options.workDir(), Principals::of);
      }
      options.beforeStart().accept(rt);
    } catch (RuntimeException e) {
      return rt.stop(Duration.ofSeconds(5)).transform(x -> Future.failedFuture(e));
    }
    return rt.telemetry.start()
        .compose(port -> rt.gateway.start())
        .map(v -> rt)
        .recover(err -> rt.drain(Duration.ofSeconds(5)).transform(x -> Future.<GatewayRuntime>failedFuture(err)))
        // Vert.x closes after the failure has reached the caller's listeners.
        .onFailure(err -> rt.vertx.close());
  }

  public Vertx vertx() {
    return vertx;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public Gateway gateway() {
    return gateway;
  }

  public HealthChecks health() {
    return health;
  }

  /** The audit service when {@code audit} is configured. */
  public java.util.Optional<AuditService> audit() {
    return java.util.Optional.ofNullable(audit);
  }

  public int telemetryPort() {
    return telemetry.port();
  }

  /** Runs {@code hook} on a worker thread when the runtime stops, after the pipelines have drained. */
  public void onClose(Runnable hook) {
    closeHooks.add(hook);
  }

  /** Drains and stops the pipelines, runs the close hooks, stops the telemetry server and Vert.x. Idempotent. */
  public synchronized Future<Void> stop(Duration stageTimeout) {
    if (stopping == null) {
      stopping = drain(stageTimeout)
          .eventually(vertx::close)
          .eventually(() -> {
            gcMetrics.close();
            registry.close();
            return Future.succeededFuture();
          })
          .mapEmpty();
    }
    return stopping;
  }

  /** Everything {@link #stop} does except closing Vert.x. */
  private Future<Void> drain(Duration stageTimeout) {
    return gateway.shutdown(stageTimeout)
        // Close hooks may block (the audit log's final checkpoint and fsync): run them on a worker.
        .eventually(() -> vertx.executeBlocking(() -> {
          for (Runnable r : closeHooks) {
            try {
              r.run();
            } catch (RuntimeException e) {
              java.util.logging.Logger.getLogger(GatewayRuntime.class.getName()).warning("close hook failed: " + e);
            }
          }
          return null;
        }))
        .eventually(telemetry::stop)
        .mapEmpty();
  }
}
