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

    @Test
    void recordLinesAreTheCanonicalFormOfTheirMetadataTree() throws Exception {
        for (String receivedBy : new String[] {null, "p", "quote\" back\\slash\ttab \u20ac \ud83d\ude00", ""}) {
            for (long index : new long[] {0, 7, 1234567890123L}) {
                StoredRecord record = new StoredRecord(index, "{\"event_id\":\"e\u00e9\"}", Instant.parse("2026-01-02T03:04:05.120Z"), receivedBy);
                var meta = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                        .put("index", index).put("received_at", record.receivedAt().toString());
                if (receivedBy != null) {
                    meta.put("received_by", receivedBy);
                }
                String want = record.canonicalJson() + "\t" + io.goblinos.gateway.audit.jcs.JsonCanonicalizer.canonicalize(meta);
                assertThat(RecordCodec.encode(record)).isEqualTo(RecordCodec.checksummedLine(want));
                byte[] line = RecordCodec.encode(record);
                assertThat(RecordCodec.decode(java.util.Arrays.copyOf(line, line.length - 1), "test")).isEqualTo(record);
            }
        }
    }

    @Test
    void concurrentAppendsAndSyncsAcrossManyRolloversLoseNothing() throws Exception {
        int threads = 4;
        int batches = 40;
        try (FileAuditStore store = FileAuditStore.open(dir, 2_000)) {
            Object order = new Object();
            var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    futures.add(pool.submit(() -> {
                        for (int b = 0; b < batches; b++) {
                            long ticket;
                            synchronized (order) {
                                ticket = store.append(records(store.size(), 5));
                            }
                            store.awaitDurable(ticket);
                        }
                        return null;
                    }));
                }
                for (var future : futures) {
                    future.get();
                }
            } finally {
                pool.shutdown();
            }
        }
        try (FileAuditStore store = FileAuditStore.open(dir, 2_000)) {
            assertThat(store.size()).isEqualTo(threads * batches * 5L);
            assertThat(store.recoveryReport().repaired()).isFalse();
            assertThat(store.recoveryReport().segments()).isGreaterThan(10);
            long[] next = {0};
            store.scan(0, record -> assertThat(record.index()).isEqualTo(next[0]++));
            assertThat(next[0]).isEqualTo(threads * batches * 5L);
        }
    }
}
