package io.goblinos.gateway.receiver;

import io.goblinos.gateway.api.signal.Signal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Meters of one receiver: items accepted and refused per signal and transport, requests by outcome, request
 * duration. Prometheus names: {@code gateway_receiver_accepted_spans_total{receiver,transport}},
 * {@code gateway_receiver_refused_metric_points_total}, {@code gateway_receiver_requests_total{status}},
 * {@code gateway_receiver_request_duration_seconds}.
 */
public final class ReceiverMetrics {
  private final MeterRegistry registry;
  private final String receiver;
  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();

  public ReceiverMetrics(MeterRegistry registry, String receiver) {
    this.registry = registry;
    this.receiver = receiver;
  }

  /** Registers the accepted/refused counters of every signal at zero, so they show before the first request. */
  public ReceiverMetrics registerAll(String transport) {
    for (Signal<?> s : Signal.all()) {
      accepted(s, transport, 0);
      refused(s, transport, 0);
    }
    return this;
  }

  public void accepted(Signal<?> signal, String transport, long items) {
    counter("gateway.receiver.accepted." + signal.itemName(), transport, null).increment(items);
  }

  public void refused(Signal<?> signal, String transport, long items) {
    counter("gateway.receiver.refused." + signal.itemName(), transport, null).increment(items);
  }

  /** Counts a finished request by its HTTP status (or gRPC status name) and records its duration. */
  public void request(String transport, String status, long durationNanos) {
    counter("gateway.receiver.requests", transport, status).increment();
    timers
        .computeIfAbsent(transport, t -> Timer.builder("gateway.receiver.request.duration")
            .description("Time from request start to response")
            .tag("receiver", receiver)
            .tag("transport", t)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry))
        .record(durationNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  private Counter counter(String name, String transport, String status) {
    String key = name + '|' + transport + '|' + status;
    return counters.computeIfAbsent(key, k -> {
      Counter.Builder b = Counter.builder(name).tag("receiver", receiver).tag("transport", transport);
      if (status != null) {
        b.tag("status", status);
      }
      return b.register(registry);
    });
  }
}
