package io.goblinos.gateway.testing;

import com.google.protobuf.Message;
import io.goblinos.gateway.otlp.OtlpJson;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads what the file exporter wrote and flattens OTLP requests into (resource, scope, item) rows to compare. */
public final class OtlpFiles {
  private OtlpFiles() {}

  public record Row<T>(Resource resource, InstrumentationScope scope, T item) {}

  public static <T extends Message> List<T> read(Path file, Message.Builder prototype) {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      List<T> out = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          out.add(OtlpJson.decode(line.getBytes(StandardCharsets.UTF_8), prototype.clone().clear()));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (OtlpJson.OtlpJsonException e) {
      throw new IllegalStateException(file + ": " + e.getMessage(), e);
    }
  }

  public static List<Row<Span>> spans(List<ExportTraceServiceRequest> requests) {
    List<Row<Span>> rows = new ArrayList<>();
    requests.forEach(r -> r.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss ->
        ss.getSpansList().forEach(s -> rows.add(new Row<>(rs.getResource(), ss.getScope(), s))))));
    return rows;
  }

  public static List<Row<Metric>> metrics(List<ExportMetricsServiceRequest> requests) {
    List<Row<Metric>> rows = new ArrayList<>();
    requests.forEach(r -> r.getResourceMetricsList().forEach(rm -> rm.getScopeMetricsList().forEach(sm ->
        sm.getMetricsList().forEach(m -> rows.add(new Row<>(rm.getResource(), sm.getScope(), m))))));
    return rows;
  }

  public static List<Row<LogRecord>> logs(List<ExportLogsServiceRequest> requests) {
    List<Row<LogRecord>> rows = new ArrayList<>();
    requests.forEach(r -> r.getResourceLogsList().forEach(rl -> rl.getScopeLogsList().forEach(sl ->
        sl.getLogRecordsList().forEach(l -> rows.add(new Row<>(rl.getResource(), sl.getScope(), l))))));
    return rows;
  }

  public static List<Row<Span>> tracesIn(Path dir) {
    return spans(read(dir.resolve("traces.jsonl"), ExportTraceServiceRequest.newBuilder()));
  }

  public static List<Row<Metric>> metricsIn(Path dir) {
    return metrics(read(dir.resolve("metrics.jsonl"), ExportMetricsServiceRequest.newBuilder()));
  }

  public static List<Row<LogRecord>> logsIn(Path dir) {
    return logs(read(dir.resolve("logs.jsonl"), ExportLogsServiceRequest.newBuilder()));
  }
}
