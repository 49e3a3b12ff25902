package io.goblinos.gateway.audit.log;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goblinos.gateway.audit.crypto.Ed25519PrivateKey;
import io.goblinos.gateway.audit.event.AuditEvent;
import io.goblinos.gateway.audit.event.EventSigner;
import io.goblinos.gateway.audit.jcs.JsonCanonicalizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark hook for {@code load-tests/bench.sh}: events/s verified and durably appended through
 * {@link AuditLog#submit} (batches, fsync, several submitting threads) versus raw BouncyCastle Ed25519
 * verifications/s on one thread of the same machine. Events are signed before timing starts; both paths are warmed
 * up first (the submit path on a throw-away store), and the raw rate is the mean of one run before and one after the
 * submit run.
 *
 * <p>{@code java -cp ... io.goblinos.gateway.audit.log.AuditBenchmark [events] [batchSize] [threads] [dir]}
 * prints {@code submit_events_per_second=... raw_ed25519_verifications_per_second=...}.
 */
public final class AuditBenchmark {
    /** Both measured rates. */
    public record Result(long events, int batchSize, int threads, double submitEventsPerSecond, double rawVerificationsPerSecond) {
        @Override
        public String toString() {
            return String.format("submit_events_per_second=%.0f raw_ed25519_verifications_per_second=%.0f events=%d batch=%d threads=%d",
                    submitEventsPerSecond, rawVerificationsPerSecond, events, batchSize, threads);
        }
    }

    private AuditBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        Path dir = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("audit-bench");
        System.out.println(run(dir, events, batch, threads));
    }

    /**
     * Runs both measurements. Requires {@code events, batchSize, threads > 0}; {@code directory} should be empty.
     */
    public static Result run(Path directory, int events, int batchSize, int threads) throws Exception {
        if (events <= 0 || batchSize <= 0 || threads <= 0) {
            throw new IllegalArgumentException("events, batchSize and threads must be > 0");
        }
        Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
        Files.createDirectories(directory);
        Path keys = directory.resolve("bench-keys.yaml");
        Files.writeString(keys, "keys:\n  - key_id: bench\n    goblin_id: bench-goblin\n    algorithm: ed25519\n    public_key: "
                + key.publicKey().toBase64() + "\n    not_before: 2000-01-01T00:00:00Z\n    not_after: 2100-01-01T00:00:00Z\n");
        EventSigner signer = new EventSigner(key, "bench");
        List<String> signed = signedEvents(signer, "bench-", events);
        // Both sides warmed up (JIT) before they are timed: the submit path on a throw-away store with other events.
        List<String> warmUp = signedEvents(signer, "warm-up-", Math.min(events, 20_000));
        measureSubmit(directory.resolve("warm-up-store"), keys, warmUp, batchSize, threads);
        // The raw rate before and after the submit run, averaged: on a shared machine it drifts with other load.
        int rawCount = Math.min(events, 20_000);
        double rawBefore = measureRawVerify(key, rawCount);
        double submitRate = measureSubmit(directory.resolve("store"), keys, signed, batchSize, threads);
        double rawAfter = measureRawVerify(key, rawCount);
        return new Result(events, batchSize, threads, submitRate, (rawBefore + rawAfter) / 2);
    }

    private static List<String> signedEvents(EventSigner signer, String idPrefix, int events) {
        List<String> signed = new ArrayList<>(events);
        String now = Instant.now().minusSeconds(1).toString();
        for (int i = 0; i < events; i++) {
            ObjectNode event = JsonNodeFactory.instance.objectNode();
            event.put("event_id", idPrefix + i + "-" + System.nanoTime());
            event.put("goblin_id", "bench-goblin");
            event.put("role", "approver");
            event.put("action", "approve");
            event.put("target", "request/" + i);
            event.put("decision", "approved");
            event.put("trace_id", "");
            event.put("timestamp", now);
            signed.add(JsonCanonicalizer.canonicalize(signer.sign(event)));
        }
        return signed;
    }

    private static double measureSubmit(Path store, Path keys, List<String> signed, int batchSize, int threads) throws Exception {
        AuditLogConfig config = AuditLogConfig.builder(keys).directory(store).build();
        try (AuditLog log = AuditLog.open(config)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                long start = System.nanoTime();
                List<Future<?>> futures = new ArrayList<>();
                for (int from = 0; from < signed.size(); from += batchSize) {
                    List<String> batch = signed.subList(from, Math.min(signed.size(), from + batchSize));
                    futures.add(pool.submit(() -> log.submit(batch, "bench")));
                }
                for (Future<?> future : futures) {
                    future.get();
                }
                long elapsed = System.nanoTime() - start;
                if (log.size() != signed.size()) {
                    throw new IllegalStateException("benchmark appended " + log.size() + " events, want " + signed.size());
                }
                return signed.size() / (elapsed / 1e9);
            } finally {
                pool.shutdown();
            }
        }
    }

    private static double measureRawVerify(Ed25519PrivateKey key, int count) {
        ObjectNode event = JsonNodeFactory.instance.objectNode().put("event_id", "raw").put("goblin_id", "bench-goblin");
        byte[] payload = AuditEvent.signingPayload(event);
        byte[] signature = key.sign(payload);
        for (int i = 0; i < 2_000; i++) {
            key.publicKey().verify(payload, signature); // warm-up
        }
        long start = System.nanoTime();
        int ok = 0;
        for (int i = 0; i < count; i++) {
            if (key.publicKey().verify(payload, signature)) {
                ok++;
            }
        }
        long elapsed = System.nanoTime() - start;
        if (ok != count) {
            throw new IllegalStateException("raw verification failed");
        }
        return count / (elapsed / 1e9);
    }
}
