package io.goblinos.gateway.loadtest.payload;

/**
 * One pre-encoded request body.
 *
 * @param body the bytes to POST
 * @param items spans, data points or log records in it
 * @param traceIdOffsets where the raw 16-byte trace ids start in {@code body} (protobuf only; empty otherwise), so
 *     that {@link #withFreshTraceIds} can make a body whose traces were never seen before without re-encoding
 */
public record Payload(byte[] body, int items, int[] traceIdOffsets) {

  public Payload(byte[] body, int items) {
    this(body, items, new int[0]);
  }

  /**
   * A copy of the body whose trace ids have their first 8 bytes XOR-ed with {@code mask}: spans of one trace stay
   * together, and with a distinct mask per send no trace id repeats during a run (a tail sampler sees new traces, not
   * late spans of decided ones). Requires {@code mask != 0} to change anything.
   */
  public byte[] withFreshTraceIds(long mask) {
    byte[] copy = body.clone();
    for (int offset : traceIdOffsets) {
      for (int i = 0; i < 8; i++) {
        copy[offset + i] ^= (byte) (mask >>> (8 * i));
      }
    }
    return copy;
  }

  /** A well-mixed, non-zero 64-bit mask for send number {@code sequence} (SplitMix64). */
  public static long mask(long sequence) {
    long z = sequence + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return z == 0 ? 1 : z;
  }
}
