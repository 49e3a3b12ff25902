package io.goblinos.gateway.audit.keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A registry backed by a YAML file that is re-read when its modification time or size changes. The file's
 * attributes are looked at on lookups, at most once per {@code checkInterval} of the given clock, so the cost
 * on the hot path is one volatile read. A file that fails to parse leaves the previous entries in force; the
 * error is kept in {@link #lastReloadError()}. Rotation = adding an entry to the file.
 */
public final class ReloadingKeyRegistry implements KeyRegistry {
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(1);

    private final Path file;
    private final Clock clock;
    private final Duration checkInterval;
    private volatile Snapshot snapshot;
    private volatile Instant nextCheck;
    private volatile String lastReloadError;

    private record Snapshot(StaticKeyRegistry registry, Object fileKey, long modifiedNanos, long size) {
    }

    private ReloadingKeyRegistry(Path file, Clock clock, Duration checkInterval, Snapshot first) {
        this.file = file;
        this.clock = clock;
        this.checkInterval = checkInterval;
        this.snapshot = first;
        this.nextCheck = clock.instant().plus(checkInterval);
    }

    /**
     * Loads {@code file} now.
     *
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException if it is not a valid registry (fail fast at start-up)
     */
    public static ReloadingKeyRegistry open(Path file, Clock clock, Duration checkInterval) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(clock, "clock");
        if (checkInterval.isNegative()) {
            throw new IllegalArgumentException("checkInterval was " + checkInterval + " but it must be >= 0");
        }
        return new ReloadingKeyRegistry(file, clock, checkInterval, load(file));
    }

    private static Snapshot load(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        StaticKeyRegistry registry = KeyRegistryFile.read(file);
        return new Snapshot(registry, attributes.fileKey(), attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), attributes.size());
    }

    @Override
    public Optional<RegisteredKey> find(String keyId) {
        reloadIfChanged();
        return snapshot.registry().find(keyId);
    }

    @Override
    public int size() {
        reloadIfChanged();
        return snapshot.registry().size();
    }

    /** The message of the last failed reload, or null when the last reload (or the first load) worked. */
    public String lastReloadError() {
        return lastReloadError;
    }

    /** Checks the file now if the check interval has passed; called by lookups. */
    public void reloadIfChanged() {
        Instant now = clock.instant();
        if (now.isBefore(nextCheck)) {
            return;
        }
        synchronized (this) {
            if (now.isBefore(nextCheck)) {
                return;
            }
            nextCheck = now.plus(checkInterval);
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                Snapshot current = snapshot;
                long modified = attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
                if (modified == current.modifiedNanos() && attributes.size() == current.size()
                        && Objects.equals(attributes.fileKey(), current.fileKey())) {
                    return;
                }
                snapshot = load(file);
                lastReloadError = null;
            } catch (IOException | RuntimeException e) {
                lastReloadError = file + ": reload failed, previous keys stay in force: " + e.getMessage();
            }
        }
    }
}
