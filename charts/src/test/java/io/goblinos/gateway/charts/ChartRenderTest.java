package io.goblinos.gateway.charts;

import static io.goblinos.gateway.charts.Charts.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.Release;
import io.goblinos.gateway.api.component.Kind;
import io.goblinos.gateway.config.ComponentRegistry;
import io.goblinos.gateway.testing.TestGateway;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** helm lint --strict and helm template (default values, values-sidecar.yaml, every option on), through helm-java. */
class ChartRenderTest {
  private static final String FULLNAME = "goblin-gateway";

  /** Every optional object and wiring switched on. */
  static Map<String, Object> allOptions() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("persistence.enabled", "true");
    s.put("persistence.storageClass", "fast-ssd");
    s.put("serviceMonitor.enabled", "true");
    s.put("serviceMonitor.additionalLabels.release", "kube-prometheus-stack");
    s.put("prometheusRule.enabled", "true");
    s.put("dashboards.enabled", "true");
    s.put("tls.enabled", "true");
    s.put("tls.secretName", "gw-tls");
    s.put("tls.clientCa", "true");
    s.put("apiKeys.enabled", "true");
    s.put("apiKeys.secretName", "gw-api-keys");
    s.put("audit.signingKey.secretName", "gw-audit-signing-key");
    s.put("audit.keys[0].key_id", "goblin-7-2026");
    s.put("audit.keys[0].goblin_id", "goblin-7");
    s.put("audit.keys[0].algorithm", "ed25519");
    s.put("audit.keys[0].public_key", "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    s.put("image.repository", "registry.example/goblin-gateway");
    s.put("image.tag", "1.2.3");
    return s;
  }

