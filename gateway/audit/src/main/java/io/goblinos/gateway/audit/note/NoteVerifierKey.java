package io.goblinos.gateway.audit.note;

import io.goblinos.gateway.audit.crypto.Ed25519PublicKey;
import io.goblinos.gateway.audit.merkle.Rfc6962Hasher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;

/**
 * A C2SP signed-note Ed25519 verifier key, written {@code name+hash+base64(0x01 || publicKey)} where hash is
 * 8 lowercase hex digits of the key hash: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || publicKey).
 */
public record NoteVerifierKey(String name, int keyHash, Ed25519PublicKey publicKey) {
    static final byte ALGORITHM_ED25519 = 0x01;

    public NoteVerifierKey {
        NoteNames.requireValid(name);
        Objects.requireNonNull(publicKey, "publicKey");
        int want = keyHash(name, publicKey);
        if (keyHash != want) {
            throw new IllegalArgumentException("key hash " + String.format("%08x", keyHash) + " does not match name and key, want " + String.format("%08x", want));
        }
    }

    /** The verifier key of {@code publicKey} under {@code name}. */
    public static NoteVerifierKey of(String name, Ed25519PublicKey publicKey) {
        return new NoteVerifierKey(name, keyHash(name, publicKey), publicKey);
    }

    /**
     * Parses {@code name+hash+base64}.
     *
     * @throws IllegalArgumentException naming the part that is wrong
     */
    public static NoteVerifierKey parse(String text) {
        String trimmed = text.strip();
        // name and hash never contain '+', the base64 key may: split at the first two.
        int first = trimmed.indexOf('+');
        int second = first < 0 ? -1 : trimmed.indexOf('+', first + 1);
        if (first <= 0 || second < 0) {
            throw new IllegalArgumentException("verifier key \"" + trimmed + "\" is not name+hash+base64");
        }
        String name = trimmed.substring(0, first);
        String hashHex = trimmed.substring(first + 1, second);
        if (!hashHex.matches("[0-9a-f]{8}")) {
            throw new IllegalArgumentException("verifier key hash \"" + hashHex + "\" is not 8 lowercase hex digits");
        }
        byte[] encoded;
        try {
            encoded = Base64.getDecoder().decode(trimmed.substring(second + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("verifier key is not base64 after the hash: " + e.getMessage(), e);
        }
        if (encoded.length != 1 + Ed25519PublicKey.LENGTH || encoded[0] != ALGORITHM_ED25519) {
            throw new IllegalArgumentException("verifier key holds " + encoded.length + " bytes with algorithm "
                    + (encoded.length > 0 ? encoded[0] : -1) + ", want 33 bytes starting with 0x01 (Ed25519)");
        }
        byte[] raw = new byte[Ed25519PublicKey.LENGTH];
        System.arraycopy(encoded, 1, raw, 0, raw.length);
        return new NoteVerifierKey(name, Integer.parseUnsignedInt(hashHex, 16), Ed25519PublicKey.fromRaw(raw));
    }

    /** First 4 bytes (big-endian) of SHA-256(name || '\n' || 0x01 || publicKey). */
    public static int keyHash(String name, Ed25519PublicKey publicKey) {
        MessageDigest sha256 = Rfc6962Hasher.sha256();
        sha256.update(name.getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) '\n');
        sha256.update(ALGORITHM_ED25519);
        sha256.update(publicKey.raw());
        return ByteBuffer.wrap(sha256.digest()).getInt();
    }

    @Override
    public String toString() {
        byte[] encoded = new byte[1 + Ed25519PublicKey.LENGTH];
        encoded[0] = ALGORITHM_ED25519;
        System.arraycopy(publicKey.raw(), 0, encoded, 1, Ed25519PublicKey.LENGTH);
        return name + "+" + String.format("%08x", keyHash) + "+" + Base64.getEncoder().encodeToString(encoded);
    }
}
