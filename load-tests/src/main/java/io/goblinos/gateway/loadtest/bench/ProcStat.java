package io.goblinos.gateway.loadtest.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and memory of one process from Linux {@code /proc}: {@code utime + stime} of {@code /proc/PID/stat}
 * (that process alone, all its threads, not its children) and {@code VmHWM}/{@code VmRSS} of {@code /proc/PID/status}.
 */
public final class ProcStat {
  /** Clock ticks per second ({@code getconf CLK_TCK}); 100 on every Linux this runs on. */
  public static final long CLOCK_TICKS_PER_SECOND = 100;

  private ProcStat() {}

  /** CPU seconds (user + system) the process has used so far. */
  public static double cpuSeconds(long pid) throws IOException {
    return cpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) / (double) CLOCK_TICKS_PER_SECOND;
  }

  /**
   * {@code utime + stime} in clock ticks from a {@code /proc/PID/stat} line. The command name (field 2) is in
   * parentheses and may contain spaces and parentheses, so fields are counted after the last {@code ')'}.
   */
  public static long cpuTicks(String statLine) {
    int close = statLine.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc/PID/stat line: " + statLine);
    }
    String[] fields = statLine.substring(close + 2).trim().split(" +");
    // fields[0] is field 3 (state); utime is field 14, stime field 15
    if (fields.length < 13) {
      throw new IllegalArgumentException("/proc/PID/stat line has " + (fields.length + 2) + " fields, want at least 15");
    }
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** Peak resident set size ({@code VmHWM}) in bytes. */
  public static long peakRssBytes(long pid) throws IOException {
    return statusKiB(Files.readString(Path.of("/proc", Long.toString(pid), "status")), "VmHWM") * 1024;
  }

  /** A {@code kB} value of {@code /proc/PID/status}, e.g. {@code VmHWM:   123456 kB} → 123456; -1 when absent. */
  public static long statusKiB(String status, String key) {
    for (String line : status.split("\n")) {
      if (line.startsWith(key + ":")) {
        String value = line.substring(key.length() + 1).trim();
        int space = value.indexOf(' ');
        return Long.parseLong(space < 0 ? value : value.substring(0, space));
      }
    }
    return -1;
  }
}
