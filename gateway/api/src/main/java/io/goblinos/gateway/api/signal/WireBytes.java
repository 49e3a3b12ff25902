package io.goblinos.gateway.api.signal;

import com.google.protobuf.Message;
import java.util.function.Supplier;

/**
 * The OTLP/protobuf bytes a request was parsed from, offered to the processors while a receiver's {@code consume}
 * call runs on the current thread ({@link #during}). A processor that stores or forwards messages unchanged can copy
 * their bytes instead of serializing them again (tail sampling does), but only for messages that are still the very
 * objects parsed from these bytes: {@link #parsed()} is that request, and anything rebuilt since (a processor that
 * changed a span, a receiver that added a resource attribute) is a different object and must be serialized.
 *
 * <p>Only a hint: absent for OTLP/JSON, gRPC and anything that crosses an asynchronous boundary (a batch, a queue).
 *
 * @param parsed the request as parsed from {@code bytes}
 * @param bytes the protobuf encoding of {@code parsed} (not to be modified)
 */
public record WireBytes(Message parsed, byte[] bytes) {
  private static final ThreadLocal<WireBytes> CURRENT = new ThreadLocal<>();

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
