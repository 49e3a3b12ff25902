package io.goblinos.gateway.loadtest.simulation;

import io.gatling.javaapi.core.Simulation;
import io.goblinos.gateway.loadtest.payload.Payloads;

/**
 * OTLP/HTTP traces: protobuf at {@code rate} and OTLP/JSON at {@code json_share} of it (default 0.2), realistic
 * GoblinOS traces with LLM spans, {@code items} spans per request.
 */
public class OtlpTracesSimulation extends Simulation {
  {
    LoadProfile profile = LoadProfile.fromSystemProperties();
    double jsonShare = Double.parseDouble(System.getProperty("json_share", "0.2"));
    System.out.println("OtlpTracesSimulation: " + profile + " json_share=" + jsonShare);
    setUp(
        OtlpScenarios.otlp(Payloads.Kind.TRACES_PROTOBUF, profile, 1).injectOpen(profile.injection(1.0)),
        OtlpScenarios.otlp(Payloads.Kind.TRACES_JSON, profile, 2).injectOpen(profile.injection(jsonShare)))
        .protocols(OtlpScenarios.protocol(profile))
        .assertions(profile.assertions());
  }
}
