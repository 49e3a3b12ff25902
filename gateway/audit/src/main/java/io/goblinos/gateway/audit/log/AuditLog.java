package io.goblinos.gateway.audit.log;

import io.goblinos.gateway.audit.event.AuditEvent;
import io.goblinos.gateway.audit.event.AuditEventParser;
import io.goblinos.gateway.audit.event.EventRejectedException;
import io.goblinos.gateway.audit.event.EventVerifier;
import io.goblinos.gateway.audit.event.RejectReason;
import io.goblinos.gateway.audit.jcs.StrictJson;
import io.goblinos.gateway.audit.keys.ReloadingKeyRegistry;
import io.goblinos.gateway.audit.merkle.FileLeafHashes;
import io.goblinos.gateway.audit.merkle.MerkleTree;
import io.goblinos.gateway.audit.merkle.Rfc6962Hasher;
import io.goblinos.gateway.audit.note.Checkpoint;
import io.goblinos.gateway.audit.note.NoteSigner;
import io.goblinos.gateway.audit.note.NoteVerificationException;
import io.goblinos.gateway.audit.note.NoteVerifierKey;
import io.goblinos.gateway.audit.note.SignedNote;
import io.goblinos.gateway.audit.store.DedupeIndex;
import io.goblinos.gateway.audit.store.FileAuditStore;
import io.goblinos.gateway.audit.store.RecoveryReport;
import io.goblinos.gateway.audit.store.StoredCheckpoint;
import io.goblinos.gateway.audit.store.StoredRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tamper-evident audit log: verifies signed events, appends them durably to a write-once store, keeps the
 * RFC 6962 Merkle tree over them and signs chained C2SP checkpoints.
 *
 * <p>Threading: every method blocks (file I/O, fsync) and is thread-safe; call from worker threads, never from
 * an event loop. Parsing, canonicalization, signature verification and hashing run without a lock, in the
 * calling thread and in {@link VerificationHelpers} (one thread per core that takes chunks of a batch while
 * other submitters wait for fsync), so concurrent callers verify in parallel; only ordering (dedupe, index
 * assignment, write, tree and index update) is serialised, and one fsync, run outside every lock, covers all
 * callers waiting at the same time (group commit).
 *
 * <p>Failure: if writing or syncing the store fails, {@link #submit} throws {@link UncheckedIOException} (answer
 * 503) and the log refuses further submits until it is re-opened, which recovers from the store.
 */
public final class AuditLog implements AutoCloseable {
    static final String INDEX_DIRECTORY = "index";
    /** File in the store directory holding the gateway's checkpoint verifier key, for auditors. */
    public static final String VERIFIER_KEY_FILE = "gateway-verifier-key.txt";

    private final AuditLogConfig config;
    private final FileAuditStore store;
    private final FileLeafHashes leafHashes;
    private final DedupeIndex dedupe;
    private final MerkleTree tree;
    private final ReloadingKeyRegistry registry;
    private final AuditEventParser parser;
    private final EventVerifier verifier;
    private final NoteSigner checkpointSigner;
    private final QuarantineFile quarantine;
    private final VerificationHelpers verificationHelpers = new VerificationHelpers();
    private final boolean signingKeyGenerated;
    private final boolean indexRebuilt;

    private final Object appendLock = new Object();
    private final Object checkpointLock = new Object();
    private volatile IOException failure;
    private boolean closed;

    private AuditLog(AuditLogConfig config, FileAuditStore store, FileLeafHashes leafHashes, DedupeIndex dedupe,
                     MerkleTree tree, ReloadingKeyRegistry registry, NoteSigner checkpointSigner,
                     QuarantineFile quarantine, boolean signingKeyGenerated, boolean indexRebuilt) {
        this.config = config;
        this.store = store;
        this.leafHashes = leafHashes;
        this.dedupe = dedupe;
        this.tree = tree;
        this.registry = registry;
        this.parser = new AuditEventParser(config.maxEventBytes());
        this.verifier = new EventVerifier(registry, config.clock(), config.maxClockSkew());
        this.checkpointSigner = checkpointSigner;
        this.quarantine = quarantine;
        this.signingKeyGenerated = signingKeyGenerated;
        this.indexRebuilt = indexRebuilt;
    }

