package io.goblinos.gateway.audit.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * RFC 6962 section 2.1 hashing with SHA-256: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right),
 * empty tree = SHA-256(""). Thread-safe: each thread reuses its own digest, because
 * {@link MessageDigest#getInstance} (a provider lookup and a reflective constructor call) costs more than
 * hashing a short event; the audit log hashes several times per accepted event.
 */
public final class Rfc6962Hasher {
    public static final int HASH_LENGTH = 32;
    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;
    /** Always left reset: {@link MessageDigest#digest()} resets it. */
    private static final ThreadLocal<MessageDigest> THREAD_DIGEST = ThreadLocal.withInitial(Rfc6962Hasher::newSha256);

    private Rfc6962Hasher() {
    }

    public static byte[] hashLeaf(byte[] data) {
        MessageDigest sha256 = THREAD_DIGEST.get();
        sha256.update(LEAF_PREFIX);
        sha256.update(data);
        return sha256.digest();
    }

    /** @param left,right 32-byte child hashes */
    public static byte[] hashChildren(byte[] left, byte[] right) {
        MessageDigest sha256 = THREAD_DIGEST.get();
        sha256.update(NODE_PREFIX);
        sha256.update(left);
        sha256.update(right);
        return sha256.digest();
    }

    /** Plain SHA-256 of {@code data} (no RFC 6962 prefix), with this thread's digest. */
    public static byte[] sha256(byte[] data) {
        return THREAD_DIGEST.get().digest(data);
    }

    /** The root of the empty tree: SHA-256 of the empty string. */
    public static byte[] emptyRoot() {
        return THREAD_DIGEST.get().digest();
    }

    /** A fresh SHA-256 digest, for callers that keep it. */
    public static MessageDigest sha256() {
        return newSha256();
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
