package io.goblinos.gateway.loadtest.simulation;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.goblinos.gateway.audit.crypto.Ed25519PrivateKey;
import io.goblinos.gateway.audit.crypto.PemKeys;
import io.goblinos.gateway.loadtest.audit.AuditEventPool;
import io.goblinos.gateway.loadtest.audit.LoadTestKey;
import io.goblinos.gateway.loadtest.payload.Payload;
import io.goblinos.gateway.loadtest.payload.Payloads;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The scenarios the simulations combine: one POST per virtual user, bodies from pre-encoded pools. */
final class OtlpScenarios {
  static final int AUDIT_BATCH = Integer.getInteger("audit.batch", 10);
  private static final long SALT = System.nanoTime();
  private static final java.util.concurrent.atomic.AtomicLong SENDS = new java.util.concurrent.atomic.AtomicLong();

  private OtlpScenarios() {}

  static HttpProtocolBuilder protocol(LoadProfile profile) {
    return http.baseUrl(profile.baseUrl())
        .acceptHeader("application/json, application/x-protobuf")
        .userAgentHeader("goblin-gateway-load-tests")
        .shareConnections();
  }

  /** POSTs distinct pre-encoded OTLP bodies of {@code kind}; expects 200. */
  static ScenarioBuilder otlp(Payloads.Kind kind, LoadProfile profile, long seed) {
    List<Payload> pool = Payloads.generate(kind, profile.payloads(), profile.items(), seed);
    String name = kind.name().toLowerCase().replace('_', ' ');
    return scenario(name)
        .feed(cycle(pool))
        .exec(http("POST " + kind.path + " " + kind.contentType.substring(kind.contentType.indexOf('/') + 1))
            .post(kind.path)
            .header("Content-Type", kind.contentType)
            // protobuf bodies get fresh trace ids per send, so a tail sampler sees new traces all run long
            .body(ByteArrayBody(session -> session.<Payload>get("payload").withFreshTraceIds(Payload.mask(SALT + SENDS.getAndIncrement()))))
            .check(status().is(200)));
  }

  /**
   * POSTs arrays of {@link #AUDIT_BATCH} pre-signed events to {@code /v1/audit}; expects 200 and no rejected event.
   * The pool is filled by {@link AuditPool#sign} in the simulation's {@code before()} hook.
   */
  static ScenarioBuilder audit(AuditPool pool) {
    return scenario("audit events")
        .feed(pool.feeder())
        .exec(http("POST /v1/audit")
            .post("/v1/audit")
            .header("Content-Type", "application/json")
            .body(ByteArrayBody(session -> session.<byte[]>get("body")))
            .check(status().is(200))
            .check(jsonPath("$.rejected[*]").count().is(0)));
  }

  private static Iterator<Map<String, Object>> cycle(List<Payload> pool) {
    AtomicInteger next = new AtomicInteger();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Map<String, Object> next() {
        return Map.of("payload", pool.get(Math.floorMod(next.getAndIncrement(), pool.size())));
      }
    };
  }

  /**
   * Whether the gateway serves {@code POST /v1/audit} and a signing key was given ({@code -Daudit.key=PEM},
   * {@code -Daudit.key_id}, {@code -Daudit.goblin_id}; {@code LoadTestKey DIR} writes a key and the registry the
   * gateway needs). Returns null when the audit scenario can run, else the reason it cannot.
   */
  static String auditUnavailable(LoadProfile profile) {
    if (System.getProperty("audit.key", "").isBlank()) {
      return "no -Daudit.key=PEM given (java ... " + LoadTestKey.class.getName()
          + " DIR writes DIR/loadtest.pem and DIR/audit-keys.yaml for the gateway's audit.keys_file)";
    }
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(profile.baseUrl() + "/v1/audit"))
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("[]")).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 404) {
        return profile.baseUrl() + "/v1/audit answered 404: the gateway has no audit section (audit.keys_file)";
      }
      return null;
    } catch (IOException e) {
      return "cannot reach " + profile.baseUrl() + "/v1/audit: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Events signed in {@code before()}, sent as JSON arrays. */
  static final class AuditPool {
    private final int requests;
    private volatile List<byte[]> bodies = List.of();

    AuditPool(int requests) {
      this.requests = Math.max(1, requests);
    }

    /** Signs {@code requests × batch} distinct events with the key of {@code -Daudit.key}. */
    void sign() {
      try {
        Ed25519PrivateKey key = PemKeys.readPrivateKey(Path.of(System.getProperty("audit.key")));
        String keyId = System.getProperty("audit.key_id", LoadTestKey.KEY_ID);
        String goblinId = System.getProperty("audit.goblin_id", LoadTestKey.GOBLIN_ID);
        List<String> events = AuditEventPool.signedEvents(key, keyId, goblinId, requests * AUDIT_BATCH, Instant.now(), 11);
        List<byte[]> out = new ArrayList<>(requests);
        for (int i = 0; i < requests; i++) {
          out.add(AuditEventPool.arrayBody(events.subList(i * AUDIT_BATCH, (i + 1) * AUDIT_BATCH)));
        }
        bodies = out;
        System.out.println("audit: signed " + events.size() + " events (" + requests + " requests of " + AUDIT_BATCH + ") with key " + keyId);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read -Daudit.key: " + e.getMessage(), e);
      }
    }

    Iterator<Map<String, Object>> feeder() {
      AtomicInteger next = new AtomicInteger();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return true;
        }

        @Override
        public Map<String, Object> next() {
          List<byte[]> b = bodies;
          if (b.isEmpty()) {
            throw new IllegalStateException("audit pool empty: before() did not sign events");
          }
          // past the pool, events repeat: identical re-sends are acknowledged as duplicates, not appended
          return Map.of("body", b.get(Math.floorMod(next.getAndIncrement(), b.size())));
        }
      };
    }
  }
}
