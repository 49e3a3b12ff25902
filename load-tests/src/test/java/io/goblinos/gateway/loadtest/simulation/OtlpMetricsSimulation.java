package io.goblinos.gateway.loadtest.simulation;

import io.gatling.javaapi.core.Simulation;
import io.goblinos.gateway.loadtest.payload.Payloads;

/** OTLP/HTTP metrics (protobuf): histograms, sums and gauges of GoblinOS services, {@code items} points per request. */
public class OtlpMetricsSimulation extends Simulation {
  {
    LoadProfile profile = LoadProfile.fromSystemProperties();
    System.out.println("OtlpMetricsSimulation: " + profile);
    setUp(OtlpScenarios.otlp(Payloads.Kind.METRICS_PROTOBUF, profile, 3).injectOpen(profile.injection(1.0)))
        .protocols(OtlpScenarios.protocol(profile))
        .assertions(profile.assertions());
  }
}
