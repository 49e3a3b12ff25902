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
 * {@code gateway_receiver_request_duration_seconds}; and the guard's refusals:
 * {@code gateway_auth_failures_total{receiver,reason}}, {@code gateway_receiver_rate_limited_total{receiver,transport}},
 * {@code gateway_receiver_connections_refused_total{receiver,transport}},
 * {@code gateway_receiver_timeouts_total{receiver,transport,kind}} (kind: read, headers).
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

  public MeterRegistry registry() {
    return registry;
  }

  /** Registers the guard's counters at zero. */
  public void registerGuard(String transport, boolean auth) {
    connectionRefusedCounter(transport);
    rateLimitedCounter(transport);
    if (auth) {
      authFailureCounter("missing_credentials");
    }
  }

  /** An authentication failure (request refused 401/403, or a failed TLS handshake) by reason. */
  public void authFailure(String reason) {
    authFailureCounter(reason).increment();
  }

  public void rateLimited(String transport) {
    rateLimitedCounter(transport).increment();
  }

  public void connectionRefused(String transport) {
    connectionRefusedCounter(transport).increment();
  }

  /** A request (kind "read") or a connection waiting for request headers (kind "headers") cut by read_timeout. */
  public void timeout(String transport, String kind) {
    counters.computeIfAbsent("timeouts|" + transport + '|' + kind, k -> Counter.builder("gateway.receiver.timeouts")
        .description("Requests and connections cut because the client was too slow")
        .tag("receiver", receiver).tag("transport", transport).tag("kind", kind)
        .register(registry)).increment();
  }

  private Counter authFailureCounter(String reason) {
    return counters.computeIfAbsent("auth|" + reason, k -> Counter.builder("gateway.auth.failures")
        .description("Requests and TLS handshakes refused by authentication, by reason")
        .tag("receiver", receiver).tag("reason", reason)
        .register(registry));
  }

  private Counter rateLimitedCounter(String transport) {
    return counters.computeIfAbsent("ratelimited|" + transport, k -> Counter.builder("gateway.receiver.rate_limited")
        .description("Requests refused by the per-principal rate limit")
        .tag("receiver", receiver).tag("transport", transport)
        .register(registry));
  }

  private Counter connectionRefusedCounter(String transport) {
    return counters.computeIfAbsent("connrefused|" + transport, k -> Counter.builder("gateway.receiver.connections.refused")
        .description("Connections closed at once because max_connections were open")
        .tag("receiver", receiver).tag("transport", transport)
        .register(registry));
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
