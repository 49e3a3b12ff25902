package io.goblinos.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.Component;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.ComponentFactory;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.component.Exporter;
import io.goblinos.gateway.api.component.ExporterFactory;
import io.goblinos.gateway.api.component.ExtensionFactory;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.component.NextConsumers;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.component.ProcessorFactory;
import io.goblinos.gateway.api.component.ReceiverFactory;
import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The lifecycle contract every component passes (the Collector's component lifecycle test, in our terms):
 * its config parses without errors, shutdown without start succeeds, shutdown twice succeeds, and
 * start → consume → shutdown → shutdown works for every signal it supports. Plugin modules reuse this through the
 * core's test jar.
 */
public final class ComponentContract {
  private ComponentContract() {}

  /** Runs the contract for one factory with the given config (an empty map = the default config). */
  public static void check(ComponentFactory<?> factory, Map<String, Object> config, Path workDir) throws Exception {
    ConfigErrors errors = new ConfigErrors();
    ConfigNode node = new ConfigNode(factory.kind().section() + "::" + factory.type(), config, errors);
    Object parsed = factory.parseConfig(node);
    node.finish();
    assertThat(errors.messages()).as("config errors of " + factory.type()).isEmpty();
    Vertx vertx = Vertx.vertx();
    try {
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      ComponentContext ctx = new ComponentContext(ComponentId.parse(factory.type()), "traces", vertx, meters, workDir);
      for (Signal<?> signal : signals(factory)) {
        // shutdown without start, twice
        Component idle = create(factory, parsed, ctx, signal);
        await(idle.shutdown(), factory.type() + " shutdown without start");
        await(idle.shutdown(), factory.type() + " second shutdown without start");
        // start, consume, shutdown, shutdown
        Component live = create(factory, parsed, ctx, signal);
        await(live.start(new Host() {}), factory.type() + " start");
        if (live instanceof Consumer<?> consumer) {
          consumeOne(consumer, signal, factory.type());
        }
        await(live.shutdown(), factory.type() + " shutdown");
        await(live.shutdown(), factory.type() + " second shutdown");
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static Set<Signal<?>> signals(ComponentFactory<?> factory) {
    if (factory instanceof ReceiverFactory<?> r) {
      return Set.of(Signal.TRACES); // one instance serves all its signals
    }
    if (factory instanceof ProcessorFactory<?> p) {
      return p.signals();
    }
    if (factory instanceof ExporterFactory<?> e) {
      return e.signals();
    }
    return Set.of(Signal.TRACES);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Component create(ComponentFactory<?> factory, Object config, ComponentContext ctx, Signal<?> signal) {
    if (factory instanceof ReceiverFactory r) {
      Map<Signal<?>, Consumer<?>> next = new HashMap<>();
      for (Object s : r.signals()) {
        next.put((Signal<?>) s, data -> Future.succeededFuture());
      }
      return r.create(ctx, config, new NextConsumers(next));
    }
    if (factory instanceof ProcessorFactory p) {
      return p.create(ctx, config, (Signal) signal, (Consumer) data -> Future.succeededFuture());
    }
    if (factory instanceof ExporterFactory e) {
      return e.create(ctx, config, (Signal) signal);
    }
    return ((ExtensionFactory) factory).create(ctx, config);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void consumeOne(Consumer consumer, Signal<?> signal, String type) throws Exception {
    Message sample = sample(signal);
    Future<Void> f = consumer.consume(sample);
    // Accepting or refusing are both allowed (an exporter may have no backend); hanging is not.
    f.toCompletionStage().toCompletableFuture().handle((v, err) -> null).get(30, TimeUnit.SECONDS);
  }

  private static Message sample(Signal<?> signal) {
    if (signal == Signal.TRACES) {
      return SdkData.toProto(SdkData.spans("contract"));
    }
    if (signal == Signal.METRICS) {
      return SdkData.metricsToProto(SdkData.metrics());
    }
    return SdkData.logsToProto(SdkData.logs());
  }

  private static void await(Future<?> f, String what) throws Exception {
    try {
      f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
    }
  }

  /** Parses a small YAML mapping for {@link #check}. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> yaml(String text) {
    try {
      Object o = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
          .readValue(text, Object.class);
      return o == null ? Map.of() : (Map<String, Object>) o;
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

}
