package io.goblinos.gateway.loadtest.payload;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Pools of pre-encoded, distinct OTLP request bodies, built once before a run so that the load generator only copies
 * bytes. The pool file format (read by {@code load-tests/wrk/otlp.lua}) is, per body, 4-byte big-endian integers: item
 * count, body length, the body, the number of trace-id offsets, then each offset (where a raw 16-byte trace id starts,
 * so that a generator can make its trace ids fresh on every send).
 */
public final class Payloads {
  /** Which signal and encoding. */
  public enum Kind {
    TRACES_PROTOBUF("/v1/traces", "application/x-protobuf"),
    TRACES_JSON("/v1/traces", "application/json"),
    METRICS_PROTOBUF("/v1/metrics", "application/x-protobuf"),
    LOGS_PROTOBUF("/v1/logs", "application/x-protobuf");

    public final String path;
    public final String contentType;

    Kind(String path, String contentType) {
      this.path = path;
      this.contentType = contentType;
    }

    public static Kind parse(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
  }

  private Payloads() {}

  /**
   * {@code count} distinct bodies of {@code itemsPerRequest} items each; deterministic for a seed. Requires
   * {@code count > 0, itemsPerRequest > 0}.
   */
  public static List<Payload> generate(Kind kind, int count, int itemsPerRequest, long seed) {
    if (count <= 0 || itemsPerRequest <= 0) {
      throw new IllegalArgumentException("count and itemsPerRequest must be > 0, got " + count + " and " + itemsPerRequest);
    }
    GoblinTelemetry telemetry = new GoblinTelemetry(seed);
    IntFunction<Message> next = switch (kind) {
      case TRACES_PROTOBUF, TRACES_JSON -> telemetry::traces;
      case METRICS_PROTOBUF -> telemetry::metrics;
      case LOGS_PROTOBUF -> telemetry::logs;
    };
    boolean json = kind == Kind.TRACES_JSON;
    List<Payload> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Message m = next.apply(itemsPerRequest);
      if (json) {
        out.add(new Payload(OtlpJsonEncoding.encode(m), itemsPerRequest));
      } else {
        byte[] body = m.toByteArray();
        out.add(new Payload(body, itemsPerRequest, traceIdOffsets(m, body)));
      }
    }
    return out;
  }

  /** Offsets of every length-delimited 16-byte trace id ({@code 0x10} length prefix) of the message in its encoding. */
  static int[] traceIdOffsets(Message m, byte[] body) {
    Set<ByteString> ids = new HashSet<>();
    if (m instanceof ExportTraceServiceRequest r) {
      r.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss -> ss.getSpansList().forEach(s -> ids.add(s.getTraceId()))));
    } else if (m instanceof ExportLogsServiceRequest r) {
      r.getResourceLogsList().forEach(rl -> rl.getScopeLogsList().forEach(sl -> sl.getLogRecordsList().forEach(l -> ids.add(l.getTraceId()))));
    }
    List<Integer> offsets = new ArrayList<>();
    for (int i = 1; i + 16 <= body.length; i++) {
      if (body[i - 1] == 16 && ids.contains(ByteString.copyFrom(body, i, 16))) {
        offsets.add(i);
      }
    }
    return offsets.stream().mapToInt(Integer::intValue).sorted().toArray();
  }

  public static void write(Path file, List<Payload> payloads) throws IOException {
    try (OutputStream raw = Files.newOutputStream(file); DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(raw))) {
      for (Payload p : payloads) {
        out.writeInt(p.items());
        out.writeInt(p.body().length);
        out.write(p.body());
        out.writeInt(p.traceIdOffsets().length);
        for (int offset : p.traceIdOffsets()) {
          out.writeInt(offset);
        }
      }
    }
  }

  public static List<Payload> read(Path file) throws IOException {
    List<Payload> out = new ArrayList<>();
    try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw))) {
      while (in.available() > 0) {
        int items = in.readInt();
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        int[] offsets = new int[in.readInt()];
        for (int i = 0; i < offsets.length; i++) {
          offsets[i] = in.readInt();
        }
        out.add(new Payload(body, items, offsets));
      }
    }
    return out;
  }

  /** Total bytes of all bodies. */
  public static long bytes(List<Payload> payloads) {
    long total = 0;
    for (Payload p : payloads) {
      total += p.body().length;
    }
    return total;
  }
}
