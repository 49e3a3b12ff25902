package io.goblinos.gateway.processor.memorylimiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryLimiterProcessorFactoryTest {
  private static final long MIB = 1024 * 1024;
  private final MemoryLimiterProcessorFactory factory = new MemoryLimiterProcessorFactory();

  private static ConfigNode node(Map<String, Object> values) {
    return new ConfigNode("processors::memory_limiter", values, new ConfigErrors());
  }

  @Test
  void type() {
    assertThat(factory.type()).isEqualTo("memory_limiter");
  }

  @Test
  void aLimitIsRequiredSoTheEmptyConfigIsInvalid() {
    ConfigNode n = node(Map.of());
    factory.parseConfig(n);
    assertThat(n.errors().messages()).containsExactly(
        "processors::memory_limiter::limit_mib: one of limit_mib or limit_percentage is required");
    assertThatThrownBy(factory::defaultConfig).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void limitMibWithDefaults() {
    ConfigNode n = node(Map.of("limit_mib", 1000));
    MemoryLimiterConfig c = factory.parseConfig(n);
    n.finish();
    assertThat(n.errors().messages()).isEmpty();
    assertThat(c).isEqualTo(new MemoryLimiterConfig(Duration.ofSeconds(1), 1000, 0, 0, 0));
    assertThat(c.hardLimitBytes(4096 * MIB)).isEqualTo(1000 * MIB);
    assertThat(c.softLimitBytes(4096 * MIB)).isEqualTo(800 * MIB); // spike defaults to 20% of the limit
  }

  @Test
  void everyKey() {
    ConfigNode n = node(Map.of("check_interval", "250ms", "limit_mib", "512", "spike_limit_mib", 128));
    MemoryLimiterConfig c = factory.parseConfig(n);
    assertThat(n.errors().messages()).isEmpty();
    assertThat(c.checkInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.softLimitBytes(0)).isEqualTo(384 * MIB);
  }

  @Test
  void percentagesOfTheMaximumHeap() {
    ConfigNode n = node(Map.of("limit_percentage", 80, "spike_limit_percentage", 25));
    MemoryLimiterConfig c = factory.parseConfig(n);
    assertThat(n.errors().messages()).isEmpty();
    assertThat(c.hardLimitBytes(1000 * MIB)).isEqualTo(800 * MIB);
    assertThat(c.softLimitBytes(1000 * MIB)).isEqualTo(550 * MIB);

    MemoryLimiterConfig defaultSpike = factory.parseConfig(node(Map.of("limit_percentage", 50)));
    assertThat(defaultSpike.softLimitBytes(1000 * MIB)).isEqualTo(400 * MIB);
  }

  @Test
  void limitMibWinsOverPercentageAsInTheCollector() {
    MemoryLimiterConfig c = factory.parseConfig(node(Map.of("limit_mib", 100, "limit_percentage", 50)));
    assertThat(c.hardLimitBytes(10_000 * MIB)).isEqualTo(100 * MIB);
  }

  @Test
  void invalidValuesNameTheirKeys() {
    ConfigNode n = node(Map.of("check_interval", "soon", "limit_mib", "lots", "limit_percentage", 150,
        "spike_limit_percentage", -1));
    factory.parseConfig(n);
    assertThat(n.errors().messages()).containsExactlyInAnyOrder(
        "processors::memory_limiter::check_interval: was 'soon' but it must be a duration like 200ms",
        "processors::memory_limiter::limit_mib: was 'lots' but it must be an integer >= 0",
        "processors::memory_limiter::limit_percentage: was '150' but it must be an integer between 0 and 100",
        "processors::memory_limiter::spike_limit_percentage: was '-1' but it must be an integer between 0 and 100");
  }

  @Test
  void checkIntervalMustBePositive() {
    ConfigNode n = node(Map.of("check_interval", "0", "limit_mib", 100));
    factory.parseConfig(n);
    assertThat(n.errors().messages()).containsExactly(
        "processors::memory_limiter::check_interval: was '0' but it must be a duration of at least 1ms");
  }

  @Test
  void zeroLimitIsRefused() {
    ConfigNode n = node(Map.of("limit_mib", 0));
    factory.parseConfig(n);
    assertThat(n.errors().messages()).containsExactly("processors::memory_limiter::limit_mib: was '0' but it"
        + " must be greater than 0 (or set the other of limit_mib, limit_percentage)");
  }

  @Test
  void spikeMustBeBelowTheLimit() {
    ConfigNode mib = node(Map.of("limit_mib", 100, "spike_limit_mib", 100));
    factory.parseConfig(mib);
    assertThat(mib.errors().messages()).containsExactly(
        "processors::memory_limiter::spike_limit_mib: was '100' but it must be less than limit_mib (100)");

    ConfigNode pct = node(Map.of("limit_percentage", 50, "spike_limit_percentage", 60));
    factory.parseConfig(pct);
    assertThat(pct.errors().messages()).containsExactly("processors::memory_limiter::spike_limit_percentage:"
        + " was '60' but it must be less than limit_percentage (50)");
  }
}