  @Test
  void lintStrictPasses() {
    LintResult r = new Helm(Charts.CHART).lint().strict().call();
    assertThat(r.isFailed()).as("helm lint --strict:\n%s", String.join("\n", r.getMessages())).isFalse();
    assertThat(r.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
  }

  @Test
  void defaultValuesRenderTheCentralGateway() {
    Charts.Rendered r = Charts.template(null, Map.of());
    assertThat(new TreeSet<>(r.kinds())).containsExactly(
        "ConfigMap/goblin-gateway-audit-keys", "ConfigMap/goblin-gateway-config", "Deployment/goblin-gateway",
        "PodDisruptionBudget/goblin-gateway", "Service/goblin-gateway", "ServiceAccount/goblin-gateway");

    JsonNode deploy = r.get("Deployment", FULLNAME);
    assertThat(at(deploy, "spec", "replicas").asInt()).isEqualTo(1);
    assertThat(at(deploy, "spec", "strategy", "type").asText()).isEqualTo("RollingUpdate");
    JsonNode pod = at(deploy, "spec", "template");
    assertThat(labels(at(pod, "metadata", "labels"))).containsAllEntriesOf(labels(at(deploy, "spec", "selector", "matchLabels")));
    JsonNode c = at(pod, "spec", "containers", 0);
    assertThat(c.path("image").asText()).isEqualTo("goblin-gateway:0.1.0-SNAPSHOT");
    assertThat(texts(c.path("args"))).containsExactly("run", "--config", "/etc/goblin-gateway/config/gateway.yaml");
    assertThat(ports(c.path("ports"))).containsExactlyInAnyOrderEntriesOf(
        Map.of("otlp-grpc", 4317, "otlp-http", 4318, "admin", 9464));
    assertThat(at(c, "livenessProbe", "httpGet", "path").asText()).isEqualTo("/health/live");
    assertThat(at(c, "readinessProbe", "httpGet", "path").asText()).isEqualTo("/health/ready");
    assertThat(at(c, "startupProbe", "httpGet", "path").asText()).isEqualTo("/health/live");
    for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      assertThat(at(c, probe, "httpGet", "port").asText()).as(probe).isEqualTo("admin");
    }
    assertThat(at(c, "resources", "limits", "memory").asText()).isEqualTo("1536Mi");
    assertThat(env(c)).containsEntry("JAVA_OPTS", "-Xmx1g").doesNotContainKey("AUDIT_SIGNING_KEY_PATH");

    // non-root, read-only root fs; only /data and /tmp are writable
    assertThat(at(pod, "spec", "securityContext", "runAsNonRoot").asBoolean()).isTrue();
    assertThat(at(pod, "spec", "securityContext", "runAsUser").asInt()).isPositive();
    assertThat(at(c, "securityContext", "readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(at(c, "securityContext", "allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(texts(at(c, "securityContext", "capabilities", "drop"))).containsExactly("ALL");
    Map<String, JsonNode> mounts = mounts(c);
    assertThat(mounts.keySet()).containsExactlyInAnyOrder(
        "/etc/goblin-gateway/config", "/etc/goblin-gateway/audit-keys", "/data", "/tmp");
    mounts.forEach((path, m) -> assertThat(m.path("readOnly").asBoolean())
        .as("%s read-only", path).isEqualTo(!path.equals("/data") && !path.equals("/tmp")));
    Map<String, JsonNode> volumes = volumes(pod);
    assertThat(volumes.keySet()).containsExactlyInAnyOrderElementsOf(
        mounts.values().stream().map(m -> m.path("name").asText()).toList());
    assertThat(volumes.get("data").has("emptyDir")).isTrue();
    assertThat(at(volumes.get("config"), "configMap", "name").asText()).isEqualTo("goblin-gateway-config");
    assertThat(at(volumes.get("audit-keys"), "configMap", "name").asText()).isEqualTo("goblin-gateway-audit-keys");

    JsonNode svc = r.get("Service", FULLNAME);
    assertThat(ports(at(svc, "spec", "ports"))).containsExactlyInAnyOrderEntriesOf(
        Map.of("otlp-grpc", 4317, "otlp-http", 4318, "admin", 9464));
    assertThat(labels(at(pod, "metadata", "labels"))).containsAllEntriesOf(labels(at(svc, "spec", "selector")));
    JsonNode pdb = r.get("PodDisruptionBudget", FULLNAME);
    assertThat(at(pdb, "spec", "maxUnavailable").asInt()).isEqualTo(1);
    assertThat(labels(at(pod, "metadata", "labels"))).containsAllEntriesOf(labels(at(pdb, "spec", "selector", "matchLabels")));

    assertThat(Charts.yaml(at(r.get("ConfigMap", "goblin-gateway-audit-keys"), "data", "audit-keys.yaml").asText())
        .path("keys").isArray()).isTrue();
  }

  /** The rendered config is conf/gateway.yaml with listeners on 0.0.0.0 and files under the data volume. */
  @Test
  void gatewayConfigIsTheShippedDefaultAdaptedToThePod() {
    String rendered = gatewayConfig(Charts.template(null, Map.of()));
    ObjectNode expected = (ObjectNode) Charts.yaml(Charts.read(Charts.REPO.resolve("conf/gateway.yaml")));
    ObjectNode protocols = (ObjectNode) at(expected, "receivers", "otlp", "protocols");
    ((ObjectNode) protocols.path("grpc")).put("endpoint", "0.0.0.0:4317");
    ((ObjectNode) protocols.path("http")).put("endpoint", "0.0.0.0:4318");
    ((ObjectNode) at(expected, "exporters", "file")).put("directory", "/data/otlp");
    ((ObjectNode) expected.path("audit")).put("keys_file", "/etc/goblin-gateway/audit-keys/audit-keys.yaml");
    ((ObjectNode) at(expected, "audit", "store")).put("directory", "/data/audit");
    ((ObjectNode) at(expected, "service", "telemetry", "metrics")).put("address", "0.0.0.0:9464");
    assertThat(Charts.yaml(rendered)).isEqualTo(expected);
    // and the gateway itself accepts it (every key validated, every component type known)
    TestGateway.parse(rendered, List.of());
  }

  @Test
  void sidecarValuesRenderOnlyTheSidecarConfig() throws Exception {
    Charts.Rendered r = Charts.template(Charts.SIDECAR_VALUES, Map.of());
    assertThat(r.kinds()).containsExactly("ConfigMap/goblin-gateway-config");
    String sidecar = at(r.get("ConfigMap", "goblin-gateway-config"), "data", "sidecar.yaml").asText();

    ObjectNode expected = (ObjectNode) Charts.yaml(Charts.read(Charts.REPO.resolve("conf/sidecar.yaml")));
    ((ObjectNode) at(expected, "service", "telemetry", "metrics")).put("address", "0.0.0.0:9465");
    assertThat(Charts.yaml(sidecar)).isEqualTo(expected);
    TestGateway.parse(sidecar, List.of());

    // it forwards to the central gateway's Service as the default values name it
    JsonNode svc = Charts.template(null, Map.of()).get("Service", FULLNAME);
    String central = svc.path("metadata").path("name").asText() + "." + Charts.NAMESPACE + ".svc.cluster.local:"
        + ports(at(svc, "spec", "ports")).get("otlp-grpc");
    assertThat(sidecar).contains("GATEWAY_ENDPOINT=" + central);

    // NOTES.txt shows the container to add; its YAML parses and names the ConfigMap and the endpoint
    Release dry = new Helm(Charts.CHART).install().withName(Charts.RELEASE).withNamespace(Charts.NAMESPACE)
        .withKubeVersion(Charts.KUBE_VERSION).withValuesFile(Charts.SIDECAR_VALUES).dryRun().clientOnly().call();
    String notes = dry.getOutput();
    int start = notes.indexOf("      containers:");
    int end = notes.indexOf("\nThen point");
    assertThat(start).as("NOTES:\n%s", notes).isPositive();
    JsonNode snippet = Charts.yaml(notes.substring(start, end));
    JsonNode container = at(snippet, "containers", 0);
    assertThat(env(container)).containsEntry("GATEWAY_ENDPOINT", central).containsEntry("GATEWAY_INSECURE", "true");
    assertThat(texts(container.path("args"))).containsExactly("run", "--config", "/etc/goblin-gateway/config/sidecar.yaml");
    assertThat(at(container, "readinessProbe", "httpGet", "port").asInt()).isEqualTo(9465);
    assertThat(at(snippet, "volumes", 0, "configMap", "name").asText()).isEqualTo("goblin-gateway-config");
  }

  @Test
  void everyOptionRendersAndWiresItsObjects() throws Exception {
    Charts.Rendered r = Charts.template(null, allOptions());
    assertThat(r.kinds()).contains("PersistentVolumeClaim/goblin-gateway-data", "ServiceMonitor/goblin-gateway",
        "PrometheusRule/goblin-gateway");

    JsonNode deploy = r.get("Deployment", FULLNAME);
    assertThat(at(deploy, "spec", "strategy", "type").asText()).isEqualTo("Recreate");
    JsonNode pod = at(deploy, "spec", "template");
    JsonNode c = at(pod, "spec", "containers", 0);
    assertThat(c.path("image").asText()).isEqualTo("registry.example/goblin-gateway:1.2.3");
    Map<String, JsonNode> volumes = volumes(pod);
    assertThat(at(volumes.get("data"), "persistentVolumeClaim", "claimName").asText()).isEqualTo("goblin-gateway-data");
    assertThat(at(volumes.get("tls"), "secret", "secretName").asText()).isEqualTo("gw-tls");
    assertThat(at(volumes.get("api-keys"), "secret", "secretName").asText()).isEqualTo("gw-api-keys");
    assertThat(at(volumes.get("signing-key"), "secret", "secretName").asText()).isEqualTo("gw-audit-signing-key");
    Map<String, JsonNode> mounts = mounts(c);
    assertThat(env(c).get("AUDIT_SIGNING_KEY_PATH")).isEqualTo("/etc/goblin-gateway/signing-key/signing-key.pem");
    assertThat(mounts).containsKeys("/etc/goblin-gateway/signing-key", "/etc/goblin-gateway/tls",
        "/etc/goblin-gateway/api-keys");

    JsonNode pvc = r.get("PersistentVolumeClaim", "goblin-gateway-data");
    assertThat(at(pvc, "spec", "storageClassName").asText()).isEqualTo("fast-ssd");
    assertThat(at(pvc, "metadata", "annotations", "helm.sh/resource-policy").asText()).isEqualTo("keep");

    // tls and api keys wired into both OTLP protocols; the gateway accepts the result
    String rendered = gatewayConfig(r);
    JsonNode cfg = Charts.yaml(rendered);
    for (String p : List.of("grpc", "http")) {
      JsonNode proto = at(cfg, "receivers", "otlp", "protocols", p);
      assertThat(at(proto, "tls", "cert_file").asText()).isEqualTo("/etc/goblin-gateway/tls/tls.crt");
      assertThat(at(proto, "tls", "key_file").asText()).isEqualTo("/etc/goblin-gateway/tls/tls.key");
      assertThat(at(proto, "tls", "client_ca_file").asText()).isEqualTo("/etc/goblin-gateway/tls/ca.crt");
      assertThat(at(proto, "auth", "authenticator").asText()).isEqualTo("apikeyauth");
    }
    assertThat(at(cfg, "extensions", "apikeyauth", "keys_file").asText()).isEqualTo("/etc/goblin-gateway/api-keys/api-keys.yaml");
    assertThat(texts(at(cfg, "service", "extensions"))).containsExactly("apikeyauth");
    assertThat(ComponentRegistry.discover().types(Kind.EXTENSION))
        .as("the gateway-core jar on the test class path registers no apikeyauth extension: it is older than the "
            + "source; build gateway-core first (the reactor does), or mvn install it")
        .contains("apikeyauth");
    TestGateway.parse(rendered, List.of());

    JsonNode keys = Charts.yaml(at(r.get("ConfigMap", "goblin-gateway-audit-keys"), "data", "audit-keys.yaml").asText());
    assertThat(at(keys, "keys", 0, "key_id").asText()).isEqualTo("goblin-7-2026");

    // ServiceMonitor scrapes the admin port of the Service, and names the job the alerts select
    JsonNode sm = r.get("ServiceMonitor", FULLNAME);
    JsonNode svc = r.get("Service", FULLNAME);
    assertThat(labels(at(svc, "metadata", "labels"))).containsAllEntriesOf(labels(at(sm, "spec", "selector", "matchLabels")));
    assertThat(at(sm, "spec", "endpoints", 0, "port").asText()).isEqualTo("admin");
    assertThat(at(sm, "spec", "endpoints", 0, "relabelings", 0, "replacement").asText()).isEqualTo("goblin-gateway");
    assertThat(at(sm, "metadata", "labels", "release").asText()).isEqualTo("kube-prometheus-stack");

    // PrometheusRule: exactly the groups of conf/alerts/goblin-gateway.rules.yaml
    JsonNode rule = r.get("PrometheusRule", FULLNAME);
    assertThat(at(rule, "spec", "groups")).isEqualTo(Charts.yaml(Charts.read(Charts.RULES)).path("groups"));

    // one dashboard ConfigMap per JSON file, labelled for the Grafana sidecar, content unchanged
    List<JsonNode> dashboards = r.ofKind("ConfigMap").stream()
        .filter(cm -> at(cm, "metadata", "labels", "grafana_dashboard").asText().equals("1")).toList();
    List<String> files;
    try (Stream<java.nio.file.Path> s = Files.list(Charts.DASHBOARDS)) {
      files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    assertThat(dashboards).hasSameSizeAs(files);
    for (JsonNode cm : dashboards) {
      String key = cm.path("data").fieldNames().next();
      assertThat(files).contains(key);
      assertThat(Charts.JSON.readTree(cm.path("data").path(key).asText()))
          .isEqualTo(Charts.JSON.readTree(Charts.read(Charts.DASHBOARDS.resolve(key))));
      assertThat(at(cm, "metadata", "annotations", "grafana_folder").asText()).isEqualTo("Goblin Gateway");
    }
  }

  @Test
  void productionExampleRendersAConfigTheGatewayAccepts() {
    Charts.Rendered r = Charts.template(Charts.CHART.resolve("values-production.yaml"), Map.of());
    assertThat(r.kinds()).contains("PersistentVolumeClaim/goblin-gateway-data", "ServiceMonitor/goblin-gateway",
        "PrometheusRule/goblin-gateway");
    String rendered = gatewayConfig(r);
    JsonNode cfg = Charts.yaml(rendered);
    assertThat(cfg.path("exporters").has("file")).as("file exporter removed by null").isFalse();
    assertThat(texts(at(cfg, "service", "pipelines", "traces", "exporters"))).containsExactly("otlp/tempo");
    assertThat(texts(at(cfg, "service", "pipelines", "traces", "processors"))).as("kept from values.yaml")
        .containsExactly("memory_limiter", "cost", "spanmetrics", "trace_coverage", "tail_sampling", "batch");
    assertThat(at(cfg, "extensions", "file_storage", "directory").asText()).startsWith("/data/");
    TestGateway.parse(rendered, List.of());
  }

  @Test
  void combinationsThatCannotWorkAreRefusedWithTheirReason() {
    assertThatThrownBy(() -> Charts.template(null, Map.of("persistence.enabled", "true", "replicaCount", "2")))
        .hasMessageContaining("persistence.enabled with replicaCount > 1");
    assertThatThrownBy(() -> Charts.template(null, Map.of("tls.enabled", "true")))
        .hasMessageContaining("tls.secretName is required");
    assertThatThrownBy(() -> Charts.template(null, Map.of("apiKeys.enabled", "true")))
        .hasMessageContaining("apiKeys.secretName is required");
    assertThatThrownBy(() -> Charts.template(null, Map.of("mode", "daemonset")))
        .hasMessageContaining("mode: was \"daemonset\"");
  }

  // ---- helpers

  static String gatewayConfig(Charts.Rendered r) {
    return at(r.get("ConfigMap", "goblin-gateway-config"), "data", "gateway.yaml").asText();
  }

  private static Map<String, String> labels(JsonNode n) {
    Map<String, String> out = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Map<String, Integer> ports(JsonNode array) {
    Map<String, Integer> out = new LinkedHashMap<>();
    array.forEach(p -> out.put(p.path("name").asText(), p.has("containerPort") ? p.path("containerPort").asInt() : p.path("port").asInt()));
    return out;
  }

  private static Map<String, String> env(JsonNode container) {
    Map<String, String> out = new LinkedHashMap<>();
    container.path("env").forEach(e -> out.put(e.path("name").asText(), e.has("value") ? e.path("value").asText() : null));
    return out;
  }

  private static Map<String, JsonNode> mounts(JsonNode container) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    container.path("volumeMounts").forEach(m -> out.put(m.path("mountPath").asText(), m));
    return out;
  }

  private static Map<String, JsonNode> volumes(JsonNode pod) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    at(pod, "spec", "volumes").forEach(v -> out.put(v.path("name").asText(), v));
    return out;
  }

}
