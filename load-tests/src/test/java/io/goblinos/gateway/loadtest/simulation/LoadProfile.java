package io.goblinos.gateway.loadtest.simulation;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.OpenInjectionStep;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The knobs every simulation reads from system properties ({@code mvn ... -Dname=value} reaches the Gatling JVM):
 * <ul>
 *   <li>{@code gateway.url} (default {@code http://127.0.0.1:4318}): the OTLP/HTTP base URL;</li>
 *   <li>{@code profile}: {@code steady} (default: a short ramp to {@code rate}, then {@code rate} for {@code duration}),
 *       {@code ramp} (from 1 request/s up to {@code rate} over {@code duration}, to find the knee) or {@code smoke}
 *       (a few requests/s for 10 s);</li>
 *   <li>{@code rate}: requests per second per scenario (default 50; smoke 5);</li>
 *   <li>{@code duration}: seconds (default 60; smoke 10); {@code ramp}: seconds of warm-up ramp (default 10);</li>
 *   <li>{@code items}: spans, data points or log records per request (default 100);
 *       {@code payloads}: distinct pre-encoded bodies per scenario (default 500);</li>
 *   <li>{@code max_error_pct} (default 1) and {@code p99_ms} (default 500; smoke 5000: a cold gateway on a shared CI machine): the assertions.</li>
 * </ul>
 */
public record LoadProfile(String baseUrl, String name, double rate, Duration duration, Duration ramp, int items, int payloads,
    double maxErrorPercent, int p99Ms) {

  public static LoadProfile fromSystemProperties() {
    String name = System.getProperty("profile", "steady").toLowerCase(Locale.ROOT);
    boolean smoke = name.equals("smoke");
    if (!List.of("steady", "ramp", "smoke").contains(name)) {
      throw new IllegalArgumentException("-Dprofile must be steady, ramp or smoke, was '" + name + "'");
    }
    return new LoadProfile(
        stripSlash(System.getProperty("gateway.url", "http://127.0.0.1:4318")),
        name,
        Double.parseDouble(System.getProperty("rate", smoke ? "5" : "50")),
        Duration.ofSeconds(Long.parseLong(System.getProperty("duration", smoke ? "10" : "60"))),
        Duration.ofSeconds(Long.parseLong(System.getProperty("ramp", smoke ? "0" : "10"))),
        Integer.parseInt(System.getProperty("items", "100")),
        Integer.parseInt(System.getProperty("payloads", smoke ? "50" : "500")),
        Double.parseDouble(System.getProperty("max_error_pct", "1")),
        Integer.parseInt(System.getProperty("p99_ms", smoke ? "5000" : "500")));
  }

  /** The open injection steps of this profile at {@code share} of the rate (scenarios that run side by side). */
  public OpenInjectionStep[] injection(double share) {
    double r = Math.max(0.1, rate * share);
    return switch (name) {
      case "ramp" -> new OpenInjectionStep[] {rampUsersPerSec(Math.min(1, r)).to(r).during(duration)};
      case "smoke" -> new OpenInjectionStep[] {constantUsersPerSec(r).during(duration)};
      default -> ramp.isZero()
          ? new OpenInjectionStep[] {constantUsersPerSec(r).during(duration)}
          : new OpenInjectionStep[] {rampUsersPerSec(Math.min(1, r)).to(r).during(ramp), constantUsersPerSec(r).during(duration)};
    };
  }

  /** Requests a scenario sends at {@code share} of the rate (upper bound), to size pools. */
  public long expectedRequests(double share) {
    return (long) Math.ceil(rate * share * (duration.toSeconds() + ramp.toSeconds())) + 1;
  }

  /** Error rate and p99 over all requests. */
  public Assertion[] assertions() {
    return new Assertion[] {
      global().failedRequests().percent().lte(maxErrorPercent),
      global().responseTime().percentile(99.0).lt(p99Ms),
    };
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "profile=%s gateway.url=%s rate=%.1f/s duration=%ds ramp=%ds items=%d payloads=%d max_error_pct=%.1f p99_ms=%d",
        name, baseUrl, rate, duration.toSeconds(), ramp.toSeconds(), items, payloads, maxErrorPercent, p99Ms);
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
