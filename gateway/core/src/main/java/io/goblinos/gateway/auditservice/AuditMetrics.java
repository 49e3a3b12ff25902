package io.goblinos.gateway.auditservice;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Audit meters: {@code gateway_audit_accepted_events_total{source}}, {@code gateway_audit_duplicate_events_total},
 * {@code gateway_audit_rejected_events_total{reason}}, {@code gateway_audit_verification_failures_total},
 * {@code gateway_audit_checkpoints_total}, {@code gateway_audit_tree_size}.
 */
final class AuditMetrics {
  private final MeterRegistry registry;
  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
  final Counter verificationFailures;
  final Counter checkpoints;

  AuditMetrics(MeterRegistry registry, LongSupplier treeSize) {
    this.registry = registry;
    this.verificationFailures = Counter.builder("gateway.audit.verification.failures")
        .description("Self-check mismatches: records or checkpoints that no longer verify")
        .register(registry);
    this.checkpoints = Counter.builder("gateway.audit.checkpoints").description("Signed checkpoints written").register(registry);
    Gauge.builder("gateway.audit.tree.size", treeSize::getAsLong).description("Events in the audit Merkle tree").register(registry);
    accepted("http", 0);
    duplicate("http", 0);
  }

  void accepted(String source, long n) {
    counter("gateway.audit.accepted.events", "source", source).increment(n);
  }

  void duplicate(String source, long n) {
    counter("gateway.audit.duplicate.events", "source", source).increment(n);
  }

  void rejected(String reason) {
    counter("gateway.audit.rejected.events", "reason", reason).increment();
  }

  private Counter counter(String name, String tag, String value) {
    return counters.computeIfAbsent(name + '|' + value, k -> Counter.builder(name).tag(tag, value).register(registry));
  }
}
