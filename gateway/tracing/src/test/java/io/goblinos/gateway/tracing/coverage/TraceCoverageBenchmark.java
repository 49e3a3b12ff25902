package io.goblinos.gateway.tracing.coverage;

import com.google.protobuf.ByteString;
import io.goblinos.gateway.tracing.internal.Otlp;
import io.goblinos.gateway.tracing.testing.Contexts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * An in-process micro-measurement of {@link TraceCoverageProcessor}: ns per span and bytes allocated per span on the
 * calling thread (requests are built outside the measured sections), plus the heap retained by a full table. It
 * asserts nothing. Off by default; run it with
 *
 * <pre>
 * mvn -q -B -o -DbuildDir=target-coverage verify -pl gateway/tracing -Dtest=TraceCoverageBenchmark \
 *     -Dcoverage.bench=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * and read {@code target-coverage/surefire-reports/*TraceCoverageBenchmark-output.txt}.
 *
 * <p>Traffic: four-span goblin traces (overmind -> goblin-runtime -> litebrain -> provider CLIENT span); each service
 * sends its own requests of 64 traces, litebrain first, the others one and two batches later; 10% of the traces lack
 * the provider span (judged incomplete after incomplete_after, 10s here so that this path runs too). The clock runs at
 * 90,000 spans per simulated second and check() is called once per simulated second.
 */
@EnabledIfSystemProperty(named = "coverage.bench", matches = "true")
class TraceCoverageBenchmark {
  private static final int TRACES_PER_BATCH = 64;
  private static final int BATCHES_PER_CHUNK = 1000;
  private static final int WARMUP_CHUNKS = 3;
  private static final int MEASURED_CHUNKS = 8;
  private static final long SPANS_PER_SECOND = 90_000;

  @TempDir Path dir;

  private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
  private long nextCheck = clock.get() + 1_000_000_000L;
  private long traceSeq;

  @Test
  void measure() {
    Vertx vertx = Vertx.vertx();
    try {
      throughput(vertx);
      retained(vertx);
    } finally {
      vertx.close().await();
    }
  }

  private TraceCoverageProcessor processor(Vertx vertx, SimpleMeterRegistry registry, String incompleteAfter) {
    CoverageConfig cfg = Contexts.parse("processors::trace_coverage", """
        max_traces: 100000
        incomplete_after: %s
        """.formatted(incompleteAfter), CoverageConfig::parse);
    return new TraceCoverageProcessor(Contexts.context(vertx, registry, "trace_coverage", dir), cfg,
        r -> Future.succeededFuture(), clock::get);
  }

  private void throughput(Vertx vertx) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TraceCoverageProcessor p = processor(vertx, registry, "10s");
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    long nanos = 0;
    long bytes = 0;
    long gcMillis = 0;
    long cpu = 0;
    long spans = 0;
    for (int chunk = 0; chunk < WARMUP_CHUNKS + MEASURED_CHUNKS; chunk++) {
      List<Request> requests = chunk(0.10);
      long g0 = gcMillis();
      long b0 = threads.getThreadAllocatedBytes(tid);
      long c0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      long n = 0;
      for (Request r : requests) {
        clock.addAndGet(r.spans * 1_000_000_000L / SPANS_PER_SECOND);
        p.consume(r.request);
        if (clock.get() >= nextCheck) {
          p.check();
          nextCheck += 1_000_000_000L;
        }
        n += r.spans;
      }
      long t1 = System.nanoTime();
      long c1 = threads.getCurrentThreadCpuTime();
      long b1 = threads.getThreadAllocatedBytes(tid);
      if (chunk >= WARMUP_CHUNKS) {
        nanos += t1 - t0;
        bytes += b1 - b0;
        gcMillis += gcMillis() - g0;
        cpu += c1 - c0;
        spans += n;
      }
    }
    System.out.printf("trace_coverage throughput: %,d spans measured: %.1f ns/span (thread CPU %.1f ns/span), %.1f bytes allocated/span, GC %d ms;"
            + " pending=%d complete=%.0f incomplete(provider)=%.0f evicted=%.0f%n",
        spans, nanos / (double) spans, cpu / (double) spans, bytes / (double) spans, gcMillis, p.pending(),
        registry.get("gateway.processor.trace_coverage.traces.complete").counter().count(),
        registry.get("gateway.incomplete.traces").tag("missing_service", "provider").counter().count(),
        registry.get("gateway.processor.trace_coverage.traces.evicted").counter().count());
  }

  /** Heap retained by a processor whose table is full (100,000 incomplete traces) and whose judged set is full. */
  private void retained(Vertx vertx) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = usedAfterGc(memory);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TraceCoverageProcessor p = processor(vertx, registry, "90s");
    // 100,000 complete traces fill the judged set, then 100,000 incomplete ones the table
    feed(p, 0.0, 100_000 / TRACES_PER_BATCH + 3);
    feed(p, 1.0, 100_000 / TRACES_PER_BATCH);
    long after = usedAfterGc(memory);
    System.out.printf("trace_coverage retained: pending=%d, %.1f MB retained (%.0f bytes per pending trace)%n",
        p.pending(), (after - before) / 1e6, (after - before) / (double) p.pending());
    registry.close();
  }

  private void feed(TraceCoverageProcessor p, double incomplete, int batches) {
    for (Request r : requests(incomplete, batches)) {
      p.consume(r.request);
    }
  }

  private static long gcMillis() {
    long ms = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ms += Math.max(0, gc.getCollectionTime());
    }
    return ms;
  }

  private static long usedAfterGc(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private record Request(ExportTraceServiceRequest request, int spans) {}

  private List<Request> chunk(double incomplete) {
    return requests(incomplete, BATCHES_PER_CHUNK);
  }

  /** Requests for {@code batches} batches of traces: litebrain's batch k, runtime's k-1, overmind's k-2. */
  private List<Request> requests(double incomplete, int batches) {
    List<long[][]> traces = new ArrayList<>();
    List<Request> out = new ArrayList<>();
    for (int k = 0; k < batches + 2; k++) {
      if (k < batches) {
        long[][] batch = new long[TRACES_PER_BATCH][];
        for (int i = 0; i < batch.length; i++) {
          long seq = traceSeq++;
          // hi, lo, root, runtime, litebrain, provider (0 = absent)
          long provider = (Otlp.mix64(seq * 31 + 7) & 0xffff) < incomplete * 0x10000 ? 0 : Otlp.mix64(seq * 5 + 4);
          batch[i] = new long[] {Otlp.mix64(seq), Otlp.mix64(~seq), Otlp.mix64(seq * 5 + 1), Otlp.mix64(seq * 5 + 2),
              Otlp.mix64(seq * 5 + 3), provider};
        }
        traces.add(batch);
        out.add(litebrain(batch));
      }
      if (k >= 1 && k - 1 < batches) {
        out.add(service(traces.get(k - 1), "goblin-runtime", 3, 2));
      }
      if (k >= 2) {
        out.add(service(traces.get(k - 2), "overmind", 2, -1));
      }
    }
    return out;
  }

  private static Resource resource(String service) {
    return Resource.newBuilder()
        .addAttributes(kv("service.name", service))
        .addAttributes(kv("service.namespace", "goblinos"))
        .addAttributes(kv("deployment.environment.name", "bench"))
        .addAttributes(kv("telemetry.sdk.language", "java"))
        .addAttributes(kv("telemetry.sdk.name", "opentelemetry"))
        .addAttributes(kv("telemetry.sdk.version", "1.49.0"))
        .build();
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(Otlp.stringValue(v)).build();
  }

  private static Span.Builder span(long[] t, int self, int parent, String name) {
    Span.Builder s = Span.newBuilder().setTraceId(Otlp.traceId(t[0], t[1])).setSpanId(id(t[self])).setName(name)
        .setKind(Span.SpanKind.SPAN_KIND_SERVER).setStartTimeUnixNano(1).setEndTimeUnixNano(2)
        .addAttributes(kv("goblin.id", "goblin-7"));
    if (parent >= 0) {
      s.setParentSpanId(id(t[parent]));
    }
    return s;
  }

  private static ByteString id(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (56 - 8 * i));
    }
    return ByteString.copyFrom(b);
  }

  private static Request litebrain(long[][] batch) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    int n = 0;
    for (long[] t : batch) {
      ss.addSpans(span(t, 4, 3, "litebrain.complete"));
      n++;
      if (t[5] != 0) {
        ss.addSpans(span(t, 5, 4, "chat gpt-4o").setKind(Span.SpanKind.SPAN_KIND_CLIENT)
            .addAttributes(kv("gen_ai.operation.name", "chat"))
            .addAttributes(kv("gen_ai.provider.name", "openai"))
            .addAttributes(kv("gen_ai.request.model", "gpt-4o")));
        n++;
      }
    }
    return new Request(ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(resource("litebrain")).addScopeSpans(ss)).build(), n);
  }

  private static Request service(long[][] batch, String service, int self, int parent) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (long[] t : batch) {
      ss.addSpans(span(t, self, parent, service));
    }
    return new Request(ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(resource(service)).addScopeSpans(ss)).build(), batch.length);
  }
}
