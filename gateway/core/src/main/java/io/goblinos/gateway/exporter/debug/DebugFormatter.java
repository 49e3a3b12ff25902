package io.goblinos.gateway.exporter.debug;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.TextFormat;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/** Text forms of OTLP requests for the debug exporter. Pure functions. */
public final class DebugFormatter {
  private static final HexFormat HEX = HexFormat.of();
  private static final TextFormat.Printer TEXT = TextFormat.printer().escapingNonAscii(false);

  private DebugFormatter() {}

  // ---- summaries (basic) ----

  /** "traces: 3 resource spans, 120 spans". */
  public static String summary(ExportTraceServiceRequest r) {
    int spans = 0;
    for (ResourceSpans rs : r.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        spans += ss.getSpansCount();
      }
    }
    return "traces: " + r.getResourceSpansCount() + " resource spans, " + spans + " spans";
  }

  /** "metrics: 1 resource metrics, 4 metrics, 10 data points". */
  public static String summary(ExportMetricsServiceRequest r) {
    int metrics = 0;
    int points = 0;
    for (ResourceMetrics rm : r.getResourceMetricsList()) {
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        metrics += sm.getMetricsCount();
        for (Metric m : sm.getMetricsList()) {
          points += pointCount(m);
        }
      }
    }
    return "metrics: " + r.getResourceMetricsCount() + " resource metrics, " + metrics + " metrics, " + points
        + " data points";
  }

  /** "logs: 2 resource logs, 7 log records". */
  public static String summary(ExportLogsServiceRequest r) {
    int logs = 0;
    for (ResourceLogs rl : r.getResourceLogsList()) {
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        logs += sl.getLogRecordsCount();
      }
    }
    return "logs: " + r.getResourceLogsCount() + " resource logs, " + logs + " log records";
  }

  // ---- one line per item (normal) and full dumps (detailed) ----

  public static String traces(ExportTraceServiceRequest r, boolean detailed) {
    StringBuilder b = new StringBuilder(summary(r));
    for (int i = 0; i < r.getResourceSpansCount(); i++) {
      ResourceSpans rs = r.getResourceSpans(i);
      resource(b, "ResourceSpans", i, rs.getResource(), rs.getSchemaUrl(), detailed);
      for (int j = 0; j < rs.getScopeSpansCount(); j++) {
        ScopeSpans ss = rs.getScopeSpans(j);
        scope(b, "ScopeSpans", j, ss.getScope(), ss.getSchemaUrl(), detailed);
        for (int k = 0; k < ss.getSpansCount(); k++) {
          Span s = ss.getSpans(k);
          b.append("\n    span ").append(s.getName())
              .append(" trace_id=").append(hex(s.getTraceId()))
              .append(" span_id=").append(hex(s.getSpanId()));
          if (!s.getParentSpanId().isEmpty()) {
            b.append(" parent_span_id=").append(hex(s.getParentSpanId()));
          }
          b.append(" kind=").append(s.getKind().name().replace("SPAN_KIND_", ""))
              .append(" status=").append(s.getStatus().getCode().name().replace("STATUS_CODE_", ""))
              .append(" duration=").append(durationMs(s.getStartTimeUnixNano(), s.getEndTimeUnixNano()))
              .append(attributes(s.getAttributesList()));
          if (detailed) {
            dump(b, s.toBuilder().clearTraceId().clearSpanId().clearParentSpanId());
          }
        }
      }
    }
    return b.toString();
  }

  public static String metrics(ExportMetricsServiceRequest r, boolean detailed) {
    StringBuilder b = new StringBuilder(summary(r));
    for (int i = 0; i < r.getResourceMetricsCount(); i++) {
      ResourceMetrics rm = r.getResourceMetrics(i);
      resource(b, "ResourceMetrics", i, rm.getResource(), rm.getSchemaUrl(), detailed);
      for (int j = 0; j < rm.getScopeMetricsCount(); j++) {
        ScopeMetrics sm = rm.getScopeMetrics(j);
        scope(b, "ScopeMetrics", j, sm.getScope(), sm.getSchemaUrl(), detailed);
        for (Metric m : sm.getMetricsList()) {
          metric(b, m);
          if (detailed) {
            dump(b, m);
          }
        }
      }
    }
    return b.toString();
  }

  public static String logs(ExportLogsServiceRequest r, boolean detailed) {
    StringBuilder b = new StringBuilder(summary(r));
    for (int i = 0; i < r.getResourceLogsCount(); i++) {
      ResourceLogs rl = r.getResourceLogs(i);
      resource(b, "ResourceLogs", i, rl.getResource(), rl.getSchemaUrl(), detailed);
      for (int j = 0; j < rl.getScopeLogsCount(); j++) {
        ScopeLogs sl = rl.getScopeLogs(j);
        scope(b, "ScopeLogs", j, sl.getScope(), sl.getSchemaUrl(), detailed);
        for (LogRecord l : sl.getLogRecordsList()) {
          long t = l.getTimeUnixNano() != 0 ? l.getTimeUnixNano() : l.getObservedTimeUnixNano();
          b.append("\n    log ").append(time(t)).append(' ')
              .append(l.getSeverityText().isEmpty() ? l.getSeverityNumber().name().replace("SEVERITY_NUMBER_", "")
                  : l.getSeverityText())
              .append(' ').append(value(l.getBody()));
          if (!l.getTraceId().isEmpty()) {
            b.append(" trace_id=").append(hex(l.getTraceId())).append(" span_id=").append(hex(l.getSpanId()));
          }
          b.append(attributes(l.getAttributesList()));
          if (detailed) {
            dump(b, l.toBuilder().clearTraceId().clearSpanId());
          }
        }
      }
    }
    return b.toString();
  }

  private static void resource(StringBuilder b, String what, int i, Resource r, String schemaUrl, boolean detailed) {
    b.append("\n  ").append(what).append(" #").append(i).append(" resource").append(attributes(r.getAttributesList()));
    if (detailed && !schemaUrl.isEmpty()) {
      b.append(" schema_url=").append(schemaUrl);
    }
  }

  private static void scope(
      StringBuilder b, String what, int i, InstrumentationScope s, String schemaUrl, boolean detailed) {
    b.append("\n   ").append(what).append(" #").append(i).append(" scope ").append(s.getName());
    if (!s.getVersion().isEmpty()) {
      b.append(' ').append(s.getVersion());
    }
    if (detailed) {
      b.append(attributes(s.getAttributesList()));
      if (!schemaUrl.isEmpty()) {
        b.append(" schema_url=").append(schemaUrl);
      }
    }
  }

  /** One line per data point: "metric NAME TYPE {attrs} value". */
  private static void metric(StringBuilder b, Metric m) {
    switch (m.getDataCase()) {
      case GAUGE -> m.getGauge().getDataPointsList().forEach(p -> numberPoint(b, m, "gauge", p));
      case SUM -> m.getSum().getDataPointsList().forEach(p -> numberPoint(b, m, "sum", p));
      case HISTOGRAM -> {
        for (HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
          pointHead(b, m, "histogram", p.getAttributesList())
              .append(" count=").append(p.getCount()).append(" sum=").append(p.getSum());
        }
      }
      case EXPONENTIAL_HISTOGRAM -> {
        for (ExponentialHistogramDataPoint p : m.getExponentialHistogram().getDataPointsList()) {
          pointHead(b, m, "exponential_histogram", p.getAttributesList())
              .append(" count=").append(p.getCount()).append(" sum=").append(p.getSum())
              .append(" scale=").append(p.getScale());
        }
      }
      case SUMMARY -> {
        for (SummaryDataPoint p : m.getSummary().getDataPointsList()) {
          pointHead(b, m, "summary", p.getAttributesList())
              .append(" count=").append(p.getCount()).append(" sum=").append(p.getSum());
        }
      }
      default -> b.append("\n    metric ").append(m.getName()).append(" (no data)");
    }
  }

  private static void numberPoint(StringBuilder b, Metric m, String type, NumberDataPoint p) {
    pointHead(b, m, type, p.getAttributesList()).append(' ')
        .append(p.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? Long.toString(p.getAsInt())
            : Double.toString(p.getAsDouble()));
  }

  private static StringBuilder pointHead(StringBuilder b, Metric m, String type, List<KeyValue> attrs) {
    b.append("\n    metric ").append(m.getName()).append(' ').append(type);
    if (!m.getUnit().isEmpty()) {
      b.append(" [").append(m.getUnit()).append(']');
    }
    return b.append(attributes(attrs));
  }

  private static void dump(StringBuilder b, MessageOrBuilder m) {
    String text = m instanceof com.google.protobuf.Message.Builder builder
        ? TEXT.printToString(builder.build())
        : TEXT.printToString((com.google.protobuf.Message) m);
    for (String line : text.split("\n")) {
      b.append("\n      ").append(line);
    }
  }

  static int pointCount(Metric m) {
    return switch (m.getDataCase()) {
      case GAUGE -> m.getGauge().getDataPointsCount();
      case SUM -> m.getSum().getDataPointsCount();
      case HISTOGRAM -> m.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsCount();
      case SUMMARY -> m.getSummary().getDataPointsCount();
      default -> 0;
    };
  }

  /** " {k=v, k2=v2}", or "" without attributes. */
  static String attributes(List<KeyValue> attrs) {
    if (attrs.isEmpty()) {
      return "";
    }
    return attrs.stream().map(kv -> kv.getKey() + "=" + value(kv.getValue()))
        .collect(Collectors.joining(", ", " {", "}"));
  }

  static String value(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      case BYTES_VALUE -> hex(v.getBytesValue());
      case ARRAY_VALUE -> v.getArrayValue().getValuesList().stream().map(DebugFormatter::value)
          .collect(Collectors.joining(", ", "[", "]"));
      case KVLIST_VALUE -> v.getKvlistValue().getValuesList().stream()
          .map(kv -> kv.getKey() + "=" + value(kv.getValue())).collect(Collectors.joining(", ", "{", "}"));
      default -> "";
    };
  }

  static String hex(ByteString bytes) {
    return HEX.formatHex(bytes.toByteArray());
  }

  private static String time(long epochNanos) {
    return Instant.ofEpochSecond(0, epochNanos).toString();
  }

  private static String durationMs(long startNanos, long endNanos) {
    if (startNanos == 0 || endNanos < startNanos) {
      return "?";
    }
    return String.format(java.util.Locale.ROOT, "%.3fms", (endNanos - startNanos) / 1e6);
  }
}
