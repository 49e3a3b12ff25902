package io.goblinos.gateway.audit.log;

import static io.goblinos.gateway.audit.testing.Goblins.NOT_AFTER;
import static io.goblinos.gateway.audit.testing.Goblins.NOT_BEFORE;
import static io.goblinos.gateway.audit.testing.Goblins.NOW;
import static io.goblinos.gateway.audit.testing.Goblins.entry;
import static io.goblinos.gateway.audit.testing.Goblins.event;
import static io.goblinos.gateway.audit.testing.Goblins.key;
import static io.goblinos.gateway.audit.testing.Goblins.signed;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.merkle.MerkleProofs;
import io.goblinos.gateway.audit.note.Checkpoint;
import io.goblinos.gateway.audit.note.NoteVerifierKey;
import io.goblinos.gateway.audit.note.SignedNote;
import io.goblinos.gateway.audit.store.FileAuditStore;
import io.goblinos.gateway.audit.store.SegmentNames;
import io.goblinos.gateway.audit.testing.Goblins;
import io.goblinos.gateway.audit.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    @TempDir
    Path dir;
    Path keys;
    MutableClock clock;

    @BeforeEach
    void keys() throws Exception {
        clock = new MutableClock(NOW);
        keys = Goblins.writeKeys(dir.resolve("keys.yaml"),
                entry("k1", "goblin-1", key(1), NOT_BEFORE, NOT_AFTER, null),
                entry("k2", "goblin-2", key(2), NOT_BEFORE, NOT_AFTER, null),
                entry("old", "goblin-1", key(3), "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", null),
                entry("revoked", "goblin-1", key(4), NOT_BEFORE, NOT_AFTER, "2026-02-01T00:00:00Z"),
                entry("later", "goblin-1", key(5), "2026-06-01T00:00:00Z", NOT_AFTER, null));
    }

    AuditLog open() throws Exception {
        return AuditLog.open(AuditLogConfig.builder(keys).directory(dir.resolve("store")).clock(clock).segmentBytes(4096).build());
    }

    @Test
    void acceptsAndProvesAndCheckpoints() throws Exception {
        try (AuditLog log = open()) {
            List<SubmitResult> results = log.submit(Goblins.batch("a", 5), "spiffe://goblins/gate");
            assertThat(results).extracting(SubmitResult::status).containsOnly(SubmitResult.Status.ACCEPTED);
            assertThat(results).extracting(SubmitResult::leafIndex).containsExactly(0L, 1L, 2L, 3L, 4L);
            assertThat(log.size()).isEqualTo(5);
            String note = log.checkpointIfGrown().orElseThrow();
            assertThat(log.checkpointIfGrown()).isEmpty();
            NoteVerifierKey key = NoteVerifierKey.parse(log.gatewayVerifierKey());
            Checkpoint checkpoint = Checkpoint.parse(SignedNote.open(note, key));
            assertThat(checkpoint.size()).isEqualTo(5);
            assertThat(checkpoint.origin()).isEqualTo(AuditLogConfig.DEFAULT_ORIGIN);

            InclusionProof proof = log.proveInclusion("a-3").orElseThrow();
            assertThat(proof.checkpoint()).isEqualTo(note);
            MerkleProofs.verifyInclusion(3, 5, proof.leafHash(), proof.hashes(), checkpoint.rootHash());
            assertThat(log.proveInclusion("nope")).isEmpty();

            log.submit(Goblins.batch("b", 4), null);
            assertThat(log.proveInclusion("b-0").orElseThrow().checkpoint()).isNull();
            String second = log.checkpointIfGrown().orElseThrow();
            ConsistencyProof consistency = log.proveConsistency(5, 9);
            MerkleProofs.verifyConsistency(5, 9, consistency.hashes(), checkpoint.rootHash(), Checkpoint.parse(SignedNote.open(second, key)).rootHash());
            assertThat(log.selfCheck().problems()).isEmpty();
        }
        String stored = Files.readString(dir.resolve("store/segments/00000000000000000000.log"));
        assertThat(stored).contains("\"event_id\":\"a-0\"").contains("\"received_by\":\"spiffe://goblins/gate\"");
    }

    @Test
    void refusedEventsCarryReasonCodesAndAreQuarantined() throws Exception {
        ObjectNode good = event("good", "goblin-1", NOW);
        String forged = signed(good, key(1), "k1").replace("\"decision\":\"approved\"", "\"decision\":\"denied\"");
        List<String> events = List.of(
                forged,
                signed(event("wrong-key", "goblin-1", NOW), key(2), "k1"),
                signed(event("expired", "goblin-1", NOW), key(3), "old"),
                signed(event("unknown", "goblin-1", NOW), key(1), "k9"),
                signed(event("revoked", "goblin-1", NOW), key(4), "revoked"),
                event("unsigned", "goblin-1", NOW).put("key_id", "k1").toString(),
                signed(event("mismatch", "goblin-1", NOW), key(2), "k2"),
                signed(event("future", "goblin-1", NOW.plus(Duration.ofMinutes(6))), key(1), "k1"),
                signed(event("early", "goblin-1", NOW), key(5), "later"),
                signed(event("trace", "goblin-1", NOW).put("trace_id", "ABC"), key(1), "k1"),
                signed(event("time", "goblin-1", NOW).put("timestamp", "2026-03-01 12:00:00"), key(1), "k1"),
                "{not json",
                signed(event("missing", "goblin-1", NOW).without("role"), key(1), "k1"));
        try (AuditLog log = open()) {
            List<SubmitResult> results = log.submit(events, "tester");
            assertThat(results).extracting(SubmitResult::reasonCode).containsExactly(
                    "bad_signature", "bad_signature", "key_expired", "unknown_key", "key_revoked", "missing_field",
                    "key_goblin_mismatch", "future_timestamp", "key_not_yet_valid", "invalid_trace_id", "invalid_timestamp",
                    "malformed_event", "missing_field");
            assertThat(log.size()).isZero();
            // duplicate id with other content, after the original was accepted
            assertThat(log.submit(List.of(signed(good, key(1), "k1")), null).get(0).status()).isEqualTo(SubmitResult.Status.ACCEPTED);
            SubmitResult duplicate = log.submit(List.of(signed(event("good", "goblin-1", NOW).put("decision", "denied"), key(1), "k1")), null).get(0);
            assertThat(duplicate.reasonCode()).isEqualTo("duplicate_event_id");
            assertThat(log.size()).isEqualTo(1);
        }
        List<String> lines = Files.readAllLines(dir.resolve("store/quarantine.jsonl"));
        assertThat(lines).hasSize(events.size() + 1);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines.get(0));
        assertThat(first.get("reason").asText()).isEqualTo("bad_signature");
        assertThat(first.get("raw").asText()).isEqualTo(forged);
        assertThat(first.get("event_id").asText()).isEqualTo("good");
        assertThat(first.get("received_by").asText()).isEqualTo("tester");
        assertThat(json.readTree(lines.get(lines.size() - 1)).get("reason").asText()).isEqualTo("duplicate_event_id");
    }

    @Test
    void identicalResendIsAcknowledgedNotAppendedAcrossReopen() throws Exception {
        List<String> batch = Goblins.batch("r", 3);
        try (AuditLog log = open()) {
            log.submit(batch, null);
            List<SubmitResult> again = log.submit(List.of(batch.get(1), batch.get(1)), null);
            assertThat(again).extracting(SubmitResult::status).containsOnly(SubmitResult.Status.DUPLICATE);
            assertThat(again.get(0).leafIndex()).isEqualTo(1);
        }
        try (AuditLog log = open()) {
            assertThat(log.indexRebuilt()).isFalse();
            List<SubmitResult> again = log.submit(batch, null);
            assertThat(again).extracting(SubmitResult::status).containsOnly(SubmitResult.Status.DUPLICATE);
            assertThat(log.size()).isEqualTo(3);
        }
        // an unclean shutdown (dirty index) rebuilds the index from the store and still deduplicates
        Path index = dir.resolve("store/index/dedupe.idx");
        byte[] header = Files.readAllBytes(index);
        header[39] = 0; // clear the clean flag
        Files.write(index, header);
        try (AuditLog log = open()) {
            assertThat(log.indexRebuilt()).isTrue();
            assertThat(log.submit(batch, null)).extracting(SubmitResult::status).containsOnly(SubmitResult.Status.DUPLICATE);
            assertThat(log.submit(List.of(batch.get(0), Goblins.batch("s", 1).get(0)), null)).extracting(SubmitResult::status)
                    .containsExactly(SubmitResult.Status.DUPLICATE, SubmitResult.Status.ACCEPTED);
        }
    }

    @Test
    void dedupeIndexSurvivesGrowthBeyondItsInitialCapacity() throws Exception {
        List<String> many = Goblins.batch("m", 1100);
        try (AuditLog log = open()) {
            for (int i = 0; i < many.size(); i += 220) {
                log.submit(many.subList(i, i + 220), null);
            }
        }
        try (AuditLog log = open()) {
            assertThat(log.submit(many.subList(0, 10), null)).extracting(SubmitResult::status).containsOnly(SubmitResult.Status.DUPLICATE);
            assertThat(log.submit(many.subList(1090, 1100), null)).extracting(SubmitResult::status).containsOnly(SubmitResult.Status.DUPLICATE);
            assertThat(log.size()).isEqualTo(1100);
            assertThat(SegmentNames.list(dir.resolve("store/segments"))).hasSize(5); // one 220-event batch per 4 KiB segment
            assertThat(log.selfCheck().ok()).isTrue();
        }
    }

    @Test
    void tornTailIsCutAndReportedAtOpen() throws Exception {
        try (AuditLog log = open()) {
            log.submit(Goblins.batch("t", 3), null);
        }
        Path segment = dir.resolve("store/segments/00000000000000000000.log");
        Files.writeString(segment, "1234abcd {\"event_id\":\"half-writ", StandardOpenOption.APPEND);
        try (AuditLog log = open()) {
            assertThat(log.recoveryReport().repaired()).isTrue();
            assertThat(log.recoveryReport().cutTails().get(0).toString())
                    .startsWith("segments/00000000000000000000.log: cut 31 bytes at offset ")
                    .contains("incomplete record without newline");
            assertThat(log.size()).isEqualTo(3);
            assertThat(log.submit(Goblins.batch("u", 1), null).get(0).leafIndex()).isEqualTo(3);
            assertThat(log.selfCheck().ok()).isTrue();
        }
    }

    @Test
    void keyRotationByRewritingTheKeysFileIsPickedUpWithoutReopen() throws Exception {
        try (AuditLog log = open()) {
            String rotated = signed(event("rot-1", "goblin-1", NOW), key(9), "k1-2026b");
            assertThat(log.submit(List.of(rotated), null).get(0).reasonCode()).isEqualTo("unknown_key");
            Files.writeString(keys, Files.readString(keys) + entry("k1-2026b", "goblin-1", key(9), NOT_BEFORE, NOT_AFTER, null));
            clock.advance(Duration.ofSeconds(2)); // the file is looked at no more than once per second
            assertThat(log.submit(List.of(rotated), null).get(0).status()).isEqualTo(SubmitResult.Status.ACCEPTED);
            // and the old key keeps working: rotation adds, it does not replace
            assertThat(log.submit(Goblins.batch("old-key", 1), null).get(0).status()).isEqualTo(SubmitResult.Status.ACCEPTED);
        }
    }

    @Test
    void concurrentSubmittersShareFsyncAndEveryAcceptedEventIsDurable() throws Exception {
        int threads = 6;
        int batchesPerThread = 15;
        int batchSize = 7;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (AuditLog log = open()) {
            List<Future<List<SubmitResult>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                for (int b = 0; b < batchesPerThread; b++) {
                    List<String> batch = Goblins.batch("c" + t + "-" + b, batchSize);
                    futures.add(pool.submit(() -> log.submit(batch, null)));
                }
            }
            for (Future<List<SubmitResult>> future : futures) {
                assertThat(future.get()).extracting(SubmitResult::status).containsOnly(SubmitResult.Status.ACCEPTED);
            }
        } finally {
            pool.shutdown();
        }
        int total = threads * batchesPerThread * batchSize;
        try (AuditLog log = open()) {
            assertThat(log.size()).isEqualTo(total);
            assertThat(log.proveInclusion("c5-14-6")).isPresent();
            assertThat(log.selfCheck().ok()).isTrue();
        }
        long lines = 0;
        for (SegmentNames.Segment segment : SegmentNames.list(dir.resolve("store/segments"))) {
            lines += Files.readAllLines(segment.file(), StandardCharsets.UTF_8).size();
        }
        assertThat(lines).isEqualTo(total);
    }

    @Test
    void sealedSegmentsAreReadOnlyAndSelfCheckSeesTampering() throws Exception {
        try (AuditLog log = open()) {
            for (int i = 0; i < 10; i++) {
                log.submit(Goblins.batch("x" + i, 4), null);
            }
            log.checkpointIfGrown();
            List<SegmentNames.Segment> segments = SegmentNames.list(dir.resolve("store/segments"));
            assertThat(segments).hasSizeGreaterThan(2);
            assertThat(FileAuditStore.isSealed(segments.get(0).file())).isTrue();
            assertThat(FileAuditStore.isSealed(segments.get(segments.size() - 1).file())).isFalse();
            Path first = segments.get(0).file();
            first.toFile().setWritable(true);
            String text = Files.readString(first);
            Files.writeString(first, text.replaceFirst("\"decision\":\"approved\"", "\"decision\":\"rejected\""));
            SelfCheckResult result = log.selfCheck();
            assertThat(result.ok()).isFalse();
            assertThat(result.problems().get(0)).contains("segments/00000000000000000000.log record 1: checksum mismatch");
        }
    }

    @Test
    void generatedSigningKeyIsReusedAndConfiguredOneIsRequired() throws Exception {
        String verifier;
        try (AuditLog log = open()) {
            assertThat(log.signingKeyGenerated()).isTrue();
            verifier = log.gatewayVerifierKey();
            assertThat(verifier).startsWith(AuditLogConfig.DEFAULT_ORIGIN + "+");
        }
        try (AuditLog log = open()) {
            assertThat(log.signingKeyGenerated()).isFalse();
            assertThat(log.gatewayVerifierKey()).isEqualTo(verifier);
        }
        AuditLogConfig missing = AuditLogConfig.builder(keys).directory(dir.resolve("other")).signingKeyPath(dir.resolve("absent.pem")).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AuditLog.open(missing)).isInstanceOf(java.nio.file.NoSuchFileException.class);
        AuditLogConfig bad = AuditLogConfig.builder(keys).origin("has space").maxClockSkew(Duration.ofSeconds(-1)).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AuditLog.open(bad)).hasMessageContaining("audit::origin").hasMessageContaining("audit::max_clock_skew");
    }
}
