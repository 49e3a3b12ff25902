package io.goblinos.gateway.exporter.debug;

import java.util.Locale;

/**
 * Config of the {@code debug} exporter (Collector keys and defaults).
 *
 * @param verbosity how much is logged per request
 * @param samplingInitial requests logged in full each second before sampling starts
 * @param samplingThereafter after that, one request in this many is logged (within the same second)
 */
public record DebugConfig(Verbosity verbosity, int samplingInitial, int samplingThereafter) {

  public static final int DEFAULT_SAMPLING_INITIAL = 2;
  public static final int DEFAULT_SAMPLING_THEREAFTER = 1;

  /** How much the exporter logs for each request. */
  public enum Verbosity {
    /** One summary line per request: counts of resources and items. */
    BASIC,
    /** The summary plus one line per resource, scope and item. */
    NORMAL,
    /** The summary plus every field of every resource, scope and item. */
    DETAILED;

    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
