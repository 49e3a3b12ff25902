package io.goblinos.gateway.tracing.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameLogTest {
  private final long[] delta = new long[1];

  private static Span span(String name, int payload) {
    return Span.newBuilder().setName(name).setTraceState("x".repeat(payload)).build();
  }

  private long append(FrameLog log, long prev, int origin, Span span) {
    return log.append(prev, origin, span, span.getSerializedSize(), delta);
  }

  @Test
  void chainsATracesFramesAcrossChunksAndDecodesThemInOrder() {
    FrameLog log = new FrameLog(new ChunkPool(FrameLog.MIN_CHUNK_BYTES, 2));
    long a = FrameLog.NONE;
    long b = FrameLog.NONE;
    List<Span> aSpans = new ArrayList<>();
    for (int i = 0; i < 100; i++) { // two traces interleaved over several 4 KiB chunks
      Span s = span("a" + i, 100);
      aSpans.add(s);
      a = append(log, a, 1, s);
      b = append(log, b, 300, span("b" + i, 50));
    }
    assertThat(log.heldBytes()).isGreaterThan(4L * FrameLog.MIN_CHUNK_BYTES);
    long[] refs = log.chain(a, 100);
    List<Span> decoded = new ArrayList<>();
    for (long r : refs) {
      decoded.add(log.span(r));
      assertThat(log.originId(r)).isEqualTo(1);
    }
    assertThat(decoded).isEqualTo(aSpans);
    assertThat(log.originId(b)).isEqualTo(300);
    assertThat(log.span(b).getName()).isEqualTo("b99");
    assertThat(log.prev(refs[0])).isEqualTo(FrameLog.NONE);
  }

  @Test
  void releasesWholeChunksOlderThanTheOldestLiveFrame() {
    FrameLog log = new FrameLog(new ChunkPool(FrameLog.MIN_CHUNK_BYTES, 2));
    List<Long> refs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      refs.add(append(log, FrameLog.NONE, 0, span("s" + i, 100)));
    }
    long held = log.heldBytes();
    long oldestLive = refs.get(150);
    long freed = log.releaseBefore(oldestLive);
    assertThat(freed).isPositive().isEqualTo(held - log.heldBytes());
    // frames from the oldest live one's chunk on are still readable; older chunks are gone
    for (int i = 150; i < 200; i++) {
      assertThat(log.span(refs.get(i)).getName()).isEqualTo("s" + i);
    }
    assertThatThrownBy(() -> log.span(refs.get(0))).isInstanceOf(IllegalStateException.class);
    long remaining = log.heldBytes();
    assertThat(log.releaseBefore(FrameLog.NONE)).isEqualTo(remaining);
    assertThat(log.heldBytes()).isZero();
    // and it starts over cleanly
    long r = append(log, FrameLog.NONE, 2, span("again", 10));
    assertThat(log.span(r).getName()).isEqualTo("again");
  }

  @Test
  void aFrameLargerThanAChunkGetsAChunkOfItsOwn() {
    FrameLog log = new FrameLog(new ChunkPool(FrameLog.MIN_CHUNK_BYTES, 2));
    long small = append(log, FrameLog.NONE, 0, span("small", 10));
    Span big = span("big", 3 * FrameLog.MIN_CHUNK_BYTES);
    long jumbo = append(log, small, 0, big);
    assertThat(delta[0]).isGreaterThanOrEqualTo(big.getSerializedSize());
    long after = append(log, jumbo, 0, span("after", 10));
    assertThat(log.span(jumbo)).isEqualTo(big);
    assertThat(log.chain(after, 3)).containsExactly(small, jumbo, after);
  }

  @Test
  void theRingOfChunksGrowsPastItsInitialSize() {
    FrameLog log = new FrameLog(new ChunkPool(FrameLog.MIN_CHUNK_BYTES, 2));
    Span s = span("s", 3000); // one frame per 4 KiB chunk
    long first = append(log, FrameLog.NONE, 0, s);
    long last = first;
    for (int i = 1; i < 50; i++) {
      last = append(log, last, 0, s);
    }
    assertThat(log.heldBytes()).isEqualTo(50L * FrameLog.MIN_CHUNK_BYTES);
    assertThat(log.chain(last, 50)[0]).isEqualTo(first);
  }

  @Test
  void chunkSizeFollowsTheBudgetWithinBounds() {
    assertThat(FrameLog.chunkBytesFor(256L << 20, 16)).isEqualTo(FrameLog.MAX_CHUNK_BYTES);
    assertThat(FrameLog.chunkBytesFor(64 << 10, 1)).isEqualTo(8192);
    assertThat(FrameLog.chunkBytesFor(1024, 16)).isEqualTo(FrameLog.MIN_CHUNK_BYTES);
    // at the largest, one chunk plus its array header fills a 1 MiB G1 region exactly
    assertThat(FrameLog.MAX_CHUNK_BYTES + 16).isEqualTo(1 << 20);
  }

  @Test
  void freedChunksAreReusedUpToThePoolBound() {
    ChunkPool pool = new ChunkPool(FrameLog.MIN_CHUNK_BYTES, 2);
    FrameLog log = new FrameLog(pool);
    Span s = span("s", 3000); // one frame per chunk
    long last = FrameLog.NONE;
    for (int i = 0; i < 5; i++) {
      last = append(log, FrameLog.NONE, 0, s);
    }
    log.releaseBefore(last); // frees 4 chunks: 2 are kept
    assertThat(pool.pooledBytes()).isEqualTo(2L * FrameLog.MIN_CHUNK_BYTES);
    byte[] reused = pool.take(100);
    assertThat(reused).hasSize(FrameLog.MIN_CHUNK_BYTES);
    pool.give(reused);
    long again = append(log, FrameLog.NONE, 1, span("t", 3000)); // takes a pooled chunk: still readable as new
    assertThat(log.span(again).getName()).isEqualTo("t");
    assertThat(pool.pooledBytes()).isEqualTo(FrameLog.MIN_CHUNK_BYTES);
    // a frame larger than a chunk gets its own, which is not pooled
    Span big = span("big", 2 * FrameLog.MIN_CHUNK_BYTES);
    long jumbo = append(log, again, 0, big);
    assertThat(log.span(jumbo)).isEqualTo(big);
    log.releaseBefore(FrameLog.NONE);
    assertThat(pool.pooledBytes()).isEqualTo(2L * FrameLog.MIN_CHUNK_BYTES);
  }
}
