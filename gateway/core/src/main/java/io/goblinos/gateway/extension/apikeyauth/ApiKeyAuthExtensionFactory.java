package io.goblinos.gateway.extension.apikeyauth;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Extension;
import io.goblinos.gateway.api.component.ExtensionFactory;
import io.goblinos.gateway.api.config.ConfigNode;

/** The {@code apikeyauth} extension: API keys (SHA-256 hashes in a keys file) as principals. */
public final class ApiKeyAuthExtensionFactory implements ExtensionFactory<ApiKeyAuthConfig> {

  @Override
  public String type() {
    return "apikeyauth";
  }

  @Override
  public ApiKeyAuthConfig parseConfig(ConfigNode node) {
    return ApiKeyAuthConfig.parse(node);
  }

  @Override
  public Extension create(ComponentContext context, ApiKeyAuthConfig config) {
    return new ApiKeyAuthExtension(context, config);
  }
}
