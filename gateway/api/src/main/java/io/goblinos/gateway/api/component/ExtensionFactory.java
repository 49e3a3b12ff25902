package io.goblinos.gateway.api.component;

/** Creates extensions (authenticators, storage, ...): one instance per id listed in {@code service.extensions}. */
public interface ExtensionFactory<C> extends ComponentFactory<C> {

  @Override
  default Kind kind() {
    return Kind.EXTENSION;
  }

  Extension create(ComponentContext context, C config);
}
