package io.goblinos.gateway.loadtest.simulation;

import io.gatling.javaapi.core.Simulation;

/**
 * {@code POST /v1/audit}: arrays of {@code -Daudit.batch} (default 10) Ed25519-signed decision events, signed in
 * {@link #before()} with the key of {@code -Daudit.key} (which the gateway's {@code audit.keys_file} must list). Each
 * 200 means the events were verified and fsync'ed. Fails at start, naming the reason, when the gateway serves no
 * {@code /v1/audit} or no key was given.
 */
public class AuditSimulation extends Simulation {
  private final OtlpScenarios.AuditPool pool;

  {
    LoadProfile profile = LoadProfile.fromSystemProperties();
    System.out.println("AuditSimulation: " + profile + " audit.batch=" + OtlpScenarios.AUDIT_BATCH);
    String unavailable = OtlpScenarios.auditUnavailable(profile);
    if (unavailable != null) {
      throw new IllegalStateException("AuditSimulation cannot run: " + unavailable);
    }
    pool = new OtlpScenarios.AuditPool((int) Math.min(20_000, profile.expectedRequests(1.0)));
    setUp(OtlpScenarios.audit(pool).injectOpen(profile.injection(1.0)))
        .protocols(OtlpScenarios.protocol(profile))
        .assertions(profile.assertions());
  }

  @Override
  public void before() {
    pool.sign();
  }
}
