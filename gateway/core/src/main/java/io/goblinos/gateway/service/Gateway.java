package io.goblinos.gateway.service;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.Component;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.component.Exporter;
import io.goblinos.gateway.api.component.ExporterFactory;
import io.goblinos.gateway.api.component.Extension;
import io.goblinos.gateway.api.component.ExtensionFactory;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.component.Kind;
import io.goblinos.gateway.api.component.NextConsumers;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.component.ProcessorFactory;
import io.goblinos.gateway.api.component.Receiver;
import io.goblinos.gateway.api.component.ReceiverFactory;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.config.GatewayConfig;
import io.goblinos.gateway.config.GatewayConfig.ComponentConfig;
import io.goblinos.gateway.config.GatewayConfig.PipelineConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * The running pipelines: builds every component from a validated {@link GatewayConfig}, starts them downstream-first
 * (extensions, exporters, processors from last to first, receivers) and stops them upstream-first so that each
 * stage drains into a stage that is still running.
 */
public final class Gateway implements Host {
  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

  /** How long shutdown waits for one stage (receivers, a processor, the exporters) before moving on. */
  public static final Duration DEFAULT_STAGE_TIMEOUT = Duration.ofSeconds(30);

  private final GatewayConfig config;
  private final Vertx vertx;
  private final MeterRegistry meters;
  private final Path workDir;
  private final boolean exportEnabled;
  private final AdminEndpoints adminEndpoints;
  private final Map<String, Handler<HttpServerRequest>> dataEndpoints = new ConcurrentHashMap<>();
  private final Map<Signal<?>, UnaryOperator<? extends Consumer<?>>> receiverWrappers = new ConcurrentHashMap<>();

  private final Map<ComponentId, Extension> extensions = new LinkedHashMap<>();
  private final Map<String, Exporter<?>> exporters = new LinkedHashMap<>();
  /** Per pipeline id, its processors in pipeline order. */
  private final Map<String, List<Processor<?>>> processors = new LinkedHashMap<>();
  private final Map<String, Consumer<?>> pipelineEntries = new LinkedHashMap<>();
  private final Map<ComponentId, Receiver> receivers = new LinkedHashMap<>();
  private volatile boolean ready;
  private Future<Void> stopping;

  /** Where admin handlers registered by components are mounted (the telemetry server). */
  public interface AdminEndpoints {
    void register(String pathPrefix, Handler<HttpServerRequest> handler);
  }

  public Gateway(
      GatewayConfig config, Vertx vertx, MeterRegistry meters, Path workDir, boolean exportEnabled, AdminEndpoints admin) {
    this.config = config;
    this.vertx = vertx;
    this.meters = meters;
    this.workDir = workDir;
    this.exportEnabled = exportEnabled;
    this.adminEndpoints = admin;
  }

  /**
   * Puts {@code wrapper} between every receiver and the pipelines it feeds for {@code signal} (call before
   * {@link #start()}); e.g. the audit tap on logs.
   */
  public <T extends Message> void wrapReceiverConsumers(Signal<T> signal, UnaryOperator<Consumer<T>> wrapper) {
    receiverWrappers.put(signal, wrapper);
  }

  /** Adds a data endpoint served by every OTLP/HTTP receiver (call before {@link #start()}). */
  public void addDataEndpoint(String path, Handler<HttpServerRequest> handler) {
    dataEndpoints.put(path, handler);
  }

  private ComponentContext context(ComponentId id, String pipeline) {
    return new ComponentContext(id, pipeline, vertx, meters, workDir);
  }

