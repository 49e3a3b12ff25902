package io.goblinos.gateway.audit.store;

import io.goblinos.gateway.audit.store.RecoveryReport.TornTail;
import io.goblinos.gateway.audit.store.SegmentNames.Segment;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The file-system {@link AuditStore}.
 *
 * <pre>
 * DIR/segments/00000000000000000000.log   records 0.., one line each (see {@link RecordCodec})
 * DIR/segments/00000000000000004711.log   the next segment starts at record 4711 ...
 * DIR/checkpoints.log                     the signed checkpoint chain (see {@link CheckpointCodec})
 * </pre>
 *
 * <p>Only the last segment is written; a segment reaching {@code segmentBytes} is fsynced, closed and made
 * read-only before the next batch goes to a new one (a segment may exceed the limit by one batch). Group
 * commit: {@link #append} writes under a lock without syncing; {@link #awaitDurable} lets one caller fsync for
 * everybody who wrote before it, the others wait for that sync. The fsync itself runs outside the write lock,
 * so appends continue while the disk syncs and the next sync covers them all; a segment's channel is only
 * closed (rollover, close) under {@code forceLock}, after a final fsync of its own, so a sync never loses a
 * channel it is forcing. At open, an incomplete or corrupt final record
 * of the last segment (a crash in the middle of a write) is cut off and reported; a corrupt record followed by
 * intact ones is not a torn tail and makes open fail. After an I/O error while writing or syncing the store
 * refuses further appends (restart to recover).
 */
public final class FileAuditStore implements AuditStore {
    /** Default segment size limit: 64 MiB. */
    public static final long DEFAULT_SEGMENT_BYTES = 64L * 1024 * 1024;
    public static final String CHECKPOINTS_FILE = "checkpoints.log";

    private final Path directory;
    private final Path segmentsDirectory;
    private final long segmentBytes;
    private final RecoveryReport recoveryReport;

    private final Object writeLock = new Object();
    private FileChannel active;
    private long activeBytes;
    private long nextIndex;
    private long writtenTicket;
    private boolean closed;

    /**
     * Held while forcing a segment channel outside {@code writeLock}, and by whoever closes a segment channel
     * (inside {@code writeLock}: order writeLock, then forceLock; the syncer never holds both).
     */
    private final Object forceLock = new Object();
    private final ReentrantLock syncLock = new ReentrantLock();
    private final Condition syncDone = syncLock.newCondition();
    private long durableTicket;
    private boolean syncing;
    private volatile IOException failure;

    private final Object checkpointLock = new Object();
    private final List<StoredCheckpoint> checkpoints;
    private final FileChannel checkpointChannel;

    private FileAuditStore(Path directory, long segmentBytes, FileChannel active, long activeBytes, long nextIndex,
                           List<StoredCheckpoint> checkpoints, FileChannel checkpointChannel, RecoveryReport report) {
        this.directory = directory;
        this.segmentsDirectory = directory.resolve(SegmentNames.SEGMENTS_DIRECTORY);
        this.segmentBytes = segmentBytes;
        this.active = active;
        this.activeBytes = activeBytes;
        this.nextIndex = nextIndex;
        this.checkpoints = checkpoints;
        this.checkpointChannel = checkpointChannel;
        this.recoveryReport = report;
    }

    /**
     * Opens or creates a store, cutting a torn tail off the last segment and off the checkpoint file.
     *
     * @param segmentBytes size at which a segment is sealed; must be > 0
     * @throws CorruptRecordException when a record other than the last one is damaged (run {@code audit verify})
     */
    public static FileAuditStore open(Path directory, long segmentBytes) throws IOException {
        if (segmentBytes <= 0) {
            throw new IllegalArgumentException("segmentBytes was " + segmentBytes + " but it must be > 0");
        }
        Path segmentsDirectory = directory.resolve(SegmentNames.SEGMENTS_DIRECTORY);
        Files.createDirectories(segmentsDirectory);
        List<TornTail> cut = new ArrayList<>();
        List<Segment> segments = SegmentNames.list(segmentsDirectory);
        for (int i = 0; i < segments.size() - 1; i++) {
            seal(segments.get(i).file());
        }
        long nextIndex = 0;
        FileChannel active;
        long activeBytes;
        if (segments.isEmpty()) {
            active = createSegment(segmentsDirectory, 0);
            activeBytes = 0;
        } else {
            Segment last = segments.get(segments.size() - 1);
            long records = recoverLastSegment(last, cut);
            nextIndex = last.firstIndex() + records;
            if (!isSealed(last.file())) {
                active = FileChannel.open(last.file(), StandardOpenOption.WRITE, StandardOpenOption.READ);
                activeBytes = active.size();
            } else {
                active = createSegment(segmentsDirectory, nextIndex);
                activeBytes = 0;
                segments = SegmentNames.list(segmentsDirectory);
            }
        }
        Path checkpointFile = directory.resolve(CHECKPOINTS_FILE);
        List<StoredCheckpoint> checkpoints = readCheckpoints(checkpointFile, cut);
        FileChannel checkpointChannel = FileChannel.open(checkpointFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        RecoveryReport report = new RecoveryReport(nextIndex, segments.size(), cut);
        return new FileAuditStore(directory, segmentBytes, active, activeBytes, nextIndex, checkpoints, checkpointChannel, report);
    }

    /** Counts the intact records of the last segment and cuts a torn tail. */
    private static long recoverLastSegment(Segment segment, List<TornTail> cut) throws IOException {
        long records = 0;
        long badOffset = -1;
        String badReason = null;
        try (LineReader reader = new LineReader(segment.file())) {
            for (LineReader.Line line = reader.next(); line != null; line = reader.next()) {
                String where = segment.displayName() + " record " + (records + 1);
                String problem = null;
                if (!line.terminated()) {
                    problem = "incomplete record without newline";
                } else {
                    try {
                        StoredRecord record = RecordCodec.decode(line.bytes(), where);
                        long want = segment.firstIndex() + line.number() - 1;
                        if (record.index() != want) {
                            problem = "index " + record.index() + ", want " + want;
                        }
                    } catch (CorruptRecordException e) {
                        problem = e.getMessage();
                    }
                }
                if (problem == null && badOffset >= 0) {
                    throw new CorruptRecordException(segment.displayName() + ": damaged record at offset " + badOffset + " (" + badReason
                            + ") is followed by intact records: not a torn tail, refusing to cut; run 'audit verify'");
                }
                if (problem != null && badOffset < 0) {
                    badOffset = line.offset();
                    badReason = problem;
                } else if (problem == null) {
                    records++;
                }
            }
        }
        if (badOffset >= 0) {
            long size = Files.size(segment.file());
            truncate(segment.file(), badOffset);
            cut.add(new TornTail(segment.displayName(), badOffset, size - badOffset, badReason));
        }
        return records;
    }

    private static List<StoredCheckpoint> readCheckpoints(Path file, List<TornTail> cut) throws IOException {
        List<StoredCheckpoint> result = new ArrayList<>();
        if (!Files.exists(file)) {
            return result;
        }
        try (LineReader reader = new LineReader(file)) {
            for (LineReader.Line line = reader.next(); line != null; line = reader.next()) {
                String where = CHECKPOINTS_FILE + " checkpoint " + line.number();
                String problem;
                if (line.terminated()) {
                    try {
                        result.add(CheckpointCodec.decode(line.bytes(), where));
                        continue;
                    } catch (CorruptRecordException e) {
                        problem = e.getMessage();
                    }
                } else {
                    problem = "incomplete checkpoint without newline";
                }
                if (reader.next() != null) {
                    throw new CorruptRecordException(where + " is damaged (" + problem + ") and not the last one; run 'audit verify'");
                }
                long size = Files.size(file);
                truncate(file, line.offset());
                cut.add(new TornTail(CHECKPOINTS_FILE, line.offset(), size - line.offset(), problem));
            }
        }
        return result;
    }

    private static void truncate(Path file, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(length);
            channel.force(true);
        }
    }

    private static FileChannel createSegment(Path segmentsDirectory, long firstIndex) throws IOException {
        Path file = segmentsDirectory.resolve(SegmentNames.fileName(firstIndex));
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        syncDirectory(segmentsDirectory);
        return channel;
    }

    private static void seal(Path file) throws IOException {
        if (!isSealed(file) && !file.toFile().setWritable(false, false)) {
            throw new IOException("could not make sealed segment " + file + " read-only");
        }
    }

    /**
     * A sealed segment has no write permission bit. Checked on the mode rather than with Files.isWritable, which
     * is always true for root.
     */
    public static boolean isSealed(Path file) throws IOException {
        try {
            return !Files.getPosixFilePermissions(file).contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        } catch (UnsupportedOperationException e) {
            return !Files.isWritable(file);
        }
    }

    /** Makes a new directory entry durable (Linux: fsync on the directory). */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // some platforms cannot open directories; the file's own fsync is the best available there
        }
    }

    public Path directory() {
        return directory;
    }

    @Override
    public RecoveryReport recoveryReport() {
        return recoveryReport;
    }

    @Override
    public long size() {
        synchronized (writeLock) {
            return nextIndex;
        }
    }

    @Override
    public long append(List<StoredRecord> records) throws IOException {
        throwIfFailed();
        synchronized (writeLock) {
            if (closed) {
                throw new IOException("store is closed");
            }
            if (records.isEmpty()) {
                return writtenTicket;
            }
            int length = 0;
            List<byte[]> lines = new ArrayList<>(records.size());
            StoredRecord previous = null;
            byte[] metadataTail = null;
            for (int i = 0; i < records.size(); i++) {
                StoredRecord record = records.get(i);
                if (record.index() != nextIndex + i) {
                    throw new IllegalArgumentException("record index " + record.index() + ", want " + (nextIndex + i));
                }
                // Records of one submit share received_at and received_by: encode that part once.
                if (previous == null || !record.receivedAt().equals(previous.receivedAt())
                        || !Objects.equals(record.receivedBy(), previous.receivedBy())) {
                    metadataTail = RecordCodec.metadataTail(record.receivedAt(), record.receivedBy());
                }
                previous = record;
                byte[] line = RecordCodec.encode(record, metadataTail);
                lines.add(line);
                length += line.length;
            }
            try {
                if (activeBytes >= segmentBytes) {
                    rollOver();
                }
                ByteBuffer buffer = ByteBuffer.allocate(length);
                lines.forEach(buffer::put);
                buffer.flip();
                while (buffer.hasRemaining()) {
                    activeBytes += active.write(buffer, activeBytes);
                }
            } catch (IOException e) {
                failure = e;
                throw e;
            }
            nextIndex += records.size();
            writtenTicket += length;
            return writtenTicket;
        }
    }

    /** Requires writeLock. */
    private void rollOver() throws IOException {
        synchronized (forceLock) {
            active.force(false);
            active.close();
        }
        List<Segment> segments = SegmentNames.list(segmentsDirectory);
        seal(segments.get(segments.size() - 1).file());
        active = createSegment(segmentsDirectory, nextIndex);
        activeBytes = 0;
    }

    @Override
    public void awaitDurable(long ticket) throws IOException {
        syncLock.lock();
        try {
            while (durableTicket < ticket) {
                throwIfFailed();
                if (syncing) {
                    syncDone.await();
                    continue;
                }
                syncing = true;
                syncLock.unlock();
                long target = -1;
                try {
                    FileChannel channel;
                    synchronized (writeLock) {
                        target = writtenTicket;
                        channel = closed ? null : active;
                    }
                    // Outside writeLock: writers keep appending while the disk syncs; the next sync covers them.
                    // Everything up to target is in this channel or in earlier, already synced segments. A
                    // channel closed meanwhile was forced by rollOver or close before being closed.
                    synchronized (forceLock) {
                        if (channel != null && channel.isOpen()) {
                            channel.force(false);
                        }
                    }
                } catch (IOException e) {
                    failure = e;
                    target = -1;
                } finally {
                    syncLock.lock();
                    syncing = false;
                    durableTicket = Math.max(durableTicket, target);
                    syncDone.signalAll();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for fsync");
        } finally {
            syncLock.unlock();
        }
    }

    private void throwIfFailed() throws IOException {
        IOException cause = failure;
        if (cause != null) {
            throw new IOException("audit store failed earlier and refuses writes until restarted: " + cause.getMessage(), cause);
        }
    }

    @Override
    public void scan(long fromIndex, RecordVisitor visitor) throws IOException {
        long end = size();
        List<Segment> segments = SegmentNames.list(segmentsDirectory);
        for (int s = 0; s < segments.size(); s++) {
            Segment segment = segments.get(s);
            long segmentEnd = s + 1 < segments.size() ? segments.get(s + 1).firstIndex() : end;
            if (segmentEnd <= fromIndex || segment.firstIndex() >= end) {
                continue;
            }
            long expected = segment.firstIndex();
            try (LineReader reader = new LineReader(segment.file())) {
                for (LineReader.Line line = reader.next(); line != null && expected < Math.min(segmentEnd, end); line = reader.next()) {
                    String where = segment.displayName() + " record " + line.number();
                    if (!line.terminated()) {
                        throw new CorruptRecordException(where + ": incomplete record");
                    }
                    StoredRecord record = RecordCodec.decode(line.bytes(), where);
                    if (record.index() != expected) {
                        throw new CorruptRecordException(where + ": index got " + record.index() + ", want " + expected);
                    }
                    if (expected >= fromIndex) {
                        visitor.visit(record);
                    }
                    expected++;
                }
            }
            if (expected < Math.min(segmentEnd, end)) {
                throw new CorruptRecordException(segment.displayName() + ": ends at record " + expected + ", want records up to " + Math.min(segmentEnd, end));
            }
        }
    }

    @Override
    public void appendCheckpoint(StoredCheckpoint checkpoint) throws IOException {
        synchronized (checkpointLock) {
            if (checkpoint.sequence() != checkpoints.size()) {
                throw new IllegalArgumentException("checkpoint sequence " + checkpoint.sequence() + ", want " + checkpoints.size());
            }
            ByteBuffer buffer = ByteBuffer.wrap(CheckpointCodec.encode(checkpoint));
            while (buffer.hasRemaining()) {
                checkpointChannel.write(buffer);
            }
            checkpointChannel.force(false);
            checkpoints.add(checkpoint);
        }
    }

    @Override
    public List<StoredCheckpoint> checkpoints() {
        synchronized (checkpointLock) {
            return List.copyOf(checkpoints);
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (writeLock) {
            if (closed) {
                return;
            }
            closed = true;
            synchronized (forceLock) {
                try {
                    if (failure == null) {
                        active.force(false);
                    }
                } finally {
                    active.close();
                }
            }
        }
        synchronized (checkpointLock) {
            checkpointChannel.close();
        }
    }
}
