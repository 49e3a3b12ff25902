package io.goblinos.gateway.api.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes like "64MiB", "512KiB", "1GB", "1048576". */
public final class ByteSizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]i?b?|b)?", Pattern.CASE_INSENSITIVE);

  private ByteSizes() {}

  /** Parses a byte size or returns -1 when {@code text} is not one. */
  public static long parse(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      return -1;
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    boolean binary = unit.contains("i") || unit.length() == 1 && !unit.equals("b");
    long base = binary ? 1024 : 1000;
    long factor =
        switch (unit.charAt(0)) {
          case 'k' -> base;
          case 'm' -> base * base;
          case 'g' -> base * base * base;
          case 't' -> base * base * base * base;
          default -> 1;
        };
    return n * factor;
  }
}
