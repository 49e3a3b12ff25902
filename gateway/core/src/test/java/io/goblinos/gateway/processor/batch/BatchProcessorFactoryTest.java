package io.goblinos.gateway.processor.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.signal.Signal;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchProcessorFactoryTest {
  private final BatchProcessorFactory factory = new BatchProcessorFactory();

  private static ConfigNode node(Map<String, Object> values) {
    return new ConfigNode("processors::batch", values, new ConfigErrors());
  }

  @Test
  void typeKindAndSignals() {
    assertThat(factory.type()).isEqualTo("batch");
    assertThat(factory.signals()).containsExactlyInAnyOrderElementsOf(Signal.all());
  }

  @Test
  void defaults() {
    assertThat(factory.defaultConfig()).isEqualTo(new BatchConfig(8192, 0, Duration.ofMillis(200), false));
  }

  @Test
  void readsEveryKey() {
    ConfigNode n = node(Map.of("send_batch_size", 100, "send_batch_max_size", "200", "timeout", "1s"));
    BatchConfig c = factory.parseConfig(n);
    n.finish();
    assertThat(n.errors().messages()).isEmpty();
    assertThat(c).isEqualTo(new BatchConfig(100, 200, Duration.ofSeconds(1), false));
  }

  @Test
  void timeoutZeroAndSizeZeroAreAllowed() {
    ConfigNode n = node(Map.of("send_batch_size", 0, "timeout", "0"));
    assertThat(factory.parseConfig(n)).isEqualTo(new BatchConfig(0, 0, Duration.ZERO, false));
    assertThat(n.errors().messages()).isEmpty();
  }

  @Test
  void invalidTimeoutNamesTheFullKey() {
    ConfigNode n = node(Map.of("timeout", "soon"));
    factory.parseConfig(n);
    assertThat(n.errors().messages())
        .containsExactly("processors::batch::timeout: was 'soon' but it must be a duration like 200ms");
  }

  @Test
  void invalidSizes() {
    ConfigNode n = node(Map.of("send_batch_size", -1, "send_batch_max_size", "lots"));
    factory.parseConfig(n);
    assertThat(n.errors().messages()).containsExactlyInAnyOrder(
        "processors::batch::send_batch_size: was '-1' but it must be an integer >= 0",
        "processors::batch::send_batch_max_size: was 'lots' but it must be an integer >= 0");
  }

  @Test
  void maxSizeBelowSizeIsRefused() {
    ConfigNode n = node(Map.of("send_batch_size", 100, "send_batch_max_size", 50));
    factory.parseConfig(n);
    assertThat(n.errors().messages()).containsExactly(
        "processors::batch::send_batch_max_size: was '50' but it must be 0 (no limit) or at least"
            + " send_batch_size (100)");
  }

  @Test
  void unknownKeyIsReported() {
    ConfigNode n = node(Map.of("metadata_keys", "tenant"));
    factory.parseConfig(n);
    n.finish();
    assertThat(n.errors().messages()).singleElement().asString()
        .startsWith("processors::batch::metadata_keys: unknown key");
  }
}
