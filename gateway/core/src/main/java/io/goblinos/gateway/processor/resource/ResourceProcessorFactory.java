package io.goblinos.gateway.processor.resource;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.component.ProcessorFactory;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code resource} processor: Collector attributes-processor actions on every resource.
 *
 * <pre>
 * processors:
 *   resource:
 *     attributes:
 *       - {key: deployment.environment, value: prod, action: upsert}
 *       - {key: service.namespace, from_attribute: k8s.namespace.name, action: insert}
 *       - {key: host.ip, action: delete}
 *       - {pattern: "^internal\\..*", action: delete}
 *       - {key: user.email, action: hash}
 * </pre>
 *
 * Unlike the Collector, an empty {@code attributes} list is accepted (the processor then passes data through), so
 * that the default config is valid.
 */
public final class ResourceProcessorFactory implements ProcessorFactory<ResourceConfig> {
  private static final String ACTIONS = "insert, update, upsert, delete, hash";

  @Override
  public String type() {
    return "resource";
  }

  @Override
  public Set<Signal<?>> signals() {
    return Set.copyOf(Signal.all());
  }

  @Override
  public ResourceConfig parseConfig(ConfigNode node) {
    List<AttributeAction> actions = new ArrayList<>();
    for (ConfigNode a : node.childList("attributes")) {
      AttributeAction action = parseAction(a);
      if (action != null) {
        actions.add(action);
      }
    }
    return new ResourceConfig(actions);
  }

  /** Parses one action; returns null (with errors recorded) when it is invalid. */
  private static AttributeAction parseAction(ConfigNode a) {
    int errorsBefore = a.errors().messages().size();
    String key = a.string("key", null);
    String patternText = a.string("pattern", null);
    String actionText = a.string("action", null);
    Object rawValue = a.raw("value");
    String from = a.string("from_attribute", null);

    AttributeAction.Type type = null;
    if (actionText == null) {
      a.error("action", "is required: one of " + ACTIONS);
    } else {
      try {
        type = AttributeAction.Type.valueOf(actionText.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        a.invalid("action", actionText, "one of " + ACTIONS);
      }
    }
    if (key != null && key.isBlank()) {
      a.invalid("key", key, "a non-empty attribute name");
      key = null;
    }
    Pattern pattern = null;
    if (patternText != null) {
      try {
        pattern = Pattern.compile(patternText);
      } catch (PatternSyntaxException e) {
        a.invalid("pattern", patternText, "a regular expression (" + e.getDescription() + ")");
      }
    }
    AnyValue value = null;
    if (rawValue != null) {
      value = toAnyValue(rawValue);
      if (value == null) {
        a.invalid("value", rawValue, "a string, integer, double, boolean or a list of them");
      }
    }
    if (type != null) {
      if (type.setsValue()) {
        if (key == null) {
          a.error("key", "is required for action " + type.configName());
        }
        if (patternText != null) {
          a.error("pattern", "is only allowed with action delete or hash");
        }
        if (rawValue != null && from != null) {
          a.error("value", "set either value or from_attribute, not both");
        } else if (rawValue == null && from == null) {
          a.error("value", "is required for action " + type.configName() + " (or set from_attribute)");
        }
      } else {
        if (key == null && patternText == null) {
          a.error("key", "is required for action " + type.configName() + " (or set pattern)");
        }
        if (rawValue != null) {
          a.error("value", "is not allowed with action " + type.configName());
        }
        if (from != null) {
          a.error("from_attribute", "is not allowed with action " + type.configName());
        }
      }
    }
    if (a.errors().messages().size() != errorsBefore || type == null) {
      return null;
    }
    return new AttributeAction(key, pattern, type, value, from);
  }

  /** Converts a YAML scalar (or a list of scalars) to an OTLP value, or returns null when it cannot. */
  static AnyValue toAnyValue(Object v) {
    if (v instanceof String s) {
      return AnyValue.newBuilder().setStringValue(s).build();
    }
    if (v instanceof Boolean b) {
      return AnyValue.newBuilder().setBoolValue(b).build();
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return AnyValue.newBuilder().setIntValue(((Number) v).longValue()).build();
    }
    if (v instanceof BigInteger bi) {
      return bi.bitLength() < 64 ? AnyValue.newBuilder().setIntValue(bi.longValue()).build() : null;
    }
    if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
      return AnyValue.newBuilder().setDoubleValue(((Number) v).doubleValue()).build();
    }
    if (v instanceof List<?> list) {
      ArrayValue.Builder arr = ArrayValue.newBuilder();
      for (Object o : list) {
        if (o instanceof List || o instanceof Map || o == null) {
          return null;
        }
        AnyValue item = toAnyValue(o);
        if (item == null) {
          return null;
        }
        arr.addValues(item);
      }
      return AnyValue.newBuilder().setArrayValue(arr).build();
    }
    return null;
  }

  @Override
  public <T extends Message> Processor<T> create(
      ComponentContext context, ResourceConfig config, Signal<T> signal, Consumer<T> next) {
    return new ResourceProcessor<>(context, config, signal, next);
  }
}
