package io.goblinos.gateway.processor.batch;

import static io.goblinos.gateway.processor.batch.TestRequests.HOST;
import static io.goblinos.gateway.processor.batch.TestRequests.spanNames;
import static io.goblinos.gateway.processor.batch.TestRequests.traces;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.signal.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatchProcessorTest {
  private static final Duration LONG = Duration.ofHours(1);
  private Vertx vertx;
  private ComponentContext context;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = TestRequests.context(vertx, "batch/test", "traces");
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private <T extends com.google.protobuf.Message> BatchProcessor<T> processor(
      BatchConfig config, Signal<T> signal, SinkConsumer<T> sink) {
    BatchProcessor<T> p = new BatchProcessor<>(context, config, signal, sink);
    p.start(HOST).await();
    return p;
  }

  private double flushes(String trigger) {
    return context.meters().get("gateway.processor.batch.flushes").tag("trigger", trigger).counter().count();
  }

  @Test
  void flushesOnSizeAndMergesInOrder() {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<>();
    BatchProcessor<ExportTraceServiceRequest> p = processor(new BatchConfig(10, 0, LONG), Signal.TRACES, sink);

    List<Future<Void>> futures = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      futures.add(p.consume(traces("svc-" + i, "r" + i, 3)));
    }
    assertThat(sink.requests()).isZero();
    assertThat(p.pendingItems()).isEqualTo(9);
    assertThat(futures).noneMatch(Future::isComplete);

    futures.add(p.consume(traces("svc-3", "r3", 3)));

    assertThat(sink.requests()).isEqualTo(1);
    ExportTraceServiceRequest batch = sink.received().get(0);
    assertThat(batch.getResourceSpansCount()).isEqualTo(4);
    assertThat(batch.getResourceSpansList()).extracting(rs -> rs.getResource().getAttributes(0).getValue()
        .getStringValue()).containsExactly("svc-0", "svc-1", "svc-2", "svc-3");
    assertThat(spanNames(batch)).containsExactly(
        "r0-0", "r0-1", "r0-2", "r1-0", "r1-1", "r1-2", "r2-0", "r2-1", "r2-2", "r3-0", "r3-1", "r3-2");
    await().until(() -> futures.stream().allMatch(Future::succeeded));
    assertThat(p.pendingItems()).isZero();
    assertThat(flushes("size")).isEqualTo(1);
    assertThat(context.meters().get("gateway.processor.batch.send.size").summary().totalAmount()).isEqualTo(12);
    p.shutdown().await();
    assertThat(flushes("shutdown")).isZero();
  }

  @Test
  void maxSizeSplitsAndKeepsTheRestPendingUntilShutdown() {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<>();
    BatchProcessor<ExportTraceServiceRequest> p = processor(new BatchConfig(10, 10, LONG), Signal.TRACES, sink);

    List<Future<Void>> futures = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      futures.add(p.consume(traces("svc", "r" + i, 3)));
    }
    // 12 items: one batch of exactly 10 goes out, the 4th request is split, 2 of its spans stay pending
    assertThat(sink.requests()).isEqualTo(1);
    assertThat(sink.items(Signal.TRACES)).isEqualTo(10);
    assertThat(p.pendingItems()).isEqualTo(2);
    await().until(() -> futures.subList(0, 3).stream().allMatch(Future::succeeded));
    assertThat(futures.get(3).isComplete()).isFalse();

    p.shutdown().await();

    assertThat(sink.requests()).isEqualTo(2);
    assertThat(spanNames(sink.received().get(1))).containsExactly("r3-1", "r3-2");
    List<String> all = new ArrayList<>();
    sink.received().forEach(r -> all.addAll(spanNames(r)));
    assertThat(all).hasSize(12).doesNotHaveDuplicates();
    await().until(() -> futures.get(3).succeeded());
    assertThat(flushes("size")).isEqualTo(1);
    assertThat(flushes("shutdown")).isEqualTo(1);
  }

  @Test
  void oversizedRequestIsSplitIntoMaxSizedBatches() {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<>();
    BatchProcessor<ExportTraceServiceRequest> p = processor(new BatchConfig(5, 5, LONG), Signal.TRACES, sink);

    Future<Void> f = p.consume(traces("svc", "big", 23));

    assertThat(sink.received()).extracting(Signal.TRACES::itemCount).containsExactly(5, 5, 5, 5);
    assertThat(p.pendingItems()).isEqualTo(3);
    assertThat(f.isComplete()).isFalse(); // 3 spans of it are still pending
    p.shutdown().await();
    assertThat(sink.received()).extracting(Signal.TRACES::itemCount).containsExactly(5, 5, 5, 5, 3);
    await().until(f::succeeded);
  }

  @Test
  void flushesOnTimeout() {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<>();
    BatchProcessor<ExportTraceServiceRequest> p =
        processor(new BatchConfig(1000, 0, Duration.ofMillis(50)), Signal.TRACES, sink);

    Future<Void> a = p.consume(traces("a", "a", 2));
    Future<Void> b = p.consume(traces("b", "b", 3));

    await().atMost(Duration.ofSeconds(10)).until(() -> sink.requests() == 1);
    assertThat(spanNames(sink.received().get(0))).containsExactly("a-0", "a-1", "b-0", "b-1", "b-2");
    await().until(() -> a.succeeded() && b.succeeded());
    assertThat(flushes("timeout")).isEqualTo(1);
    assertThat(flushes("size")).isZero();
    assertThat(p.pendingItems()).isZero();

    // the timer starts again with the next item
    Future<Void> c = p.consume(traces("c", "c", 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> sink.requests() == 2);
    await().until(c::succeeded);
    assertThat(flushes("timeout")).isEqualTo(2);
    p.shutdown().await();
  }

  @Test
  void timeoutZeroSendsAtOnceSplitByMaxSize() {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<>();
    BatchProcessor<ExportTraceServiceRequest> p = processor(new BatchConfig(0, 4, Duration.ZERO), Signal.TRACES, sink);

    Future<Void> f = p.consume(traces("svc", "x", 10));

    assertThat(sink.received()).extracting(Signal.TRACES::itemCount).containsExactly(4, 4, 2);
    await().until(f::succeeded);
    assertThat(p.pendingItems()).isZero();
    p.shutdown().await();
  }

  @Test
  void downstreamFailureReachesEveryCallerOfTheBatch() {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<ExportTraceServiceRequest>()
        .answer(r -> Future.failedFuture(ConsumeException.throttled("queue full", Duration.ofSeconds(3))));
    BatchProcessor<ExportTraceServiceRequest> p = processor(new BatchConfig(4, 0, LONG), Signal.TRACES, sink);

    Future<Void> a = p.consume(traces("a", "a", 2));
    Future<Void> b = p.consume(traces("b", "b", 2));

    await().until(() -> a.failed() && b.failed());
    for (Future<Void> f : List.of(a, b)) {
      assertThat(f.cause()).isInstanceOfSatisfying(ConsumeException.class, e -> {
        assertThat(e.kind()).isEqualTo(ConsumeException.Kind.THROTTLED);
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3));
      });
    }
    p.shutdown().await();
  }

  @Test
  void aCallerSplitOverTwoBatchesFailsWhenOneOfThemFails() {
    List<Integer> calls = new CopyOnWriteArrayList<>();
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<ExportTraceServiceRequest>().answer(r -> {
      calls.add(1);
      return calls.size() == 2 ? Future.failedFuture(new IllegalStateException("boom")) : Future.succeededFuture();
    });
    BatchProcessor<ExportTraceServiceRequest> p = processor(new BatchConfig(3, 3, LONG), Signal.TRACES, sink);

    Future<Void> a = p.consume(traces("a", "a", 2)); // pending 2
    Future<Void> b = p.consume(traces("b", "b", 4)); // batch 1 = a0 a1 b0 (ok), batch 2 = b1 b2 b3 (fails)

    await().until(() -> a.isComplete() && b.isComplete());
    assertThat(a.succeeded()).isTrue();
    assertThat(b.cause()).isInstanceOfSatisfying(ConsumeException.class,
        e -> assertThat(e.kind()).isEqualTo(ConsumeException.Kind.UNAVAILABLE));
    p.shutdown().await();
  }

  @Test
  void refusesWithThrottledWhenTooMuchIsInFlight() {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<ExportTraceServiceRequest>().hold();
    BatchProcessor<ExportTraceServiceRequest> p = processor(new BatchConfig(10, 10, LONG), Signal.TRACES, sink);

    List<Future<Void>> accepted = new ArrayList<>();
    for (int i = 0; i < BatchProcessor.IN_FLIGHT_BATCHES; i++) {
      accepted.add(p.consume(traces("svc", "r" + i, 10)));
    }
    assertThat(p.inFlightItems()).isEqualTo(80);
    assertThat(sink.heldCount()).isEqualTo(8);

    Future<Void> refused = p.consume(traces("svc", "late", 10));
    assertThat(refused.failed()).isTrue();
    assertThat(refused.cause()).isInstanceOfSatisfying(ConsumeException.class, e -> {
      assertThat(e.kind()).isEqualTo(ConsumeException.Kind.THROTTLED);
      assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(5));
    });
    assertThat(context.meters().get("gateway.processor.refused.spans").counter().count()).isEqualTo(10);
    assertThat(context.meters().get("gateway.processor.batch.in_flight").gauge().value()).isEqualTo(80);

    sink.release();
    await().until(() -> accepted.stream().allMatch(Future::succeeded));
    assertThat(p.inFlightItems()).isZero();
    Future<Void> again = p.consume(traces("svc", "again", 10));
    await().until(again::succeeded);
    p.shutdown().await();
  }

  @Test
  void shutdownWaitsForBatchesInFlight() {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<ExportTraceServiceRequest>().hold();
    BatchProcessor<ExportTraceServiceRequest> p = processor(new BatchConfig(100, 0, LONG), Signal.TRACES, sink);
    Future<Void> f = p.consume(traces("svc", "x", 5));

    Future<Void> shutdown = p.shutdown();
    assertThat(sink.requests()).isEqualTo(1);
    assertThat(shutdown.isComplete()).isFalse();
    assertThat(p.shutdown()).isSameAs(shutdown);

    sink.release();
    shutdown.await();
    assertThat(f.succeeded()).isTrue();
    Future<Void> after = p.consume(traces("svc", "y", 1));
    assertThat(after.cause()).isInstanceOfSatisfying(ConsumeException.class,
        e -> assertThat(e.kind()).isEqualTo(ConsumeException.Kind.UNAVAILABLE));
  }

  @Test
  void shutdownWithoutStartAndTwice() {
    BatchProcessor<ExportTraceServiceRequest> p =
        new BatchProcessor<>(context, new BatchConfig(10, 0, LONG), Signal.TRACES, new SinkConsumer<>());
    p.shutdown().await();
    p.shutdown().await();
  }

  @Test
  void gaugesAreRemovedOnShutdown() {
    BatchProcessor<ExportTraceServiceRequest> p =
        processor(new BatchConfig(10, 0, LONG), Signal.TRACES, new SinkConsumer<>());
    assertThat(context.meters().find("gateway.processor.batch.pending").gauge()).isNotNull();
    p.shutdown().await();
    assertThat(context.meters().find("gateway.processor.batch.pending").gauge()).isNull();
  }

  @Test
  void metricsAreBatchedAndSplitAtMetricBoundaries() {
    SinkConsumer<ExportMetricsServiceRequest> sink = new SinkConsumer<>();
    BatchProcessor<ExportMetricsServiceRequest> p = processor(new BatchConfig(6, 6, LONG), Signal.METRICS, sink);

    Future<Void> a = p.consume(TestRequests.metrics("a", "m", 2, 2)); // 4 points
    Future<Void> b = p.consume(TestRequests.metrics("b", "n", 2, 2)); // 8 points: a + first metric of b = 6

    assertThat(sink.received()).extracting(Signal.METRICS::itemCount).containsExactly(6);
    ExportMetricsServiceRequest first = sink.received().get(0);
    assertThat(first.getResourceMetricsCount()).isEqualTo(2);
    assertThat(first.getResourceMetrics(1).getScopeMetrics(0).getMetricsList())
        .extracting(m -> m.getName()).containsExactly("n-0");
    assertThat(p.pendingItems()).isEqualTo(2);
    p.shutdown().await();
    assertThat(sink.items(Signal.METRICS)).isEqualTo(8);
    await().until(() -> a.succeeded() && b.succeeded());
  }

  @Test
  void logsAreBatched() {
    SinkConsumer<ExportLogsServiceRequest> sink = new SinkConsumer<>();
    BatchProcessor<ExportLogsServiceRequest> p = processor(new BatchConfig(5, 0, LONG), Signal.LOGS, sink);
    p.consume(TestRequests.logs("a", "l", 3));
    p.consume(TestRequests.logs("b", "k", 3));
    assertThat(sink.received()).extracting(Signal.LOGS::itemCount).containsExactly(6);
    assertThat(sink.received().get(0).getResourceLogsCount()).isEqualTo(2);
    p.shutdown().await();
  }

  @Test
  void emptyRequestsPassThrough() {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<>();
    BatchProcessor<ExportTraceServiceRequest> p = processor(new BatchConfig(10, 0, LONG), Signal.TRACES, sink);
    p.consume(ExportTraceServiceRequest.getDefaultInstance()).await();
    assertThat(sink.requests()).isEqualTo(1);
    p.shutdown().await();
  }

  @Test
  void concurrentCallersFromEventLoopsLoseAndDuplicateNothing() throws Exception {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<>();
    BatchProcessor<ExportTraceServiceRequest> p =
        processor(new BatchConfig(50, 64, Duration.ofMillis(5)), Signal.TRACES, sink);
    int callers = 4;
    int perCaller = 200;
    List<Future<Void>> futures = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(callers);
    for (int c = 0; c < callers; c++) {
      int caller = c;
      // each caller on its own event-loop context, as receivers call consume
      vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          for (int i = 0; i < perCaller; i++) {
            futures.add(p.consume(traces("svc", "c" + caller + "-" + i, 1 + i % 3)));
          }
          done.countDown();
          return Future.succeededFuture();
        }
      });
    }
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(30)).until(() -> futures.size() == callers * perCaller
        && futures.stream().allMatch(Future::succeeded));
    p.shutdown().await();

    int expected = 0;
    for (int i = 0; i < perCaller; i++) {
      expected += 1 + i % 3;
    }
    Set<String> names = new HashSet<>();
    int total = 0;
    for (ExportTraceServiceRequest r : sink.received()) {
      assertThat(Signal.TRACES.itemCount(r)).isLessThanOrEqualTo(64);
      total += Signal.TRACES.itemCount(r);
      names.addAll(spanNames(r));
    }
    assertThat(total).isEqualTo(callers * expected);
    assertThat(names).hasSize(callers * expected);
  }

  @Test
  void concurrentCallersFromPlainThreads() throws Exception {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<>();
    BatchProcessor<ExportTraceServiceRequest> p =
        processor(new BatchConfig(100, 0, Duration.ofMillis(5)), Signal.TRACES, sink);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Void>> futures = new CopyOnWriteArrayList<>();
    try {
      for (int t = 0; t < 4; t++) {
        int thread = t;
        pool.submit(() -> {
          for (int i = 0; i < 250; i++) {
            futures.add(p.consume(traces("svc", "t" + thread + "-" + i, 2)));
          }
        });
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> futures.stream().allMatch(Future::succeeded));
    p.shutdown().await();
    assertThat(sink.items(Signal.TRACES)).isEqualTo(2000);
  }
}
