package io.goblinos.gateway.audit.log;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Lets idle cores help verify a submit's events. Each submitter verifies its own batch, then waits for fsync;
 * while it waits, its core would idle even if other submitters still have events to verify. So a batch is cut
 * into chunks that the submitter claims one by one, and one helper thread per core may claim chunks of the
 * same batch in parallel. A chunk runs exactly once, by whoever claims it first.
 *
 * <p>Bounded: {@code availableProcessors} helper threads and a queue of {@value #QUEUED_HELP_REQUESTS} help
 * requests; when the queue is full a request is dropped, which only means the submitter verifies those chunks
 * itself. Helpers are daemon threads that end after {@value #IDLE_SECONDS} s without work or at {@link #close()}.
 */
final class VerificationHelpers implements AutoCloseable {
    /** Events per chunk: about a millisecond of Ed25519 verification, large enough to make hand-over cheap. */
    static final int CHUNK_EVENTS = 16;
    private static final int QUEUED_HELP_REQUESTS = 64;
    private static final long IDLE_SECONDS = 30;

    private final ThreadPoolExecutor helpers;

    VerificationHelpers() {
        int threads = Runtime.getRuntime().availableProcessors();
        AtomicInteger counter = new AtomicInteger();
        this.helpers = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUED_HELP_REQUESTS), task -> {
            Thread thread = new Thread(task, "audit-verify-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }, new ThreadPoolExecutor.DiscardPolicy());
        // An idle log keeps no threads; a dropped request (queue full or closed) is harmless, see forEach.
        this.helpers.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs {@code work} for every index in {@code [0, count)}, in the calling thread and possibly in helpers;
     * returns when all have run. {@code work} must be safe to call concurrently for different indexes.
     *
     * @throws RuntimeException the first one thrown by {@code work}, after every claimed chunk has finished
     */
    void forEach(int count, IntConsumer work) {
        Batch batch = new Batch(count, work);
        int requests = Math.min(batch.chunks - 1, helpers.getMaximumPoolSize());
        for (int i = 0; i < requests; i++) {
            helpers.execute(batch::claimChunks);
        }
        batch.claimChunks();
        batch.awaitChunks();
    }

    @Override
    public void close() {
        helpers.shutdownNow();
    }

    /** One batch's chunks: a claim counter and a count of chunks still running or unclaimed. */
    private static final class Batch {
        final int count;
        final int chunks;
        final IntConsumer work;
        final AtomicInteger nextChunk = new AtomicInteger();
        final CountDownLatch unfinished;
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();

        Batch(int count, IntConsumer work) {
            this.count = count;
            this.chunks = (count + CHUNK_EVENTS - 1) / CHUNK_EVENTS;
            this.work = work;
            this.unfinished = new CountDownLatch(chunks);
        }

        void claimChunks() {
            for (int chunk = nextChunk.getAndIncrement(); chunk < chunks; chunk = nextChunk.getAndIncrement()) {
                try {
                    for (int i = chunk * CHUNK_EVENTS; i < Math.min(count, (chunk + 1) * CHUNK_EVENTS); i++) {
                        work.accept(i);
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                } finally {
                    unfinished.countDown();
                }
            }
        }

        /** Waits for chunks that helpers claimed (their results land in the caller's arrays), even if interrupted. */
        void awaitChunks() {
            boolean interrupted = false;
            while (true) {
                try {
                    unfinished.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            RuntimeException e = failure.get();
            if (e != null) {
                throw e;
            }
        }
    }
}
