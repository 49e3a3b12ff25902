package io.goblinos.gateway.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.api.component.ComponentFactory;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.component.ProcessorFactory;
import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.tracing.testing.Contexts;
import io.goblinos.gateway.tracing.testing.GoblinTraces;
import io.goblinos.gateway.tracing.testing.Sink;
import io.goblinos.gateway.tracing.testing.TestHost;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract every component passes: discovery, default config, shutdown without start, start-consume-shutdown. */
class FactoriesTest {
  @TempDir Path dir;

  private static Map<String, ProcessorFactory<?>> factories() {
    Map<String, ProcessorFactory<?>> out = new TreeMap<>();
    for (ComponentFactory<?> f : ServiceLoader.load(ComponentFactory.class)) {
      out.put(f.type(), (ProcessorFactory<?>) f);
    }
    return out;
  }

  @Test
  void allFourProcessorsAreDiscoveredWithValidDefaults() {
    Map<String, ProcessorFactory<?>> f = factories();
    assertThat(f).containsOnlyKeys("tail_sampling", "cost", "spanmetrics", "trace_coverage");
    f.values().forEach(factory -> {
      assertThat(factory.defaultConfig()).isNotNull();
      assertThat(factory.signals()).containsExactly(Signal.TRACES);
    });
  }

  @Test
  void unknownKeysAreReported() {
    for (ProcessorFactory<?> factory : factories().values()) {
      ConfigNode n = new ConfigNode("processors::" + factory.type(), Map.of("no_such_key", 1), new ConfigErrors());
      factory.parseConfig(n);
      n.finish();
      assertThat(n.errors().messages()).as(factory.type())
          .anySatisfy(m -> assertThat(m).startsWith("processors::" + factory.type() + "::no_such_key: unknown key"));
    }
  }

  @Test
  void lifecycleContract() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (GoblinTraces traces = new GoblinTraces()) {
      for (ProcessorFactory<?> factory : factories().values()) {
        Processor<ExportTraceServiceRequest> never = create(factory, vertx, "never");
        never.shutdown().await();
        never.shutdown().await();
        Sink<ExportTraceServiceRequest> sink = new Sink<>();
        Processor<ExportTraceServiceRequest> p = create(factory, vertx, "once", sink);
        p.start(new TestHost()).await();
        p.consume(traces.request(GoblinTraces.task())).await();
        p.shutdown().await();
        p.shutdown().await();
        // every processor passes the trace on (tail_sampling at shutdown, with always_sample by default)
        assertThat(Sink.spans(sink.received())).as(factory.type()).hasSize(4);
      }
    } finally {
      vertx.close().await();
    }
  }

  private Processor<ExportTraceServiceRequest> create(ProcessorFactory<?> f, Vertx vertx, String name) {
    return create(f, vertx, name, new Sink<>());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Processor<ExportTraceServiceRequest> create(ProcessorFactory f, Vertx vertx, String name,
                                                      Sink<ExportTraceServiceRequest> sink) {
    Map<String, Object> cfg = f.type().equals("cost") ? Map.of("mode", "local") : Map.of();
    ConfigNode n = new ConfigNode("processors::" + f.type(), cfg, new ConfigErrors());
    Object config = f.parseConfig(n);
    n.finish();
    assertThat(n.errors().messages()).isEmpty();
    return f.create(Contexts.context(vertx, new SimpleMeterRegistry(), f.type() + "/" + name, dir), config,
        Signal.TRACES, sink);
  }
}
