package io.goblinos.gateway.component;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.api.component.ComponentFactory;
import io.goblinos.gateway.config.ComponentRegistry;
import io.goblinos.gateway.testing.ComponentContract;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every component registered on the class path passes the lifecycle contract. */
class ComponentContractTest {

  /**
   * Configs for types whose defaults need a resource (a port, a backend) or have no valid default; every other
   * type runs on its default config.
   */
  private static final Map<String, String> SAMPLES = Map.of(
      "receivers/otlp", "protocols: {grpc: {endpoint: 127.0.0.1:0}, http: {endpoint: 127.0.0.1:0}}",
      "processors/memory_limiter", "limit_mib: 4096",
      "exporters/file", "directory: out",
      "exporters/otlp", "endpoint: 127.0.0.1:1\ntls: {insecure: true}\nretry_on_failure: {enabled: false}\nsending_queue: {drain_timeout: 1s}",
      "exporters/otlphttp", "endpoint: http://127.0.0.1:1\nretry_on_failure: {enabled: false}\nsending_queue: {drain_timeout: 1s}");

  @TempDir Path dir;

  static Stream<Arguments> factories() {
    return ComponentRegistry.discover().all().stream()
        .map(f -> Arguments.of(f.kind().section() + "/" + f.type(), f));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("factories")
  void passesTheLifecycleContract(String id, ComponentFactory<?> factory) throws Exception {
    String sample = SAMPLES.get(id);
    ComponentContract.check(factory, sample == null ? Map.of() : ComponentContract.yaml(sample), dir);
  }

  @org.junit.jupiter.api.Test
  void theCoreRegistersItsComponents() {
    assertThat(ComponentRegistry.discover().all()).extracting(f -> f.kind().section() + "/" + f.type())
        .contains("receivers/otlp", "processors/batch", "processors/memory_limiter", "processors/resource",
            "processors/resourcedetection", "exporters/file", "exporters/debug", "exporters/nop", "exporters/otlp", "exporters/otlphttp");
  }
}
