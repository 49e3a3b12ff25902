package io.goblinos.gateway.telemetry;

import io.goblinos.gateway.text.Escapes;
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
    Escapes.logfmt(b, formatMessage(r));
    if (r.getThrown() != null) {
      StringWriter sw = new StringWriter();
      r.getThrown().printStackTrace(new PrintWriter(sw));
      b.append(" error=");
      Escapes.logfmt(b, sw.toString());
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
}
