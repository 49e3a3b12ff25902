package io.goblinos.gateway.audit.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class VerificationHelpersTest {
    @Test
    void runsEveryIndexExactlyOnceAndReturnsAfterAll() {
        try (VerificationHelpers helpers = new VerificationHelpers()) {
            for (int count : new int[] {0, 1, VerificationHelpers.CHUNK_EVENTS, 1000}) {
                AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(1, count));
                Set<String> threads = ConcurrentHashMap.newKeySet();
                helpers.forEach(count, i -> {
                    threads.add(Thread.currentThread().getName());
                    runs.incrementAndGet(i);
                });
                for (int i = 0; i < count; i++) {
                    assertThat(runs.get(i)).as("index %d of %d", i, count).isEqualTo(1);
                }
                assertThat(threads).allMatch(name -> name.equals(Thread.currentThread().getName()) || name.startsWith("audit-verify-"));
            }
        }
    }

    @Test
    void aFailureReachesTheCallerAfterEveryClaimedChunkFinished() {
        try (VerificationHelpers helpers = new VerificationHelpers()) {
            AtomicIntegerArray runs = new AtomicIntegerArray(200);
            assertThatThrownBy(() -> helpers.forEach(200, i -> {
                runs.incrementAndGet(i);
                if (i == 37) {
                    throw new IllegalStateException("boom");
                }
            })).hasMessage("boom");
        }
    }

    @Test
    void afterCloseTheCallerDoesTheWorkItself() {
        VerificationHelpers helpers = new VerificationHelpers();
        helpers.close();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        helpers.forEach(100, i -> threads.add(Thread.currentThread().getName()));
        assertThat(threads).containsExactly(Thread.currentThread().getName());
    }
}
