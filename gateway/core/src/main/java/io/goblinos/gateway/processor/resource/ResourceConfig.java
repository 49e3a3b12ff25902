package io.goblinos.gateway.processor.resource;

import java.util.List;

/**
 * Config of the {@code resource} processor.
 *
 * @param attributes the actions, applied in order to every resource
 */
public record ResourceConfig(List<AttributeAction> attributes) {

  public ResourceConfig {
    attributes = List.copyOf(attributes);
  }
}
