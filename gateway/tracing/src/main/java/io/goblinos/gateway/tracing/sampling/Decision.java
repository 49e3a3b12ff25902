package io.goblinos.gateway.tracing.sampling;

import java.util.Locale;

/** A policy's verdict on one trace, as in the Collector's tail sampling processor. */
public enum Decision {
  SAMPLED,
  NOT_SAMPLED,
  /** From a {@code drop} policy: wins over every other decision. */
  DROPPED,
  /** From {@code invert_match}: sampled unless another policy says {@link #INVERT_NOT_SAMPLED} (deprecated upstream). */
  INVERT_SAMPLED,
  /** From {@code invert_match}: not sampled, whatever the other policies say (deprecated upstream). */
  INVERT_NOT_SAMPLED;

  /** The tag value: "sampled", "not_sampled", ... */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** How a decision counts inside {@code and}, {@code drop} and {@code composite}: inverted ones are plain. */
  boolean samples() {
    return this == SAMPLED || this == INVERT_SAMPLED;
  }
}
