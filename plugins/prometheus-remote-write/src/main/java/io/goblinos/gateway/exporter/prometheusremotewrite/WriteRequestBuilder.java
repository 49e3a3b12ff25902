package io.goblinos.gateway.exporter.prometheusremotewrite;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gathers samples into time series and encodes a remote-write 1.0 {@code prometheus.WriteRequest}
 * (prometheus/prompb/remote.proto and types.proto):
 *
 * <pre>
 * message WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }
 * message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 * message Label        { string name = 1; string value = 2; }
 * message Sample       { double value = 1; int64 timestamp = 2; }   // timestamp in milliseconds
 * </pre>
 *
 * Labels arrive sorted by name. Samples of a series are written in time order; two samples of one series with the
 * same timestamp keep the later one (Prometheus rejects a second, different value for a timestamp). Not thread-safe.
 */
final class WriteRequestBuilder implements MetricTranslator.Output {
  private final Map<String, Series> series = new LinkedHashMap<>();
  private int samples;

  /** One series: sorted label pairs and its samples. */
  static final class Series {
    final String[] labels;
    final List<long[]> samples = new ArrayList<>(1); // {timestampMs, doubleBits}

    Series(String[] labels) {
      this.labels = labels;
    }

    String name() {
      for (int i = 0; i < labels.length; i += 2) {
        if (labels[i].equals("__name__")) {
          return labels[i + 1];
        }
      }
      return "";
    }
  }

  @Override
  public void sample(String[] labels, long timestampMs, double value) {
    String key = String.join("\u0000", labels);
    series.computeIfAbsent(key, k -> new Series(labels)).samples.add(new long[] {timestampMs, Double.doubleToRawLongBits(value)});
    samples++;
  }

  int seriesCount() {
    return series.size();
  }

  int sampleCount() {
    return samples;
  }

  List<Series> series() {
    return List.copyOf(series.values());
  }

  /** The encoded WriteRequest (not compressed). */
  byte[] encode() {
    List<Series> all = new ArrayList<>(series.values());
    int[] sizes = new int[all.size()];
    long total = 0;
    for (int i = 0; i < all.size(); i++) {
      Series s = all.get(i);
      normalize(s);
      sizes[i] = timeSeriesSize(s);
      total += CodedOutputStream.computeTagSize(1) + CodedOutputStream.computeUInt32SizeNoTag(sizes[i]) + sizes[i];
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("write request of " + total + " bytes is too large");
    }
    byte[] out = new byte[(int) total];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      for (int i = 0; i < all.size(); i++) {
        Series s = all.get(i);
        cos.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        cos.writeUInt32NoTag(sizes[i]);
        for (int l = 0; l < s.labels.length; l += 2) {
          cos.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          cos.writeUInt32NoTag(labelSize(s.labels[l], s.labels[l + 1]));
          cos.writeString(1, s.labels[l]);
          cos.writeString(2, s.labels[l + 1]);
        }
        for (long[] sample : s.samples) {
          cos.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          cos.writeUInt32NoTag(sampleSize(sample));
          cos.writeDouble(1, Double.longBitsToDouble(sample[1]));
          cos.writeInt64(2, sample[0]);
        }
      }
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Sorts samples by time and keeps the last of equal timestamps. */
  private static void normalize(Series s) {
    if (s.samples.size() < 2) {
      return;
    }
    long[][] arr = s.samples.toArray(new long[0][]);
    // stable: equal timestamps stay in arrival order, so the last one is the latest written
    Arrays.sort(arr, (a, b) -> Long.compare(a[0], b[0]));
    s.samples.clear();
    for (long[] sample : arr) {
      int last = s.samples.size() - 1;
      if (last >= 0 && s.samples.get(last)[0] == sample[0]) {
        s.samples.set(last, sample);
      } else {
        s.samples.add(sample);
      }
    }
  }

  private static int labelSize(String name, String value) {
    return CodedOutputStream.computeStringSize(1, name) + CodedOutputStream.computeStringSize(2, value);
  }

  private static int sampleSize(long[] sample) {
    return CodedOutputStream.computeDoubleSize(1, 0) + CodedOutputStream.computeInt64Size(2, sample[0]);
  }

  private static int timeSeriesSize(Series s) {
    int size = 0;
    for (int l = 0; l < s.labels.length; l += 2) {
      int ls = labelSize(s.labels[l], s.labels[l + 1]);
      size += CodedOutputStream.computeTagSize(1) + CodedOutputStream.computeUInt32SizeNoTag(ls) + ls;
    }
    for (long[] sample : s.samples) {
      int ss = sampleSize(sample);
      size += CodedOutputStream.computeTagSize(2) + CodedOutputStream.computeUInt32SizeNoTag(ss) + ss;
    }
    return size;
  }
}
