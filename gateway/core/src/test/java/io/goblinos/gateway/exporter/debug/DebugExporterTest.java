package io.goblinos.gateway.exporter.debug;

import static io.goblinos.gateway.processor.batch.TestRequests.HOST;
import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.processor.batch.TestRequests;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DebugExporterTest {
  private final DebugExporterFactory factory = new DebugExporterFactory();
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Logger logger = Logger.getLogger(DebugExporter.LOGGER_NAME);
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel() == Level.INFO) {
        records.add(record);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private Vertx vertx;
  private ComponentContext context;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = TestRequests.context(vertx, "debug", "");
    logger.addHandler(capture);
  }

  @AfterEach
  void tearDown() {
    logger.removeHandler(capture);
    vertx.close().await();
  }

  private static ConfigNode node(Map<String, Object> values) {
    return new ConfigNode("exporters::debug", values, new ConfigErrors());
  }

  private <T extends com.google.protobuf.Message> DebugExporter<T> exporter(String verbosity, Signal<T> signal) {
    DebugConfig c = factory.parseConfig(node(Map.of("verbosity", verbosity, "sampling_initial", 1000)));
    DebugExporter<T> e = factory.create(context, c, signal) instanceof DebugExporter<T> d ? d : null;
    e.start(HOST).await();
    return e;
  }

  private List<String> messages() {
    return records.stream().map(LogRecord::getMessage).toList();
  }

  @Test
  void config() {
    assertThat(factory.type()).isEqualTo("debug");
    assertThat(factory.defaultConfig()).isEqualTo(new DebugConfig(DebugConfig.Verbosity.BASIC, 2, 1));
    ConfigNode ok = node(Map.of("verbosity", "detailed", "sampling_initial", "5", "sampling_thereafter", 10));
    assertThat(factory.parseConfig(ok)).isEqualTo(new DebugConfig(DebugConfig.Verbosity.DETAILED, 5, 10));
    ok.finish();
    assertThat(ok.errors().messages()).isEmpty();

    ConfigNode bad = node(Map.of("verbosity", "loud", "sampling_initial", -1, "sampling_thereafter", 0));
    factory.parseConfig(bad);
    assertThat(bad.errors().messages()).containsExactlyInAnyOrder(
        "exporters::debug::verbosity: was 'loud' but it must be one of basic, normal, detailed",
        "exporters::debug::sampling_initial: was '-1' but it must be an integer >= 0",
        "exporters::debug::sampling_thereafter: was '0' but it must be an integer >= 1");
  }

  @Test
  void basicLogsOneSummaryLinePerRequestForEachSignal() {
    ExportTraceServiceRequest traces = Signal.TRACES.merge(List.of(
        TestRequests.traces("a", "s", 40), TestRequests.traces("b", "s", 40), TestRequests.traces("c", "s", 40)));
    exporter("basic", Signal.TRACES).consume(traces).await();
    exporter("basic", Signal.METRICS).consume(TestRequests.metrics("a", "m", 4, 3)).await();
    exporter("basic", Signal.LOGS).consume(TestRequests.logs("a", "l", 7)).await();

    assertThat(messages()).containsExactly(
        "debug exporter: traces: 3 resource spans, 120 spans",
        "debug exporter: metrics: 1 resource metrics, 4 metrics, 12 data points",
        "debug exporter: logs: 1 resource logs, 7 log records");
    assertThat(records).allSatisfy(r -> assertThat(r.getLoggerName()).isEqualTo("io.goblinos.gateway.exporter.debug"));
    assertThat(context.meters().get("gateway.exporter.sent.spans").counter().count()).isEqualTo(120);
  }

  @Test
  void normalLogsOneLinePerItem() {
    exporter("normal", Signal.TRACES).consume(TestRequests.traces("checkout", "GET /cart", 2)).await();
    String msg = messages().get(0);
    String[] lines = msg.split("\n");
    assertThat(lines[0]).isEqualTo("debug exporter: traces: 1 resource spans, 2 spans");
    assertThat(msg).contains("resource {service.name=checkout}").contains("scope test-scope 1.0");
    assertThat(lines).filteredOn(l -> l.trim().startsWith("span ")).hasSize(2);
    assertThat(msg).contains("span GET /cart-0 trace_id=0102030405060708090a0b0c0d0e0f00 span_id=0102030405060700"
        + " kind=SERVER status=UNSET duration=12.000ms {http.method=GET}");

    exporter("normal", Signal.METRICS).consume(TestRequests.metrics("svc", "m", 2, 2)).await();
    assertThat(messages().get(1).split("\n")).filteredOn(l -> l.trim().startsWith("metric ")).containsExactly(
        "    metric m-0 gauge [1] {point=0} 0", "    metric m-0 gauge [1] {point=1} 1",
        "    metric m-1 gauge [1] {point=0} 0", "    metric m-1 gauge [1] {point=1} 1");

    exporter("normal", Signal.LOGS).consume(TestRequests.logs("svc", "hello", 2)).await();
    assertThat(messages().get(2).split("\n")).filteredOn(l -> l.trim().startsWith("log ")).containsExactly(
        "    log 2023-11-14T22:13:20Z INFO hello-0", "    log 2023-11-14T22:13:20Z INFO hello-1");
  }

  @Test
  void detailedDumpsEveryField() {
    exporter("detailed", Signal.TRACES).consume(TestRequests.traces("checkout", "op", 1)).await();
    String msg = messages().get(0);
    assertThat(msg).contains("span op-0 trace_id=")
        .contains("start_time_unix_nano: 1700000000000000000")
        .contains("end_time_unix_nano: 1700000000012000000")
        .contains("kind: SPAN_KIND_SERVER")
        .contains("key: \"http.method\"");
  }

  @Test
  void samplingAsInTheCollector() {
    DebugExporter.Sampler s = new DebugExporter.Sampler(2, 3);
    long t = 5_000_000_000L;
    List<Boolean> firstSecond = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      firstSecond.add(s.allow(t + i));
    }
    // first 2, then every 3rd: 1 2 [3 4] 5 [6 7] 8
    assertThat(firstSecond).containsExactly(true, true, false, false, true, false, false, true);
    assertThat(s.allow(t + 1_000_000_000L)).isTrue(); // a new second starts over
    assertThat(s.allow(t + 1_000_000_001L)).isTrue();
    assertThat(s.allow(t + 1_000_000_002L)).isFalse();
  }

  @Test
  void sampledOutRequestsAreNotLoggedButCounted() {
    DebugExporter<ExportLogsServiceRequest> e = factory.create(context,
        factory.parseConfig(node(Map.of("sampling_initial", 1, "sampling_thereafter", 1000))), Signal.LOGS)
        instanceof DebugExporter<ExportLogsServiceRequest> d ? d : null;
    for (int i = 0; i < 5; i++) {
      e.consume(TestRequests.logs("svc", "l", 1)).await();
    }
    assertThat(messages()).hasSizeLessThan(5);
    assertThat(context.meters().get("gateway.exporter.sent.log_records").counter().count()).isEqualTo(5);
  }

  @Test
  void namedExporterShowsItsId() {
    ComponentContext named = TestRequests.context(vertx, "debug/audit", "");
    DebugExporter<ExportMetricsServiceRequest> e =
        new DebugExporter<>(named, new DebugConfig(DebugConfig.Verbosity.BASIC, 10, 1), Signal.METRICS);
    e.consume(TestRequests.metrics("a", "m", 1, 1)).await();
    assertThat(messages()).containsExactly(
        "debug exporter debug/audit: metrics: 1 resource metrics, 1 metrics, 1 data points");
    e.shutdown().await();
    e.shutdown().await();
  }
}
