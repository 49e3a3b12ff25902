package io.goblinos.gateway.audit.crypto;

import java.security.SecureRandom;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * An Ed25519 private key, signing with BouncyCastle's {@link Ed25519Signer} (deterministic, RFC 8032).
 * Immutable and thread-safe; {@link #toString()} never shows key material.
 */
public final class Ed25519PrivateKey {
    public static final int SEED_LENGTH = 32;

    private final Ed25519PrivateKeyParameters parameters;
    private final Ed25519PublicKey publicKey;

    private Ed25519PrivateKey(Ed25519PrivateKeyParameters parameters) {
        this.parameters = parameters;
        this.publicKey = Ed25519PublicKey.fromRaw(parameters.generatePublicKey().getEncoded());
    }

    /** Generates a fresh key from {@code random}. */
    public static Ed25519PrivateKey generate(SecureRandom random) {
        return new Ed25519PrivateKey(new Ed25519PrivateKeyParameters(random));
    }

    /**
     * @param seed the 32-byte private key seed of RFC 8032 section 5.1.5
     * @throws IllegalArgumentException if {@code seed} is not 32 bytes
     */
    public static Ed25519PrivateKey fromSeed(byte[] seed) {
        if (seed == null || seed.length != SEED_LENGTH) {
            throw new IllegalArgumentException("Ed25519 seed has " + (seed == null ? "no" : seed.length) + " bytes, want " + SEED_LENGTH);
        }
        return new Ed25519PrivateKey(new Ed25519PrivateKeyParameters(seed, 0));
    }

    /** Signs {@code message}; the result is 64 bytes and the same for the same key and message. */
    public byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, parameters);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    public Ed25519PublicKey publicKey() {
        return publicKey;
    }

    /** The 32-byte seed; handle with care. */
    public byte[] seed() {
        return parameters.getEncoded();
    }

    @Override
    public String toString() {
        return "Ed25519PrivateKey[public=" + publicKey.toBase64() + "]";
    }
}
