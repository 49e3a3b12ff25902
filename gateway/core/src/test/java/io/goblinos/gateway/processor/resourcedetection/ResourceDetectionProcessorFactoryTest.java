package io.goblinos.gateway.processor.resourcedetection;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceDetectionProcessorFactoryTest {
  private final ResourceDetectionProcessorFactory factory = new ResourceDetectionProcessorFactory();

  private static ConfigNode node(Map<String, Object> values) {
    return new ConfigNode("processors::resourcedetection", values, new ConfigErrors());
  }

  @Test
  void defaults() {
    assertThat(factory.type()).isEqualTo("resourcedetection");
    assertThat(factory.defaultConfig())
        .isEqualTo(new ResourceDetectionConfig(List.of("env", "system"), true, Duration.ofSeconds(5)));
  }

  @Test
  void everyKey() {
    ConfigNode n = node(Map.of("detectors", List.of("k8s", "env", "process", "system"), "override", "false",
        "timeout", "2s"));
    ResourceDetectionConfig c = factory.parseConfig(n);
    n.finish();
    assertThat(n.errors().messages()).isEmpty();
    assertThat(c).isEqualTo(
        new ResourceDetectionConfig(List.of("k8s", "env", "process", "system"), false, Duration.ofSeconds(2)));
  }

  @Test
  void detectorsFromSet() {
    assertThat(factory.parseConfig(node(Map.of("detectors", "[env, k8s]"))).detectors())
        .containsExactly("env", "k8s");
  }

  @Test
  void invalidValuesNameTheirKeys() {
    ConfigNode n = node(Map.of("detectors", List.of("env", "docker", "env"), "override", "maybe",
        "timeout", "soon"));
    factory.parseConfig(n);
    assertThat(n.errors().messages()).containsExactlyInAnyOrder(
        "processors::resourcedetection::detectors: was 'docker' but it must be a list of detectors from env,"
            + " system, process, k8s",
        "processors::resourcedetection::detectors: was 'env' but it must be listed once",
        "processors::resourcedetection::override: was 'maybe' but it must be true or false",
        "processors::resourcedetection::timeout: was 'soon' but it must be a duration like 200ms");
  }
}
