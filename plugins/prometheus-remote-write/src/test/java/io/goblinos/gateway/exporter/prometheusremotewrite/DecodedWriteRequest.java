package io.goblinos.gateway.exporter.prometheusremotewrite;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xerial.snappy.Snappy;

/**
 * A remote-write 1.0 body decoded by field number straight from prometheus/prompb (remote.proto, types.proto),
 * independently of the exporter's encoder: WriteRequest{timeseries=1}, TimeSeries{labels=1, samples=2},
 * Label{name=1, value=2}, Sample{value=1 double, timestamp=2 int64}. Unknown fields fail the decode.
 */
record DecodedWriteRequest(List<Series> series) {

  record Series(List<String[]> labels, List<Sample> samples) {
    Map<String, String> labelMap() {
      Map<String, String> m = new LinkedHashMap<>();
      labels.forEach(l -> m.put(l[0], l[1]));
      return m;
    }

    String name() {
      return labelMap().get("__name__");
    }
  }

  record Sample(double value, long timestampMs) {}

  /** (field_number << 3) | wire_type, as the protobuf encoding guide defines a tag. */
  private static int tag(int field, int wireType) {
    return field << 3 | wireType;
  }

  static DecodedWriteRequest fromSnappy(byte[] body) throws IOException {
    return decode(Snappy.uncompress(body));
  }

  static DecodedWriteRequest decode(byte[] bytes) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    List<Series> series = new ArrayList<>();
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag != tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        throw new IOException("unexpected WriteRequest tag " + tag);
      }
      series.add(series(in.readByteArray()));
    }
    return new DecodedWriteRequest(series);
  }

  private static Series series(byte[] bytes) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    List<String[]> labels = new ArrayList<>();
    List<Sample> samples = new ArrayList<>();
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        CodedInputStream l = CodedInputStream.newInstance(in.readByteArray());
        String name = "";
        String value = "";
        int t;
        while ((t = l.readTag()) != 0) {
          if (t == tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
            name = l.readStringRequireUtf8();
          } else if (t == tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
            value = l.readStringRequireUtf8();
          } else {
            throw new IOException("unexpected Label tag " + t);
          }
        }
        labels.add(new String[] {name, value});
      } else if (tag == tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        CodedInputStream s = CodedInputStream.newInstance(in.readByteArray());
        double value = 0;
        long ts = 0;
        int t;
        while ((t = s.readTag()) != 0) {
          if (t == tag(1, WireFormat.WIRETYPE_FIXED64)) {
            value = s.readDouble();
          } else if (t == tag(2, WireFormat.WIRETYPE_VARINT)) {
            ts = s.readInt64();
          } else {
            throw new IOException("unexpected Sample tag " + t);
          }
        }
        samples.add(new Sample(value, ts));
      } else {
        throw new IOException("unexpected TimeSeries tag " + tag);
      }
    }
    return new Series(labels, samples);
  }
}
