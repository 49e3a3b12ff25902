package io.goblinos.gateway.drills;

import com.google.protobuf.Message;
import io.goblinos.gateway.exporter.sending.TestRequests;
import io.goblinos.gateway.testing.Http;
import io.goblinos.gateway.testing.OtlpFiles;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the outage drills share: requests whose every item has a unique name, a load generator that remembers which
 * items were acknowledged (HTTP 200), and what a backend wrote, by name.
 */
final class DrillSupport {
  static final List<String> SIGNALS = List.of("traces", "metrics", "logs");

  private DrillSupport() {}

  /** A free TCP port on 127.0.0.1 (bound, then released). */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A request of {@code items} items named {@code prefix-0 … prefix-(items-1)}. */
  static Message request(String signal, String prefix, int items) {
    return switch (signal) {
      case "traces" -> TestRequests.traces(prefix, items);
      case "metrics" -> {
        ScopeMetrics.Builder sm = ScopeMetrics.newBuilder();
        for (int i = 0; i < items; i++) {
          sm.addMetrics(Metric.newBuilder().setName(prefix + "-" + i).setGauge(Gauge.newBuilder()
              .addDataPoints(NumberDataPoint.newBuilder().setAsInt(i).setTimeUnixNano(1_700_000_000_000_000_000L))));
        }
        yield ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(sm)).build();
      }
      default -> {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder();
        for (int i = 0; i < items; i++) {
          sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1_700_000_000_000_000_000L)
              .setBody(AnyValue.newBuilder().setStringValue(prefix + "-" + i)));
        }
        yield ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(sl)).build();
      }
    };
  }

  /** Every item name a file exporter wrote under {@code dir}, per signal, with repetitions (duplicates). */
  static Map<String, List<String>> received(Path dir) {
    Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    out.put("traces", OtlpFiles.tracesIn(dir).stream().map(r -> r.item().getName()).toList());
    out.put("metrics", OtlpFiles.metricsIn(dir).stream().map(r -> r.item().getName()).toList());
    out.put("logs", OtlpFiles.logsIn(dir).stream().map(r -> r.item().getBody().getStringValue()).toList());
    return out;
  }

  static long duplicates(Map<String, List<String>> received) {
    long d = 0;
    for (List<String> names : received.values()) {
      d += names.size() - new HashSet<>(names).size();
    }
    return d;
  }

  /** Missing acknowledged items per signal (empty lists when all arrived). */
  static Map<String, Set<String>> missing(Load load, Map<String, List<String>> received) {
    Map<String, Set<String>> out = new java.util.LinkedHashMap<>();
    for (String s : SIGNALS) {
      Set<String> m = new HashSet<>(load.acked.get(s));
      m.removeAll(received.get(s));
      out.put(s, m);
    }
    return out;
  }

  /**
   * Sends requests of every signal round-robin to an OTLP/HTTP port from {@code threads} threads until stopped,
   * remembering the items of every request answered 200 and counting the other answers by status (0 = no answer).
   */
  static final class Load implements AutoCloseable {
    final Map<String, Set<String>> acked = new ConcurrentHashMap<>();
    final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    final AtomicLong ackedRequests = new AtomicLong();
    final List<String> retryAfters = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong seq = new AtomicLong();
    volatile int port;

    Load(int port, int threads, int itemsPerRequest, long pauseMillis) {
      this(port, threads, itemsPerRequest, pauseMillis, 0);
    }

    Load(int port, int threads, int itemsPerRequest, long pauseMillis, int padding) {
      this.port = port;
      SIGNALS.forEach(s -> acked.put(s, ConcurrentHashMap.newKeySet()));
      for (int t = 0; t < threads; t++) {
        Thread th = new Thread(() -> run(itemsPerRequest, pauseMillis, padding), "drill-load-" + t);
        th.setDaemon(true);
        this.threads.add(th);
      }
    }

    Load start() {
      threads.forEach(Thread::start);
      return this;
    }

    private void run(int items, long pause, int padding) {
      while (!stop.get()) {
        long n = seq.getAndIncrement();
        String signal = SIGNALS.get((int) (n % 3));
        String prefix = signal + "-" + n + (padding > 0 ? "-" + "x".repeat(padding) : "");
        Message m = request(signal, prefix, items);
        int status;
        try {
          HttpResponse<byte[]> r = Http.post(port, "/v1/" + signal, "application/x-protobuf", m.toByteArray());
          status = r.statusCode();
          if (status == 429) {
            r.headers().firstValue("Retry-After").ifPresent(retryAfters::add);
          }
        } catch (RuntimeException e) {
          status = 0; // refused or reset: the gateway is down (or was killed mid-request)
        }
        statuses.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
        if (status == 200) {
          Set<String> names = acked.get(signal);
          for (int i = 0; i < items; i++) {
            names.add(prefix + "-" + i);
          }
          ackedRequests.incrementAndGet();
        }
        if (pause > 0 || status != 200) {
          try {
            Thread.sleep(Math.max(pause, status == 200 ? 0 : 20));
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }

    long count(int status) {
      AtomicLong a = statuses.get(status);
      return a == null ? 0 : a.get();
    }

    long ackedItems() {
      return acked.values().stream().mapToLong(Collection::size).sum();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      for (Thread t : threads) {
        t.join(40_000);
      }
    }
  }

  /** A value of a Prometheus text exposition: the sum over series of {@code name} whose labels contain {@code label}. */
  static double scrapeValue(String text, String name, String label) {
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") && line.contains(label)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
