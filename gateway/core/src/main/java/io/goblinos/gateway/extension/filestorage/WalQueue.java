package io.goblinos.gateway.extension.filestorage;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.exporter.sending.ExportQueue;
import io.goblinos.gateway.exporter.sending.QueueSettings;
import io.goblinos.gateway.exporter.sending.RateLimitedLog;
import io.goblinos.gateway.extension.filestorage.FileStorageConfig.Fsync;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A persistent {@link ExportQueue}: a write-ahead log of segment files in one directory, written by one worker
 * thread.
 *
 * <h2>Files</h2>
 * <ul>
 *   <li>{@code <16 hex digits>.wal}: a segment, the magic {@code GGWAL001}, then records
 *       {@code len:u32 type:u8 seq:u64 items:u32 crc:u32 payload[len]} (big-endian), where {@code crc} is the CRC32C
 *       of the 17 header bytes before it and the payload, and the payload is the protobuf export request. A segment
 *       is closed once the next record would take it beyond {@code segment_size}; records are never changed.</li>
 *   <li>{@code <same>.marks}: marks for records of that segment, {@code type:u8 seq:u64 crc:u32}: {@code D} the
 *       record was handed to a sender, {@code A} it is done (sent or given up on). Marks are written before the
 *       sender sees the record / when it is done, but never fsynced: a lost mark only means a record is delivered
 *       again after a crash of the machine (duplicates are allowed, data loss is not).</li>
 *   <li>{@code LOCK}: an advisory lock so that two processes never share a queue.</li>
 * </ul>
 *
 * <h2>Durability</h2>
 * {@link #offer} completes once the record is written and, with {@code fsync: always} (the default), forced to the
 * disk with {@link FileChannel#force}: the receiver answers 200 only after that. Offers that arrive while a write is
 * in progress wait for the next one and share its fsync (group commit), so throughput does not stop at one fsync
 * per request. With {@code fsync: interval} an offer completes once the write reached the operating system (a
 * killed process loses nothing, a power cut may lose up to {@code fsync_interval}); {@code never} leaves syncing to
 * the operating system.
 *
 * <h2>Recovery</h2>
 * {@link #open} reads every segment and its marks, checking every record's length and checksum. The first damaged
 * record of a segment (torn write at the tail after a crash, or corruption) and everything after it are cut
 * (the file is truncated), counted in {@link #corruptedRecords()} and reported in a log line; start-up goes on.
 * Records without an {@code A} mark are queued again in their original order ({@link #recoveredItems()}); those
 * with a {@code D} mark may have reached the backend already ({@link #redeliveredItems()}).
 *
 * <h2>Reclaiming space</h2>
 * A closed segment whose records are all done is deleted with its marks. With compaction on, a closed segment whose
 * live bytes fall below {@code compaction.live_ratio} of its size, while the queue's files hold more dead bytes
 * than live ones, has its live records copied to the newest segment (same sequence numbers, synced) and is deleted;
 * a crash in between leaves two copies of a record, of which recovery keeps one.
 *
 * <h2>Bounds</h2>
 * Requests ({@code queue_size}), bytes of live records ({@code queue_size_bytes}) and bytes on disk
 * ({@code max_size_per_queue}); when any would be exceeded the offer fails THROTTLED (429 / RESOURCE_EXHAUSTED), or,
 * with {@code full_policy: drop_oldest}, the oldest waiting records are dropped to fit the first two. Records are
 * kept in memory only while someone else holds them (a weak reference to the offered request), otherwise read back
 * from the segment when polled: memory is bounded by the index (one small object per stored record).
 *
 * <h2>Threading</h2>
 * All file I/O and every fsync run on the queue's own single-thread {@link WorkerExecutor}; the public methods only
 * take a short lock and never block. Offer futures complete on the offering Vert.x context when there is one.
 */
final class WalQueue<T extends Message> implements ExportQueue<T> {
  private static final Logger LOG = Logger.getLogger(WalQueue.class.getName());

  static final byte[] MAGIC = "GGWAL001".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER = 21;
  static final byte DATA = 1;
  static final int MARK = 13;
  static final byte ACK = 'A';
  static final byte DISPATCHED = 'D';
  static final String SEGMENT_SUFFIX = ".wal";
  static final String MARKS_SUFFIX = ".marks";
  private static final int MAX_OPEN_MARKS = 4;

  private final String name;
  private final Path dir;
  private final Signal<T> signal;
  private final Vertx vertx;
  private final WorkerExecutor worker;
  private final Fsync fsync;
  private final Duration fsyncInterval;
  private final long segmentSize;
  private final FileStorageConfig.Compaction compaction;
  private final int capacity;
  private final long capacityBytes;
  private final long maxDiskBytes;
  private final boolean dropOldest;
  private final RateLimitedLog problems = new RateLimitedLog(LOG, 10, TimeUnit.SECONDS);

  // ---- writer thread only
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private final LinkedHashMap<Segment, Boolean> openMarks = new LinkedHashMap<>(8, 0.75f, true);
  private final Set<Segment> unsynced = new LinkedHashSet<>();
  private Segment active;
  private Segment readCache;
  private long nextSegmentId;
  private long liveDisk;
  private FileChannel lockChannel;
  private FileLock fileLock;

  // ---- guarded by lock
  private final Object lock = new Object();
  private final ArrayDeque<Rec<T>> waiting = new ArrayDeque<>();
  private final ArrayDeque<Promise<Entry<T>>> pollers = new ArrayDeque<>();
  private List<PendingWrite<T>> pendingWrites = new ArrayList<>();
  private List<Rec<T>> pendingAcks = new ArrayList<>();
  private List<Dispatch<T>> pendingDispatches = new ArrayList<>();
  private boolean forceRequested;
  private boolean compactRequested;
  private boolean writerScheduled;
  private int writing;
  private int size;
  private long bytes;
  private long diskBytes;
  private long reservedDisk;
  private long nextSeq;
  private boolean opened;
  private boolean sealed;
  private boolean closed;
  private Promise<Void> closePromise;
  private boolean filesClosed;
  private long fsyncTimer = -1;
  private Runnable onClose = () -> {};

  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong corrupted = new AtomicLong();
  private final AtomicLong recovered = new AtomicLong();
  private final AtomicLong redelivered = new AtomicLong();
  private final AtomicLong fsyncs = new AtomicLong();

  WalQueue(String name, Path dir, Signal<T> signal, Vertx vertx, WorkerExecutor worker, FileStorageConfig config,
      int capacity, long capacityBytes, long maxDiskBytes, QueueSettings.FullPolicy fullPolicy) {
    this.name = name;
    this.dir = dir;
    this.signal = signal;
    this.vertx = vertx;
    this.worker = worker;
    this.fsync = config.fsync();
    this.fsyncInterval = config.fsyncInterval();
    this.segmentSize = config.segmentSize();
    this.compaction = config.compaction();
    this.capacity = capacity;
    this.capacityBytes = capacityBytes;
    this.maxDiskBytes = maxDiskBytes;
    this.dropOldest = fullPolicy == QueueSettings.FullPolicy.DROP_OLDEST;
  }

  // ------------------------------------------------------------------ public API

  /** Reads what is stored (on the worker), cutting damaged tails; then the queue takes offers. */
  Future<Void> open() {
    return worker.<Void>executeBlocking(() -> {
      try {
        recover();
      } catch (IOException | RuntimeException e) {
        closeFiles();
        throw e;
      }
      return null;
    }, false).transform(ar -> {
      if (ar.failed()) {
        return worker.close().transform(x -> Future.failedFuture(ar.cause()));
      }
      synchronized (lock) {
        opened = true;
        if (!waiting.isEmpty() || !pollers.isEmpty()) {
          servePollersLocked(new ArrayList<>());
        }
      }
      if (fsync == Fsync.INTERVAL) {
        fsyncTimer = vertx.setPeriodic(Math.max(1, fsyncInterval.toMillis()), id -> requestForce());
      }
      return Future.succeededFuture();
    });
  }

  void onClose(Runnable hook) {
    this.onClose = hook;
  }

  @Override
  public Future<Void> offer(T request) {
    int len = request.getSerializedSize();
    long need = HEADER + (long) len;
    int items = signal.itemCount(request);
    Context ctx = Vertx.currentContext();
    Promise<Void> promise = Promise.promise();
    synchronized (lock) {
      if (sealed || closed || !opened) {
        return Future.failedFuture(ConsumeException.unavailable("the sending queue of " + name + " is shut down", null));
      }
      if (need > maxDiskBytes) {
        return Future.failedFuture(ConsumeException.permanent("a request of " + len + " bytes is larger than the "
            + "persistent sending queue of " + name + " can ever hold (" + maxDiskBytes + " bytes on disk)"));
      }
      if (diskBytes + reservedDisk + need > maxDiskBytes && (size > 0 || reservedDisk > 0)) {
        if (!compactRequested) {
          compactRequested = true;
          scheduleWriterLocked();
        }
        return Future.failedFuture(ConsumeException.throttled("the persistent sending queue of " + name + " is full ("
            + (diskBytes + reservedDisk) + " + " + need + " bytes over its disk limit of " + maxDiskBytes + ")", null));
      }
      while (dropOldest && (size >= capacity || size > 0 && bytes + len > capacityBytes)) {
        Rec<T> oldest = waiting.pollFirst();
        if (oldest == null) {
          break; // everything stored is being sent: refuse below
        }
        oldest.done = true;
        size--;
        bytes -= oldest.len;
        dropped.addAndGet(oldest.items);
        pendingAcks.add(oldest);
      }
      if (size >= capacity) {
        scheduleWriterIfAcksLocked();
        return Future.failedFuture(ConsumeException.throttled(
            "the sending queue of " + name + " is full (" + size + " of " + capacity + " requests)", null));
      }
      if (size > 0 && bytes + len > capacityBytes) {
        scheduleWriterIfAcksLocked();
        return Future.failedFuture(ConsumeException.throttled("the sending queue of " + name + " is full (" + bytes
            + " + " + len + " bytes over the limit of " + capacityBytes + ")", null));
      }
      Rec<T> rec = new Rec<>(nextSeq++, items, len);
      size++;
      bytes += len;
      reservedDisk += need;
      pendingWrites.add(new PendingWrite<>(rec, request, promise, ctx));
      scheduleWriterLocked();
    }
    return promise.future();
  }

  @Override
  public Future<Entry<T>> poll() {
    synchronized (lock) {
      if (closed) {
        return Future.succeededFuture(null);
      }
      Promise<Entry<T>> p = Promise.promise();
      Rec<T> r = opened ? waiting.pollFirst() : null;
      if (r != null) {
        pendingDispatches.add(new Dispatch<>(r, p, null));
        scheduleWriterLocked();
        return p.future();
      }
      if (sealed && drainedLocked()) {
        return Future.succeededFuture(null);
      }
      pollers.add(p);
      return p.future();
    }
  }

  @Override
  public void seal() {
    List<Promise<Entry<T>>> done = new ArrayList<>();
    synchronized (lock) {
      sealed = true;
      if (drainedLocked()) {
        done.addAll(pollers);
        pollers.clear();
      }
    }
    done.forEach(p -> p.tryComplete(null));
  }

  @Override
  public Future<Void> close() {
    List<Promise<Entry<T>>> done;
    Promise<Void> p;
    synchronized (lock) {
      if (closePromise != null) {
        return closePromise.future();
      }
      closePromise = p = Promise.promise();
      sealed = true;
      closed = true;
      done = new ArrayList<>(pollers);
      pollers.clear();
      scheduleWriterLocked();
    }
    if (fsyncTimer >= 0) {
      vertx.cancelTimer(fsyncTimer);
    }
    done.forEach(x -> x.tryComplete(null));
    return p.future().eventually(() -> worker.close()).onComplete(v -> onClose.run());
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

  /** Bytes of this queue's files on disk (segments and marks). */
  long diskBytes() {
    synchronized (lock) {
      return diskBytes;
    }
  }

  long maxDiskBytes() {
    return maxDiskBytes;
  }

  /** fsync calls made (for tests of group commit). */
  long fsyncs() {
    return fsyncs.get();
  }

  Path directory() {
    return dir;
  }

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public long capacityBytes() {
    return capacityBytes;
  }

  @Override
  public boolean durable() {
    return true;
  }

  @Override
  public long droppedItems() {
    return dropped.get();
  }

  @Override
  public long corruptedRecords() {
    return corrupted.get();
  }

  @Override
  public long recoveredItems() {
    return recovered.get();
  }

  @Override
  public long redeliveredItems() {
    return redelivered.get();
  }

  // ------------------------------------------------------------------ scheduling

  private boolean drainedLocked() {
    return waiting.isEmpty() && pendingWrites.isEmpty() && writing == 0;
  }

  private void scheduleWriterIfAcksLocked() {
    if (!pendingAcks.isEmpty()) {
      scheduleWriterLocked();
    }
  }

  private void scheduleWriterLocked() {
    if (writerScheduled || filesClosed) {
      return;
    }
    writerScheduled = true;
    worker.executeBlocking(() -> {
      try {
        writerLoop();
      } catch (Throwable t) {
        LOG.log(Level.SEVERE, name + ": persistent queue writer failed", t);
        synchronized (lock) {
          writerScheduled = false;
        }
      }
      return null;
    }, false);
  }

  private void requestForce() {
    synchronized (lock) {
      if (!closed && !forceRequested) {
        forceRequested = true;
        scheduleWriterLocked();
      }
    }
  }

  private void complete(PendingWrite<T> w, Throwable failure) {
    Runnable r = failure == null ? () -> w.promise.tryComplete() : () -> w.promise.tryFail(failure);
    if (w.context != null) {
      w.context.runOnContext(v -> r.run());
    } else {
      r.run();
    }
  }

  // ------------------------------------------------------------------ the writer (worker thread)

  private void writerLoop() {
    while (true) {
      List<PendingWrite<T>> writes;
      List<Rec<T>> acks;
      List<Dispatch<T>> dispatches;
      boolean force;
      boolean compact;
      boolean closing;
      List<Promise<Entry<T>>> finishedPollers = List.of();
      synchronized (lock) {
        writes = pendingWrites;
        acks = pendingAcks;
        dispatches = pendingDispatches;
        force = forceRequested;
        compact = compactRequested;
        closing = closed && closePromise != null;
        if (writes.isEmpty() && acks.isEmpty() && dispatches.isEmpty() && !force && !compact) {
          writerScheduled = false;
          if (!closing || filesClosed) {
            return;
          }
          filesClosed = true; // from now on nothing schedules the writer
        }
        if (filesClosed) {
          closing = true;
          writes = List.of();
        }
        if (!filesClosed) {
          pendingWrites = new ArrayList<>();
          pendingAcks = new ArrayList<>();
          pendingDispatches = new ArrayList<>();
          forceRequested = false;
          compactRequested = false;
          writing = writes.size();
        }
      }
      if (filesClosed && writes.isEmpty() && closing) {
        closeFiles();
        closePromise.tryComplete();
        return;
      }

      // 1. data records, then one fsync for all of them (group commit)
      Throwable writeFailure = null;
      if (!writes.isEmpty()) {
        try {
          appendAll(writes);
          if (fsync == Fsync.ALWAYS) {
            syncAll();
          }
        } catch (IOException | RuntimeException e) {
          writeFailure = e;
          rollBack(writes);
        }
      }
      if (force) {
        try {
          syncAll();
        } catch (IOException e) {
          problems.log(Level.WARNING, name + ": fsync of the persistent queue failed: " + e);
        }
      }
      List<Dispatch<T>> served = new ArrayList<>();
      synchronized (lock) {
        writing = 0;
        for (PendingWrite<T> w : writes) {
          reservedDisk -= HEADER + (long) w.rec.len;
          if (writeFailure != null) {
            if (!w.rec.done) {
              w.rec.done = true;
              size--;
              bytes -= w.rec.len;
            }
          } else {
            w.rec.cached = new WeakReference<>(w.request);
            if (w.rec.done) {
              continue; // cannot happen: not visible before now
            }
            Promise<Entry<T>> poller = pollers.poll();
            if (poller != null) {
              served.add(new Dispatch<>(w.rec, poller, w.request));
            } else {
              waiting.add(w.rec);
            }
          }
        }
        if (sealed && drainedLocked() && !pollers.isEmpty()) {
          finishedPollers = new ArrayList<>(pollers);
          pollers.clear();
        }
      }
      for (PendingWrite<T> w : writes) {
        complete(w, writeFailure == null ? null : ConsumeException.unavailable(
            "cannot write the persistent sending queue of " + name + ": " + writeFailure.getMessage(), null));
      }
      if (writeFailure != null) {
        problems.log(Level.WARNING, name + ": cannot write the persistent queue in " + dir + ": " + writeFailure
            + "; " + writes.size() + " requests refused with 503");
      }

      // 2. done records: marks, and segments whose records are all done are deleted
      for (Rec<T> r : acks) {
        ack(r);
      }

      // 3. records handed to senders: D mark first, then the request (from memory or the segment)
      dispatches.addAll(served);
      for (int i = 0; i < dispatches.size(); i++) {
        dispatch(dispatches.get(i), dispatches);
      }

      // 4. reclaim space
      if (compact || compaction.enabled()) {
        try {
          compact(compact);
        } catch (IOException e) {
          problems.log(Level.WARNING, name + ": compaction of the persistent queue failed: " + e);
        }
      }
      finishedPollers.forEach(p -> p.tryComplete(null));
    }
  }

  private void dispatch(Dispatch<T> d, List<Dispatch<T>> queue) {
    Rec<T> r = d.rec;
    boolean isClosed;
    synchronized (lock) {
      isClosed = closed;
    }
    if (isClosed) {
      d.promise.tryComplete(null); // stays stored, not done: delivered after the next start
      return;
    }
    T request = d.strong != null ? d.strong : r.cached == null ? null : r.cached.get();
    try {
      if (!r.dispatched) {
        writeMark(r.segment, DISPATCHED, r.seq);
        r.dispatched = true;
      }
      if (request == null) {
        request = signal.parse(readPayload(r));
      }
    } catch (IOException | CorruptRecordException e) {
      corrupted.incrementAndGet();
      LOG.warning(name + ": record " + r.seq + " in " + segmentPath(r.segment.id).getFileName() + " at offset "
          + r.offset + " cannot be read back (" + e.getMessage() + "); " + r.items + " " + signal.itemName()
          + " dropped, counted in gateway_exporter_queue_corrupted_records_total");
      Promise<Entry<T>> p = d.promise;
      synchronized (lock) {
        if (!r.done) {
          r.done = true;
          size--;
          bytes -= r.len;
        }
        Rec<T> next = waiting.pollFirst();
        if (next != null) {
          queue.add(new Dispatch<>(next, p, null));
          p = null;
        } else if (!(sealed && drainedLocked())) {
          pollers.addFirst(p);
          p = null;
        }
      }
      ack(r);
      if (p != null) {
        p.tryComplete(null);
      }
      return;
    }
    d.promise.tryComplete(new WalEntry(r, request));
  }

  private void ack(Rec<T> r) {
    Segment s = r.segment;
    if (s == null || !s.live.remove(r)) {
      return;
    }
    s.liveBytes -= HEADER + r.len;
    liveDisk -= HEADER + r.len;
    if (s != active && s.live.isEmpty()) {
      deleteSegment(s);
      return;
    }
    try {
      writeMark(s, ACK, r.seq);
    } catch (IOException e) {
      problems.log(Level.WARNING, name + ": cannot write a mark in " + dir + ": " + e
          + " (the record may be delivered again after a restart)");
    }
  }

  private void appendAll(List<PendingWrite<T>> writes) throws IOException {
    for (PendingWrite<T> w : writes) {
      byte[] payload = w.request.toByteArray();
      if (payload.length != w.rec.len) {
        throw new IllegalStateException("request size changed while queued");
      }
      ByteBuffer header = header(w.rec.seq, w.rec.items, payload);
      appendRecord(w.rec, header, ByteBuffer.wrap(payload));
    }
  }

  /** Appends one record to the active segment (rolling it when full) and indexes it there. */
  private void appendRecord(Rec<T> r, ByteBuffer header, ByteBuffer payload) throws IOException {
    long need = HEADER + (long) r.len;
    if (active == null || active.records > 0 && active.size + need > segmentSize) {
      roll();
    }
    Segment s = active;
    long pos = s.size;
    writeFully(s.data, header, pos);
    writeFully(s.data, payload, pos + HEADER);
    s.size += need;
    s.records++;
    s.live.add(r);
    s.liveBytes += need;
    liveDisk += need;
    r.segment = s;
    r.offset = pos;
    unsynced.add(s);
    synchronized (lock) {
      diskBytes += need;
    }
  }

  private void rollBack(List<PendingWrite<T>> writes) {
    for (PendingWrite<T> w : writes) {
      Rec<T> r = w.rec;
      Segment s = r.segment;
      if (s != null && s.live.remove(r)) {
        s.liveBytes -= HEADER + r.len;
        liveDisk -= HEADER + r.len;
        if (s == active) {
          try {
            s.data.truncate(Math.min(s.size, r.offset));
            synchronized (lock) {
              diskBytes -= s.size - r.offset;
            }
            s.size = r.offset;
          } catch (IOException e) {
            try {
              writeMark(s, ACK, r.seq); // cannot cut it: at least do not deliver it after a restart
            } catch (IOException ignored) {
              // both failed: it may be delivered after a restart (a duplicate of what the client resends)
            }
          }
        } else {
          try {
            writeMark(s, ACK, r.seq);
          } catch (IOException ignored) {
            // as above
          }
        }
      }
    }
  }

  private void roll() throws IOException {
    Segment old = active;
    if (old != null) {
      if (fsync != Fsync.NEVER && unsynced.remove(old)) {
        old.data.force(false);
        fsyncs.incrementAndGet();
      }
      old.data.close();
      old.data = null;
      if (old.live.isEmpty()) {
        deleteSegment(old);
      }
    }
    long id = nextSegmentId++;
    Segment s = new Segment(id);
    s.data = FileChannel.open(segmentPath(id), StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    writeFully(s.data, ByteBuffer.wrap(MAGIC), 0);
    s.size = MAGIC.length;
    segments.put(id, s);
    active = s;
    unsynced.add(s);
    synchronized (lock) {
      diskBytes += MAGIC.length;
    }
    if (fsync != Fsync.NEVER) {
      s.data.force(true);
      syncDirectory();
    }
  }

  private void syncAll() throws IOException {
    for (Iterator<Segment> it = unsynced.iterator(); it.hasNext(); ) {
      Segment s = it.next();
      it.remove();
      if (s.data != null && s.data.isOpen()) {
        s.data.force(false);
        fsyncs.incrementAndGet();
      }
    }
  }

  private void syncDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // some file systems cannot sync a directory; the segment's own fsync still holds its data
    }
  }

  private void writeMark(Segment s, byte type, long seq) throws IOException {
    FileChannel ch = s.marks;
    if (ch == null) {
      ch = FileChannel.open(marksPath(s.id), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
      s.marks = ch;
      openMarks.put(s, Boolean.TRUE);
      if (openMarks.size() > MAX_OPEN_MARKS) {
        Segment eldest = openMarks.keySet().iterator().next();
        openMarks.remove(eldest);
        closeQuietly(eldest.marks);
        eldest.marks = null;
      }
    } else {
      openMarks.get(s); // touch for LRU order
    }
    ByteBuffer b = ByteBuffer.allocate(MARK);
    b.put(type).putLong(seq);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, 9);
    b.putInt((int) crc.getValue());
    b.flip();
    while (b.hasRemaining()) {
      ch.write(b);
    }
    s.marksSize += MARK;
    synchronized (lock) {
      diskBytes += MARK;
    }
  }

  private void deleteSegment(Segment s) {
    segments.remove(s.id);
    unsynced.remove(s);
    openMarks.remove(s);
    closeQuietly(s.data);
    closeQuietly(s.marks);
    s.data = null;
    s.marks = null;
    if (readCache == s) {
      closeQuietly(s.readChannel);
      readCache = null;
    }
    closeQuietly(s.readChannel);
    try {
      Files.deleteIfExists(segmentPath(s.id));
      Files.deleteIfExists(marksPath(s.id));
    } catch (IOException e) {
      problems.log(Level.WARNING, name + ": cannot delete " + segmentPath(s.id) + ": " + e);
    }
    liveDisk -= s.liveBytes;
    synchronized (lock) {
      diskBytes -= s.size + s.marksSize;
    }
    if (s == active) {
      active = null;
    }
  }

  /**
   * Deletes closed segments with nothing live and copies the live records of sparse ones to the active segment.
   * {@code urgent} (the disk limit was hit) also closes a sparse active segment and takes segments up to half live.
   */
  private void compact(boolean urgent) throws IOException {
    long disk;
    synchronized (lock) {
      disk = diskBytes;
    }
    long dead = disk - liveDisk;
    boolean wasteful = dead > Math.max(segmentSize, liveDisk);
    if (!urgent && !wasteful) {
      return;
    }
    double ratio = urgent ? Math.max(0.5, compaction.liveRatio()) : compaction.liveRatio();
    if (urgent && active != null && active.records > 0 && active.liveBytes < ratio * active.size) {
      roll();
    }
    if (!compaction.enabled() && !urgent) {
      return;
    }
    List<Segment> candidates = new ArrayList<>();
    for (Segment s : segments.values()) {
      if (s != active && (s.live.isEmpty() || s.liveBytes < ratio * s.size)) {
        candidates.add(s);
      }
    }
    if (candidates.isEmpty()) {
      return;
    }
    List<Segment> copied = new ArrayList<>();
    for (Segment s : candidates) {
      if (!s.live.isEmpty() && !compaction.enabled()) {
        continue;
      }
      for (Rec<?> any : new ArrayList<>(s.live)) {
        @SuppressWarnings("unchecked")
        Rec<T> r = (Rec<T>) any;
        ByteBuffer raw;
        try {
          raw = ByteBuffer.wrap(readRecord(r));
        } catch (CorruptRecordException e) {
          corrupted.incrementAndGet();
          LOG.warning(name + ": record " + r.seq + " cannot be read back during compaction (" + e.getMessage()
              + "); " + r.items + " " + signal.itemName() + " dropped");
          synchronized (lock) {
            if (!r.done) {
              r.done = true;
              size--;
              bytes -= r.len;
              waiting.remove(r);
            }
          }
          s.live.remove(r);
          s.liveBytes -= HEADER + r.len;
          liveDisk -= HEADER + r.len;
          continue;
        }
        s.live.remove(r);
        s.liveBytes -= HEADER + r.len;
        liveDisk -= HEADER + r.len;
        ByteBuffer header = raw.slice(0, HEADER);
        ByteBuffer payload = raw.slice(HEADER, r.len);
        appendRecord(r, header, payload);
        if (r.dispatched) {
          writeMark(r.segment, DISPATCHED, r.seq);
        }
      }
      copied.add(s);
    }
    if (fsync != Fsync.NEVER) {
      syncAll(); // the copies are durable before the originals go
    }
    for (Segment s : copied) {
      if (segments.containsKey(s.id)) {
        deleteSegment(s);
      }
    }
  }

  private byte[] readPayload(Rec<T> r) throws IOException, CorruptRecordException {
    byte[] raw = readRecord(r);
    byte[] payload = new byte[r.len];
    System.arraycopy(raw, HEADER, payload, 0, r.len);
    return payload;
  }

  /** Header and payload of a stored record, checked against its length, sequence number and checksum. */
  private byte[] readRecord(Rec<T> r) throws IOException, CorruptRecordException {
    FileChannel ch = readChannel(r.segment);
    ByteBuffer b = ByteBuffer.allocate(HEADER + r.len);
    long pos = r.offset;
    while (b.hasRemaining()) {
      int n = ch.read(b, pos);
      if (n < 0) {
        throw new CorruptRecordException("the segment ends inside the record");
      }
      pos += n;
    }
    byte[] raw = b.array();
    ByteBuffer h = ByteBuffer.wrap(raw, 0, HEADER);
    int len = h.getInt(0);
    long seq = h.getLong(5);
    if (len != r.len || raw[4] != DATA || seq != r.seq) {
      throw new CorruptRecordException("header does not match the index");
    }
    CRC32C crc = new CRC32C();
    crc.update(raw, 0, 17);
    crc.update(raw, HEADER, r.len);
    if ((int) crc.getValue() != h.getInt(17)) {
      throw new CorruptRecordException("checksum mismatch");
    }
    return raw;
  }

  private FileChannel readChannel(Segment s) throws IOException {
    if (s.data != null) {
      return s.data;
    }
    if (readCache != s) {
      if (readCache != null) {
        closeQuietly(readCache.readChannel);
        readCache.readChannel = null;
      }
      s.readChannel = FileChannel.open(segmentPath(s.id), StandardOpenOption.READ);
      readCache = s;
    }
    return s.readChannel;
  }

  private void closeFiles() {
    try {
      if (fsync != Fsync.NEVER) {
        syncAll();
      }
    } catch (IOException e) {
      problems.log(Level.WARNING, name + ": final fsync of the persistent queue failed: " + e);
    }
    for (Segment s : segments.values()) {
      closeQuietly(s.data);
      closeQuietly(s.marks);
      closeQuietly(s.readChannel);
      s.data = null;
      s.marks = null;
      s.readChannel = null;
    }
    openMarks.clear();
    readCache = null;
    active = null;
    try {
      if (fileLock != null) {
        fileLock.release();
      }
    } catch (IOException ignored) {
      // released with the channel
    }
    closeQuietly(lockChannel);
    fileLock = null;
    lockChannel = null;
  }

  // ------------------------------------------------------------------ recovery (worker thread)

  private void recover() throws IOException {
    Files.createDirectories(dir);
    lockChannel = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      fileLock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      fileLock = null;
    }
    if (fileLock == null) {
      closeQuietly(lockChannel);
      lockChannel = null;
      throw new IOException(name + ": the persistent queue in " + dir + " is in use by another process");
    }
    List<Long> ids = new ArrayList<>();
    List<Path> orphanMarks = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String f = p.getFileName().toString();
        Long id = idOf(f, SEGMENT_SUFFIX);
        if (id != null) {
          ids.add(id);
        } else if (idOf(f, MARKS_SUFFIX) != null) {
          orphanMarks.add(p);
        }
      }
    }
    ids.sort(Comparator.naturalOrder());
    for (Path m : orphanMarks) {
      Long id = idOf(m.getFileName().toString(), MARKS_SUFFIX);
      if (!ids.contains(id)) {
        Files.deleteIfExists(m);
      }
    }
    Set<Long> acked = new HashSet<>();
    Set<Long> dispatchedSeqs = new HashSet<>();
    Map<Long, Long> marksSizes = new HashMap<>();
    long maxSeq = -1;
    for (long id : ids) {
      marksSizes.put(id, readMarks(id, acked, dispatchedSeqs));
    }
    Map<Long, Rec<T>> live = new HashMap<>();
    long cutBytes = 0;
    for (long id : ids) {
      Segment s = new Segment(id);
      s.marksSize = marksSizes.getOrDefault(id, 0L);
      cutBytes += scanSegment(s, acked, live);
      segments.put(id, s);
      nextSegmentId = Math.max(nextSegmentId, id + 1);
    }
    for (Rec<T> r : live.values()) {
      maxSeq = Math.max(maxSeq, r.seq);
    }
    for (Segment s : segments.values()) {
      maxSeq = Math.max(maxSeq, s.maxSeq);
    }
    long disk = 0;
    for (Segment s : new ArrayList<>(segments.values())) {
      disk += s.size + s.marksSize;
    }
    synchronized (lock) {
      diskBytes = disk;
    }
    for (Segment s : new ArrayList<>(segments.values())) {
      if (s.live.isEmpty()) {
        deleteSegment(s);
      }
    }
    List<Rec<T>> ordered = new ArrayList<>(live.values());
    ordered.sort(Comparator.comparingLong(r -> r.seq));
    long items = 0;
    long again = 0;
    long liveBytes = 0;
    for (Rec<T> r : ordered) {
      items += r.items;
      liveBytes += r.len;
      if (dispatchedSeqs.contains(r.seq)) {
        r.dispatched = true;
        again += r.items;
      }
    }
    recovered.addAndGet(items);
    redelivered.addAndGet(again);
    roll();
    synchronized (lock) {
      waiting.addAll(ordered);
      size = ordered.size();
      bytes = liveBytes;
      nextSeq = maxSeq + 1;
    }
    long cut = cutBytes;
    long recoveredItems = items;
    long redeliveredItems = again;
    if (!ordered.isEmpty() || cut > 0) {
      LOG.info(() -> name + ": persistent queue in " + dir + " resumed with " + ordered.size() + " requests ("
          + recoveredItems + " " + signal.itemName() + ", " + redeliveredItems + " of them possibly delivered before)"
          + (cut > 0 ? "; " + corrupted.get() + " damaged records cut (" + cut + " bytes)" : ""));
    }
  }

  /** Reads one marks file into the sets; cuts a damaged tail. Returns its size after the cut. */
  private long readMarks(long id, Set<Long> acked, Set<Long> dispatchedSeqs) throws IOException {
    Path p = marksPath(id);
    byte[] all;
    try {
      all = Files.readAllBytes(p);
    } catch (NoSuchFileException e) {
      return 0;
    }
    int pos = 0;
    ByteBuffer b = ByteBuffer.wrap(all);
    CRC32C crc = new CRC32C();
    while (pos + MARK <= all.length) {
      byte type = all[pos];
      long seq = b.getLong(pos + 1);
      crc.reset();
      crc.update(all, pos, 9);
      if ((int) crc.getValue() != b.getInt(pos + 9) || type != ACK && type != DISPATCHED) {
        break;
      }
      (type == ACK ? acked : dispatchedSeqs).add(seq);
      pos += MARK;
    }
    if (pos != all.length) {
      corrupted.incrementAndGet();
      int at = pos;
      LOG.warning(() -> name + ": cut a damaged tail of " + (all.length - at) + " bytes from " + p.getFileName()
          + " at offset " + at + " (records it marked may be delivered again)");
      try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
        ch.truncate(pos);
        ch.force(true);
      }
    }
    return pos;
  }

  /**
   * Reads a segment's records, adds those not acknowledged to {@code live} (a later copy of a sequence number
   * replaces an earlier one) and cuts the segment at its first damaged record. Returns the bytes cut.
   */
  private long scanSegment(Segment s, Set<Long> acked, Map<Long, Rec<T>> live) throws IOException {
    Path p = segmentPath(s.id);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long fileSize = ch.size();
      ByteBuffer magic = ByteBuffer.allocate(MAGIC.length);
      if (fileSize < MAGIC.length || readAt(ch, magic, 0) < MAGIC.length
          || !java.util.Arrays.equals(magic.array(), MAGIC)) {
        s.size = 0;
        return cut(s, ch, 0, fileSize, "not a queue segment (bad or missing header)");
      }
      long pos = MAGIC.length;
      ByteBuffer h = ByteBuffer.allocate(HEADER);
      CRC32C crc = new CRC32C();
      while (pos < fileSize) {
        if (fileSize - pos < HEADER) {
          s.size = pos;
          return cut(s, ch, pos, fileSize, "torn record header");
        }
        h.clear();
        readAt(ch, h, pos);
        int len = h.getInt(0);
        byte type = h.get(4);
        long seq = h.getLong(5);
        int items = h.getInt(13);
        if (len < 0 || type != DATA || items < 0 || seq < 0) {
          s.size = pos;
          return cut(s, ch, pos, fileSize, "corrupted record header");
        }
        if (pos + HEADER + len > fileSize) {
          s.size = pos;
          return cut(s, ch, pos, fileSize, "torn record (" + len + " bytes announced, "
              + (fileSize - pos - HEADER) + " present)");
        }
        ByteBuffer payload = ByteBuffer.allocate(len);
        readAt(ch, payload, pos + HEADER);
        crc.reset();
        crc.update(h.array(), 0, 17);
        crc.update(payload.array(), 0, len);
        if ((int) crc.getValue() != h.getInt(17)) {
          s.size = pos;
          return cut(s, ch, pos, fileSize, "checksum mismatch");
        }
        s.records++;
        s.maxSeq = Math.max(s.maxSeq, seq);
        if (!acked.contains(seq)) {
          Rec<T> r = new Rec<>(seq, items, len);
          r.segment = s;
          r.offset = pos;
          Rec<T> previous = live.put(seq, r);
          if (previous != null) { // an earlier copy (compaction interrupted): this one wins
            previous.segment.live.remove(previous);
            previous.segment.liveBytes -= HEADER + previous.len;
            liveDisk -= HEADER + previous.len;
          }
          s.live.add(r);
          s.liveBytes += HEADER + len;
          liveDisk += HEADER + len;
        }
        pos += HEADER + len;
      }
      s.size = pos;
      return 0;
    }
  }

  private long cut(Segment s, FileChannel ch, long at, long fileSize, String why) throws IOException {
    corrupted.incrementAndGet();
    long n = fileSize - at;
    LOG.warning(name + ": cut a damaged tail of " + n + " bytes from " + segmentPath(s.id).getFileName() + " at offset "
        + at + " (" + why + "); counted in gateway_exporter_queue_corrupted_records_total");
    ch.truncate(at);
    ch.force(true);
    return n;
  }

  private static int readAt(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    int total = 0;
    while (b.hasRemaining()) {
      int n = ch.read(b, pos + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    b.flip();
    return total;
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    long p = pos;
    while (b.hasRemaining()) {
      p += ch.write(b, p);
    }
  }

  static ByteBuffer header(long seq, int items, byte[] payload) {
    ByteBuffer h = ByteBuffer.allocate(HEADER);
    h.putInt(payload.length).put(DATA).putLong(seq).putInt(items);
    CRC32C crc = new CRC32C();
    crc.update(h.array(), 0, 17);
    crc.update(payload, 0, payload.length);
    h.putInt((int) crc.getValue());
    h.flip();
    return h;
  }

  private static Long idOf(String fileName, String suffix) {
    if (!fileName.endsWith(suffix) || fileName.length() != 16 + suffix.length()) {
      return null;
    }
    try {
      return Long.parseUnsignedLong(fileName.substring(0, 16), 16);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  Path segmentPath(long id) {
    return dir.resolve(String.format("%016x", id) + SEGMENT_SUFFIX);
  }

  Path marksPath(long id) {
    return dir.resolve(String.format("%016x", id) + MARKS_SUFFIX);
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  // ------------------------------------------------------------------ types

  static final class CorruptRecordException extends Exception {
    CorruptRecordException(String message) {
      super(message, null, false, false);
    }
  }

  /** A segment file and what the writer knows about it. */
  private static final class Segment {
    final long id;
    final LinkedHashSet<Rec<?>> live = new LinkedHashSet<>();
    long size;
    long marksSize;
    long liveBytes;
    long records;
    long maxSeq = -1;
    FileChannel data;
    FileChannel marks;
    FileChannel readChannel;

    Segment(long id) {
      this.id = id;
    }
  }

  /** One stored record: where it is, and its state. */
  private static final class Rec<T> {
    final long seq;
    final int items;
    final int len;
    Segment segment;
    long offset;
    WeakReference<T> cached;
    boolean dispatched;
    boolean done;

    Rec(long seq, int items, int len) {
      this.seq = seq;
      this.items = items;
      this.len = len;
    }
  }

  private record PendingWrite<T>(Rec<T> rec, T request, Promise<Void> promise, Context context) {}

  private record Dispatch<T>(Rec<T> rec, Promise<Entry<T>> promise, T strong) {}

  private void servePollersLocked(List<Dispatch<T>> out) {
    while (!pollers.isEmpty() && !waiting.isEmpty()) {
      pendingDispatches.add(new Dispatch<>(waiting.pollFirst(), pollers.poll(), null));
    }
    if (!pendingDispatches.isEmpty()) {
      scheduleWriterLocked();
    }
  }

  private final class WalEntry implements Entry<T> {
    private final Rec<T> rec;
    private final T request;

    WalEntry(Rec<T> rec, T request) {
      this.rec = rec;
      this.request = request;
    }

    @Override
    public T request() {
      return request;
    }

    @Override
    public void done() {
      synchronized (lock) {
        if (rec.done) {
          return;
        }
        rec.done = true;
        size--;
        bytes -= rec.len;
        if (filesClosed) {
          return; // closed: the record stays and is delivered again after the next start
        }
        pendingAcks.add(rec);
        scheduleWriterLocked();
      }
    }
  }
}
