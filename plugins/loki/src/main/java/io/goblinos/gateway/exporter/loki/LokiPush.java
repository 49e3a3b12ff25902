package io.goblinos.gateway.exporter.loki;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.goblinos.gateway.text.Escapes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The two bodies of Loki's push API ({@code POST /loki/api/v1/push}).
 *
 * <p>Protobuf ({@code Content-Type: application/x-protobuf}, snappy block compression), grafana/loki
 * {@code pkg/push/push.proto}:
 *
 * <pre>
 * message PushRequest   { repeated StreamAdapter streams = 1; }
 * message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; (hash unused by clients) }
 * message EntryAdapter  { google.protobuf.Timestamp timestamp = 1; string line = 2;
 *                         repeated LabelPairAdapter structuredMetadata = 3; }
 * message LabelPairAdapter { string name = 1; string value = 2; }
 * message Timestamp     { int64 seconds = 1; int32 nanos = 2; }
 * </pre>
 *
 * <p>JSON ({@code Content-Type: application/json}):
 * {@code {"streams":[{"stream":{"label":"value"},"values":[["<unix ns>","<line>",{"<metadata>":"<value>"}]]}]}},
 * the metadata object only when an entry has some.
 */
final class LokiPush {
  private LokiPush() {}

  static byte[] protobuf(List<LokiStreams.Stream> streams) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      for (LokiStreams.Stream s : streams) {
        byte[] stream = stream(s);
        out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(stream.length);
        out.writeRawBytes(stream);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] stream(LokiStreams.Stream s) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(1, s.labelString());
    for (LokiStreams.Entry e : s.entries()) {
      byte[] entry = entry(e);
      out.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(entry.length);
      out.writeRawBytes(entry);
    }
    out.flush();
    return bytes.toByteArray();
  }

  private static byte[] entry(LokiStreams.Entry e) throws IOException {
    long seconds = Long.divideUnsigned(e.timeUnixNano(), 1_000_000_000L);
    int nanos = (int) Long.remainderUnsigned(e.timeUnixNano(), 1_000_000_000L);
    int tsSize = CodedOutputStream.computeInt64Size(1, seconds) + CodedOutputStream.computeInt32Size(2, nanos);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + e.line().length());
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(tsSize);
    out.writeInt64(1, seconds);
    out.writeInt32(2, nanos);
    out.writeString(2, e.line());
    for (String[] md : e.metadata()) {
      out.writeTag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(CodedOutputStream.computeStringSize(1, md[0]) + CodedOutputStream.computeStringSize(2, md[1]));
      out.writeString(1, md[0]);
      out.writeString(2, md[1]);
    }
    out.flush();
    return bytes.toByteArray();
  }

  static byte[] json(List<LokiStreams.Stream> streams) {
    StringBuilder b = new StringBuilder(4096).append("{\"streams\":[");
    for (int i = 0; i < streams.size(); i++) {
      LokiStreams.Stream s = streams.get(i);
      if (i > 0) {
        b.append(',');
      }
      b.append("{\"stream\":{");
      boolean first = true;
      for (Map.Entry<String, String> l : s.labels().entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        Escapes.json(b, l.getKey());
        b.append(':');
        Escapes.json(b, l.getValue());
      }
      b.append("},\"values\":[");
      for (int j = 0; j < s.entries().size(); j++) {
        LokiStreams.Entry e = s.entries().get(j);
        if (j > 0) {
          b.append(',');
        }
        b.append("[\"").append(Long.toUnsignedString(e.timeUnixNano())).append("\",");
        Escapes.json(b, e.line());
        if (!e.metadata().isEmpty()) {
          b.append(",{");
          for (int k = 0; k < e.metadata().size(); k++) {
            if (k > 0) {
              b.append(',');
            }
            Escapes.json(b, e.metadata().get(k)[0]);
            b.append(':');
            Escapes.json(b, e.metadata().get(k)[1]);
          }
          b.append('}');
        }
        b.append(']');
      }
      b.append("]}");
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }
}
