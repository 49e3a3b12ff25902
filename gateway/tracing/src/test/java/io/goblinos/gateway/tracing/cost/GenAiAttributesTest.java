package io.goblinos.gateway.tracing.cost;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.tracing.internal.Otlp;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Finding cost's keys in a span's attributes by hash: every key found, look-alikes and hash collisions not. */
class GenAiAttributesTest {

  @Test
  void everyKeyHasItsOwnSlotAndOtherKeysHaveNone() {
    for (int s = 0; s < GenAiAttributes.KEYS.length; s++) {
      // a copy: not the constant's instance, as a decoded key is not
      assertThat(GenAiAttributes.slot(new String(GenAiAttributes.KEYS[s].toCharArray()))).isEqualTo(s);
    }
    assertThat(GenAiAttributes.slot("gen_ai.system.x")).isEqualTo(-1);
    assertThat(GenAiAttributes.slot("http.route")).isEqualTo(-1);
    assertThat(GenAiAttributes.slot("")).isEqualTo(-1);
  }

  @Test
  void aKeyWithTheSameHashAsOneOfCostsIsNotTakenForIt() {
    // 31 * 'h' + 'F' == 31 * 'g' + 'e': same String hash, different key
    String collision = "hFn_ai.system";
    assertThat(collision.hashCode()).isEqualTo("gen_ai.system".hashCode());
    assertThat(GenAiAttributes.slot(collision)).isEqualTo(-1);
  }

  @Test
  void scanFindsTheFirstAttributeOfEachKeyAndTheGoblinId() {
    GenAiAttributes found = new GenAiAttributes("goblin.id");
    found.scan(List.of(
        kv("hFn_ai.system", "decoy"),
        kv("gen_ai.system", "openai"),
        kv("goblin.id", "g-1"),
        kv("gen_ai.system", "second"),
        kv("llm.cost", "x")));
    assertThat(Otlp.asString(found.value(GenAiAttributes.SYSTEM))).isEqualTo("openai");
    assertThat(found.indexOf(GenAiAttributes.SYSTEM)).isEqualTo(1);
    assertThat(found.indexOf(GenAiAttributes.COST)).isEqualTo(4);
    assertThat(found.indexOf(GenAiAttributes.PROVIDER_NAME)).isEqualTo(-1);
    assertThat(Otlp.asString(found.goblinId())).isEqualTo("g-1");
    found.scan(List.of(kv("gen_ai.provider.name", "anthropic")));
    assertThat(found.indexOf(GenAiAttributes.SYSTEM)).isEqualTo(-1);
    assertThat(found.goblinId()).isNull();
    assertThat(Otlp.asString(found.value(GenAiAttributes.PROVIDER_NAME))).isEqualTo("anthropic");
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(Otlp.stringValue(value)).build();
  }
}
