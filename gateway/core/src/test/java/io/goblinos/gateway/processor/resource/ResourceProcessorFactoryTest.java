package io.goblinos.gateway.processor.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceProcessorFactoryTest {
  private final ResourceProcessorFactory factory = new ResourceProcessorFactory();

  private static ConfigNode node(Object attributes) {
    return new ConfigNode("processors::resource", Map.of("attributes", attributes), new ConfigErrors());
  }

  @Test
  void defaultIsNoActions() {
    assertThat(factory.type()).isEqualTo("resource");
    assertThat(factory.defaultConfig().attributes()).isEmpty();
  }

  @Test
  void parsesEveryActionAndValueType() {
    ConfigNode n = node(List.of(
        Map.of("key", "env", "value", "prod", "action", "insert"),
        Map.of("key", "replicas", "value", 3, "action", "update"),
        Map.of("key", "ratio", "value", 0.5, "action", "UPSERT"),
        Map.of("key", "enabled", "value", true, "action", "upsert"),
        Map.of("key", "zones", "value", List.of("a", "b"), "action", "upsert"),
        Map.of("key", "ns", "from_attribute", "k8s.namespace.name", "action", "insert"),
        Map.of("key", "secret", "action", "delete"),
        Map.of("pattern", "^internal\\..*", "action", "delete"),
        Map.of("key", "user.email", "action", "hash")));
    ResourceConfig c = factory.parseConfig(n);
    n.finish();
    assertThat(n.errors().messages()).isEmpty();
    List<AttributeAction> a = c.attributes();
    assertThat(a).extracting(AttributeAction::action).containsExactly(
        AttributeAction.Type.INSERT, AttributeAction.Type.UPDATE, AttributeAction.Type.UPSERT,
        AttributeAction.Type.UPSERT, AttributeAction.Type.UPSERT, AttributeAction.Type.INSERT,
        AttributeAction.Type.DELETE, AttributeAction.Type.DELETE, AttributeAction.Type.HASH);
    assertThat(a.get(0).value().getStringValue()).isEqualTo("prod");
    assertThat(a.get(1).value().getIntValue()).isEqualTo(3);
    assertThat(a.get(2).value().getDoubleValue()).isEqualTo(0.5);
    assertThat(a.get(3).value().getBoolValue()).isTrue();
    assertThat(a.get(4).value().getArrayValue().getValuesList()).extracting(AnyValue::getStringValue)
        .containsExactly("a", "b");
    assertThat(a.get(5).fromAttribute()).isEqualTo("k8s.namespace.name");
    assertThat(a.get(7).pattern().pattern()).isEqualTo("^internal\\..*");
  }

  @Test
  void invalidActionsNameTheirKeys() {
    ConfigNode n = node(List.of(
        Map.of("key", "a", "value", "x"),
        Map.of("key", "b", "value", "x", "action", "rename"),
        Map.of("key", "c", "action", "insert"),
        Map.of("key", "d", "value", "x", "from_attribute", "y", "action", "upsert"),
        Map.of("key", "e", "value", Map.of("nested", 1), "action", "upsert"),
        Map.of("value", "x", "action", "insert"),
        Map.of("key", "f", "value", "x", "action", "delete"),
        Map.of("pattern", "([", "action", "delete"),
        Map.of("action", "hash"),
        "not-a-mapping"));
    factory.parseConfig(n);
    assertThat(n.errors().messages()).containsExactlyInAnyOrder(
        "processors::resource::attributes::0::action: is required: one of insert, update, upsert, delete, hash",
        "processors::resource::attributes::1::action: was 'rename' but it must be one of insert, update, upsert,"
            + " delete, hash",
        "processors::resource::attributes::2::value: is required for action insert (or set from_attribute)",
        "processors::resource::attributes::3::value: set either value or from_attribute, not both",
        "processors::resource::attributes::4::value: was '{nested=1}' but it must be a string, integer, double,"
            + " boolean or a list of them",
        "processors::resource::attributes::5::key: is required for action insert",
        "processors::resource::attributes::6::value: is not allowed with action delete",
        "processors::resource::attributes::7::pattern: was '([' but it must be a regular expression"
            + " (Unclosed character class)",
        "processors::resource::attributes::8::key: is required for action hash (or set pattern)",
        "processors::resource::attributes::9: was 'not-a-mapping' but it must be a mapping");
  }

  @Test
  void unknownKeysInAnActionAreReported() {
    ConfigNode n = node(List.of(Map.of("key", "a", "value", "x", "action", "insert", "from_context", "auth")));
    factory.parseConfig(n);
    n.finish();
    assertThat(n.errors().messages()).singleElement().asString()
        .startsWith("processors::resource::attributes::0::from_context: unknown key");
  }

  @Test
  void attributesMustBeAList() {
    ConfigNode n = node("env=prod");
    factory.parseConfig(n);
    assertThat(n.errors().messages())
        .containsExactly("processors::resource::attributes: was 'env=prod' but it must be a list of mappings");
  }
}
