package io.goblinos.gateway.audit.log;

import java.util.List;

/**
 * Outcome of {@link AuditLog#selfCheck()}.
 *
 * @param fromIndex first record re-read
 * @param toIndex records re-read end before this index
 * @param problems empty when everything matched; otherwise one line per mismatch (alert and count these)
 */
public record SelfCheckResult(long fromIndex, long toIndex, int checkpointsChecked, List<String> problems) {
    public SelfCheckResult {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
