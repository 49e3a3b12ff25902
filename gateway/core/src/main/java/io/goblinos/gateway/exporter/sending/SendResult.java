package io.goblinos.gateway.exporter.sending;

/**
 * A request the backend accepted: fully ({@link #OK}) or partially, with the number of items it rejected and its
 * message (OTLP {@code partial_success}). Rejected items are counted as failed and never retried.
 */
public record SendResult(long rejectedItems, String message) {

  public static final SendResult OK = new SendResult(0, "");

  public SendResult {
    if (rejectedItems < 0) {
      throw new IllegalArgumentException("rejectedItems must be >= 0, was " + rejectedItems);
    }
    message = message == null ? "" : message;
  }

  public static SendResult partial(long rejectedItems, String message) {
    return rejectedItems == 0 && (message == null || message.isEmpty()) ? OK : new SendResult(rejectedItems, message);
  }

  public boolean isPartial() {
    return rejectedItems > 0;
  }
}
