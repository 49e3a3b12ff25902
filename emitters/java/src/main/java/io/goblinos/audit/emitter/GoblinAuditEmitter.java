package io.goblinos.audit.emitter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.crypto.PemKeys;
import io.goblinos.gateway.audit.event.EventSigner;
import io.goblinos.gateway.audit.jcs.JsonCanonicalizer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Signs audit events and delivers them to a Goblin Gateway: {@code POST {endpoint}/v1/audit} with a JSON array.
 * 429, 503 and I/O errors are retried with exponential backoff, honouring {@code Retry-After} (seconds or an
 * HTTP date); other non-200 answers are permanent. Re-sending is safe: the gateway acknowledges an identical
 * re-send without appending it again. Thread-safe; {@link #send} blocks.
 *
 * <pre>
 * var emitter = GoblinAuditEmitter.create(EmitterConfig.fromEnvironment(URI.create("http://gateway:4318"), System.getenv()));
 * emitter.emit(new AuditEventBuilder().goblinId("goblin-7").role("warden").action("open").target("gate/3").decision("allowed"));
 * </pre>
 */
public final class GoblinAuditEmitter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EmitterConfig config;
    private final EventSigner signer;
    private final HttpClient http;
    private final Sleeper sleeper;
    private final Clock clock;
    private final URI auditUri;

    GoblinAuditEmitter(EmitterConfig config, EventSigner signer, HttpClient http, Sleeper sleeper, Clock clock) {
        this.config = config;
        this.signer = signer;
        this.http = http;
        this.sleeper = sleeper;
        this.clock = clock;
        String base = config.endpoint().toString();
        this.auditUri = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/audit");
    }

    /** Reads the signing key now (fail fast) and uses a default HTTP client. */
    public static GoblinAuditEmitter create(EmitterConfig config) throws IOException {
        return create(config, Sleeper.THREAD_SLEEP);
    }

    static GoblinAuditEmitter create(EmitterConfig config, Sleeper sleeper) throws IOException {
        EventSigner signer = new EventSigner(PemKeys.readPrivateKey(config.signingKeyPath()), config.keyId());
        HttpClient http = HttpClient.newBuilder().connectTimeout(config.requestTimeout()).build();
        return new GoblinAuditEmitter(config, signer, http, sleeper, Clock.systemUTC());
    }

    /** Sets {@code key_id}, signs and returns the canonical JSON of the signed event. */
    public String sign(ObjectNode unsignedEvent) {
        return JsonCanonicalizer.canonicalize(signer.sign(unsignedEvent));
    }

    /** Builds, signs and sends events. */
    public DeliveryResult emit(AuditEventBuilder... events) throws DeliveryException, InterruptedException {
        List<String> signed = new ArrayList<>(events.length);
        for (AuditEventBuilder event : events) {
            signed.add(sign(event.build()));
        }
        return send(signed);
    }

    /**
     * Sends already signed events (canonical JSON texts) as one request, retrying transient failures.
     *
     * @throws DeliveryException after {@code maxAttempts} transient failures or on a permanent HTTP error
     */
    public DeliveryResult send(List<String> signedEvents) throws DeliveryException, InterruptedException {
        Objects.requireNonNull(signedEvents, "signedEvents");
        String body = "[" + String.join(",", signedEvents) + "]";
        Duration backoff = config.initialBackoff();
        DeliveryException last = null;
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            Duration wait = backoff;
            try {
                HttpResponse<String> response = http.send(request(body), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int status = response.statusCode();
                if (status == 200) {
                    return parse(response.body());
                }
                if (status != 429 && status != 503) {
                    throw new DeliveryException("gateway answered " + status + ": " + abbreviate(response.body()), status, null);
                }
                last = new DeliveryException("gateway answered " + status + " after " + attempt + " attempts", status, null);
                wait = retryAfter(response).orElse(backoff);
            } catch (IOException e) {
                last = new DeliveryException("delivery to " + auditUri + " failed after " + attempt + " attempts: " + e.getMessage(), -1, e);
            }
            if (attempt < config.maxAttempts()) {
                sleeper.sleep(min(wait, config.maxBackoff()));
                backoff = min(backoff.multipliedBy(2), config.maxBackoff());
            }
        }
        throw last;
    }

    private HttpRequest request(String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(auditUri)
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (config.bearerToken() != null) {
            builder.header("Authorization", "Bearer " + config.bearerToken());
        }
        return builder.build();
    }

    private java.util.Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(String::strip).flatMap(value -> {
            try {
                return java.util.Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value))));
            } catch (NumberFormatException notSeconds) {
                try {
                    ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                    Duration until = Duration.between(clock.instant(), at.toInstant());
                    return java.util.Optional.of(until.isNegative() ? Duration.ZERO : until);
                } catch (DateTimeParseException notDate) {
                    return java.util.Optional.empty();
                }
            }
        });
    }

    private static DeliveryResult parse(String body) throws DeliveryException {
        try {
            JsonNode json = JSON.readTree(body);
            List<DeliveryResult.Rejection> rejected = new ArrayList<>();
            for (JsonNode rejection : json.path("rejected")) {
                rejected.add(new DeliveryResult.Rejection(rejection.path("event_id").asText(null), rejection.path("reason").asText()));
            }
            return new DeliveryResult(json.path("accepted").asInt(), rejected);
        } catch (IOException e) {
            throw new DeliveryException("gateway answered 200 with an unreadable body: " + abbreviate(body), 200, e);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String abbreviate(String text) {
        return text == null ? "" : text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
