package io.goblinos.gateway.audit.store;

import java.util.List;

/**
 * What opening a store found and repaired.
 *
 * @param records records present after recovery
 * @param segments segment files present
 * @param cutTails torn tails removed (normally none; after a crash at most one per file)
 */
public record RecoveryReport(long records, int segments, List<TornTail> cutTails) {
    public RecoveryReport {
        cutTails = List.copyOf(cutTails);
    }

    /** An incomplete or corrupt final record that was cut off. */
    public record TornTail(String file, long offset, long bytesCut, String reason) {
        @Override
        public String toString() {
            return file + ": cut " + bytesCut + " bytes at offset " + offset + " (" + reason + ")";
        }
    }

    public boolean repaired() {
        return !cutTails.isEmpty();
    }

    @Override
    public String toString() {
        return records + " records in " + segments + " segments" + (cutTails.isEmpty() ? ", no torn tail" : ", torn tail cut: " + cutTails);
    }
}
