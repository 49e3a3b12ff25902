package io.goblinos.gateway.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BodyCollectorTest {

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Feeds {@code body} in chunks of {@code chunk} bytes; false if the collector refused one. */
  private static boolean feed(BodyCollector c, byte[] body, int chunk) {
    for (int at = 0; at < body.length; at += chunk) {
      if (!c.add(Buffer.buffer().appendBytes(body, at, Math.min(chunk, body.length - at)))) {
        return false;
      }
    }
    return true;
  }

  @Test
  void aBodyOfItsDeclaredLengthIsHandedOnWithoutACopy() {
    byte[] body = random(40_000, 1);
    BodyCollector c = new BodyCollector(body.length, 1 << 20);
    assertThat(feed(c, body, 8192)).isTrue();
    byte[] out = c.bytes();
    assertThat(out).isEqualTo(body);
    assertThat(c.bytes()).isSameAs(out); // the collecting array itself, exactly full
  }

  @Test
  void undeclaredAndLargerThanPresizedBodiesGrowAsTheyCome() {
    byte[] body = random(3 * BodyCollector.MAX_PRESIZE + 17, 2);
    BodyCollector declared = new BodyCollector(body.length, 8L << 20);
    assertThat(feed(declared, body, 65_536)).isTrue();
    assertThat(declared.bytes()).isEqualTo(body);
    BodyCollector chunked = new BodyCollector(-1, 8L << 20);
    assertThat(feed(chunked, body, 1000)).isTrue();
    assertThat(chunked.length()).isEqualTo(body.length);
    assertThat(chunked.bytes()).isEqualTo(body);
    assertThat(new BodyCollector(-1, 100).bytes()).isEmpty();
  }

  @Test
  void aChunkPastTheLimitIsRefusedAndNotAppended() {
    BodyCollector c = new BodyCollector(-1, 100);
    assertThat(c.add(Buffer.buffer(random(60, 3)))).isTrue();
    assertThat(c.add(Buffer.buffer(random(41, 4)))).isFalse();
    assertThat(c.length()).isEqualTo(60);
    assertThat(c.add(Buffer.buffer(random(40, 5)))).isTrue();
    assertThat(c.length()).isEqualTo(100);
    // a declared length over the limit is not allocated beyond the limit
    BodyCollector big = new BodyCollector(1L << 40, 100);
    assertThat(big.add(Buffer.buffer(random(100, 6)))).isTrue();
    assertThat(big.bytes()).hasSize(100);
  }
}
