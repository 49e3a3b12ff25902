package io.goblinos.gateway.processor.resource;

import static io.goblinos.gateway.processor.batch.TestRequests.HOST;
import static io.goblinos.gateway.processor.batch.TestRequests.attr;
import static io.goblinos.gateway.processor.batch.TestRequests.resource;
import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.processor.batch.SinkConsumer;
import io.goblinos.gateway.processor.batch.TestRequests;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ResourceProcessorTest {
  private Vertx vertx;
  private ComponentContext context;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = TestRequests.context(vertx, "resource", "traces");
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private static ResourceConfig config(List<Map<String, Object>> actions) {
    ConfigNode n = new ConfigNode("processors::resource", Map.of("attributes", actions), new ConfigErrors());
    ResourceConfig c = new ResourceProcessorFactory().parseConfig(n);
    n.finish();
    assertThat(n.errors().messages()).isEmpty();
    return c;
  }

  private static Map<String, Object> action(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static Map<String, AnyValue> attrs(Resource r) {
    Map<String, AnyValue> m = new LinkedHashMap<>();
    for (KeyValue kv : r.getAttributesList()) {
      m.put(kv.getKey(), kv.getValue());
    }
    return m;
  }

  private Resource apply(ResourceConfig config, Resource r) {
    return new ResourceProcessor<>(context, config, Signal.TRACES, new SinkConsumer<ExportTraceServiceRequest>())
        .apply(r);
  }

  @Test
  void insertOnlyAddsMissingAttributes() {
    ResourceConfig c = config(List.of(
        action("key", "env", "value", "prod", "action", "insert"),
        action("key", "service.name", "value", "other", "action", "insert")));
    Map<String, AnyValue> out = attrs(apply(c, resource("service.name", "checkout")));
    assertThat(out).containsOnlyKeys("service.name", "env");
    assertThat(out.get("service.name").getStringValue()).isEqualTo("checkout");
    assertThat(out.get("env").getStringValue()).isEqualTo("prod");
  }

  @Test
  void updateOnlyChangesExistingAttributes() {
    ResourceConfig c = config(List.of(
        action("key", "service.name", "value", "renamed", "action", "update"),
        action("key", "absent", "value", "x", "action", "update")));
    Map<String, AnyValue> out = attrs(apply(c, resource("service.name", "checkout")));
    assertThat(out).containsOnlyKeys("service.name");
    assertThat(out.get("service.name").getStringValue()).isEqualTo("renamed");
  }

  @Test
  void upsertInsertsOrUpdatesWithEveryValueType() {
    ResourceConfig c = config(List.of(
        action("key", "service.name", "value", "renamed", "action", "upsert"),
        action("key", "replicas", "value", 3, "action", "upsert"),
        action("key", "ratio", "value", 0.25, "action", "upsert"),
        action("key", "canary", "value", false, "action", "upsert")));
    Map<String, AnyValue> out = attrs(apply(c, resource("service.name", "checkout")));
    assertThat(out.get("service.name").getStringValue()).isEqualTo("renamed");
    assertThat(out.get("replicas").getIntValue()).isEqualTo(3);
    assertThat(out.get("ratio").getDoubleValue()).isEqualTo(0.25);
    assertThat(out.get("canary").hasBoolValue()).isTrue();
    assertThat(out.get("canary").getBoolValue()).isFalse();
  }

  @Test
  void fromAttributeCopiesAnotherAttributeWhenPresent() {
    ResourceConfig c = config(List.of(
        action("key", "service.namespace", "from_attribute", "k8s.namespace.name", "action", "insert"),
        action("key", "team", "from_attribute", "absent", "action", "upsert")));
    Map<String, AnyValue> out = attrs(apply(c, resource("k8s.namespace.name", "shop")));
    assertThat(out).containsOnlyKeys("k8s.namespace.name", "service.namespace");
    assertThat(out.get("service.namespace").getStringValue()).isEqualTo("shop");
  }

  @Test
  void deleteByKeyAndByPatternRemovesEveryMatch() {
    ResourceConfig c = config(List.of(
        action("key", "secret", "action", "delete"),
        action("pattern", "internal\\..*", "action", "delete")));
    Resource r = Resource.newBuilder().addAttributes(attr("secret", "1")).addAttributes(attr("keep", "2"))
        .addAttributes(attr("secret", "dup")).addAttributes(attr("internal.a", "3"))
        .addAttributes(attr("not.internal.b", "4")).build();
    assertThat(attrs(apply(c, r))).containsOnlyKeys("keep", "not.internal.b");
  }

  @Test
  void hashReplacesTheValueWithItsSha256() {
    ResourceConfig c = config(List.of(action("key", "user.email", "action", "hash")));
    Map<String, AnyValue> out = attrs(apply(c, resource("user.email", "abc")));
    // echo -n abc | sha256sum
    assertThat(out.get("user.email").getStringValue())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void actionsApplyInOrder() {
    ResourceConfig c = config(List.of(
        action("key", "a", "value", "1", "action", "insert"),
        action("key", "b", "from_attribute", "a", "action", "insert"),
        action("key", "a", "action", "delete")));
    Map<String, AnyValue> out = attrs(apply(c, resource()));
    assertThat(out).containsOnlyKeys("b");
    assertThat(out.get("b").getStringValue()).isEqualTo("1");
  }

  @Test
  void unchangedRequestsPassAsTheSameInstance() {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<>();
    ResourceConfig c = config(List.of(action("key", "absent", "value", "x", "action", "update")));
    ResourceProcessor<ExportTraceServiceRequest> p = new ResourceProcessor<>(context, c, Signal.TRACES, sink);
    ExportTraceServiceRequest in = TestRequests.traces("svc", "s", 2);
    p.consume(in).await();
    assertThat(sink.received().get(0)).isSameAs(in);
  }

  @Test
  void appliesToEveryResourceOfAllThreeSignals() {
    ResourceConfig c = config(List.of(action("key", "env", "value", "prod", "action", "upsert")));

    SinkConsumer<ExportTraceServiceRequest> traces = new SinkConsumer<>();
    ResourceProcessor<ExportTraceServiceRequest> tp = new ResourceProcessor<>(context, c, Signal.TRACES, traces);
    tp.start(HOST).await();
    ExportTraceServiceRequest two = Signal.TRACES.merge(
        List.of(TestRequests.traces("a", "x", 2), TestRequests.traces("b", "y", 1)));
    tp.consume(two).await();
    ExportTraceServiceRequest out = traces.received().get(0);
    assertThat(out.getResourceSpansList()).extracting(ResourceSpans::getResource)
        .allSatisfy(r -> assertThat(attrs(r).get("env").getStringValue()).isEqualTo("prod"));
    assertThat(TestRequests.spanNames(out)).containsExactly("x-0", "x-1", "y-0");
    tp.shutdown().await();

    SinkConsumer<ExportMetricsServiceRequest> metrics = new SinkConsumer<>();
    new ResourceProcessor<>(context, c, Signal.METRICS, metrics).consume(TestRequests.metrics("a", "m", 2, 3)).await();
    assertThat(Resources.list(Signal.METRICS, metrics.received().get(0)))
        .allSatisfy(r -> assertThat(attrs(r)).containsKeys("env", "service.name"));
    assertThat(Signal.METRICS.itemCount(metrics.received().get(0))).isEqualTo(6);

    SinkConsumer<ExportLogsServiceRequest> logs = new SinkConsumer<>();
    new ResourceProcessor<>(context, c, Signal.LOGS, logs).consume(TestRequests.logs("a", "l", 4)).await();
    assertThat(Resources.list(Signal.LOGS, logs.received().get(0)))
        .allSatisfy(r -> assertThat(attrs(r)).containsKeys("env", "service.name"));
    assertThat(Signal.LOGS.itemCount(logs.received().get(0))).isEqualTo(4);
  }
}
