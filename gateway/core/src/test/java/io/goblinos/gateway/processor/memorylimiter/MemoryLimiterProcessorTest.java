package io.goblinos.gateway.processor.memorylimiter;

import static io.goblinos.gateway.processor.batch.TestRequests.HOST;
import static io.goblinos.gateway.processor.batch.TestRequests.traces;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.processor.batch.SinkConsumer;
import io.goblinos.gateway.processor.batch.TestRequests;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MemoryLimiterProcessorTest {
  private static final long MIB = 1024 * 1024;
  private Vertx vertx;
  private ComponentContext context;
  private final AtomicLong used = new AtomicLong(10 * MIB);
  private final AtomicInteger gcs = new AtomicInteger();
  /** A deterministic probe: heap in use is whatever the test sets, the maximum heap 1000 MiB. */
  private final MemoryProbe probe = new MemoryProbe() {
    @Override
    public long usedBytes() {
      return used.get();
    }

    @Override
    public long maxBytes() {
      return 1000 * MIB;
    }
  };

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = TestRequests.context(vertx, "memory_limiter", "traces");
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  /** limit 100 MiB, spike 20 MiB: refuses above 80 MiB, forces GC above 100 MiB. */
  private <T extends com.google.protobuf.Message> MemoryLimiterProcessor<T> limiter(
      Duration interval, Signal<T> signal, SinkConsumer<T> sink, Runnable gc) {
    MemoryLimiterConfig config = new MemoryLimiterConfig(interval, 100, 20, 0, 0);
    return new MemoryLimiterProcessor<>(context, config, signal, sink, probe, new GcGate(gc));
  }

  @Test
  void refusesAboveTheSoftLimitThenAcceptsAgain() {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<>();
    MemoryLimiterProcessor<ExportTraceServiceRequest> p =
        limiter(Duration.ofHours(1), Signal.TRACES, sink, gcs::incrementAndGet);
    p.start(HOST).await();

    p.consume(traces("svc", "a", 3)).await();
    assertThat(sink.requests()).isEqualTo(1);

    used.set(90 * MIB);
    assertThat(p.consume(traces("svc", "b", 3)).succeeded()).isTrue(); // not measured yet: never per request
    p.check();
    assertThat(p.refusing()).isTrue();
    Future<Void> refused = p.consume(traces("svc", "c", 3));
    assertThat(refused.failed()).isTrue();
    assertThat(refused.cause()).isInstanceOfSatisfying(ConsumeException.class, e -> {
      assertThat(e.kind()).isEqualTo(ConsumeException.Kind.THROTTLED);
      assertThat(e.retryAfter()).isEqualTo(Duration.ofHours(1));
      assertThat(e.getMessage()).contains("memory limit");
    });
    assertThat(sink.requests()).isEqualTo(2);
    assertThat(context.meters().get("gateway.processor.refused.spans").counter().count()).isEqualTo(3);
    assertThat(context.meters().get("gateway.processor.memory_limiter.refusing").gauge().value()).isEqualTo(1);
    assertThat(context.meters().get("gateway.processor.memory_limiter.heap.used").gauge().value())
        .isEqualTo(90.0 * MIB);
    assertThat(gcs).hasValue(0); // below the hard limit: no forced GC

    used.set(50 * MIB);
    p.check();
    assertThat(p.refusing()).isFalse();
    p.consume(traces("svc", "d", 3)).await();
    assertThat(sink.requests()).isEqualTo(3);
    assertThat(context.meters().get("gateway.processor.memory_limiter.refusing").gauge().value()).isZero();
    p.shutdown().await();
  }

  @Test
  void aboveTheHardLimitForcesOneGcPerIntervalAndMeasuresAgain() {
    SinkConsumer<ExportLogsServiceRequest> sink = new SinkConsumer<>();
    CountDownLatch gcMayFinish = new CountDownLatch(1);
    MemoryLimiterProcessor<ExportLogsServiceRequest> p = limiter(Duration.ofHours(1), Signal.LOGS, sink, () -> {
      try {
        gcMayFinish.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      used.set(30 * MIB); // the collection frees memory
      gcs.incrementAndGet();
    });
    p.start(HOST).await();

    used.set(150 * MIB);
    p.check();
    assertThat(p.refusing()).isTrue();
    assertThat(p.consume(TestRequests.logs("svc", "l", 2)).failed()).isTrue();
    gcMayFinish.countDown();
    await().until(() -> gcs.get() == 1 && !p.refusing());
    assertThat(context.meters().get("gateway.processor.memory_limiter.forced_gc").counter().count()).isEqualTo(1);
    p.consume(TestRequests.logs("svc", "l", 2)).await();

    used.set(150 * MIB);
    p.check(); // within the same interval: no second collection
    assertThat(p.refusing()).isTrue();
    assertThat(gcs).hasValue(1);
    assertThat(context.meters().get("gateway.processor.refused.log_records").counter().count()).isEqualTo(2);
    p.shutdown().await();
  }

  @Test
  void aConcurrentCollectorIsAskedForACycleAboveTheSoftLimitAndDataIsAcceptedAgainWhenItFreedEnough() {
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<>();
    CountDownLatch gcMayFinish = new CountDownLatch(1);
    MemoryLimiterConfig config = new MemoryLimiterConfig(Duration.ofHours(1), 100, 20, 0, 0);
    MemoryLimiterProcessor<ExportTraceServiceRequest> p = new MemoryLimiterProcessor<>(context, config, Signal.TRACES,
        sink, probe, new GcGate(() -> {
          try {
            gcMayFinish.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          used.set(used.get() - 30 * MIB); // the cycle reclaims 30 MiB of unmarked garbage
          gcs.incrementAndGet();
        }, true));
    p.start(HOST).await();

    used.set(90 * MIB); // above the soft limit (80), below the hard one (100)
    p.check();
    assertThat(p.refusing()).isTrue(); // refused from the measurement on, while the cycle runs
    assertThat(p.consume(traces("svc", "a", 2)).failed()).isTrue();
    gcMayFinish.countDown();
    await().until(() -> gcs.get() == 1 && !p.refusing()); // 60 MiB after the cycle: accepted without waiting a check
    p.consume(traces("svc", "b", 2)).await();
    assertThat(sink.requests()).isEqualTo(1);
    assertThat(context.meters().get("gateway.processor.memory_limiter.forced_gc").counter().count()).isEqualTo(1);

    used.set(120 * MIB); // mostly live: the next cycle of this interval is not run, and data stays refused
    p.check();
    assertThat(p.refusing()).isTrue();
    assertThat(gcs).hasValue(1);
    p.shutdown().await();
  }

  @Test
  void theProcessGateKnowsWhetherThisJvmCollectsConcurrentlyOnRequest() {
    boolean g1 = java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
        .anyMatch(b -> b.getName().startsWith("G1"));
    boolean flag = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
        .contains("-XX:+ExplicitGCInvokesConcurrent");
    if (g1) {
      assertThat(GcGate.explicitGcIsConcurrent()).isEqualTo(flag);
    }
    assertThat(GcGate.PROCESS.concurrent()).isEqualTo(GcGate.explicitGcIsConcurrent());
  }

  @Test
  void startMeasuresAtOnceAndTheTimerKeepsMeasuring() {
    used.set(95 * MIB);
    SinkConsumer<ExportTraceServiceRequest> sink = new SinkConsumer<>();
    MemoryLimiterProcessor<ExportTraceServiceRequest> p =
        limiter(Duration.ofMillis(10), Signal.TRACES, sink, gcs::incrementAndGet);
    p.start(HOST).await();
    assertThat(p.refusing()).isTrue();

    used.set(20 * MIB);
    await().atMost(Duration.ofSeconds(10)).until(() -> !p.refusing());
    p.consume(traces("svc", "a", 1)).await();
    p.shutdown().await();
    assertThat(context.meters().find("gateway.processor.memory_limiter.refusing").gauge()).isNull();
  }

  @Test
  void shutdownWithoutStartAndTwice() {
    MemoryLimiterProcessor<ExportTraceServiceRequest> p =
        limiter(Duration.ofSeconds(1), Signal.TRACES, new SinkConsumer<>(), gcs::incrementAndGet);
    p.shutdown().await();
    p.shutdown().await();
  }

  @Test
  void theRealHeapProbeMeasuresSomething() {
    MemoryProbe heap = MemoryProbe.heap();
    assertThat(heap.usedBytes()).isPositive();
    assertThat(heap.maxBytes()).isGreaterThanOrEqualTo(heap.usedBytes());
  }

  @Test
  void generationalHeapsCountAllButEdenAndSingleGenerationHeapsTheirUseAfterTheLastCollection() {
    java.lang.management.MemoryMXBean bean = java.lang.management.ManagementFactory.getMemoryMXBean();
    // G1's pools: eden is left out, survivors and old generation count as they are now
    MemoryProbe g1 = MemoryProbe.of(List.of(FakePool.heap("G1 Eden Space", 500, 0), FakePool.heap("G1 Old Gen", 300, 100),
        FakePool.heap("G1 Survivor Space", 20, 0), FakePool.nonHeap("Metaspace", 7000)), bean);
    assertThat(g1.usedBytes()).isEqualTo(320);
    // ZGC (JDK 17) or Shenandoah: one pool, whose current use counts garbage: what was left after the last collection
    assertThat(MemoryProbe.of(List.of(FakePool.heap("ZHeap", 900, 250)), bean).usedBytes()).isEqualTo(250);
    assertThat(MemoryProbe.of(List.of(FakePool.heap("Shenandoah", 900, 0)), bean).usedBytes())
        .as("not collected yet: its current use").isEqualTo(900);
  }

  /** A memory pool with fixed figures: current use, and use after the last collection (0: none yet). */
  private record FakePool(String name, java.lang.management.MemoryType type, long used, long afterGc)
      implements java.lang.management.MemoryPoolMXBean {
    static FakePool heap(String name, long used, long afterGc) {
      return new FakePool(name, java.lang.management.MemoryType.HEAP, used, afterGc);
    }

    static FakePool nonHeap(String name, long used) {
      return new FakePool(name, java.lang.management.MemoryType.NON_HEAP, used, 0);
    }

    @Override public String getName() { return name; }
    @Override public java.lang.management.MemoryType getType() { return type; }
    @Override public java.lang.management.MemoryUsage getUsage() { return new java.lang.management.MemoryUsage(0, used, used, -1); }
    @Override public java.lang.management.MemoryUsage getPeakUsage() { return getUsage(); }
    @Override public void resetPeakUsage() {}
    @Override public boolean isValid() { return true; }
    @Override public String[] getMemoryManagerNames() { return new String[0]; }
    @Override public long getUsageThreshold() { return 0; }
    @Override public void setUsageThreshold(long threshold) {}
    @Override public boolean isUsageThresholdExceeded() { return false; }
    @Override public long getUsageThresholdCount() { return 0; }
    @Override public boolean isUsageThresholdSupported() { return false; }
    @Override public long getCollectionUsageThreshold() { return 0; }
    @Override public void setCollectionUsageThreshold(long threshold) {}
    @Override public boolean isCollectionUsageThresholdExceeded() { return false; }
    @Override public long getCollectionUsageThresholdCount() { return 0; }
    @Override public boolean isCollectionUsageThresholdSupported() { return false; }
    @Override public java.lang.management.MemoryUsage getCollectionUsage() {
      return afterGc == 0 ? new java.lang.management.MemoryUsage(0, 0, 0, -1)
          : new java.lang.management.MemoryUsage(0, afterGc, afterGc, -1);
    }
    @Override public javax.management.ObjectName getObjectName() { return null; }
  }

  @Test
  void gcGateAllowsOneCollectionAtATimeAndOnePerInterval() {
    GcGate gate = new GcGate(gcs::incrementAndGet);
    assertThat(gate.tryAcquire(100, 1_000)).isTrue();
    assertThat(gate.tryAcquire(100, 2_000)).isFalse(); // still running
    gate.release();
    assertThat(gate.tryAcquire(100, 1_050)).isFalse(); // too soon
    assertThat(gate.tryAcquire(100, 1_100)).isTrue();
    gate.release();
  }
}
