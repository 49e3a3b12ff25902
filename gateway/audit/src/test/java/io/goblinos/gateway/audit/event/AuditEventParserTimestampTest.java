package io.goblinos.gateway.audit.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The digit-position fast path of {@link AuditEventParser#parseTimestamp} must agree with {@link Instant#parse}. */
class AuditEventParserTimestampTest {
    @Test
    void agreesWithInstantParse() throws Exception {
        for (String text : new String[] {
            "2026-01-02T03:04:05Z", "2026-01-02T03:04:05.1Z", "2026-01-02T03:04:05.120Z", "2026-01-02T03:04:05.123456789Z",
            "2024-02-29T23:59:59.999Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.000000001Z",
            "2026-01-02T24:00:00Z", "2016-12-31T23:59:60Z"}) {
            assertThat(AuditEventParser.parseTimestamp(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void impossibleDatesAreStillRefused() {
        for (String text : new String[] {"2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-02T25:00:00Z", "2026-01-02T03:61:00Z"}) {
            assertThatThrownBy(() -> AuditEventParser.parseTimestamp(text)).as(text).isInstanceOf(EventRejectedException.class)
                    .extracting(e -> ((EventRejectedException) e).reason()).isEqualTo(RejectReason.INVALID_TIMESTAMP);
        }
    }
}
