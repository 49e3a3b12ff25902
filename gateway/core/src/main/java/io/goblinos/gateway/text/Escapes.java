package io.goblinos.gateway.text;

/**
 * Backslash escaping of strings for the quoted-string syntaxes the gateway writes: double quote, backslash, newline,
 * carriage return and tab are escaped with a backslash in all of them (as in JSON); they differ only in the other
 * control characters (below 0x20).
 */
public final class Escapes {
  private Escapes() {}

  /** A JSON string literal, quotes included; other control characters as JSON unicode escapes (4 hex digits). */
  public static void json(StringBuilder b, String s) {
    b.append('"');
    escape(b, s, "\\u%04x");
    b.append('"');
  }

  /**
   * The inside of a Go (Prometheus, Loki) quoted string, quotes not included; other control characters as
   * Go hex escapes (backslash, x, 2 hex digits).
   */
  public static void go(StringBuilder b, String s) {
    escape(b, s, "\\x%02x");
  }

  /** A logfmt value in quotes; other control characters are written as they are. */
  public static void logfmt(StringBuilder b, String s) {
    b.append('"');
    escape(b, s, null);
    b.append('"');
  }

  /** @param controlFormat how {@link String#format} writes other control characters; null: as they are */
  private static void escape(StringBuilder b, String s, String controlFormat) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 && controlFormat != null) {
            b.append(String.format(controlFormat, (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
  }
}
