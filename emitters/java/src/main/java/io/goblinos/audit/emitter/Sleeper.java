package io.goblinos.audit.emitter;

import java.time.Duration;

/** Waits between attempts; replaceable so tests never sleep. */
@FunctionalInterface
public interface Sleeper {
    Sleeper THREAD_SLEEP = duration -> Thread.sleep(duration.toMillis());

    void sleep(Duration duration) throws InterruptedException;
}
