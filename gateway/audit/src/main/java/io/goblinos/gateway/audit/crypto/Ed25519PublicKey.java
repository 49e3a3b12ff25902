package io.goblinos.gateway.audit.crypto;

import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** An Ed25519 public key (RFC 8032), verified with BouncyCastle's {@link Ed25519Signer}. Immutable, thread-safe. */
public final class Ed25519PublicKey {
    public static final int LENGTH = 32;
    public static final int SIGNATURE_LENGTH = 64;

    private final byte[] raw;
    private final Ed25519PublicKeyParameters parameters;

    private Ed25519PublicKey(byte[] raw) {
        this.raw = raw.clone();
        this.parameters = new Ed25519PublicKeyParameters(this.raw, 0);
    }

    /**
     * @param raw the 32-byte encoded public key
     * @throws IllegalArgumentException if {@code raw} is not 32 bytes
     */
    public static Ed25519PublicKey fromRaw(byte[] raw) {
        if (raw == null || raw.length != LENGTH) {
            throw new IllegalArgumentException("Ed25519 public key has " + (raw == null ? "no" : raw.length) + " bytes, want " + LENGTH);
        }
        return new Ed25519PublicKey(raw);
    }

    /** Parses the standard base64 of the raw 32 bytes (the key registry's {@code public_key} format). */
    public static Ed25519PublicKey fromBase64(String base64) {
        try {
            return fromRaw(Base64.getDecoder().decode(base64.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Ed25519 public key is not base64 of 32 bytes: " + e.getMessage(), e);
        }
    }

    /**
     * Verifies an Ed25519 signature. Never throws for a malformed signature: it simply does not verify.
     *
     * @param message the signed bytes
     * @param signature the 64-byte signature
     */
    public boolean verify(byte[] message, byte[] signature) {
        if (signature == null || signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        // A fresh signer per call: Ed25519Signer buffers the message and is not thread-safe.
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, parameters);
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    public byte[] raw() {
        return raw.clone();
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(raw);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Ed25519PublicKey key && Arrays.equals(raw, key.raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return "Ed25519PublicKey[" + toBase64() + "]";
    }
}
