package io.goblinos.gateway.exporter.sending;

import io.goblinos.gateway.api.consumer.ConsumeException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * A bounded in-memory FIFO, bounded by requests and by bytes. A full queue refuses with
 * {@link ConsumeException#throttled}, so that senders see 429 / RESOURCE_EXHAUSTED and back off; nothing is dropped
 * silently. Entries count against the bounds until {@link Entry#done()}, so that the bounds also cover requests
 * being sent or waiting for a retry. With {@link QueueSettings.FullPolicy#DROP_OLDEST} a full queue instead drops
 * the oldest waiting requests (never those being sent) until the new one fits, and counts their items in
 * {@link #droppedItems()}; when every request held is being sent it refuses as above.
 *
 * <p>Thread-safe: a short lock guards the deque; futures are completed outside it.
 */
public final class MemoryExportQueue<T> implements ExportQueue<T> {
  private final String name;
  private final int capacity;
  private final long capacityBytes;
  private final ToLongFunction<T> sizer;
  private final ToIntFunction<T> itemCounter;
  private final boolean dropOldest;

  private final Object lock = new Object();
  private final ArrayDeque<MemoryEntry> waiting = new ArrayDeque<>();
  private final ArrayDeque<Promise<Entry<T>>> pollers = new ArrayDeque<>();
  private int size;
  private long bytes;
  private boolean sealed;
  private boolean closed;
  private long droppedItems;

  /**
   * @param name used in refusal messages, e.g. "exporter otlp/tempo (traces)"
   * @param capacity most requests, {@code > 0}
   * @param capacityBytes most bytes, {@code > 0}
   * @param sizer the size of a request in bytes
   */
  public MemoryExportQueue(String name, int capacity, long capacityBytes, ToLongFunction<T> sizer) {
    this(name, capacity, capacityBytes, sizer, r -> 1, QueueSettings.FullPolicy.BACKPRESSURE);
  }

  /**
   * @param itemCounter the items of a request, counted when it is dropped
   * @param fullPolicy what a full queue does
   */
  public MemoryExportQueue(String name, int capacity, long capacityBytes, ToLongFunction<T> sizer,
      ToIntFunction<T> itemCounter, QueueSettings.FullPolicy fullPolicy) {
    if (capacity <= 0 || capacityBytes <= 0) {
      throw new IllegalArgumentException("capacity and capacityBytes must be > 0, were " + capacity + ", " + capacityBytes);
    }
    this.name = name;
    this.capacity = capacity;
    this.capacityBytes = capacityBytes;
    this.sizer = sizer;
    this.itemCounter = itemCounter;
    this.dropOldest = fullPolicy == QueueSettings.FullPolicy.DROP_OLDEST;
  }

  @Override
  public Future<Void> offer(T request) {
    long b = sizer.applyAsLong(request);
    Promise<Entry<T>> poller;
    MemoryEntry entry = new MemoryEntry(request, b);
    synchronized (lock) {
      if (sealed || closed) {
        return Future.failedFuture(ConsumeException.unavailable("the sending queue of " + name + " is shut down", null));
      }
      while (dropOldest && (size >= capacity || bytes + b > capacityBytes && size > 0)) {
        MemoryEntry oldest = waiting.poll();
        if (oldest == null) {
          break; // everything held is being sent: refuse below
        }
        oldest.done = true;
        size--;
        bytes -= oldest.bytes;
        droppedItems += itemCounter.applyAsInt(oldest.request);
      }
      if (size >= capacity) {
        return Future.failedFuture(ConsumeException.throttled(
            "the sending queue of " + name + " is full (" + size + " of " + capacity + " requests)", null));
      }
      // A single request larger than the whole byte bound is let in when the queue is empty, so it is not refused forever.
      if (bytes + b > capacityBytes && size > 0) {
        return Future.failedFuture(ConsumeException.throttled(
            "the sending queue of " + name + " is full (" + bytes + " + " + b + " bytes over the limit of " + capacityBytes + ")",
            null));
      }
      size++;
      bytes += b;
      poller = pollers.poll();
      if (poller == null) {
        waiting.add(entry);
      }
    }
    if (poller != null) {
      poller.complete(entry);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Entry<T>> poll() {
    synchronized (lock) {
      MemoryEntry e = waiting.poll();
      if (e != null) {
        return Future.succeededFuture(e);
      }
      if (sealed || closed) {
        return Future.succeededFuture(null);
      }
      Promise<Entry<T>> p = Promise.promise();
      pollers.add(p);
      return p.future();
    }
  }

  @Override
  public void seal() {
    List<Promise<Entry<T>>> done;
    synchronized (lock) {
      sealed = true;
      // pollers only wait while nothing is waiting: the queue is empty, so they are finished
      done = new ArrayList<>(pollers);
      pollers.clear();
    }
    done.forEach(p -> p.tryComplete(null));
  }

  @Override
  public Future<Void> close() {
    List<Promise<Entry<T>>> done;
    synchronized (lock) {
      sealed = true;
      closed = true;
      for (MemoryEntry e : waiting) {
        e.done = true;
        size--;
        bytes -= e.bytes;
      }
      waiting.clear();
      done = new ArrayList<>(pollers);
      pollers.clear();
    }
    done.forEach(p -> p.tryComplete(null));
    return Future.succeededFuture();
  }

  @Override
  public int size() {
    synchronized (lock) {
      return size;
    }
  }

  @Override
  public long bytes() {
    synchronized (lock) {
      return bytes;
    }
  }

  @Override
  public long droppedItems() {
    synchronized (lock) {
      return droppedItems;
    }
  }

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public long capacityBytes() {
    return capacityBytes;
  }

  private final class MemoryEntry implements Entry<T> {
    private final T request;
    private final long bytes;
    private boolean done;

    MemoryEntry(T request, long bytes) {
      this.request = request;
      this.bytes = bytes;
    }

    @Override
    public T request() {
      return request;
    }

    @Override
    public void done() {
      synchronized (lock) {
        if (done) {
          return;
        }
        done = true;
        size--;
        MemoryExportQueue.this.bytes -= bytes;
      }
    }
  }
}
