package io.goblinos.gateway.processor.resourcedetection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DetectorsTest {

  static final Map<String, String> PROPS = Map.of(
      "os.name", "Linux", "os.version", "6.1.0-18-amd64", "os.arch", "amd64",
      "java.runtime.name", "OpenJDK Runtime Environment", "java.runtime.version", "17.0.9+9",
      "java.vm.vendor", "Debian", "java.vm.name", "OpenJDK 64-Bit Server VM", "java.vm.version", "17.0.9+9");

  static DetectionSource source(Map<String, String> env) {
    return DetectionSource.of(() -> env, PROPS, "node-7.example", 4242, "/usr/lib/jvm/bin/java");
  }

  static Map<String, String> asStrings(List<KeyValue> attrs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (KeyValue kv : attrs) {
      AnyValue v = kv.getValue();
      m.put(kv.getKey(), v.hasIntValue() ? Long.toString(v.getIntValue()) : v.getStringValue());
    }
    return m;
  }

  @Test
  void parsesOtelResourceAttributesWithPercentDecoding() {
    assertThat(Detectors.parseResourceAttributes(
        "service.name=checkout, deployment.environment = prod ,team=a%2Cb%3Dc,greeting=gr%C3%BC%C3%9F+dich,,"))
        .containsExactly(
            Map.entry("service.name", "checkout"),
            Map.entry("deployment.environment", "prod"),
            Map.entry("team", "a,b=c"),
            Map.entry("greeting", "grüß+dich"));
  }

  @Test
  void malformedResourceAttributesAreRejectedByPosition() {
    assertThatThrownBy(() -> Detectors.parseResourceAttributes("a=1,oops"))
        .hasMessage("entry 2 is not key=value");
    assertThatThrownBy(() -> Detectors.parseResourceAttributes("a=%4"))
        .hasMessage("entry 1 has a truncated %-escape");
    assertThatThrownBy(() -> Detectors.parseResourceAttributes("a=%zz"))
        .hasMessage("entry 1 has an invalid %-escape");
    assertThatThrownBy(() -> Detectors.parseResourceAttributes("a=%C3"))
        .hasMessage("entry 1 is not UTF-8 after %-decoding");
    assertThatThrownBy(() -> Detectors.parseResourceAttributes("=x"))
        .hasMessage("entry 1 is not key=value");
  }

  @Test
  void envDetectorIgnoresAMalformedVariableAsAWhole() {
    assertThat(Detectors.detect(List.of("env"), source(Map.of("OTEL_RESOURCE_ATTRIBUTES", "a=1,broken"))))
        .isEmpty();
    assertThat(asStrings(Detectors.detect(List.of("env"), source(Map.of("OTEL_RESOURCE_ATTRIBUTES", "a=1")))))
        .containsExactly(Map.entry("a", "1"));
    assertThat(Detectors.detect(List.of("env"), source(Map.of()))).isEmpty();
  }

  @Test
  void systemDetector() {
    assertThat(asStrings(Detectors.detect(List.of("system"), source(Map.of())))).containsExactly(
        Map.entry("host.name", "node-7.example"),
        Map.entry("host.arch", "amd64"),
        Map.entry("os.type", "linux"),
        Map.entry("os.description", "Linux 6.1.0-18-amd64"));
  }

  @Test
  void processDetector() {
    List<KeyValue> attrs = Detectors.detect(List.of("process"), source(Map.of()));
    assertThat(attrs.get(0).getKey()).isEqualTo("process.pid");
    assertThat(attrs.get(0).getValue().getIntValue()).isEqualTo(4242);
    assertThat(asStrings(attrs)).containsExactly(
        Map.entry("process.pid", "4242"),
        Map.entry("process.executable.name", "java"),
        Map.entry("process.executable.path", "/usr/lib/jvm/bin/java"),
        Map.entry("process.runtime.name", "OpenJDK Runtime Environment"),
        Map.entry("process.runtime.version", "17.0.9+9"),
        Map.entry("process.runtime.description", "Debian OpenJDK 64-Bit Server VM 17.0.9+9"));
  }

  @Test
  void k8sDetectorReadsDownwardApiVariables() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("K8S_POD_NAME", "gateway-0");
    env.put("K8S_POD_UID", "0b7e-11");
    env.put("K8S_NAMESPACE_NAME", "observability");
    env.put("K8S_NODE_NAME", "node-7");
    env.put("K8S_DEPLOYMENT_NAME", "gateway");
    env.put("K8S_CLUSTER_NAME", "eu-1");
    env.put("K8S_CONTAINER_NAME", " ");
    assertThat(asStrings(Detectors.detect(List.of("k8s"), source(env)))).containsExactly(
        Map.entry("k8s.pod.name", "gateway-0"),
        Map.entry("k8s.pod.uid", "0b7e-11"),
        Map.entry("k8s.namespace.name", "observability"),
        Map.entry("k8s.node.name", "node-7"),
        Map.entry("k8s.deployment.name", "gateway"),
        Map.entry("k8s.cluster.name", "eu-1"));
  }

  @Test
  void theFirstDetectorToFindAnAttributeWins() {
    DetectionSource src = source(Map.of("OTEL_RESOURCE_ATTRIBUTES", "host.name=from-env"));
    assertThat(asStrings(Detectors.detect(List.of("env", "system"), src))).containsEntry("host.name", "from-env");
    assertThat(asStrings(Detectors.detect(List.of("system", "env"), src)))
        .containsEntry("host.name", "node-7.example");
  }

  @Test
  void semanticConventionValues() {
    assertThat(Detectors.hostArch("x86_64")).isEqualTo("amd64");
    assertThat(Detectors.hostArch("aarch64")).isEqualTo("arm64");
    assertThat(Detectors.hostArch("ppc64le")).isEqualTo("ppc64");
    assertThat(Detectors.osType("Mac OS X")).isEqualTo("darwin");
    assertThat(Detectors.osType("Windows Server 2022")).isEqualTo("windows");
    assertThat(Detectors.osType("FreeBSD")).isEqualTo("freebsd");
  }

  @Test
  void theRealSystemSourceWorks() {
    List<KeyValue> attrs = Detectors.detect(List.of("system", "process"), DetectionSource.system());
    assertThat(asStrings(attrs)).containsKeys("host.arch", "os.type", "process.pid", "process.runtime.version");
  }
}
