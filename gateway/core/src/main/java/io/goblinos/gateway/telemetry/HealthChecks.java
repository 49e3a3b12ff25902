package io.goblinos.gateway.telemetry;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Named checks that can mark the gateway degraded (e.g. the audit self-check after a verification failure). A check
 * returns null when healthy, or a short reason.
 */
public final class HealthChecks {
  private final Map<String, Supplier<String>> checks = new ConcurrentHashMap<>();

  public void register(String name, Supplier<String> check) {
    checks.put(name, check);
  }

  /** Reasons of every failing check, by name. */
  public Map<String, String> problems() {
    Map<String, String> out = new TreeMap<>();
    checks.forEach((name, check) -> {
      String reason = check.get();
      if (reason != null) {
        out.put(name, reason);
      }
    });
    return out;
  }
}
