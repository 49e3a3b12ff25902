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
        + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", Java " + Runtime.version()
        + damon();
  }

  /**
   * The kernel's DAMON monitors (kdamond threads), when there are any: on a small VM they matter. Each sample walks
   * the page tables of the memory it watches; here (2 vCPUs, a 500 ms sample interval) that took one vCPU for ~80 ms
   * every ~0.55 s (seen with {@code perf sched timehist}), which every process on the machine felt as latency.
   * {@code bench.sh --pause-damon} turns them off for the run (and back on after).
   */
  static String damon() {
    Path admin = Path.of("/sys/kernel/mm/damon/admin/kdamonds");
    if (!Files.isDirectory(admin)) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    try (var dirs = Files.list(admin)) {
      for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
        String state = read(d.resolve("state"));
        String sampleUs = read(d.resolve("contexts/0/monitoring_attrs/intervals/sample_us"));
        out.append(out.length() == 0 ? "" : ", ").append("kdamond ").append(d.getFileName()).append(' ').append(state);
        if (sampleUs.matches("\\d+")) {
          out.append(" (samples every ").append(Long.parseLong(sampleUs) / 1000).append(" ms)");
        }
      }
    } catch (IOException | RuntimeException e) {
      return "";
    }
    if (out.length() == 0) {
      return "";
    }
    String paused = System.getenv("BENCH_DAMON_PAUSED");
    return "; DAMON: " + out + (paused != null && !paused.isEmpty() ? " (paused by bench.sh --pause-damon: " + paused + ")" : "");
  }

  private static String read(Path p) {
    try {
      return Files.readString(p).trim();
    } catch (IOException e) {
      return "?";
    }
  }
}
