package io.goblinos.gateway.telemetry;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One logfmt line per record: {@code time=... level=INFO logger=OtlpReceiver msg="receiver started: ..."}. The
 * gateway logs per component and per event of note, never per item.
 */
public final class StructuredLogFormatter extends Formatter {

  @Override
  public String format(LogRecord r) {
    StringBuilder b = new StringBuilder(160);
    b.append("time=").append(Instant.ofEpochMilli(r.getMillis()))
        .append(" level=").append(r.getLevel().getName())
        .append(" logger=").append(shortName(r.getLoggerName()))
        .append(" msg=");
    quote(b, formatMessage(r));
    if (r.getThrown() != null) {
      StringWriter sw = new StringWriter();
      r.getThrown().printStackTrace(new PrintWriter(sw));
      b.append(" error=");
      quote(b, sw.toString());
    }
    return b.append('\n').toString();
  }

  private static String shortName(String logger) {
    if (logger == null) {
      return "-";
    }
    int dot = logger.lastIndexOf('.');
    return dot < 0 ? logger : logger.substring(dot + 1);
  }

  private static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> b.append(c);
      }
    }
    b.append('"');
  }
}
