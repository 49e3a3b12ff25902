package io.goblinos.gateway.exporter.sending;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** The HTTP {@code Retry-After} header: delay-seconds or an HTTP-date (RFC 9110, 10.2.3). */
public final class RetryAfter {
  private RetryAfter() {}

  /** The delay the header asks for, or null when absent or unreadable. */
  public static Duration parse(String header) {
    return parse(header, Clock.systemUTC());
  }

  static Duration parse(String header, Clock clock) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String s = header.trim();
    try {
      long seconds = Long.parseLong(s);
      return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, 24 * 3600));
    } catch (NumberFormatException ignored) {
      // not a number: an HTTP-date
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration d = Duration.between(clock.instant(), at.toInstant());
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
