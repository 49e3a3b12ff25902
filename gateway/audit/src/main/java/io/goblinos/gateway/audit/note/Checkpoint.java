package io.goblinos.gateway.audit.note;

import io.goblinos.gateway.audit.merkle.Rfc6962Hasher;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A C2SP tlog-checkpoint body: {@code origin\nsize\nbase64(root)\n}. Extension lines after the root are allowed
 * by the format and ignored when parsing.
 */
public record Checkpoint(String origin, long size, byte[] rootHash) {
    public Checkpoint {
        Objects.requireNonNull(origin, "origin");
        if (origin.isEmpty() || origin.contains("\n")) {
            throw new IllegalArgumentException("checkpoint origin must be one non-empty line");
        }
        if (size < 0) {
            throw new IllegalArgumentException("checkpoint size was " + size + " but it must be >= 0");
        }
        if (rootHash == null || rootHash.length != Rfc6962Hasher.HASH_LENGTH) {
            throw new IllegalArgumentException("checkpoint root must be 32 bytes");
        }
        rootHash = rootHash.clone();
    }

    @Override
    public byte[] rootHash() {
        return rootHash.clone();
    }

    /** The note text to sign. */
    public String body() {
        return origin + "\n" + size + "\n" + Base64.getEncoder().encodeToString(rootHash) + "\n";
    }

    /** Parses a checkpoint body (the text of an opened note). */
    public static Checkpoint parse(String body) {
        String[] lines = body.split("\n", -1);
        if (lines.length < 4 || !body.endsWith("\n")) {
            throw new IllegalArgumentException("checkpoint has " + (lines.length - 1) + " lines, want at least 3 (origin, size, root)");
        }
        if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
            throw new IllegalArgumentException("checkpoint size \"" + lines[1] + "\" is not a decimal number");
        }
        byte[] root;
        try {
            root = Base64.getDecoder().decode(lines[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("checkpoint root \"" + lines[2] + "\" is not base64", e);
        }
        return new Checkpoint(lines[0], Long.parseLong(lines[1]), root);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Checkpoint c && c.origin.equals(origin) && c.size == size && Arrays.equals(c.rootHash, rootHash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(origin, size, Arrays.hashCode(rootHash));
    }

    @Override
    public String toString() {
        return "Checkpoint[" + origin + ", size " + size + ", root " + Base64.getEncoder().encodeToString(rootHash) + "]";
    }
}
