package io.goblinos.gateway.tracing.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OtlpTest {

  /** Big-endian bytes {@code from..from+8} of {@code b}, zero where {@code b} is shorter. */
  private static long reference(byte[] b, int from) {
    long v = 0;
    for (int i = from; i < from + 8; i++) {
      v = (v << 8) | (i < b.length ? b[i] & 0xff : 0);
    }
    return v;
  }

  @Test
  void idHalvesAreBigEndianAndZeroPaddedForShortIds() {
    Random r = new Random(3);
    for (int round = 0; round < 2000; round++) {
      byte[] b = new byte[r.nextInt(21)];
      r.nextBytes(b);
      ByteString id = ByteString.copyFrom(b);
      // a view into a larger array too (another ByteString class)
      byte[] wider = new byte[b.length + 5];
      System.arraycopy(b, 0, wider, 3, b.length);
      ByteString view = ByteString.copyFrom(wider).substring(3, 3 + b.length);
      for (ByteString s : new ByteString[] {id, view}) {
        assertThat(Otlp.high(s)).isEqualTo(reference(b, 0));
        assertThat(Otlp.low(s)).isEqualTo(reference(b, 8));
        assertThat(Otlp.spanId(s)).isEqualTo(reference(b, 0));
      }
    }
    assertThat(Otlp.high(ByteString.copyFrom(new byte[] {(byte) 0x80, 1, 2, 3, 4, 5, 6, 7})))
        .isEqualTo(0x8001020304050607L);
  }
}
