package io.goblinos.gateway.api.component;

import io.goblinos.gateway.api.config.ConfigNode;

/**
 * The public face of a component type: its type name, how to read its config, how to create it. Factories are
 * found with {@link java.util.ServiceLoader} under this interface's name, so a jar in {@code plugins/} adds
 * components by listing its factories in {@code META-INF/services/io.goblinos.gateway.api.component.ComponentFactory}.
 *
 * @param <C> the component's immutable config type
 */
public interface ComponentFactory<C> {

  Kind kind();

  /** The type name used in config ids, e.g. "otlp", "batch", "file". */
  String type();

  /**
   * Reads and validates the config. Every problem is reported on {@code node} ({@link ConfigNode#invalid}) with
   * its key; keys the factory does not read are reported as unknown by the caller. With an empty node the result is
   * the default config.
   */
  C parseConfig(ConfigNode node);

  /** The config used when the component's block is empty. */
  default C defaultConfig() {
    ConfigNode empty = ConfigNode.empty(kind().section() + "::" + type());
    C config = parseConfig(empty);
    if (!empty.errors().isEmpty()) {
      throw new IllegalStateException("default config of " + type() + " is invalid: " + empty.errors().messages());
    }
    return config;
  }
}
