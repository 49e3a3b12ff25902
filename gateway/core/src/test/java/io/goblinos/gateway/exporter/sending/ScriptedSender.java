package io.goblinos.gateway.exporter.sending;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** A sender that answers from a script: each call takes the next answer, then the {@link #always} one. */
final class ScriptedSender<T> implements Sender<T> {
  final List<T> calls = new CopyOnWriteArrayList<>();
  final List<Long> callNanos = new CopyOnWriteArrayList<>();
  final ConcurrentLinkedQueue<Supplier<Future<SendResult>>> script = new ConcurrentLinkedQueue<>();
  final List<Promise<SendResult>> held = Collections.synchronizedList(new ArrayList<>());
  volatile Supplier<Future<SendResult>> last = () -> Future.succeededFuture(SendResult.OK);
  volatile boolean closed;

  ScriptedSender<T> then(Supplier<Future<SendResult>> answer) {
    script.add(answer);
    return this;
  }

  ScriptedSender<T> thenFail(ExportException e) {
    return then(() -> Future.failedFuture(e));
  }

  ScriptedSender<T> thenOk() {
    return then(() -> Future.succeededFuture(SendResult.OK));
  }

  /** Answers nothing until the test completes the promise from {@link #held}. */
  ScriptedSender<T> thenHold() {
    return then(() -> {
      Promise<SendResult> p = Promise.promise();
      held.add(p);
      return p.future();
    });
  }

  ScriptedSender<T> always(Supplier<Future<SendResult>> answer) {
    last = answer;
    return this;
  }

  @Override
  public Future<SendResult> send(T request) {
    calls.add(request);
    callNanos.add(System.nanoTime());
    Supplier<Future<SendResult>> next = script.poll();
    return (next != null ? next : last).get();
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return Future.succeededFuture();
  }
}
