package io.goblinos.gateway.tracing.sampling;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates the configured policies on a trace and combines their decisions with the Collector's rule: any
 * {@code drop} decision drops the trace; otherwise an inverted-not-sampled decision (deprecated upstream) keeps it
 * out; otherwise any sampled (or inverted-sampled) decision keeps it; otherwise it is not sampled. Drop policies are
 * evaluated first so that {@code sample_on_first_match} cannot skip them.
 *
 * <p>Meters: {@code gateway.processor.tail_sampling.policy.decisions{processor, policy, decision}} per policy and
 * {@code gateway.processor.tail_sampling.traces.decided{processor, decision}} per trace ("sampled", "not_sampled",
 * "dropped"). Thread-safe (policies guard their own state).
 */
final class PolicyEngine {
  private final List<Policy> policies;
  private final boolean sampleOnFirstMatch;
  private final Counter[][] policyCounters;
  private final Counter sampled;
  private final Counter notSampled;
  private final Counter dropped;

  PolicyEngine(List<PolicySpec> specs, boolean sampleOnFirstMatch, MeterRegistry registry, String processor) {
    List<Policy> drops = new ArrayList<>();
    List<Policy> others = new ArrayList<>();
    for (PolicySpec s : specs) {
      ("drop".equals(s.type()) ? drops : others).add(s.create());
    }
    List<Policy> all = new ArrayList<>(drops);
    all.addAll(others);
    this.policies = List.copyOf(all);
    this.sampleOnFirstMatch = sampleOnFirstMatch;
    Decision[] values = Decision.values();
    policyCounters = new Counter[policies.size()][values.length];
    for (int i = 0; i < policies.size(); i++) {
      for (Decision d : values) {
        policyCounters[i][d.ordinal()] = Counter.builder("gateway.processor.tail_sampling.policy.decisions")
            .description("Decisions of each sampling policy")
            .tag("processor", processor)
            .tag("policy", policies.get(i).name())
            .tag("decision", d.tag())
            .register(registry);
      }
    }
    sampled = decided(registry, processor, "sampled");
    notSampled = decided(registry, processor, "not_sampled");
    dropped = decided(registry, processor, "dropped");
  }

  private static Counter decided(MeterRegistry registry, String processor, String decision) {
    return Counter.builder("gateway.processor.tail_sampling.traces.decided")
        .description("Traces decided, by final decision")
        .tag("processor", processor)
        .tag("decision", decision)
        .register(registry);
  }

  /** The final decision: {@link Decision#SAMPLED}, {@link Decision#NOT_SAMPLED} or {@link Decision#DROPPED}. */
  Decision decide(TraceView trace, long nowNanos) {
    boolean sample = false;
    boolean invertNot = false;
    for (int i = 0; i < policies.size(); i++) {
      Decision d = policies.get(i).evaluate(trace, nowNanos);
      policyCounters[i][d.ordinal()].increment();
      if (d == Decision.DROPPED) {
        dropped.increment();
        return Decision.DROPPED;
      } else if (d == Decision.INVERT_NOT_SAMPLED) {
        invertNot = true;
      } else if (d.samples()) {
        sample = true;
        if (sampleOnFirstMatch && !invertNot) {
          break;
        }
      }
    }
    if (sample && !invertNot) {
      sampled.increment();
      return Decision.SAMPLED;
    }
    notSampled.increment();
    return Decision.NOT_SAMPLED;
  }

  /** Counts a trace that was dropped without evaluating policies (too large, or dropped at shutdown). */
  void countDroppedUnevaluated() {
    dropped.increment();
  }
}
