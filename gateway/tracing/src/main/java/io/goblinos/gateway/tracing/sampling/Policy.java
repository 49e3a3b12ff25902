package io.goblinos.gateway.tracing.sampling;

import io.goblinos.gateway.tracing.internal.Otlp;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.trace.v1.Status;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A sampling policy evaluator, one per configured policy and processor instance. Evaluators of stateless policies are
 * pure; the rate-based ones ({@code rate_limiting}, {@code composite}) keep a per-second budget under their own lock,
 * because shards decide concurrently.
 */
public interface Policy {

  String name();

  /** The policy's decision on {@code trace}; {@code nowNanos} is the processor clock (for rate budgets). */
  Decision evaluate(TraceView trace, long nowNanos);

  /** Samples every trace. */
  record AlwaysSample(String name) implements Policy {
    @Override
    public Decision evaluate(TraceView trace, long nowNanos) {
      return Decision.SAMPLED;
    }
  }

  /** Samples a trace in which any span has one of the status codes. */
  record StatusCodes(String name, Set<Status.StatusCode> codes) implements Policy {
    @Override
    public Decision evaluate(TraceView trace, long nowNanos) {
      for (Status.StatusCode c : codes) {
        if (trace.hasStatus(c)) {
          return Decision.SAMPLED;
        }
      }
      return Decision.NOT_SAMPLED;
    }
  }

  /**
   * Samples a trace whose duration (latest end minus earliest start) is at least {@code thresholdMs} and, when
   * {@code upperThresholdMs > 0}, at most that.
   */
  record Latency(String name, long thresholdMs, long upperThresholdMs) implements Policy {
    @Override
    public Decision evaluate(TraceView trace, long nowNanos) {
      long ms = trace.durationNanos() / 1_000_000L;
      boolean match = ms >= thresholdMs && (upperThresholdMs <= 0 || ms <= upperThresholdMs);
      return match ? Decision.SAMPLED : Decision.NOT_SAMPLED;
    }
  }

  /**
   * Samples {@code percentage}% of traces as a pure function of the trace id, exactly as the Collector does: FNV-1a
   * (64 bit) over the salt's UTF-8 bytes then the 16 trace id bytes, sampled when the hash is at most
   * {@code floor(2^64-1 * percentage/100)} (unsigned). The Collector's default salt is "default-hash-seed".
   */
  final class Probabilistic implements Policy {
    public static final String DEFAULT_SALT = "default-hash-seed";
    private static final BigDecimal MAX_UINT64 = new BigDecimal(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));

    private final String name;
    private final byte[] salt;
    private final long threshold;

    public Probabilistic(String name, String hashSalt, double percentage) {
      this.name = name;
      this.salt = (hashSalt == null || hashSalt.isEmpty() ? DEFAULT_SALT : hashSalt).getBytes(StandardCharsets.UTF_8);
      this.threshold = threshold(percentage / 100.0);
    }

    /** {@code floor((2^64-1) * ratio)} as an unsigned long. Requires 0 <= ratio <= 1. */
    static long threshold(double ratio) {
      return MAX_UINT64.multiply(new BigDecimal(ratio)).toBigInteger().longValue();
    }

    /** FNV-1a 64 of salt followed by the trace id. */
    static long hash(byte[] salt, byte[] traceId) {
      long h = 0xcbf29ce484222325L;
      for (byte b : salt) {
        h ^= b & 0xff;
        h *= 0x100000001b3L;
      }
      for (byte b : traceId) {
        h ^= b & 0xff;
        h *= 0x100000001b3L;
      }
      return h;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Decision evaluate(TraceView trace, long nowNanos) {
      return Long.compareUnsigned(hash(salt, trace.traceIdBytes()), threshold) <= 0
          ? Decision.SAMPLED
          : Decision.NOT_SAMPLED;
    }
  }

  /**
   * Samples when a resource or span attribute {@code key} is a string equal to one of {@code values}, or, with
   * regex matching, in which one of the patterns is found (unanchored, like Go's {@code MatchString}).
   */
  record StringAttribute(String name, String key, Set<String> values, List<Pattern> patterns, boolean invert)
      implements Policy {
    @Override
    public Decision evaluate(TraceView trace, long nowNanos) {
      boolean match = trace.anyAttribute(key, v -> {
        if (v.getValueCase() != AnyValue.ValueCase.STRING_VALUE) {
          return false;
        }
        String s = v.getStringValue();
        if (patterns.isEmpty()) {
          return values.contains(s);
        }
        for (Pattern p : patterns) {
          if (p.matcher(s).find()) {
            return true;
          }
        }
        return false;
      });
      return inverted(match, invert);
    }
  }

  /** Samples when a numeric resource or span attribute lies in [min, max] (a missing bound is open). */
  record NumericAttribute(String name, String key, Double min, Double max, boolean invert) implements Policy {
    @Override
    public Decision evaluate(TraceView trace, long nowNanos) {
      boolean match = trace.anyAttribute(key, v -> {
        if (v.getValueCase() != AnyValue.ValueCase.INT_VALUE && v.getValueCase() != AnyValue.ValueCase.DOUBLE_VALUE) {
          return false;
        }
        double d = Otlp.asDouble(v);
        return (min == null || d >= min) && (max == null || d <= max);
      });
      return inverted(match, invert);
    }
  }