  /** Creates every component (no I/O yet); construction errors are thrown. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private void build() {
    for (ComponentId id : config.serviceExtensions()) {
      ComponentConfig c = config.of(Kind.EXTENSION).get(id);
      extensions.put(id, ((ExtensionFactory) c.factory()).create(context(id, ""), c.config()));
    }
    Map<ComponentId, Map<Signal<?>, List<Consumer<?>>>> receiverTargets = new LinkedHashMap<>();
    for (PipelineConfig p : config.pipelines()) {
      Signal signal = p.signal();
      Consumer next;
      if (exportEnabled) {
        List<Consumer> outs = new ArrayList<>();
        for (ComponentId id : p.exporters()) {
          String key = id + "|" + signal.name();
          Exporter<?> exporter = exporters.get(key);
          if (exporter == null) {
            ComponentConfig c = config.of(Kind.EXPORTER).get(id);
            exporter = ((ExporterFactory) c.factory()).create(context(id, ""), c.config(), signal);
            exporters.put(key, exporter);
          }
          outs.add(exporter);
        }
        next = FanOutConsumer.of((List) outs);
      } else {
        next = new DiscardingConsumer<>(signal, p.id(), meters);
      }
      List<Processor<?>> chain = new ArrayList<>();
      for (int i = p.processors().size() - 1; i >= 0; i--) {
        ComponentId id = p.processors().get(i);
        ComponentConfig c = config.of(Kind.PROCESSOR).get(id);
        Processor processor = ((ProcessorFactory) c.factory()).create(context(id, p.id()), c.config(), signal, next);
        chain.add(0, processor);
        next = processor;
      }
      processors.put(p.id(), chain);
      pipelineEntries.put(p.id(), next);
      for (ComponentId r : p.receivers()) {
        receiverTargets.computeIfAbsent(r, k -> new LinkedHashMap<>())
            .computeIfAbsent(signal, k -> new ArrayList<>())
            .add(next);
      }
    }
    receiverTargets.forEach((id, targets) -> {
      Map<Signal<?>, Consumer<?>> bySignal = new LinkedHashMap<>();
      targets.forEach((signal, list) -> {
        Consumer fanOut = FanOutConsumer.of((List) list);
        UnaryOperator wrapper = receiverWrappers.get(signal);
        bySignal.put(signal, wrapper == null ? fanOut : (Consumer) wrapper.apply(fanOut));
      });
      ComponentConfig c = config.of(Kind.RECEIVER).get(id);
      receivers.put(id, ((ReceiverFactory) c.factory()).create(context(id, ""), c.config(), new NextConsumers(bySignal)));
    });
  }

  /** Builds and starts everything; the future fails (after stopping what started) if any component fails. */
  public Future<Void> start() {
    try {
      build();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<ComponentId, Extension> e : extensions.entrySet()) {
      chain = chain.compose(v -> startOne("extension", e.getKey().toString(), e.getValue()));
    }
    for (Map.Entry<String, Exporter<?>> e : exporters.entrySet()) {
      chain = chain.compose(v -> startOne("exporter", e.getKey(), e.getValue()));
    }
    for (Map.Entry<String, List<Processor<?>>> p : processors.entrySet()) {
      List<Processor<?>> reversed = new ArrayList<>(p.getValue());
      Collections.reverse(reversed);
      for (Processor<?> proc : reversed) {
        chain = chain.compose(v -> startOne("processor", p.getKey(), proc));
      }
    }
    for (Map.Entry<ComponentId, Receiver> e : receivers.entrySet()) {
      chain = chain.compose(v -> startOne("receiver", e.getKey().toString(), e.getValue()));
    }
    return chain
        .onSuccess(v -> {
          ready = true;
          LOG.info(() -> "gateway started: pipelines=" + pipelineEntries.keySet() + " export_enabled=" + exportEnabled);
        })
        .recover(err -> {
          LOG.severe(() -> "gateway failed to start: " + err.getMessage());
          return shutdown(Duration.ofSeconds(10)).transform(x -> Future.failedFuture(err));
        });
  }

  private Future<Void> startOne(String kind, String name, Component c) {
    try {
      return c.start(this).recover(err -> Future.failedFuture(
          new IllegalStateException(kind + " " + name + " failed to start: " + err.getMessage(), err)));
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalStateException(kind + " " + name + " failed to start: " + e.getMessage(), e));
    }
  }

  /** True once every pipeline has started, until shutdown begins. */
  public boolean ready() {
    return ready;
  }

  /**
   * Stops receivers first, then each pipeline's processors in order (each flushes into the next), then exporters
   * (which drain their queues) and extensions. Each stage gets at most {@code stageTimeout}. Idempotent.
   */
  public synchronized Future<Void> shutdown(Duration stageTimeout) {
    if (stopping != null) {
      return stopping;
    }
    ready = false;
    Future<Void> chain = stage("receivers", receivers.values(), stageTimeout);
    for (List<Processor<?>> chainOfPipeline : processors.values()) {
      for (Processor<?> p : chainOfPipeline) {
        chain = chain.transform(v -> stage("processor", List.of(p), stageTimeout));
      }
    }
    chain = chain.transform(v -> stage("exporters", exporters.values(), stageTimeout));
    chain = chain.transform(v -> stage("extensions", extensions.values(), stageTimeout));
    stopping = chain.onComplete(v -> LOG.info("gateway stopped"));
    return stopping;
  }

  private Future<Void> stage(String what, java.util.Collection<? extends Component> components, Duration timeout) {
    List<Future<Void>> all = new ArrayList<>();
    for (Component c : components) {
      Future<Void> f;
      try {
        f = c.shutdown();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      all.add(f.onFailure(err -> LOG.warning(() -> what + " shutdown failed: " + err)));
    }
    return Future.join(all)
        .timeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .otherwiseEmpty()
        .mapEmpty();
  }

  public Optional<Receiver> receiver(ComponentId id) {
    return Optional.ofNullable(receivers.get(id));
  }

  @Override
  public <E> Optional<E> extension(ComponentId id, Class<E> type) {
    Extension e = extensions.get(id);
    return type.isInstance(e) ? Optional.of(type.cast(e)) : Optional.empty();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends Message> Optional<Consumer<T>> pipeline(Signal<T> signal, String pipelineId) {
    for (PipelineConfig p : config.pipelines()) {
      if (p.id().equals(pipelineId) && p.signal() == signal) {
        return Optional.ofNullable((Consumer<T>) pipelineEntries.get(pipelineId));
      }
    }
    return Optional.empty();
  }

  @Override
  public void registerAdminEndpoint(String pathPrefix, Handler<HttpServerRequest> handler) {
    adminEndpoints.register(pathPrefix, handler);
  }

  @Override
  public Map<String, Handler<HttpServerRequest>> dataEndpoints() {
    return Map.copyOf(dataEndpoints);
  }

}
