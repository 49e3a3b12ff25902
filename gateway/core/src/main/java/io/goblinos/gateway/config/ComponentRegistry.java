package io.goblinos.gateway.config;

import io.goblinos.gateway.api.component.ComponentFactory;
import io.goblinos.gateway.api.component.Kind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Every component factory on the class path, found with {@link ServiceLoader}, by kind and type. */
public final class ComponentRegistry {
  private final Map<Kind, Map<String, ComponentFactory<?>>> factories = new EnumMap<>(Kind.class);

  public ComponentRegistry(Collection<? extends ComponentFactory<?>> all) {
    for (Kind k : Kind.values()) {
      factories.put(k, new TreeMap<>());
    }
    for (ComponentFactory<?> f : all) {
      ComponentFactory<?> previous = factories.get(f.kind()).putIfAbsent(f.type(), f);
      if (previous != null && previous.getClass() != f.getClass()) {
        throw new IllegalStateException("two " + f.kind().section() + " of type '" + f.type() + "': "
            + previous.getClass().getName() + " and " + f.getClass().getName());
      }
    }
  }

  /** The factories registered under {@code META-INF/services/io.goblinos.gateway.api.component.ComponentFactory}. */
  @SuppressWarnings("rawtypes")
  public static ComponentRegistry discover() {
    List<ComponentFactory<?>> all = new ArrayList<>();
    for (ComponentFactory f : ServiceLoader.load(ComponentFactory.class)) {
      all.add(f);
    }
    return new ComponentRegistry(all);
  }

  public Optional<ComponentFactory<?>> find(Kind kind, String type) {
    return Optional.ofNullable(factories.get(kind).get(type));
  }

  /** Type names of one kind, sorted, for error messages and {@code --help}. */
  public List<String> types(Kind kind) {
    return List.copyOf(factories.get(kind).keySet());
  }

  public List<ComponentFactory<?>> all() {
    List<ComponentFactory<?>> out = new ArrayList<>();
    factories.values().forEach(m -> out.addAll(m.values()));
    return out;
  }
}
