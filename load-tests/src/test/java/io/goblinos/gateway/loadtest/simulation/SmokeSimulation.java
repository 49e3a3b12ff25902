package io.goblinos.gateway.loadtest.simulation;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import io.goblinos.gateway.loadtest.payload.Payloads;
import java.util.ArrayList;
import java.util.List;

/**
 * The CI smoke run: every scenario side by side (traces protobuf and JSON, metrics, logs, audit) at a low rate for
 * {@code duration} (default 10 s), asserting the error rate and p99. The audit scenario is skipped, with the reason
 * printed, when the gateway serves no {@code /v1/audit} or no {@code -Daudit.key} was given.
 */
public class SmokeSimulation extends Simulation {
  private final OtlpScenarios.AuditPool pool;

  {
    if (System.getProperty("profile") == null) {
      System.setProperty("profile", "smoke");
    }
    LoadProfile profile = LoadProfile.fromSystemProperties();
    System.out.println("SmokeSimulation: " + profile);
    List<PopulationBuilder> populations = new ArrayList<>();
    populations.add(OtlpScenarios.otlp(Payloads.Kind.TRACES_PROTOBUF, profile, 1).injectOpen(profile.injection(1.0)));
    populations.add(OtlpScenarios.otlp(Payloads.Kind.TRACES_JSON, profile, 2).injectOpen(profile.injection(0.5)));
    populations.add(OtlpScenarios.otlp(Payloads.Kind.METRICS_PROTOBUF, profile, 3).injectOpen(profile.injection(0.5)));
    populations.add(OtlpScenarios.otlp(Payloads.Kind.LOGS_PROTOBUF, profile, 4).injectOpen(profile.injection(0.5)));
    String unavailable = OtlpScenarios.auditUnavailable(profile);
    if (unavailable == null) {
      pool = new OtlpScenarios.AuditPool((int) profile.expectedRequests(0.5));
      populations.add(OtlpScenarios.audit(pool).injectOpen(profile.injection(0.5)));
    } else {
      pool = null;
      System.out.println("SmokeSimulation: SKIPPING the audit scenario: " + unavailable);
    }
    setUp(populations).protocols(OtlpScenarios.protocol(profile)).assertions(profile.assertions());
  }

  @Override
  public void before() {
    if (pool != null) {
      pool.sign();
    }
  }
}
