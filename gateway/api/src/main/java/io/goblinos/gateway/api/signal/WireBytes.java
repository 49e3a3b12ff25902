package io.goblinos.gateway.api.signal;

import com.google.protobuf.Message;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The OTLP/protobuf bytes a request was parsed from, offered to the processors while a receiver's {@code consume}
 * call runs on the current thread ({@link #during}). A processor that stores or forwards messages unchanged can copy
 * their bytes instead of serializing them again (tail sampling does), but only for messages that are still the very
 * objects parsed from these bytes: {@link #parsed()} is that request, and anything rebuilt since (a processor that
 * changed a span, a receiver that added a resource attribute) is a different object and must be serialized — unless
 * the processor that rebuilt it declared, with {@link #declareAppended}, that it only appended to one repeated field:
 * then the received bytes followed by the encoded additions are its encoding (protobuf merges a repeated field's
 * occurrences in order).
 *
 * <p>Only a hint: absent for OTLP/JSON, gRPC and anything that crosses an asynchronous boundary (a batch, a queue).
 * Not thread-safe: it belongs to the one {@code consume} call running on its thread.
 *
 * <p>Declarations are kept in the order made and looked up by identity. Readers usually ask in that same order (a
 * processor rebuilds spans walking the request, a later one walks it again), so a lookup first tries the declaration
 * after the one last found: no identity hash per rebuilt message (which costs a header update on a new object).
 * Asked out of order, it builds an identity map once.
 */
public final class WireBytes {
  private static final ThreadLocal<WireBytes> CURRENT = new ThreadLocal<>();

  private final Message parsed;
  private final byte[] bytes;
  private final long[] spanRanges;
  /** The declared messages and what they are, in the order declared. */
  private Message[] rebuiltInOrder;
  private Appended[] declaredInOrder;
  private int declared;
  /** Where the next in-order lookup looks first. */
  private int cursor;
  /** Every declaration by identity, once a lookup came out of order; null until then. */
  private Map<Message, Appended> byIdentity;

  /**
   * What a rebuilt message is: {@code original} with {@code added} appended to its repeated message field
   * {@code fieldNumber}, and nothing else changed.
   */
  public record Appended(Message original, int fieldNumber, List<? extends Message> added) {}

  /**
   * @param parsed the request as parsed from {@code bytes}
   * @param bytes the protobuf encoding of {@code parsed} (not to be modified)
   */
  public WireBytes(Message parsed, byte[] bytes) {
    this(parsed, bytes, null);
  }

  /**
   * @param parsed the request as parsed from {@code bytes}
   * @param bytes the protobuf encoding of {@code parsed} (not to be modified)
   * @param spanRanges for a trace request, where each of its spans sits in {@code bytes}, as the decoder found them
   *     ({@link LeanSpanDecoder#lastSpanRanges}); null when not known
   */
  public WireBytes(Message parsed, byte[] bytes, long[] spanRanges) {
    this.parsed = parsed;
    this.bytes = bytes;
    this.spanRanges = spanRanges;
  }

  /**
   * For a trace request: per span of {@link #parsed()}, flattened in order (resource by resource, scope by scope),
   * {@code offset << 32 | length} in {@link #bytes()}; null when the decoder did not record them (walk the bytes
   * then). Not to be modified.
   */
  public long[] spanRanges() {
    return spanRanges;
  }

  /** The request as parsed from {@link #bytes()}. */
  public Message parsed() {
    return parsed;
  }

  /** The protobuf encoding of {@link #parsed()}; not to be modified. */
  public byte[] bytes() {
    return bytes;
  }

  /**
   * Declares that {@code rebuilt} equals {@code original} with {@code added} appended, in order, to the end of its
   * repeated message field {@code fieldNumber}, and differs in nothing else. Only a processor that built
   * {@code rebuilt} that way may say so; a later change makes a new object, which this declaration does not cover.
   * An object is declared once.
   */
  public void declareAppended(Message rebuilt, Message original, int fieldNumber, List<? extends Message> added) {
    Appended a = new Appended(original, fieldNumber, added);
    if (rebuiltInOrder == null) {
      rebuiltInOrder = new Message[16];
      declaredInOrder = new Appended[16];
    } else if (declared == rebuiltInOrder.length) {
      rebuiltInOrder = Arrays.copyOf(rebuiltInOrder, 2 * declared);
      declaredInOrder = Arrays.copyOf(declaredInOrder, 2 * declared);
    }
    rebuiltInOrder[declared] = rebuilt;
    declaredInOrder[declared++] = a;
    if (byIdentity != null) {
      byIdentity.put(rebuilt, a);
    }
  }

  /** What was declared for this very object with {@link #declareAppended}, or null. */
  public Appended appendedTo(Message rebuilt) {
    if (declared == 0) {
      return null;
    }
    if (byIdentity == null) {
      if (cursor < declared && rebuiltInOrder[cursor] == rebuilt) { // in order: the one after the last found
        return declaredInOrder[cursor++];
      }
      byIdentity = new IdentityHashMap<>(2 * declared);
      for (int i = 0; i < declared; i++) {
        byIdentity.put(rebuiltInOrder[i], declaredInOrder[i]);
      }
    }
    return byIdentity.get(rebuilt);
  }

  /** The bytes of the request whose {@code consume} call is running on this thread, or null. */
  public static WireBytes current() {
    return CURRENT.get();
  }

  /** Runs {@code call} (a synchronous {@code consume} call) with {@code wire} as {@link #current()}. */
  public static <R> R during(WireBytes wire, Supplier<R> call) {
    WireBytes outer = CURRENT.get();
    CURRENT.set(wire);
    try {
      return call.get();
    } finally {
      if (outer == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(outer);
      }
    }
  }
}
