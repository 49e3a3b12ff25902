package io.goblinos.gateway.config;

import io.goblinos.gateway.api.component.ComponentFactory;
import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.component.ExporterFactory;
import io.goblinos.gateway.api.component.Kind;
import io.goblinos.gateway.api.component.ProcessorFactory;
import io.goblinos.gateway.api.component.ReceiverFactory;
import io.goblinos.gateway.api.config.ConfigErrors;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.auditservice.AuditSettings;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The whole validated config: components by kind and id, the service's pipelines, extensions, event loops and
 * telemetry, and the audit log ({@code audit}, null when not enabled). Built by {@link #parse}, which gathers every
 * error before anything starts.
 *
 * @param eventLoops {@code service.event_loops}: the Vert.x event-loop threads every receiver, processor and exporter
 *     runs on; default one per available processor
 */
public record GatewayConfig(
    Map<Kind, Map<ComponentId, ComponentConfig>> components,
    List<PipelineConfig> pipelines,
    List<ComponentId> serviceExtensions,
    TelemetryConfig telemetry,
    int eventLoops,
    AuditSettings audit) {
  /** Most {@code service.event_loops} accepted. */
  public static final int MAX_EVENT_LOOPS = 1024;

  /** One configured component: its id, factory and parsed config. */
  public record ComponentConfig(ComponentId id, ComponentFactory<?> factory, Object config) {}

  /** One pipeline: {@code traces}, {@code metrics/2}, ... */
  public record PipelineConfig(
      String id, Signal<?> signal, List<ComponentId> receivers, List<ComponentId> processors, List<ComponentId> exporters) {}

  /**
   * {@code service.telemetry}: the admin address serving /metrics and /health, and the gateway's log level.
   */
  public record TelemetryConfig(String metricsAddress, String logLevel) {
    public static final String DEFAULT_METRICS_ADDRESS = "127.0.0.1:9464";
  }

  /** The parse outcome: a config, or every error found. */
  public record Result(GatewayConfig config, List<String> errors) {
    public boolean ok() {
      return errors.isEmpty();
    }
  }

  public Map<ComponentId, ComponentConfig> of(Kind kind) {
    return components.get(kind);
  }

  public static Result parse(Map<String, Object> root, ComponentRegistry registry) {
    return parse(root, registry, System::getenv);
  }

  /** As {@link #parse(Map, ComponentRegistry)} with the environment given (for defaults read from it). */
  public static Result parse(Map<String, Object> root, ComponentRegistry registry, Function<String, String> env) {
    ConfigErrors errors = new ConfigErrors();
    ConfigNode top = new ConfigNode("", root, errors);
    Map<Kind, Map<ComponentId, ComponentConfig>> components = new EnumMap<>(Kind.class);
    for (Kind kind : Kind.values()) {
      components.put(kind, parseSection(top.child(kind.section()), kind, registry));
    }
    ConfigNode service = top.child("service");
    List<ComponentId> serviceExtensions = new ArrayList<>();
    for (String ext : service.stringList("extensions", List.of())) {
      ComponentId id = parseId(service, "extensions", ext);
      if (id == null) {
        continue;
      }
      if (!components.get(Kind.EXTENSION).containsKey(id)) {
        errors.add("service::extensions", "references extension \"" + id + "\" which is not configured");
      }
      serviceExtensions.add(id);
    }
    List<PipelineConfig> pipelines = parsePipelines(service.child("pipelines"), components, errors);
    int eventLoops = service.integer("event_loops", defaultEventLoops(), 1, MAX_EVENT_LOOPS);
    ConfigNode telemetryNode = service.child("telemetry");
    ConfigNode metricsNode = telemetryNode.child("metrics");
    String address = metricsNode.string("address", TelemetryConfig.DEFAULT_METRICS_ADDRESS);
    checkHostPort(metricsNode, "address", address);
    ConfigNode logsNode = telemetryNode.child("logs");
    String level = logsNode.oneOf("level", "info", "debug", "info", "warn", "error");
    AuditSettings audit = AuditSettings.parse(top.child("audit"), env);
    top.finish();
    GatewayConfig config = new GatewayConfig(
        components, List.copyOf(pipelines), List.copyOf(serviceExtensions), new TelemetryConfig(address, level),
        eventLoops, audit);
    return new Result(errors.isEmpty() ? config : null, errors.messages());
  }

  /**
   * One event loop per available processor. Vert.x's own default is two per processor, a margin for handlers that
   * block, which the gateway's never do: on the benchmark's two vCPUs the extra two threads only added context
   * switches (the pipeline used about 5 % more CPU per span with four).
   */
  public static int defaultEventLoops() {
    return Math.max(1, Math.min(MAX_EVENT_LOOPS, Runtime.getRuntime().availableProcessors()));
  }

  /** Checks a {@code host:port} value; records an error naming the key when it is not one. */
  public static void checkHostPort(ConfigNode node, String key, String value) {
    if (value == null) {
      return;
    }
    int colon = value.lastIndexOf(':');
    boolean ok = colon > 0;
    if (ok) {
      try {
        int port = Integer.parseInt(value.substring(colon + 1));
        ok = port >= 0 && port <= 65535;
      } catch (NumberFormatException e) {
        ok = false;
      }
    }
    if (!ok) {
      node.invalid(key, value, "host:port like 127.0.0.1:4317 (port 0 picks a free port)");
    }
  }

  private static Map<ComponentId, ComponentConfig> parseSection(ConfigNode section, Kind kind, ComponentRegistry registry) {
    Map<ComponentId, ComponentConfig> out = new LinkedHashMap<>();
    for (String key : List.copyOf(section.keys())) {
      ComponentId id = parseId(section, null, key);
      section.accept(key);
      if (id == null) {
        continue;
      }
      ComponentFactory<?> factory = registry.find(kind, id.type()).orElse(null);
      if (factory == null) {
        section.error(key, "unknown " + kind.name().toLowerCase() + " type \"" + id.type() + "\" (known: "
            + String.join(", ", registry.types(kind)) + ")");
        continue;
      }
      ConfigNode node = section.child(key);
      Object config = factory.parseConfig(node);
      node.finish();
      out.put(id, new ComponentConfig(id, factory, config));
    }
    return out;
  }

  private static ComponentId parseId(ConfigNode node, String key, String text) {
    try {
      return ComponentId.parse(text);
    } catch (IllegalArgumentException e) {
      node.errors().add(key == null ? node.pathOf(text) : node.pathOf(key), e.getMessage());
      return null;
    }
  }

  private static List<PipelineConfig> parsePipelines(
      ConfigNode node, Map<Kind, Map<ComponentId, ComponentConfig>> components, ConfigErrors errors) {
    List<PipelineConfig> out = new ArrayList<>();
    if (node.keys().isEmpty()) {
      errors.add("service::pipelines", "at least one pipeline must be configured");
    }
    for (String key : List.copyOf(node.keys())) {
      ConfigNode p = node.child(key);
      String type = key.contains("/") ? key.substring(0, key.indexOf('/')) : key;
      Signal<?> signal = Signal.byName(type);
      if (signal == null) {
        errors.add(p.path(), "unknown pipeline type \"" + type + "\" (known: traces, metrics, logs)");
        p.accept("receivers");
        p.accept("processors");
        p.accept("exporters");
        continue;
      }
      List<ComponentId> receivers = refs(p, "receivers", Kind.RECEIVER, signal, components, true);
      List<ComponentId> processors = refs(p, "processors", Kind.PROCESSOR, signal, components, false);
      List<ComponentId> exporters = refs(p, "exporters", Kind.EXPORTER, signal, components, true);
      out.add(new PipelineConfig(key, signal, receivers, processors, exporters));
    }
    return out;
  }

  private static List<ComponentId> refs(
      ConfigNode p,
      String key,
      Kind kind,
      Signal<?> signal,
      Map<Kind, Map<ComponentId, ComponentConfig>> components,
      boolean required) {
    List<String> names = p.stringList(key, List.of());
    if (required && names.isEmpty()) {
      p.error(key, "must list at least one " + kind.name().toLowerCase());
    }
    List<ComponentId> ids = new ArrayList<>();
    Set<ComponentId> seen = new HashSet<>();
    for (String name : names) {
      ComponentId id = parseId(p, key, name);
      if (id == null) {
        continue;
      }
      if (!seen.add(id)) {
        p.error(key, "lists " + kind.name().toLowerCase() + " \"" + id + "\" twice");
        continue;
      }
      ComponentConfig c = components.get(kind).get(id);
      if (c == null) {
        p.error(key, "references " + kind.name().toLowerCase() + " \"" + id + "\" which is not configured");
        continue;
      }
      Set<Signal<?>> supported = switch (kind) {
        case RECEIVER -> ((ReceiverFactory<?>) c.factory()).signals();
        case PROCESSOR -> ((ProcessorFactory<?>) c.factory()).signals();
        case EXPORTER -> ((ExporterFactory<?>) c.factory()).signals();
        default -> Set.of();
      };
      if (!supported.contains(signal)) {
        p.error(key, kind.name().toLowerCase() + " \"" + id + "\" does not support " + signal.name());
        continue;
      }
      ids.add(id);
    }
    return List.copyOf(ids);
  }
}
