package io.goblinos.gateway.extension.filestorage;

import static io.goblinos.gateway.testing.Futures.failure;
import static io.goblinos.gateway.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.exporter.sending.ExportQueue;
import io.goblinos.gateway.exporter.sending.QueueSettings;
import io.goblinos.gateway.exporter.sending.TestRequests;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalQueueTest {
  static Vertx vertx;
  @TempDir Path dir;
  final List<WalQueue<?>> opened = new ArrayList<>();
  int executors;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    get(vertx.close());
  }

  @AfterEach
  void closeQueues() throws Exception {
    for (WalQueue<?> q : opened) {
      get(q.close());
    }
  }

  static FileStorageConfig config(long segmentSize, FileStorageConfig.Fsync fsync) {
    return new FileStorageConfig("unused", fsync, Duration.ofMillis(50), segmentSize, 0,
        FileStorageConfig.Compaction.DEFAULT);
  }

  WorkerExecutor worker() {
    return vertx.createSharedWorkerExecutor("wal-test-" + (executors++), 1);
  }

  WalQueue<ExportTraceServiceRequest> open(FileStorageConfig config, int capacity, long capacityBytes, long maxDisk,
      QueueSettings.FullPolicy policy) throws Exception {
    return open(config, capacity, capacityBytes, maxDisk, policy, worker());
  }

  WalQueue<ExportTraceServiceRequest> open(FileStorageConfig config, int capacity, long capacityBytes, long maxDisk,
      QueueSettings.FullPolicy policy, WorkerExecutor worker) throws Exception {
    WalQueue<ExportTraceServiceRequest> q = new WalQueue<>("exporter test (traces)", dir.resolve("q"), Signal.TRACES,
        vertx, worker, config, capacity, capacityBytes, maxDisk, policy);
    get(q.open());
    opened.add(q);
    return q;
  }

  WalQueue<ExportTraceServiceRequest> open() throws Exception {
    return open(config(1 << 20, FileStorageConfig.Fsync.ALWAYS), 1000, 64 << 20, 256 << 20,
        QueueSettings.FullPolicy.BACKPRESSURE);
  }

  static String firstName(ExportQueue.Entry<ExportTraceServiceRequest> e) {
    return e.request().getResourceSpans(0).getScopeSpans(0).getSpans(0).getName();
  }

  long files(String suffix) throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("q"))) {
      return s.filter(p -> p.toString().endsWith(suffix)).count();
    }
  }

  @Test
  void offeredRequestsComeBackInOrderAndDoneReleasesThem() throws Exception {
    var q = open();
    for (int i = 0; i < 5; i++) {
      get(q.offer(TestRequests.traces("r" + i, 2)));
    }
    assertThat(q.size()).isEqualTo(5);
    long bytes = TestRequests.traces("r0", 2).getSerializedSize() * 5L;
    assertThat(q.bytes()).isEqualTo(bytes);
    for (int i = 0; i < 5; i++) {
      var e = get(q.poll());
      assertThat(firstName(e)).isEqualTo("r" + i + "-0");
      e.done();
      e.done(); // idempotent
    }
    assertThat(q.size()).isZero();
    assertThat(q.bytes()).isZero();
    assertThat(q.durable()).isTrue();
  }

  @Test
  void unacknowledgedRecordsAreDeliveredAgainAfterARestart() throws Exception {
    var q = open();
    for (int i = 0; i < 10; i++) {
      get(q.offer(TestRequests.traces("r" + i, 3)));
    }
    var e0 = get(q.poll());
    var e1 = get(q.poll());
    get(q.poll()); // r2: handed to a sender, never done
    e0.done();
    e1.done();
    await().until(() -> q.size() == 8);
    get(q.close());
    opened.remove(q);

    var again = open();
    assertThat(again.size()).isEqualTo(8);
    assertThat(again.recoveredItems()).isEqualTo(24);
    assertThat(again.redeliveredItems()).isEqualTo(3); // r2 may have reached the backend
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      var e = get(again.poll());
      names.add(firstName(e));
      e.done();
    }
    assertThat(names).containsExactly("r2-0", "r3-0", "r4-0", "r5-0", "r6-0", "r7-0", "r8-0", "r9-0");
    assertThat(again.corruptedRecords()).isZero();
  }

  @Test
  void aTornTailIsCutCountedAndReported() throws Exception {
    var q = open();
    for (int i = 0; i < 4; i++) {
      get(q.offer(TestRequests.traces("r" + i, 1)));
    }
    get(q.close());
    opened.remove(q);
    Path seg = onlySegment();
    long size = Files.size(seg);
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.setLength(size - 5); // the last record lost its last 5 bytes: a write torn by a crash
    }
    List<String> logs = captureLogs();
    var again = open();
    assertThat(again.size()).isEqualTo(3);
    assertThat(again.corruptedRecords()).isEqualTo(1);
    assertThat(logs).anyMatch(m -> m.contains("cut a damaged tail") && m.contains("torn record"));
    // the queue goes on: new records append after the cut
    get(again.offer(TestRequests.traces("new", 1)));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      var e = get(again.poll());
      names.add(firstName(e));
      e.done();
    }
    assertThat(names).containsExactly("r0-0", "r1-0", "r2-0", "new-0");
  }

  @Test
  void aCorruptedRecordCutsTheSegmentThereAndStartUpGoesOn() throws Exception {
    var q = open();
    for (int i = 0; i < 6; i++) {
      get(q.offer(TestRequests.traces("r" + i, 1)));
    }
    get(q.close());
    opened.remove(q);
    Path seg = onlySegment();
    int recordSize = WalQueue.HEADER + TestRequests.traces("r0", 1).getSerializedSize();
    long third = WalQueue.MAGIC.length + 2L * recordSize;
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.seek(third + WalQueue.HEADER + 3); // a bit flip in the payload of the third record
      int b = f.read();
      f.seek(third + WalQueue.HEADER + 3);
      f.write(b ^ 0x10);
    }
    List<String> logs = captureLogs();
    var again = open();
    assertThat(again.size()).isEqualTo(2);
    assertThat(again.corruptedRecords()).isEqualTo(1);
    assertThat(logs).anyMatch(m -> m.contains("checksum mismatch"));
    assertThat(Files.size(seg)).isEqualTo(third);
  }

  @Test
  void garbageInsteadOfASegmentDoesNotBlockStartUp() throws Exception {
    Files.createDirectories(dir.resolve("q"));
    Files.write(dir.resolve("q").resolve("0000000000000003.wal"), new byte[] {1, 2, 3});
    Files.write(dir.resolve("q").resolve("0000000000000003.marks"), new byte[] {9, 9});
    var q = open();
    assertThat(q.size()).isZero();
    assertThat(q.corruptedRecords()).isEqualTo(2);
    get(q.offer(TestRequests.traces("a", 1)));
    assertThat(firstName(get(q.poll()))).isEqualTo("a-0");
  }

  @Test
  void concurrentOffersShareOneFsync() throws Exception {
    WorkerExecutor worker = worker();
    var q = open(config(1 << 20, FileStorageConfig.Fsync.ALWAYS), 1000, 64 << 20, 256 << 20,
        QueueSettings.FullPolicy.BACKPRESSURE, worker);
    long before = q.fsyncs();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(1);
    // occupy the queue's single writer thread, so that the offers pile up as one group
    worker.executeBlocking(() -> {
      blocked.countDown();
      release.await();
      return null;
    }, false);
    blocked.await();
    List<Future<Void>> offers = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      offers.add(q.offer(TestRequests.traces("g" + i, 1)));
    }
    assertThat(offers).noneMatch(Future::isComplete); // not acknowledged before they are durable
    release.countDown();
    get(Future.all(offers));
    assertThat(q.fsyncs() - before).isEqualTo(1);
    assertThat(q.size()).isEqualTo(200);
  }

  @Test
  void aFullQueueRefusesWithThrottled() throws Exception {
    var q = open(config(1 << 20, FileStorageConfig.Fsync.ALWAYS), 3, 64 << 20, 256 << 20,
        QueueSettings.FullPolicy.BACKPRESSURE);
    for (int i = 0; i < 3; i++) {
      get(q.offer(TestRequests.traces("r" + i, 1)));
    }
    Throwable t = failure(q.offer(TestRequests.traces("x", 1)));
    assertThat(t).isInstanceOf(ConsumeException.class);
    assertThat(((ConsumeException) t).kind()).isEqualTo(ConsumeException.Kind.THROTTLED);
    get(q.poll()).done();
    get(q.offer(TestRequests.traces("y", 1))); // room again
  }

  @Test
  void theDiskLimitRefusesWithThrottled() throws Exception {
    int one = WalQueue.HEADER + TestRequests.traces("r0", 10).getSerializedSize();
    long limit = 3L * one + 8 + 200;
    var q = open(new FileStorageConfig("unused", FileStorageConfig.Fsync.ALWAYS, Duration.ofSeconds(1), 4096, limit,
        FileStorageConfig.Compaction.DEFAULT), 1000, 64 << 20, limit, QueueSettings.FullPolicy.BACKPRESSURE);
    for (int i = 0; i < 3; i++) {
      get(q.offer(TestRequests.traces("r" + i, 10)));
    }
    Throwable t = failure(q.offer(TestRequests.traces("r3", 10)));
    assertThat(((ConsumeException) t).kind()).isEqualTo(ConsumeException.Kind.THROTTLED);
    assertThat(t).hasMessageContaining("disk limit");
    assertThat(q.diskBytes()).isLessThanOrEqualTo(limit);
  }

  @Test
  void dropOldestDropsWaitingRecordsAndCountsThem() throws Exception {
    var q = open(config(1 << 20, FileStorageConfig.Fsync.ALWAYS), 3, 64 << 20, 256 << 20,
        QueueSettings.FullPolicy.DROP_OLDEST);
    for (int i = 0; i < 3; i++) {
      get(q.offer(TestRequests.traces("r" + i, 2)));
    }
    var inFlight = get(q.poll()); // r0 is being sent: never dropped
    get(q.offer(TestRequests.traces("r3", 2)));
    get(q.offer(TestRequests.traces("r4", 2)));
    assertThat(q.droppedItems()).isEqualTo(4); // r1 and r2
    assertThat(q.size()).isEqualTo(3);
    inFlight.done();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      var e = get(q.poll());
      names.add(firstName(e));
      e.done();
    }
    assertThat(names).containsExactly("r3-0", "r4-0");
    // dropped records stay dropped after a restart
    get(q.close());
    opened.remove(q);
    assertThat(open().size()).isZero();
  }

  @Test
  void segmentsWhoseRecordsAreDoneAreDeleted() throws Exception {
    var q = open(config(4096, FileStorageConfig.Fsync.ALWAYS), 1000, 64 << 20, 256 << 20,
        QueueSettings.FullPolicy.BACKPRESSURE);
    for (int i = 0; i < 100; i++) {
      get(q.offer(TestRequests.traces("r" + i, 5)));
    }
    assertThat(files(".wal")).isGreaterThan(5);
    for (int i = 0; i < 100; i++) {
      get(q.poll()).done();
    }
    await().until(() -> files(".wal") == 1); // only the active segment stays
    assertThat(q.diskBytes()).isLessThan(4096 + 4096);
  }

  @Test
  void compactionMovesTheFewLiveRecordsOfSparseSegments() throws Exception {
    var q = open(config(4096, FileStorageConfig.Fsync.ALWAYS), 1000, 64 << 20, 256 << 20,
        QueueSettings.FullPolicy.BACKPRESSURE);
    int n = 200;
    for (int i = 0; i < n; i++) {
      get(q.offer(TestRequests.traces("r" + i, 5)));
    }
    long segmentsBefore = files(".wal");
    List<ExportQueue.Entry<ExportTraceServiceRequest>> stuck = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      var e = get(q.poll());
      if (i % 25 == 0) {
        stuck.add(e); // e.g. retried for ever: pins its segment without compaction
      } else {
        e.done();
      }
    }
    await().until(() -> files(".wal") < segmentsBefore / 2);
    assertThat(q.size()).isEqualTo(stuck.size());
    get(q.close());
    opened.remove(q);
    var again = open(config(4096, FileStorageConfig.Fsync.ALWAYS), 1000, 64 << 20, 256 << 20,
        QueueSettings.FullPolicy.BACKPRESSURE);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < stuck.size(); i++) {
      names.add(firstName(get(again.poll())));
    }
    assertThat(names).containsExactlyElementsOf(stuck.stream().map(WalQueueTest::firstName).toList());
    assertThat(again.redeliveredItems()).isEqualTo(5L * stuck.size());
  }

  @Test
  void aQueueDirectoryIsUsedByOneOwnerOnly() throws Exception {
    open();
    WalQueue<ExportTraceServiceRequest> second = new WalQueue<>("second", dir.resolve("q"), Signal.TRACES, vertx,
        worker(), config(4096, FileStorageConfig.Fsync.ALWAYS), 10, 1 << 20, 1 << 24,
        QueueSettings.FullPolicy.BACKPRESSURE);
    assertThat(failure(second.open())).hasMessageContaining("in use");
  }

  @Test
  void sealedQueueHandsOutWhatIsLeftThenNull() throws Exception {
    var q = open();
    get(q.offer(TestRequests.traces("a", 1)));
    q.seal();
    assertThat(failure(q.offer(TestRequests.traces("b", 1)))).isInstanceOf(ConsumeException.class);
    assertThat(firstName(get(q.poll()))).isEqualTo("a-0");
    assertThat(get(q.poll())).isNull();
  }

  @Test
  void intervalAndNeverPoliciesAcknowledgeWithoutWaitingForFsync() throws Exception {
    for (FileStorageConfig.Fsync policy : List.of(FileStorageConfig.Fsync.INTERVAL, FileStorageConfig.Fsync.NEVER)) {
      var q = open(config(1 << 20, policy), 100, 1 << 20, 1 << 24, QueueSettings.FullPolicy.BACKPRESSURE);
      long before = q.fsyncs();
      get(q.offer(TestRequests.traces("a", 1)));
      if (policy == FileStorageConfig.Fsync.NEVER) {
        assertThat(q.fsyncs()).isEqualTo(before);
      } else {
        await().until(() -> q.fsyncs() > before); // the periodic fsync
      }
      get(q.close());
      opened.remove(q);
      var again = open(config(1 << 20, policy), 100, 1 << 20, 1 << 24, QueueSettings.FullPolicy.BACKPRESSURE);
      assertThat(again.size()).isEqualTo(1);
      get(again.poll()).done();
      get(again.close());
      opened.remove(again);
    }
  }

  Path onlySegment() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("q"))) {
      List<Path> segs = s.filter(p -> p.toString().endsWith(".wal")).sorted().toList();
      // the newest (empty) active segment is deleted at the next open; the data is in the first
      return segs.get(0);
    }
  }

  static List<String> captureLogs() {
    List<String> out = new java.util.concurrent.CopyOnWriteArrayList<>();
    Logger.getLogger(WalQueue.class.getName()).addHandler(new Handler() {
      @Override
      public void publish(LogRecord r) {
        out.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
    return out;
  }
}
