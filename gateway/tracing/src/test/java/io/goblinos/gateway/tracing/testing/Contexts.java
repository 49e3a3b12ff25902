package io.goblinos.gateway.tracing.testing;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** Component contexts and config nodes for tests. */
public final class Contexts {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Contexts() {}

  public static ComponentContext context(Vertx vertx, MeterRegistry registry, String id, Path workDir) {
    return new ComponentContext(ComponentId.parse(id), "traces", vertx, registry, workDir);
  }

  /** Parses YAML text into a config node at {@code path}. */
  @SuppressWarnings("unchecked")
  public static ConfigNode node(String path, String yaml) {
    try {
      Map<String, Object> map = yaml.isBlank() ? Map.of() : YAML.readValue(yaml, Map.class);
      return new ConfigNode(path, map, new ConfigErrors());
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Parses, finishes (unknown keys) and fails on any config error. */
  public static <C> C parse(String path, String yaml, Function<ConfigNode, C> parser) {
    ConfigNode n = node(path, yaml);
    C c = parser.apply(n);
    n.finish();
    if (!n.errors().isEmpty()) {
      throw new IllegalArgumentException(n.errors().toString());
    }
    return c;
  }
}
