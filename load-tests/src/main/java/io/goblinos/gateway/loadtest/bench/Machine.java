package io.goblinos.gateway.loadtest.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A one-line description of the machine a benchmark ran on. */
final class Machine {
  private Machine() {}

  /** The 1-minute load average ({@code /proc/loadavg}), or "?" . */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  static String describe() {
    String cpu = "unknown CPU";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    long memGiB = -1;
    try {
      memGiB = ProcStat.statusKiB(Files.readString(Path.of("/proc/meminfo")), "MemTotal") / 1024 / 1024;
    } catch (IOException e) {
      // not Linux
    }
    return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + memGiB + " GiB, "
        + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", Java " + Runtime.version();
  }
}
