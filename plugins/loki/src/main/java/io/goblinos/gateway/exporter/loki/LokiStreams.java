package io.goblinos.gateway.exporter.loki;

import io.goblinos.gateway.otlp.AttributeValues;
import io.goblinos.gateway.text.Escapes;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * OTLP log records to Loki streams:
 *
 * <ul>
 *   <li>stream labels: the configured resource attributes ({@code labels.resource}) and log attributes
 *       ({@code labels.attributes}) that are present, names sanitized ({@code service.name} to {@code service_name});
 *       a record with none of them goes to {@code {service_name="unknown_service"}} (Loki needs one label);
 *   <li>line: a string body as it is; any other body as JSON; no body: empty;
 *   <li>timestamp: {@code time_unix_nano}, else {@code observed_time_unix_nano}, else now;
 *   <li>structured metadata: {@code trace_id}, {@code span_id} (hex), {@code severity_text},
 *       {@code severity_number}, then the log attributes, {@code scope_name}, {@code scope_version} and the resource
 *       attributes that are not labels (names sanitized, values as text; the first of two equal names wins);
 *   <li>entries of a stream sorted by time (stable).
 * </ul>
 */
final class LokiStreams {
  static final String FALLBACK_LABEL = "service_name";
  static final String FALLBACK_VALUE = "unknown_service";

  record Entry(long timeUnixNano, String line, List<String[]> metadata) {}

  /** One stream: labels sorted by name, entries sorted by time. */
  record Stream(TreeMap<String, String> labels, List<Entry> entries) {
    /** The labels in Loki's (Prometheus) syntax: {@code {a="x", b="y"}}. */
    String labelString() {
      StringBuilder b = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<String, String> e : labels.entrySet()) {
        if (!first) {
          b.append(", ");
        }
        first = false;
        b.append(e.getKey()).append("=\"");
        Escapes.go(b, e.getValue());
        b.append('"');
      }
      return b.append('}').toString();
    }
  }

  private final List<String> resourceLabels;
  private final List<String> attributeLabels;
  private final LongSupplier nowNanos;

  LokiStreams(List<String> resourceLabels, List<String> attributeLabels) {
    this(resourceLabels, attributeLabels, () -> System.currentTimeMillis() * 1_000_000L);
  }

  LokiStreams(List<String> resourceLabels, List<String> attributeLabels, LongSupplier nowNanos) {
    this.resourceLabels = resourceLabels;
    this.attributeLabels = attributeLabels;
    this.nowNanos = nowNanos;
  }

  List<Stream> streams(ExportLogsServiceRequest request) {
    Map<TreeMap<String, String>, Stream> streams = new LinkedHashMap<>();
    Set<String> resourceKeys = new HashSet<>(resourceLabels);
    Set<String> attributeKeys = new HashSet<>(attributeLabels);
    for (ResourceLogs rl : request.getResourceLogsList()) {
      List<KeyValue> resAttrs = rl.getResource().getAttributesList();
      TreeMap<String, String> resLabels = new TreeMap<>();
      for (KeyValue kv : resAttrs) {
        if (resourceKeys.contains(kv.getKey())) {
          putLabel(resLabels, kv);
        }
      }
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord log : sl.getLogRecordsList()) {
          TreeMap<String, String> labels = new TreeMap<>(resLabels);
          for (KeyValue kv : log.getAttributesList()) {
            if (attributeKeys.contains(kv.getKey())) {
              putLabel(labels, kv);
            }
          }
          if (labels.isEmpty()) {
            labels.put(FALLBACK_LABEL, FALLBACK_VALUE);
          }
          Map<String, String> md = new LinkedHashMap<>();
          if (!log.getTraceId().isEmpty()) {
            md.put("trace_id", HexFormat.of().formatHex(log.getTraceId().toByteArray()));
          }
          if (!log.getSpanId().isEmpty()) {
            md.put("span_id", HexFormat.of().formatHex(log.getSpanId().toByteArray()));
          }
          if (!log.getSeverityText().isEmpty()) {
            md.put("severity_text", log.getSeverityText());
          }
          if (log.getSeverityNumberValue() != 0) {
            md.put("severity_number", Integer.toString(log.getSeverityNumberValue()));
          }
          for (KeyValue kv : log.getAttributesList()) {
            if (!attributeKeys.contains(kv.getKey())) {
              putMetadata(md, kv.getKey(), kv.getValue());
            }
          }
          if (!sl.getScope().getName().isEmpty()) {
            md.putIfAbsent("scope_name", sl.getScope().getName());
          }
          if (!sl.getScope().getVersion().isEmpty()) {
            md.putIfAbsent("scope_version", sl.getScope().getVersion());
          }
          for (KeyValue kv : resAttrs) {
            if (!resourceKeys.contains(kv.getKey())) {
              putMetadata(md, kv.getKey(), kv.getValue());
            }
          }
          List<String[]> metadata = new ArrayList<>(md.size());
          md.forEach((k, v) -> metadata.add(new String[] {k, v}));
          long t = log.getTimeUnixNano() != 0 ? log.getTimeUnixNano()
              : log.getObservedTimeUnixNano() != 0 ? log.getObservedTimeUnixNano() : nowNanos.getAsLong();
          String line = log.hasBody() ? line(log.getBody()) : "";
          streams.computeIfAbsent(labels, l -> new Stream(l, new ArrayList<>())).entries()
              .add(new Entry(t, line, metadata));
        }
      }
    }
    List<Stream> out = new ArrayList<>(streams.values());
    for (Stream s : out) {
      s.entries().sort((a, b) -> Long.compareUnsigned(a.timeUnixNano(), b.timeUnixNano()));
    }
    return out;
  }

  private static void putLabel(TreeMap<String, String> labels, KeyValue kv) {
    String name = sanitize(kv.getKey());
    String value = text(kv.getValue());
    if (!name.isEmpty() && !value.isEmpty()) {
      labels.putIfAbsent(name, value);
    }
  }

  private static void putMetadata(Map<String, String> md, String key, AnyValue v) {
    String name = sanitize(key);
    String value = text(v);
    if (!name.isEmpty() && !value.isEmpty()) {
      md.putIfAbsent(name, value);
    }
  }

  /** Loki label names (Prometheus rules): [a-zA-Z_][a-zA-Z0-9_]*; other characters become '_', a leading digit gets '_'. */
  static String sanitize(String key) {
    if (key.isEmpty()) {
      return key;
    }
    StringBuilder b = new StringBuilder(key.length() + 1);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
      b.append(ok ? c : '_');
    }
    if (b.charAt(0) >= '0' && b.charAt(0) <= '9') {
      b.insert(0, '_');
    }
    return b.toString();
  }

  /** The log line of a body: a string as it is, anything else as JSON. */
  static String line(AnyValue body) {
    if (body.getValueCase() == AnyValue.ValueCase.STRING_VALUE) {
      return body.getStringValue();
    }
    if (body.getValueCase() == AnyValue.ValueCase.VALUE_NOT_SET) {
      return "";
    }
    return AttributeValues.json(body, Double::toString);
  }

  /** An attribute value as text: strings as they are, scalars printed, arrays and maps as JSON, bytes base64. */
  static String text(AnyValue v) {
    return AttributeValues.text(v, Double::toString);
  }
}
