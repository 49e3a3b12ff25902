package io.goblinos.gateway.extension.spiffeauth;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Extension;
import io.goblinos.gateway.api.component.ExtensionFactory;
import io.goblinos.gateway.api.config.ConfigNode;

/** The {@code spiffeauth} extension: SPIFFE IDs of client certificates (mutual TLS) as principals. */
public final class SpiffeAuthExtensionFactory implements ExtensionFactory<SpiffeAuthConfig> {

  @Override
  public String type() {
    return "spiffeauth";
  }

  @Override
  public SpiffeAuthConfig parseConfig(ConfigNode node) {
    return SpiffeAuthConfig.parse(node);
  }

  @Override
  public Extension create(ComponentContext context, SpiffeAuthConfig config) {
    return new SpiffeAuthExtension(context, config);
  }
}