  /** Samples when a boolean resource or span attribute equals {@code value}. */
  record BooleanAttribute(String name, String key, boolean value, boolean invert) implements Policy {
    @Override
    public Decision evaluate(TraceView trace, long nowNanos) {
      boolean match = trace.anyAttribute(key,
          v -> v.getValueCase() == AnyValue.ValueCase.BOOL_VALUE && v.getBoolValue() == value);
      return inverted(match, invert);
    }
  }

  /** Samples traces with at least {@code minSpans} and (when {@code maxSpans > 0}) at most {@code maxSpans} spans. */
  record SpanCount(String name, int minSpans, int maxSpans, boolean invert) implements Policy {
    @Override
    public Decision evaluate(TraceView trace, long nowNanos) {
      int n = trace.spanCount();
      boolean match = n >= minSpans && (maxSpans <= 0 || n <= maxSpans);
      return inverted(match, invert);
    }
  }

  /** Samples while the spans sampled by this policy in the current second stay within {@code spansPerSecond}. */
  final class RateLimiting implements Policy {
    private final String name;
    private final long spansPerSecond;
    private final SecondBudget budget = new SecondBudget();

    public RateLimiting(String name, long spansPerSecond) {
      this.name = name;
      this.spansPerSecond = spansPerSecond;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Decision evaluate(TraceView trace, long nowNanos) {
      return budget.tryTake(nowNanos, trace.spanCount(), spansPerSecond) ? Decision.SAMPLED : Decision.NOT_SAMPLED;
    }
  }

  /** Samples when every sub-policy samples. */
  record And(String name, List<Policy> subPolicies) implements Policy {
    @Override
    public Decision evaluate(TraceView trace, long nowNanos) {
      for (Policy p : subPolicies) {
        if (!p.evaluate(trace, nowNanos).samples()) {
          return Decision.NOT_SAMPLED;
        }
      }
      return Decision.SAMPLED;
    }
  }

  /** Drops the trace (overriding every other policy) when every sub-policy matches. */
  record Drop(String name, List<Policy> subPolicies) implements Policy {
    @Override
    public Decision evaluate(TraceView trace, long nowNanos) {
      for (Policy p : subPolicies) {
        if (!p.evaluate(trace, nowNanos).samples()) {
          return Decision.NOT_SAMPLED;
        }
      }
      return Decision.DROPPED;
    }
  }

  /**
   * Sub-policies in order, each with its own spans-per-second share of {@code max_total_spans_per_second}: the
   * first one that samples the trace and still has budget (its own and the total) samples it.
   */
  final class Composite implements Policy {
    private final String name;
    private final long maxTotal;
    private final List<Policy> subPolicies;
    private final long[] maxPerPolicy;
    private final SecondBudget[] budgets;
    private final SecondBudget total = new SecondBudget();

    public Composite(String name, long maxTotalSpansPerSecond, List<Policy> subPolicies, long[] maxPerPolicy) {
      this.name = name;
      this.maxTotal = maxTotalSpansPerSecond;
      this.subPolicies = List.copyOf(subPolicies);
      this.maxPerPolicy = maxPerPolicy.clone();
      this.budgets = new SecondBudget[subPolicies.size()];
      for (int i = 0; i < budgets.length; i++) {
        budgets[i] = new SecondBudget();
      }
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Decision evaluate(TraceView trace, long nowNanos) {
      int spans = trace.spanCount();
      for (int i = 0; i < subPolicies.size(); i++) {
        if (!subPolicies.get(i).evaluate(trace, nowNanos).samples()) {
          continue;
        }
        synchronized (this) {
          if (budgets[i].fits(nowNanos, spans, maxPerPolicy[i]) && total.fits(nowNanos, spans, maxTotal)) {
            budgets[i].tryTake(nowNanos, spans, maxPerPolicy[i]);
            total.tryTake(nowNanos, spans, maxTotal);
            return Decision.SAMPLED;
          }
        }
      }
      return Decision.NOT_SAMPLED;
    }
  }

  private static Decision inverted(boolean match, boolean invert) {
    if (invert) {
      return match ? Decision.INVERT_NOT_SAMPLED : Decision.INVERT_SAMPLED;
    }
    return match ? Decision.SAMPLED : Decision.NOT_SAMPLED;
  }

  /** Spans taken in the current clock second. */
  final class SecondBudget {
    private long second = Long.MIN_VALUE;
    private long taken;

    synchronized boolean fits(long nowNanos, long spans, long max) {
      long s = Math.floorDiv(nowNanos, 1_000_000_000L);
      long used = s == second ? taken : 0;
      return used + spans <= max;
    }

    synchronized boolean tryTake(long nowNanos, long spans, long max) {
      long s = Math.floorDiv(nowNanos, 1_000_000_000L);
      if (s != second) {
        second = s;
        taken = 0;
      }
      if (taken + spans <= max) {
        taken += spans;
        return true;
      }
      return false;
    }
  }
}
