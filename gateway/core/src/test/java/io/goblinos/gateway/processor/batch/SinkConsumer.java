package io.goblinos.gateway.processor.batch;

import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A thread-safe collecting consumer for tests: records every request, answers with {@code answer} (success by
 * default), or holds the answers until {@link #release()} when {@link #hold()} was called.
 */
public final class SinkConsumer<T> implements Consumer<T> {
  private final List<T> received = new CopyOnWriteArrayList<>();
  private final List<Promise<Void>> held = new ArrayList<>();
  private volatile Function<T, Future<Void>> answer = t -> Future.succeededFuture();
  private boolean holding;

  @Override
  public Future<Void> consume(T data) {
    received.add(data);
    synchronized (this) {
      if (holding) {
        Promise<Void> p = Promise.promise();
        held.add(p);
        return p.future();
      }
    }
    return answer.apply(data);
  }

  /** Answers every later request with {@code answer}. */
  public SinkConsumer<T> answer(Function<T, Future<Void>> answer) {
    this.answer = answer;
    return this;
  }

  /** Holds the answers of later requests until {@link #release()}. */
  public synchronized SinkConsumer<T> hold() {
    holding = true;
    return this;
  }

  /** Completes every held request (successfully) and stops holding. */
  public void release() {
    List<Promise<Void>> toComplete;
    synchronized (this) {
      holding = false;
      toComplete = new ArrayList<>(held);
      held.clear();
    }
    toComplete.forEach(Promise::tryComplete);
  }

  public synchronized int heldCount() {
    return held.size();
  }

  public List<T> received() {
    return List.copyOf(received);
  }

  public int requests() {
    return received.size();
  }

  /** Total items received. */
  public <M extends com.google.protobuf.Message> int items(Signal<M> signal) {
    int n = 0;
    for (T t : received) {
      @SuppressWarnings("unchecked")
      M m = (M) t;
      n += signal.itemCount(m);
    }
    return n;
  }
}
