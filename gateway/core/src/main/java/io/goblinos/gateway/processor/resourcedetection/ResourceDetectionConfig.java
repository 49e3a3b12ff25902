package io.goblinos.gateway.processor.resourcedetection;

import java.time.Duration;
import java.util.List;

/**
 * Config of the {@code resourcedetection} processor.
 *
 * @param detectors detector names in order ({@link Detectors#NAMES}); the first to find an attribute wins
 * @param override true: detected attributes replace those already on a resource; false: only missing ones are added
 * @param timeout how long detection may take in {@code start()} before the processor fails to start
 */
public record ResourceDetectionConfig(List<String> detectors, boolean override, Duration timeout) {

  public static final List<String> DEFAULT_DETECTORS = List.of("env", "system");
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  public ResourceDetectionConfig {
    detectors = List.copyOf(detectors);
  }
}
