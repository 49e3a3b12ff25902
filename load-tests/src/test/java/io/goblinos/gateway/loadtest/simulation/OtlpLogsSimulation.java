package io.goblinos.gateway.loadtest.simulation;

import io.gatling.javaapi.core.Simulation;
import io.goblinos.gateway.loadtest.payload.Payloads;

/** OTLP/HTTP logs (protobuf): trace-correlated GoblinOS log records, {@code items} records per request. */
public class OtlpLogsSimulation extends Simulation {
  {
    LoadProfile profile = LoadProfile.fromSystemProperties();
    System.out.println("OtlpLogsSimulation: " + profile);
    setUp(OtlpScenarios.otlp(Payloads.Kind.LOGS_PROTOBUF, profile, 4).injectOpen(profile.injection(1.0)))
        .protocols(OtlpScenarios.protocol(profile))
        .assertions(profile.assertions());
  }
}
