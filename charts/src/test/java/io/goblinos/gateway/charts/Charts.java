package io.goblinos.gateway.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Paths of the chart, the alert rules and the dashboards, and a helm-java renderer that parses what it renders. */
final class Charts {
  static final Path MODULE = Path.of("").toAbsolutePath();
  static final Path REPO = MODULE.getParent();
  static final Path CHART = MODULE.resolve("goblin-gateway");
  static final Path SIDECAR_VALUES = CHART.resolve("values-sidecar.yaml");
  static final Path RULES = REPO.resolve("conf/alerts/goblin-gateway.rules.yaml");
  static final Path RULES_TEST = REPO.resolve("conf/alerts/goblin-gateway.rules.test.yaml");
  static final Path CHART_RULES = CHART.resolve("files/goblin-gateway.rules.yaml");
  static final Path DASHBOARDS = CHART.resolve("dashboards");

  static final String RELEASE = "goblin-gateway";
  static final String NAMESPACE = "observability";
  /** helm template defaults to 1.20; the chart needs 1.25+ (policy/v1, seccompProfile). */
  static final String KUBE_VERSION = "v1.30.0";

  static final ObjectMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = new ObjectMapper();

  private Charts() {}

  /** The objects {@code helm template} renders, with the given values file (or none) and {@code --set}s. */
  static Rendered template(Path valuesFile, Map<String, Object> sets) {
    TemplateCommand cmd = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE)
        .withKubeVersion(KUBE_VERSION);
    if (valuesFile != null) {
      cmd = cmd.withValuesFile(valuesFile);
    }
    for (Map.Entry<String, Object> e : sets.entrySet()) {
      cmd = cmd.set(e.getKey(), e.getValue());
    }
    return Rendered.parse(cmd.call());
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode yaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Rendered manifests: every YAML document that is not empty. */
  record Rendered(String text, List<JsonNode> objects) {
    static Rendered parse(String text) {
      List<JsonNode> out = new ArrayList<>();
      try (var parser = new YAMLFactory().createParser(text)) {
        var it = YAML.readValues(parser, JsonNode.class);
        while (it.hasNext()) {
          JsonNode n = it.next();
          if (n != null && n.isObject() && n.size() > 0) {
            out.add(n);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("rendered chart is not YAML:\n" + text, e);
      }
      return new Rendered(text, out);
    }

    List<JsonNode> ofKind(String kind) {
      return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    Optional<JsonNode> find(String kind, String name) {
      return ofKind(kind).stream().filter(o -> name.equals(o.path("metadata").path("name").asText())).findFirst();
    }

    JsonNode get(String kind, String name) {
      return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in:\n" + kinds()));
    }

    List<String> kinds() {
      return objects.stream().map(o -> o.path("kind").asText() + "/" + o.path("metadata").path("name").asText()).toList();
    }
  }

  /** Follows a path of field names and list indexes ("spec", "containers", 0). */
  static JsonNode at(JsonNode node, Object... path) {
    JsonNode n = node;
    for (Object p : path) {
      n = p instanceof Integer i ? n.path(i) : n.path((String) p);
      if (n.isMissingNode()) {
        return MissingNode.getInstance();
      }
    }
    return n;
  }
}
