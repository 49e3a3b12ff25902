package io.goblinos.gateway.audit.log;

import io.goblinos.gateway.audit.event.AuditEventParser;
import io.goblinos.gateway.audit.store.FileAuditStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of an {@link AuditLog}. Build with {@link #builder(Path)}; {@link #validate()} gathers every problem.
 *
 * @param directory store directory ({@code audit.store.directory}, default {@code data/audit})
 * @param keysFile key registry YAML ({@code audit.keys_file})
 * @param origin checkpoint origin line and signed-note key name ({@code audit.origin}); no spaces or '+'
 * @param maxClockSkew events dated further ahead are refused ({@code audit.max_clock_skew}, default 5m)
 * @param signingKeyPath PKCS#8 PEM gateway key ({@code AUDIT_SIGNING_KEY_PATH}); null = generate/reuse
 *     {@value #GENERATED_KEY_FILE} in the directory
 * @param segmentBytes segment size at which it is sealed and a new one started
 * @param maxEventBytes larger events are refused as malformed_event
 * @param clock time source for timestamps, skew checks and registry reload pacing
 */
public record AuditLogConfig(Path directory, Path keysFile, String origin, Duration maxClockSkew, Path signingKeyPath,
                             long segmentBytes, int maxEventBytes, Clock clock) {
    public static final Path DEFAULT_DIRECTORY = Path.of("data", "audit");
    public static final String DEFAULT_ORIGIN = "goblin-gateway.local/audit";
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    public static final String GENERATED_KEY_FILE = "gateway-signing-key.pem";

    public AuditLogConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(keysFile, "keysFile");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(maxClockSkew, "maxClockSkew");
        Objects.requireNonNull(clock, "clock");
    }

    public static Builder builder(Path keysFile) {
        return new Builder(keysFile);
    }

    /** Every problem, each naming its key, e.g. {@code audit::max_clock_skew: was 'PT-1S' but it must be >= 0}. */
    public List<String> validate() {
        List<String> errors = new ArrayList<>();
        if (origin.isEmpty() || origin.chars().anyMatch(c -> Character.isWhitespace(c) || c == '+')) {
            errors.add("audit::origin: was '" + origin + "' but it must be non-empty without whitespace or '+'");
        }
        if (maxClockSkew.isNegative()) {
            errors.add("audit::max_clock_skew: was '" + maxClockSkew + "' but it must be >= 0");
        }
        if (segmentBytes <= 0) {
            errors.add("audit::store::segment_bytes: was '" + segmentBytes + "' but it must be > 0");
        }
        if (maxEventBytes <= 0) {
            errors.add("audit::max_event_bytes: was '" + maxEventBytes + "' but it must be > 0");
        }
        return errors;
    }

    /** Mutable builder with the defaults above. */
    public static final class Builder {
        private Path directory = DEFAULT_DIRECTORY;
        private final Path keysFile;
        private String origin = DEFAULT_ORIGIN;
        private Duration maxClockSkew = DEFAULT_MAX_CLOCK_SKEW;
        private Path signingKeyPath;
        private long segmentBytes = FileAuditStore.DEFAULT_SEGMENT_BYTES;
        private int maxEventBytes = AuditEventParser.DEFAULT_MAX_EVENT_BYTES;
        private Clock clock = Clock.systemUTC();

        private Builder(Path keysFile) {
            this.keysFile = keysFile;
        }

        public Builder directory(Path value) {
            directory = value;
            return this;
        }

        public Builder origin(String value) {
            origin = value;
            return this;
        }

        public Builder maxClockSkew(Duration value) {
            maxClockSkew = value;
            return this;
        }

        public Builder signingKeyPath(Path value) {
            signingKeyPath = value;
            return this;
        }

        public Builder segmentBytes(long value) {
            segmentBytes = value;
            return this;
        }

        public Builder maxEventBytes(int value) {
            maxEventBytes = value;
            return this;
        }

        public Builder clock(Clock value) {
            clock = value;
            return this;
        }

        public AuditLogConfig build() {
            return new AuditLogConfig(directory, keysFile, origin, maxClockSkew, signingKeyPath, segmentBytes, maxEventBytes, clock);
        }
    }
}
