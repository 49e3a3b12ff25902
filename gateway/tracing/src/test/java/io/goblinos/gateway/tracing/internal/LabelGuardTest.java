package io.goblinos.gateway.tracing.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class LabelGuardTest {

  @Test
  void admitsTheFirstValuesThenCollapsesNewOnesAndCountsThem() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LabelGuard guard = new LabelGuard(registry, "spanmetrics", "m", "task", 2);
    assertThat(guard.admit("a")).isEqualTo("a");
    assertThat(guard.admit(null)).isEqualTo("");
    assertThat(guard.admit("b")).isEqualTo(LabelGuard.OTHER);
    assertThat(guard.admit("c")).isEqualTo(LabelGuard.OTHER);
    assertThat(guard.admit("a")).isEqualTo("a"); // admitted values stay admitted
    assertThat(guard.admit("")).isEqualTo("");
    assertThat(guard.overflowCount()).isEqualTo(2);
    assertThat(registry.get("gateway.processor.label.overflow").tag("label", "task").counter().count()).isEqualTo(2);
  }

  @Test
  void answersWithTheInstanceFirstAdmitted() {
    LabelGuard guard = new LabelGuard(new SimpleMeterRegistry(), "p", "m", "l", 10);
    String first = new String("gpt-4o".toCharArray());
    String again = new String("gpt-4o".toCharArray());
    assertThat(guard.admit(first)).isSameAs(first);
    assertThat(guard.admit(again)).isSameAs(first);
  }

  @Test
  void zeroValuesCollapseEverything() {
    LabelGuard guard = new LabelGuard(new SimpleMeterRegistry(), "p", "m", "l", 0);
    assertThat(guard.admit("x")).isEqualTo(LabelGuard.OTHER);
    assertThat(guard.overflowCount()).isEqualTo(1);
  }

  @Test
  void concurrentNewValuesNeverAdmitMoreThanTheLimit() throws Exception {
    int max = 50;
    LabelGuard guard = new LabelGuard(new SimpleMeterRegistry(), "p", "m", "l", max);
    Set<String> passed = ConcurrentHashMap.newKeySet();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 200; i++) {
          String v = guard.admit("v-" + id + "-" + i);
          if (!v.equals(LabelGuard.OTHER)) {
            passed.add(v);
          }
        }
      });
      th.start();
      threads.add(th);
    }
    start.countDown();
    for (Thread th : threads) {
      th.join();
    }
    assertThat(passed).hasSize(max);
    assertThat(guard.overflowCount()).isEqualTo(4 * 200 - max);
  }
}
