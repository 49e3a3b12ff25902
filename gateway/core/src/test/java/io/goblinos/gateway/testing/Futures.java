package io.goblinos.gateway.testing;

import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Waiting for Vert.x futures in tests (never on an event loop). */
public final class Futures {
  private Futures() {}

  /** The result of {@code f}, waiting up to 20 s; its failure is thrown as an {@link ExecutionException}. */
  public static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** The failure of {@code f}, waiting up to 20 s; an {@link AssertionError} when it succeeds. */
  public static Throwable failure(Future<?> f) throws Exception {
    try {
      get(f);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }
}
