package io.goblinos.gateway.exporter.sending;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.receiver.StatusMapping;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExporterHelperConfigTest {

  static ConfigNode node(Map<String, Object> values) {
    return new ConfigNode("exporters::otlp", values, new ConfigErrors());
  }

  @Test
  void defaultsAreTheCollectors() {
    ConfigNode n = node(Map.of());
    ExporterHelperConfig c = ExporterHelperConfig.parse(n);
    n.finish();
    assertThat(n.errors().isEmpty()).isTrue();
    assertThat(c).isEqualTo(ExporterHelperConfig.DEFAULT);
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.queue().enabled()).isTrue();
    assertThat(c.queue().numConsumers()).isEqualTo(10);
    assertThat(c.queue().queueSize()).isEqualTo(1000);
    assertThat(c.retry()).isEqualTo(new RetrySettings(
        true, Duration.ofSeconds(5), 0.5, 1.5, Duration.ofSeconds(30), Duration.ofSeconds(300)));
  }

  @Test
  void readsEveryKey() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("timeout", "2s");
    values.put("sending_queue", Map.of("enabled", "false", "num_consumers", 3, "queue_size", 50,
        "queue_size_bytes", "1MiB", "blocking", false, "storage", "file_storage", "drain_timeout", "10s"));
    values.put("retry_on_failure", Map.of("enabled", true, "initial_interval", "100ms", "randomization_factor", 0.1,
        "multiplier", 2, "max_interval", "1s", "max_elapsed_time", "0"));
    ConfigNode n = node(values);
    ExporterHelperConfig c = ExporterHelperConfig.parse(n);
    n.finish();
    assertThat(n.errors().messages()).isEmpty();
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.queue()).isEqualTo(new QueueSettings(false, 3, 50, 1024 * 1024, "file_storage", Duration.ofSeconds(10)));
    assertThat(c.retry()).isEqualTo(new RetrySettings(
        true, Duration.ofMillis(100), 0.1, 2.0, Duration.ofSeconds(1), Duration.ZERO));
  }

  @Test
  void errorsNameTheKey() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("timeout", "soon");
    values.put("sending_queue", Map.of("num_consumers", 0, "blocking", true, "queue_sise", 5));
    values.put("retry_on_failure", Map.of("multiplier", "fast", "initial_interval", "10s", "max_interval", "1s"));
    ConfigNode n = node(values);
    ExporterHelperConfig.parse(n);
    n.finish();
    assertThat(n.errors().messages()).anySatisfy(m -> assertThat(m).startsWith("exporters::otlp::timeout: was 'soon'"))
        .anySatisfy(m -> assertThat(m).startsWith("exporters::otlp::sending_queue::num_consumers: was '0'"))
        .anySatisfy(m -> assertThat(m).startsWith("exporters::otlp::sending_queue::blocking: was 'true' but it must be false"))
        .anySatisfy(m -> assertThat(m).startsWith("exporters::otlp::sending_queue::queue_sise: unknown key"))
        .anySatisfy(m -> assertThat(m).startsWith("exporters::otlp::retry_on_failure::multiplier: was 'fast'"))
        .anySatisfy(m -> assertThat(m).startsWith("exporters::otlp::retry_on_failure::max_interval: was '1s'"));
  }

  @Test
  void backOffGrowsByTheMultiplierWithinTheJitterAndCapsAtMaxInterval() {
    RetrySettings s = RetrySettings.DEFAULT;
    BackOff low = new BackOff(s, () -> 0.0);
    BackOff high = new BackOff(s, () -> 0.999999);
    assertThat(low.next()).isEqualTo(Duration.ofMillis(2500));   // 5s * (1 - 0.5)
    assertThat(high.next()).isBetween(Duration.ofMillis(7499), Duration.ofMillis(7500)); // 5s * (1 + 0.5)
    assertThat(low.next()).isEqualTo(Duration.ofMillis(3750));   // 7.5s * 0.5
    BackOff mid = new BackOff(s, () -> 0.5);
    Duration last = null;
    for (int i = 0; i < 20; i++) {
      last = mid.next();
    }
    assertThat(last).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void retryAfterHeaderAcceptsSecondsAndHttpDates() {
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    assertThat(RetryAfter.parse("7", clock)).isEqualTo(Duration.ofSeconds(7));
    assertThat(RetryAfter.parse("Thu, 01 Jan 2026 00:00:30 GMT", clock)).isEqualTo(Duration.ofSeconds(30));
    assertThat(RetryAfter.parse("Wed, 31 Dec 2025 00:00:30 GMT", clock)).isEqualTo(Duration.ZERO);
    assertThat(RetryAfter.parse("soon", clock)).isNull();
    assertThat(RetryAfter.parse(null, clock)).isNull();
  }

  @Test
  void rpcStatusReadsWhatTheReceiversWrite() {
    StatusMapping.Failure f = StatusMapping.map(
        io.goblinos.gateway.api.consumer.ConsumeException.throttled("memory limit", Duration.ofMillis(1500)));
    RpcStatus s = RpcStatus.parseProto(f.statusProto());
    assertThat(s).isEqualTo(new RpcStatus(8, "memory limit", Duration.ofMillis(1500)));
    String header = Base64.getEncoder().withoutPadding().encodeToString(f.statusProto());
    assertThat(RpcStatus.parseGrpcDetailsHeader(header)).isEqualTo(s);
    RpcStatus json = RpcStatus.parseJson(f.statusJson().encode().getBytes());
    assertThat(json).isEqualTo(s);
    assertThat(RpcStatus.parseProto(new byte[] {(byte) 0xff, 1})).isNull();
  }
}
