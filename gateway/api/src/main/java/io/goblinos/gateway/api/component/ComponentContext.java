package io.goblinos.gateway.api.component;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What the gateway gives a component when it creates it.
 *
 * @param id the component's id in the config
 * @param pipeline the pipeline this instance serves ("traces", "metrics/2", ...), or "" for receivers, exporters
 *     and extensions, which are shared by pipelines
 * @param vertx the gateway's Vert.x instance; components never block its event loops
 * @param meters the registry every component registers its meters in (tags {@code receiver}, {@code processor},
 *     {@code exporter} name the component id)
 * @param workDir the directory relative paths in the config resolve against (the process working directory)
 */
public record ComponentContext(ComponentId id, String pipeline, Vertx vertx, MeterRegistry meters, Path workDir) {

  public ComponentContext {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(meters, "meters");
    Objects.requireNonNull(workDir, "workDir");
  }

  /** Resolves a configured path against {@link #workDir()}. */
  public Path resolve(String configuredPath) {
    return workDir.resolve(configuredPath).normalize();
  }
}
