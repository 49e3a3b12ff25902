package io.goblinos.gateway.processor.resourcedetection;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;

/** The detectors: each turns a {@link DetectionSource} into resource attributes, in a stable order. */
public final class Detectors {
  private static final Logger LOG = Logger.getLogger(Detectors.class.getName());

  /** Detector names accepted in {@code detectors}. */
  public static final List<String> NAMES = List.of("env", "system", "process", "k8s");

  /** Kubernetes downward-API variables and the attributes they become. */
  public static final Map<String, String> K8S_VARIABLES = k8sVariables();

  private Detectors() {}

  private static Map<String, String> k8sVariables() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("K8S_POD_NAME", "k8s.pod.name");
    m.put("K8S_POD_UID", "k8s.pod.uid");
    m.put("K8S_NAMESPACE_NAME", "k8s.namespace.name");
    m.put("K8S_NODE_NAME", "k8s.node.name");
    m.put("K8S_DEPLOYMENT_NAME", "k8s.deployment.name");
    m.put("K8S_CLUSTER_NAME", "k8s.cluster.name");
    m.put("K8S_CONTAINER_NAME", "k8s.container.name");
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * Runs the detectors in order and merges their results: when two detectors find the same attribute, the first
   * one wins (as in the Collector). May block.
   */
  public static List<KeyValue> detect(List<String> detectors, DetectionSource source) {
    Map<String, AnyValue> out = new LinkedHashMap<>();
    for (String d : detectors) {
      Map<String, AnyValue> found =
          switch (d) {
            case "env" -> env(source.env());
            case "system" -> system(source);
            case "process" -> process(source);
            case "k8s" -> k8s(source.env());
            default -> throw new IllegalArgumentException("unknown detector " + d);
          };
      found.forEach(out::putIfAbsent);
    }
    List<KeyValue> list = new ArrayList<>();
    out.forEach((k, v) -> list.add(KeyValue.newBuilder().setKey(k).setValue(v).build()));
    return List.copyOf(list);
  }

  /** {@code OTEL_RESOURCE_ATTRIBUTES}; a malformed value is ignored as a whole (OpenTelemetry specification). */
  static Map<String, AnyValue> env(Map<String, String> env) {
    String raw = env.get("OTEL_RESOURCE_ATTRIBUTES");
    if (raw == null || raw.isBlank()) {
      return Map.of();
    }
    try {
      Map<String, String> parsed = parseResourceAttributes(raw);
      Map<String, AnyValue> out = new LinkedHashMap<>();
      parsed.forEach((k, v) -> out.put(k, string(v)));
      return out;
    } catch (IllegalArgumentException e) {
      LOG.warning("resourcedetection: OTEL_RESOURCE_ATTRIBUTES ignored: " + e.getMessage());
      return Map.of();
    }
  }

  /**
   * Parses {@code key1=value1,key2=value2} with percent-encoded keys and values (W3C Baggage octets). Throws
   * IllegalArgumentException naming the bad entry (by position, never by value).
   */
  public static Map<String, String> parseResourceAttributes(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    String[] entries = raw.split(",", -1);
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("entry " + (i + 1) + " is not key=value");
      }
      String key = percentDecode(entry.substring(0, eq).trim(), i + 1);
      String value = percentDecode(entry.substring(eq + 1).trim(), i + 1);
      if (key.isEmpty()) {
        throw new IllegalArgumentException("entry " + (i + 1) + " has an empty key");
      }
      out.put(key, value);
    }
    return out;
  }

  /** Decodes %XX escapes (UTF-8); '+' stays '+'. */
  static String percentDecode(String s, int entry) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new IllegalArgumentException("entry " + entry + " has a truncated %-escape");
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("entry " + entry + " has an invalid %-escape");
        }
        bytes.write(hi << 4 | lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
          b = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        bytes.write(b, 0, b.length);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("entry " + entry + " is not UTF-8 after %-decoding");
    }
  }

  /** host.name, host.arch, os.type, os.description. */
  static Map<String, AnyValue> system(DetectionSource source) {
    Map<String, AnyValue> out = new LinkedHashMap<>();
    String host = source.hostname();
    if (host != null && !host.isBlank()) {
      out.put("host.name", string(host));
    }
    String arch = source.systemProperty("os.arch");
    if (arch != null) {
      out.put("host.arch", string(hostArch(arch)));
    }
    String osName = source.systemProperty("os.name");
    if (osName != null) {
      out.put("os.type", string(osType(osName)));
      String version = source.systemProperty("os.version");
      out.put("os.description", string(version == null ? osName : osName + " " + version));
    }
    return out;
  }

  /** The semantic-conventions value of host.arch for a Java os.arch. */
  static String hostArch(String osArch) {
    String a = osArch.toLowerCase(Locale.ROOT);
    return switch (a) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i486", "i586", "i686" -> "x86";
      case "arm", "arm32" -> "arm32";
      case "ppc", "powerpc" -> "ppc32";
      case "ppc64", "ppc64le" -> "ppc64";
      case "s390x" -> "s390x";
      case "ia64" -> "ia64";
      default -> a;
    };
  }

  /** The semantic-conventions value of os.type for a Java os.name. */
  static String osType(String osName) {
    String n = osName.toLowerCase(Locale.ROOT);
    if (n.startsWith("windows")) {
      return "windows";
    }
    if (n.startsWith("linux")) {
      return "linux";
    }
    if (n.startsWith("mac") || n.startsWith("darwin")) {
      return "darwin";
    }
    if (n.startsWith("sunos") || n.startsWith("solaris")) {
      return "solaris";
    }
    if (n.startsWith("hp-ux")) {
      return "hpux";
    }
    if (n.startsWith("aix")) {
      return "aix";
    }
    return n.replace(" ", "");
  }

  /** process.pid, process.executable.name/path, process.runtime.name/version/description. */
  static Map<String, AnyValue> process(DetectionSource source) {
    Map<String, AnyValue> out = new LinkedHashMap<>();
    out.put("process.pid", AnyValue.newBuilder().setIntValue(source.pid()).build());
    source.executablePath().ifPresent(path -> {
      Path fileName = Path.of(path).getFileName();
      if (fileName != null) {
        out.put("process.executable.name", string(fileName.toString()));
      }
      out.put("process.executable.path", string(path));
    });
    putIfPresent(out, "process.runtime.name", source.systemProperty("java.runtime.name"));
    putIfPresent(out, "process.runtime.version", source.systemProperty("java.runtime.version"));
    String vendor = source.systemProperty("java.vm.vendor");
    String vm = source.systemProperty("java.vm.name");
    String vmVersion = source.systemProperty("java.vm.version");
    if (vendor != null && vm != null && vmVersion != null) {
      out.put("process.runtime.description", string(vendor + " " + vm + " " + vmVersion));
    }
    return out;
  }

  /** Kubernetes downward-API variables ({@link #K8S_VARIABLES}); blank values are skipped. */
  static Map<String, AnyValue> k8s(Map<String, String> env) {
    Map<String, AnyValue> out = new LinkedHashMap<>();
    K8S_VARIABLES.forEach((variable, attribute) -> putIfPresent(out, attribute, env.get(variable)));
    return out;
  }

  private static void putIfPresent(Map<String, AnyValue> out, String key, String value) {
    if (value != null && !value.isBlank()) {
      out.put(key, string(value.trim()));
    }
  }

  private static AnyValue string(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }
}