    /**
     * Opens the log: recovers the store (cuts a torn tail, see {@link #recoveryReport()}), brings the leaf hash
     * file and the dedupe index up to date with the store (rebuilding both after an unclean shutdown), rebuilds
     * the tree's compact range, loads the key registry and loads or generates the gateway signing key.
     *
     * @throws IllegalArgumentException listing every config problem, or when the key registry is invalid
     * @throws IOException when the store cannot be opened or is damaged other than at its tail
     */
    public static AuditLog open(AuditLogConfig config) throws IOException {
        List<String> errors = config.validate();
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        Path directory = config.directory();
        Files.createDirectories(directory);
        ReloadingKeyRegistry registry = ReloadingKeyRegistry.open(config.keysFile(), config.clock(), ReloadingKeyRegistry.DEFAULT_CHECK_INTERVAL);
        GatewaySigningKey.Loaded key = GatewaySigningKey.loadOrGenerate(config.signingKeyPath(), directory);
        NoteSigner signer = new NoteSigner(config.origin(), key.key());
        Files.writeString(directory.resolve(VERIFIER_KEY_FILE), signer.verifierKey() + "\n", StandardCharsets.US_ASCII);

        FileAuditStore store = FileAuditStore.open(directory, config.segmentBytes());
        try {
            Path indexDirectory = Files.createDirectories(directory.resolve(INDEX_DIRECTORY));
            FileLeafHashes leafHashes = FileLeafHashes.open(indexDirectory.resolve("leaves.sha256"));
            DedupeIndex dedupe = DedupeIndex.open(indexDirectory.resolve("dedupe.idx"));
            boolean rebuild = !dedupe.wasClosedCleanly() || dedupe.coveredRecords() != leafHashes.size() || leafHashes.size() > store.size();
            if (rebuild) {
                leafHashes.truncate(0);
                dedupe.close();
                dedupe = DedupeIndex.create(indexDirectory.resolve("dedupe.idx"));
            }
            dedupe.markInUse();
            DedupeIndex index = dedupe;
            store.scan(leafHashes.size(), record -> {
                leafHashes.append(Rfc6962Hasher.hashLeaf(record.canonicalJson().getBytes(StandardCharsets.UTF_8)));
                index.put(DedupeIndex.fingerprint(eventIdOf(record)), record.index());
            });
            dedupe.setCoveredRecords(store.size());
            MerkleTree tree = new MerkleTree(leafHashes);
            QuarantineFile quarantine = new QuarantineFile(directory.resolve(QuarantineFile.FILE_NAME));
            return new AuditLog(config, store, leafHashes, dedupe, tree, registry, signer, quarantine, key.generated(), rebuild);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static String eventIdOf(StoredRecord record) throws IOException {
        var id = StrictJson.parse(record.canonicalJson()).get(AuditEvent.EVENT_ID);
        if (id == null || !id.isTextual()) {
            throw new IOException("stored record " + record.index() + " has no event_id");
        }
        return id.textValue();
    }

    /**
     * Verifies and appends events. Per event, in order: ACCEPTED (durably fsynced before this returns),
     * DUPLICATE (identical re-send of an accepted event: acknowledged, not appended) or REJECTED with a stable
     * reason code (written to {@code quarantine.jsonl}, never appended).
     *
     * @param rawEventJson one JSON text per event
     * @param receivedBy the authenticated principal that delivered them, or null; stored beside each record,
     *     outside the signed and hashed data
     * @throws UncheckedIOException if the store failed; nothing from this call may be assumed durable
     */
    public List<SubmitResult> submit(List<String> rawEventJson, String receivedBy) {
        Instant receivedAt = config.clock().instant();
        SubmitResult[] results = new SubmitResult[rawEventJson.size()];
        VerifiedEvent[] verified = new VerifiedEvent[rawEventJson.size()];
        QuarantineFile.Entry[] invalid = new QuarantineFile.Entry[rawEventJson.size()];
        // Everything per event that needs no shared state runs before the lock, in parallel across callers and
        // on idle cores: parse, canonicalize, verify, hash. The lock below only orders, writes and indexes.
        verificationHelpers.forEach(rawEventJson.size(), i -> {
            String raw = rawEventJson.get(i);
            AuditEvent event = null;
            try {
                event = parser.parse(raw);
                verifier.verify(event);
                verified[i] = new VerifiedEvent(event);
            } catch (EventRejectedException e) {
                String eventId = event != null ? event.eventId() : bestEffortEventId(raw);
                results[i] = SubmitResult.rejected(eventId, e.reason(), e.getMessage());
                invalid[i] = new QuarantineFile.Entry(receivedAt, e.reason().code(), e.getMessage(), eventId, receivedBy, raw);
            }
        });
        List<QuarantineFile.Entry> refused = new ArrayList<>();
        for (QuarantineFile.Entry entry : invalid) {
            if (entry != null) {
                refused.add(entry);
            }
        }
        try {
            long ticket = appendVerified(verified, results, refused, receivedAt, receivedBy, rawEventJson);
            store.awaitDurable(ticket);
            quarantine.write(refused);
        } catch (IOException e) {
            failure = e;
            throw new UncheckedIOException("audit log append failed: " + e.getMessage(), e);
        }
        return List.of(results);
    }

    /** A verified event with what the append step needs, computed before taking {@code appendLock}. */
    private record VerifiedEvent(String eventId, String canonicalJson, byte[] leafHash, byte[] fingerprint) {
        VerifiedEvent(AuditEvent event) {
            this(event.eventId(), event.canonicalJson(),
                    Rfc6962Hasher.hashLeaf(event.canonicalJson().getBytes(StandardCharsets.UTF_8)), DedupeIndex.fingerprint(event.eventId()));
        }
    }

    /**
     * Under {@code appendLock}: sorts verified events into duplicates, conflicting ids and new records, writes
     * the new records (not yet synced), appends their leaves to the tree and indexes their ids. Holding one lock
     * for these steps is what makes acceptance order = leaf order = store order.
     *
     * @return the store's durability ticket for the written records
     */
    private long appendVerified(VerifiedEvent[] verified, SubmitResult[] results, List<QuarantineFile.Entry> refused,
                                Instant receivedAt, String receivedBy, List<String> raw) throws IOException {
        synchronized (appendLock) {
            throwIfFailed();
            long next = store.size();
            List<StoredRecord> records = new ArrayList<>();
            List<byte[]> newLeafHashes = new ArrayList<>();
            List<byte[]> newFingerprints = new ArrayList<>();
            Map<String, Long> batchIndex = new HashMap<>();
            for (int i = 0; i < verified.length; i++) {
                VerifiedEvent event = verified[i];
                if (event == null) {
                    continue;
                }
                Long inBatch = batchIndex.get(event.eventId());
                long existing = inBatch != null ? inBatch : dedupe.find(event.fingerprint());
                if (existing >= 0) {
                    byte[] existingHash = existing >= next ? newLeafHashes.get((int) (existing - next)) : tree.leafHash(existing);
                    if (Arrays.equals(existingHash, event.leafHash())) {
                        results[i] = SubmitResult.duplicate(event.eventId(), existing);
                    } else {
                        String message = "event_id \"" + event.eventId() + "\" was accepted at leaf " + existing + " with different content";
                        results[i] = SubmitResult.rejected(event.eventId(), RejectReason.DUPLICATE_EVENT_ID, message);
                        refused.add(new QuarantineFile.Entry(receivedAt, RejectReason.DUPLICATE_EVENT_ID.code(), message, event.eventId(), receivedBy, raw.get(i)));
                    }
                    continue;
                }
                long index = next + records.size();
                records.add(new StoredRecord(index, event.canonicalJson(), receivedAt, receivedBy));
                newLeafHashes.add(event.leafHash());
                newFingerprints.add(event.fingerprint());
                batchIndex.put(event.eventId(), index);
                results[i] = SubmitResult.accepted(event.eventId(), index);
            }
            long ticket = store.append(records);
            tree.appendLeafHashes(newLeafHashes);
            for (int r = 0; r < records.size(); r++) {
                dedupe.put(newFingerprints.get(r), records.get(r).index());
            }
            dedupe.setCoveredRecords(tree.size());
            return ticket;
        }
    }

    private static String bestEffortEventId(String raw) {
        try {
            var id = StrictJson.parse(raw).get(AuditEvent.EVENT_ID);
            return id != null && id.isTextual() ? id.textValue() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void throwIfFailed() throws IOException {
        if (failure != null) {
            throw new IOException("audit log failed earlier and refuses appends until re-opened: " + failure.getMessage(), failure);
        }
        if (closed) {
            throw new IOException("audit log is closed");
        }
    }

    /**
     * Signs and stores a checkpoint of the current tree if it grew since the latest checkpoint. The checkpoint
     * covers only durable records and records the SHA-256 of the previous signed note.
     *
     * @return the new signed note, or empty when the tree did not grow
     * @throws UncheckedIOException if the store failed
     */
    public Optional<String> checkpointIfGrown() {
        synchronized (checkpointLock) {
            try {
                long size;
                byte[] root;
                long ticket;
                synchronized (appendLock) {
                    size = tree.size();
                    root = tree.root();
                    ticket = store.append(List.of());
                }
                List<StoredCheckpoint> chain = store.checkpoints();
                long latestSize = chain.isEmpty() ? 0 : chain.get(chain.size() - 1).treeSize();
                if (size <= latestSize) {
                    return Optional.empty();
                }
                store.awaitDurable(ticket);
                String note = SignedNote.sign(new Checkpoint(config.origin(), size, root).body(), checkpointSigner);
                String previous = chain.isEmpty() ? "" : sha256Hex(chain.get(chain.size() - 1).signedNote());
                store.appendCheckpoint(new StoredCheckpoint(chain.size(), size, note, previous));
                return Optional.of(note);
            } catch (IOException e) {
                throw new UncheckedIOException("audit checkpoint failed: " + e.getMessage(), e);
            }
        }
    }

    /** Lowercase hex SHA-256 of a signed note's UTF-8 bytes: the chain link stored with the next checkpoint. */
    public static String sha256Hex(String signedNote) {
        return HexFormat.of().formatHex(Rfc6962Hasher.sha256().digest(signedNote.getBytes(StandardCharsets.UTF_8)));
    }

    /** The latest signed checkpoint note, if any. */
    public Optional<String> latestCheckpoint() {
        List<StoredCheckpoint> chain = store.checkpoints();
        return chain.isEmpty() ? Optional.empty() : Optional.of(chain.get(chain.size() - 1).signedNote());
    }

    /**
     * An inclusion proof for an accepted event: against the latest checkpoint when it covers the event, else
     * against the current (unsigned) root with {@code checkpoint == null}.
     *
     * @return empty when no accepted event has this id
     */
    public Optional<InclusionProof> proveInclusion(String eventId) {
        try {
            long index;
            long currentSize;
            synchronized (appendLock) {
                index = dedupe.find(DedupeIndex.fingerprint(eventId));
                currentSize = tree.size();
            }
            if (index < 0) {
                return Optional.empty();
            }
            List<StoredCheckpoint> chain = store.checkpoints();
            StoredCheckpoint latest = chain.isEmpty() ? null : chain.get(chain.size() - 1);
            boolean covered = latest != null && latest.treeSize() > index && latest.treeSize() <= currentSize;
            long size = covered ? latest.treeSize() : currentSize;
            return Optional.of(new InclusionProof(eventId, index, size, tree.leafHash(index), tree.inclusionProof(index, size),
                    tree.rootAt(size), covered ? latest.signedNote() : null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A consistency proof between two tree sizes.
     *
     * @throws IllegalArgumentException unless {@code 0 <= from <= to <= size()}
     */
    public ConsistencyProof proveConsistency(long from, long to) {
        long size = size();
        if (from < 0 || from > to || to > size) {
            throw new IllegalArgumentException("want 0 <= from <= to <= " + size + ", got from=" + from + " to=" + to);
        }
        try {
            return new ConsistencyProof(from, to, tree.rootAt(from), tree.rootAt(to), tree.consistencyProof(from, to));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Re-verifies what was appended since the checkpoint before the latest one: re-reads those records from the
     * store, re-hashes them and compares with the tree; checks the latest two checkpoints' signatures, roots and
     * chain link. Never throws for a mismatch: problems are returned (count them, report degraded, alert).
     */
    public SelfCheckResult selfCheck() {
        List<String> problems = new ArrayList<>();
        List<StoredCheckpoint> chain = store.checkpoints();
        long from = chain.size() >= 2 ? chain.get(chain.size() - 2).treeSize() : 0;
        long to;
        try {
            long ticket;
            synchronized (appendLock) {
                to = tree.size();
                ticket = store.append(List.of());
            }
            store.awaitDurable(ticket);
            from = Math.min(from, to);
            store.scan(from, record -> {
                if (record.index() >= to) {
                    return;
                }
                byte[] got = Rfc6962Hasher.hashLeaf(record.canonicalJson().getBytes(StandardCharsets.UTF_8));
                byte[] want = tree.leafHash(record.index());
                if (!Arrays.equals(got, want)) {
                    problems.add("record " + record.index() + ": leaf hash got " + HexFormat.of().formatHex(got) + ", want "
                            + HexFormat.of().formatHex(want) + " (stored record differs from the accepted event)");
                }
            });
        } catch (IOException e) {
            problems.add("re-reading the store failed: " + e.getMessage());
            return new SelfCheckResult(from, from, 0, problems);
        }
        int checked = 0;
        NoteVerifierKey key = checkpointSigner.verifierKey();
        for (int i = Math.max(0, chain.size() - 2); i < chain.size(); i++) {
            checked++;
            StoredCheckpoint stored = chain.get(i);
            String want = i == 0 ? "" : sha256Hex(chain.get(i - 1).signedNote());
            if (!stored.previousNoteSha256().equals(want)) {
                problems.add("checkpoint " + i + ": previous-note hash got " + stored.previousNoteSha256() + ", want " + want);
            }
            try {
                Checkpoint checkpoint = Checkpoint.parse(SignedNote.open(stored.signedNote(), key));
                if (checkpoint.size() > to) {
                    problems.add("checkpoint " + i + ": size " + checkpoint.size() + " but the tree has only " + to + " leaves");
                } else if (!Arrays.equals(checkpoint.rootHash(), tree.rootAt(checkpoint.size()))) {
                    problems.add("checkpoint " + i + " (size " + checkpoint.size() + "): root got "
                            + HexFormat.of().formatHex(tree.rootAt(checkpoint.size())) + ", want " + HexFormat.of().formatHex(checkpoint.rootHash()));
                }
            } catch (NoteVerificationException | IllegalArgumentException e) {
                problems.add("checkpoint " + i + ": " + e.getMessage());
            } catch (IOException e) {
                problems.add("checkpoint " + i + ": reading leaf hashes failed: " + e.getMessage());
            }
        }
        return new SelfCheckResult(from, to, checked, problems);
    }

    /** The C2SP verifier key of the checkpoint signing key ({@code origin+hash+base64}): print it at start. */
    public String gatewayVerifierKey() {
        return checkpointSigner.verifierKey().toString();
    }

    /** True when this open generated the signing key (first start without {@code AUDIT_SIGNING_KEY_PATH}). */
    public boolean signingKeyGenerated() {
        return signingKeyGenerated;
    }

    /** What opening the store repaired. */
    public RecoveryReport recoveryReport() {
        return store.recoveryReport();
    }

    /** True when the leaf hash file and dedupe index were rebuilt from the store at open (unclean shutdown). */
    public boolean indexRebuilt() {
        return indexRebuilt;
    }

    /** The key registry's last reload error, or null. */
    public String keyRegistryReloadError() {
        return registry.lastReloadError();
    }

    /** Number of accepted events (tree size). */
    public long size() {
        return tree.size();
    }

    /** Writes a final checkpoint if the tree grew, then closes everything. Idempotent. */
    @Override
    public void close() throws IOException {
        synchronized (appendLock) {
            if (closed) {
                return;
            }
        }
        if (failure == null) {
            checkpointIfGrown();
        }
        synchronized (appendLock) {
            closed = true;
            try {
                if (failure == null) {
                    leafHashes.flush();
                    dedupe.setCoveredRecords(tree.size());
                    dedupe.markClean();
                }
            } finally {
                verificationHelpers.close();
                leafHashes.close();
                dedupe.close();
                quarantine.close();
                store.close();
            }
        }
    }
}
