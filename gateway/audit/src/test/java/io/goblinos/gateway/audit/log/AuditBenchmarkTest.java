package io.goblinos.gateway.audit.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark hook runs and reports both rates (no timing assertion). */
class AuditBenchmarkTest {
    @Test
    void reportsBothRates(@TempDir Path dir) throws Exception {
        AuditBenchmark.Result result = AuditBenchmark.run(dir, 300, 50, 2);
        assertThat(result.submitEventsPerSecond()).isPositive();
        assertThat(result.rawVerificationsPerSecond()).isPositive();
        assertThat(result.toString()).startsWith("submit_events_per_second=");
    }
}
