package io.goblinos.gateway.exporter.sending;

import io.vertx.core.VertxException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Why one attempt to send failed: {@link #retryable()} failures (backend overloaded or unreachable, timeouts) are
 * retried with backoff, no sooner than {@link #retryAfter()} when the backend gave a delay (HTTP Retry-After, gRPC
 * RetryInfo); permanent failures (bad request, unauthorised, payload too large) are counted and dropped.
 */
public class ExportException extends RuntimeException {
  private final boolean retryable;
  private final Duration retryAfter;

  public ExportException(boolean retryable, String message, Duration retryAfter, Throwable cause) {
    super(message, cause, false, false);
    this.retryable = retryable;
    this.retryAfter = retryAfter != null && retryAfter.isNegative() ? Duration.ZERO : retryAfter;
  }

  public static ExportException retryable(String message, Duration retryAfter) {
    return new ExportException(true, message, retryAfter, null);
  }

  public static ExportException permanent(String message) {
    return new ExportException(false, message, null, null);
  }

  /**
   * Classifies any failure of {@link Sender#send}: an ExportException as it is; timeouts, I/O and Vert.x transport
   * errors retryable; programming errors (IllegalArgumentException, NullPointerException, ClassCastException,
   * UnsupportedOperationException, IllegalStateException) permanent, since retrying cannot fix them.
   */
  public static ExportException of(Throwable t) {
    if (t instanceof ExportException e) {
      return e;
    }
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    if (t instanceof TimeoutException || t instanceof IOException || t instanceof VertxException) {
      return new ExportException(true, msg, null, t);
    }
    if (t instanceof IllegalArgumentException
        || t instanceof NullPointerException
        || t instanceof ClassCastException
        || t instanceof UnsupportedOperationException
        || t instanceof IllegalStateException) {
      return new ExportException(false, t.getClass().getSimpleName() + ": " + msg, null, t);
    }
    return new ExportException(true, msg, null, t);
  }

  public boolean retryable() {
    return retryable;
  }

  /** The delay the backend asked for before the next attempt, or null. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
