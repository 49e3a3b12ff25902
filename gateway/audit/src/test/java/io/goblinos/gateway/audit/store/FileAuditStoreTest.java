package io.goblinos.gateway.audit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAuditStoreTest {
    @TempDir
    Path dir;

    static List<StoredRecord> records(long from, int count) {
        List<StoredRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new StoredRecord(from + i, "{\"event_id\":\"e" + (from + i) + "\"}", Instant.EPOCH, i % 2 == 0 ? null : "p"));
        }
        return records;
    }

    @Test
    void appendScanAndReopen() throws Exception {
        try (FileAuditStore store = FileAuditStore.open(dir, 100)) {
            for (int i = 0; i < 5; i++) {
                store.awaitDurable(store.append(records(i * 2L, 2)));
            }
            assertThatThrownBy(() -> store.append(records(3, 1))).hasMessage("record index 3, want 10");
        }
        try (FileAuditStore store = FileAuditStore.open(dir, 100)) {
            assertThat(store.size()).isEqualTo(10);
            List<StoredRecord> seen = new ArrayList<>();
            store.scan(3, seen::add);
            assertThat(seen).extracting(StoredRecord::index).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(seen.get(0).receivedBy()).isEqualTo("p");
            assertThat(store.recoveryReport().repaired()).isFalse();
        }
    }

    @Test
    void damageBeforeIntactRecordsIsNotATornTail() throws Exception {
        try (FileAuditStore store = FileAuditStore.open(dir, 1 << 20)) {
            store.awaitDurable(store.append(records(0, 3)));
        }
        Path segment = dir.resolve("segments/00000000000000000000.log");
        byte[] bytes = Files.readAllBytes(segment);
        bytes[12] ^= 1;
        Files.write(segment, bytes);
        assertThatThrownBy(() -> FileAuditStore.open(dir, 1 << 20)).isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("segments/00000000000000000000.log: damaged record at offset 0").hasMessageContaining("not a torn tail");
    }

    @Test
    void tornCheckpointTailIsCut() throws Exception {
        try (FileAuditStore store = FileAuditStore.open(dir, 1 << 20)) {
            store.appendCheckpoint(new StoredCheckpoint(0, 1, "note\n\n\u2014 x y\n", ""));
        }
        Files.writeString(dir.resolve(FileAuditStore.CHECKPOINTS_FILE), "0badc0de {\"sequ", StandardOpenOption.APPEND);
        try (FileAuditStore store = FileAuditStore.open(dir, 1 << 20)) {
            assertThat(store.checkpoints()).hasSize(1);
            assertThat(store.recoveryReport().cutTails()).singleElement().asString().startsWith("checkpoints.log: cut 15 bytes");
        }
    }

    @Test
    void dedupeIndexFindsAfterGrowthAndReopen() throws Exception {
        Path file = dir.resolve("d.idx");
        try (DedupeIndex index = DedupeIndex.open(file)) {
            for (int i = 0; i < 3000; i++) {
                index.put(DedupeIndex.fingerprint("id-" + i), i);
            }
            index.setCoveredRecords(3000);
            index.markClean();
        }
        try (DedupeIndex index = DedupeIndex.open(file)) {
            assertThat(index.wasClosedCleanly()).isTrue();
            assertThat(index.coveredRecords()).isEqualTo(3000);
            assertThat(index.find(DedupeIndex.fingerprint("id-0"))).isZero();
            assertThat(index.find(DedupeIndex.fingerprint("id-2999"))).isEqualTo(2999);
            assertThat(index.find(DedupeIndex.fingerprint("id-3000"))).isEqualTo(-1);
            assertThat(Files.size(file)).isEqualTo(64 + 8192L * 24);
        }
    }
}
