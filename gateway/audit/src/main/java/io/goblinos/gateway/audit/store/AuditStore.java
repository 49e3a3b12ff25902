package io.goblinos.gateway.audit.store;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * Write-once storage of accepted audit records and of the signed checkpoint chain. The file store implements
 * it; an S3 Object Lock store will too. Appends are ordered and split in two steps so that several callers can
 * share one durability barrier (group commit): {@link #append} hands records over in order and returns a ticket,
 * {@link #awaitDurable} blocks until everything up to that ticket survives a crash (fsync, or an acknowledged
 * object write). Thread-safe. Blocking: call from worker threads only.
 */
public interface AuditStore extends Closeable {
    /** What opening the store repaired (torn tails cut). */
    RecoveryReport recoveryReport();

    /** Number of records stored (written, durable or not). */
    long size();

    /**
     * Appends records in order. Requires {@code records.get(i).index() == size() + i}.
     *
     * @return a durability ticket for {@link #awaitDurable(long)}; an empty list returns the ticket of
     *     everything written so far
     */
    long append(List<StoredRecord> records) throws IOException;

    /** Blocks until everything written up to {@code ticket} is durable. Concurrent callers share one sync. */
    void awaitDurable(long ticket) throws IOException;

    /** Visits records with index >= {@code fromIndex}, in order, as re-read from the storage medium. */
    void scan(long fromIndex, RecordVisitor visitor) throws IOException;

    /** Stores the next checkpoint durably. Requires {@code checkpoint.sequence() == checkpoints().size()}. */
    void appendCheckpoint(StoredCheckpoint checkpoint) throws IOException;

    /** The checkpoint chain, oldest first. */
    List<StoredCheckpoint> checkpoints() throws IOException;

    /** Receives records from {@link #scan}. */
    @FunctionalInterface
    interface RecordVisitor {
        void visit(StoredRecord record) throws IOException;
    }
}
