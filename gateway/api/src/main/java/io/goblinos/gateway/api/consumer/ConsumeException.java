package io.goblinos.gateway.api.consumer;

import java.time.Duration;

/**
 * Why data was not accepted. The three kinds map, in one place (the receivers' status mapping), to OTLP statuses:
 * {@link Kind#PERMANENT} to HTTP 400 / gRPC INVALID_ARGUMENT (never retried), {@link Kind#THROTTLED} to 429 /
 * RESOURCE_EXHAUSTED with retry information, {@link Kind#UNAVAILABLE} to 503 / UNAVAILABLE.
 */
public class ConsumeException extends RuntimeException {

  public enum Kind {
    /** The data is bad and will stay bad: the sender must not retry. */
    PERMANENT,
    /** The gateway is over a limit (memory, queue, rate): retry after the given delay. */
    THROTTLED,
    /** A transient failure downstream: retry. */
    UNAVAILABLE
  }

  private final Kind kind;
  private final Duration retryAfter;

  public ConsumeException(Kind kind, String message, Duration retryAfter, Throwable cause) {
    super(message, cause, false, false);
    this.kind = kind;
    this.retryAfter = retryAfter;
  }

  public static ConsumeException permanent(String message) {
    return new ConsumeException(Kind.PERMANENT, message, null, null);
  }

  public static ConsumeException throttled(String message, Duration retryAfter) {
    return new ConsumeException(Kind.THROTTLED, message, retryAfter, null);
  }

  public static ConsumeException unavailable(String message, Duration retryAfter) {
    return new ConsumeException(Kind.UNAVAILABLE, message, retryAfter, null);
  }

  /** Wraps any failure: a ConsumeException is returned as is, anything else becomes UNAVAILABLE. */
  public static ConsumeException of(Throwable t) {
    if (t instanceof ConsumeException ce) {
      return ce;
    }
    return new ConsumeException(Kind.UNAVAILABLE, String.valueOf(t.getMessage()), null, t);
  }

  public Kind kind() {
    return kind;
  }

  /** Suggested delay before a retry, or null when the sender should use its own backoff. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
