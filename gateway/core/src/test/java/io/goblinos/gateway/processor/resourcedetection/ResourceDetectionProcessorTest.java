package io.goblinos.gateway.processor.resourcedetection;

import static io.goblinos.gateway.processor.batch.TestRequests.HOST;
import static io.goblinos.gateway.processor.resourcedetection.DetectorsTest.PROPS;
import static io.goblinos.gateway.processor.resourcedetection.DetectorsTest.asStrings;
import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.processor.batch.SinkConsumer;
import io.goblinos.gateway.processor.batch.TestRequests;
import io.goblinos.gateway.processor.resource.Resources;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.resource.v1.Resource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ResourceDetectionProcessorTest {
  private Vertx vertx;
  private ComponentContext context;
  private final Map<String, String> env = Map.of(
      "OTEL_RESOURCE_ATTRIBUTES", "service.name=from-env,deployment.environment=prod",
      "K8S_POD_NAME", "gateway-0", "K8S_NAMESPACE_NAME", "observability", "K8S_NODE_NAME", "node-7");

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = TestRequests.context(vertx, "resourcedetection", "traces");
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private <T extends com.google.protobuf.Message> ResourceDetectionProcessor<T> processor(
      List<String> detectors, boolean override, Signal<T> signal, SinkConsumer<T> sink) {
    DetectionSource src = DetectionSource.of(() -> env, PROPS, "node-7.example", 99, null);
    return new ResourceDetectionProcessor<>(context,
        new ResourceDetectionConfig(detectors, override, Duration.ofSeconds(5)), signal, sink, src);
  }

  @Test
  void detectsOnceOnAWorkerThreadAtStart() {
    AtomicReference<String> thread = new AtomicReference<>();
    DetectionSource src = DetectionSource.of(() -> {
      thread.set(Thread.currentThread().getName());
      return env;
    }, PROPS, "h", 1, null);
    ResourceDetectionProcessor<ExportTraceServiceRequest> p = new ResourceDetectionProcessor<>(context,
        new ResourceDetectionConfig(List.of("env", "k8s"), true, Duration.ofSeconds(5)), Signal.TRACES,
        new SinkConsumer<>(), src);
    assertThat(p.detected()).isEmpty();
    p.start(HOST).await();
    assertThat(thread.get()).contains("worker");
    assertThat(asStrings(p.detected())).containsOnlyKeys(
        "service.name", "deployment.environment", "k8s.pod.name", "k8s.namespace.name", "k8s.node.name");
    p.shutdown().await();
  }

  @Test
  void overrideTrueReplacesExistingAttributes() {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<>();
    ResourceDetectionProcessor<ExportTraceServiceRequest> p = processor(List.of("env"), true, Signal.TRACES, sink);
    p.start(HOST).await();
    p.consume(TestRequests.traces("from-sdk", "s", 2)).await();
    Resource r = sink.received().get(0).getResourceSpans(0).getResource();
    assertThat(asStrings(r.getAttributesList())).containsExactly(
        Map.entry("service.name", "from-env"), Map.entry("deployment.environment", "prod"));
    assertThat(TestRequests.spanNames(sink.received().get(0))).containsExactly("s-0", "s-1");
  }

  @Test
  void overrideFalseOnlyAddsMissingAttributes() {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<>();
    ResourceDetectionProcessor<ExportTraceServiceRequest> p =
        processor(List.of("env", "system"), false, Signal.TRACES, sink);
    p.start(HOST).await();
    p.consume(TestRequests.traces("from-sdk", "s", 1)).await();
    Map<String, String> attrs = asStrings(sink.received().get(0).getResourceSpans(0).getResource().getAttributesList());
    assertThat(attrs).containsEntry("service.name", "from-sdk")
        .containsEntry("deployment.environment", "prod")
        .containsEntry("host.name", "node-7.example")
        .containsEntry("os.type", "linux");
  }

  @Test
  void appliesToMetricsAndLogs() {
    SinkConsumer<ExportMetricsServiceRequest> metrics = new SinkConsumer<>();
    ResourceDetectionProcessor<ExportMetricsServiceRequest> mp =
        processor(List.of("k8s"), true, Signal.METRICS, metrics);
    mp.start(HOST).await();
    mp.consume(TestRequests.metrics("svc", "m", 1, 2)).await();
    assertThat(asStrings(Resources.list(Signal.METRICS, metrics.received().get(0)).get(0).getAttributesList()))
        .containsEntry("k8s.pod.name", "gateway-0").containsEntry("service.name", "svc");

    SinkConsumer<ExportLogsServiceRequest> logs = new SinkConsumer<>();
    ResourceDetectionProcessor<ExportLogsServiceRequest> lp = processor(List.of("k8s"), true, Signal.LOGS, logs);
    lp.start(HOST).await();
    lp.consume(TestRequests.logs("svc", "l", 1)).await();
    assertThat(asStrings(Resources.list(Signal.LOGS, logs.received().get(0)).get(0).getAttributesList()))
        .containsEntry("k8s.node.name", "node-7");
  }

  @Test
  void unchangedResourcesKeepTheSameRequest() {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<>();
    ResourceDetectionProcessor<ExportTraceServiceRequest> p = processor(List.of("env"), true, Signal.TRACES, sink);
    p.start(HOST).await();
    ExportTraceServiceRequest in = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(io.opentelemetry.proto.trace.v1.ResourceSpans.newBuilder()
            .setResource(TestRequests.resource("service.name", "from-env", "deployment.environment", "prod")))
        .build();
    p.consume(in).await();
    assertThat(sink.received().get(0)).isSameAs(in);
  }

  @Test
  void detectionSlowerThanTheTimeoutFailsStart() {
    CountDownLatch never = new CountDownLatch(1);
    DetectionSource slow = new DetectionSource() {
      @Override
      public Map<String, String> env() {
        return Map.of();
      }

      @Override
      public String systemProperty(String name) {
        return null;
      }

      @Override
      public String hostname() {
        try {
          never.await(); // a DNS lookup that hangs
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return "late";
      }

      @Override
      public long pid() {
        return 1;
      }

      @Override
      public java.util.Optional<String> executablePath() {
        return java.util.Optional.empty();
      }
    };
    ResourceDetectionProcessor<ExportTraceServiceRequest> p = new ResourceDetectionProcessor<>(context,
        new ResourceDetectionConfig(List.of("system"), true, Duration.ofMillis(100)), Signal.TRACES,
        new SinkConsumer<>(), slow);
    Future<Void> started = p.start(HOST);
    try {
      started.await();
    } catch (Exception expected) {
      // checked below
    } finally {
      never.countDown();
    }
    assertThat(started.failed()).isTrue();
    assertThat(started.cause()).hasMessageContaining("did not finish within 100ms");
    p.shutdown().await();
  }
}
