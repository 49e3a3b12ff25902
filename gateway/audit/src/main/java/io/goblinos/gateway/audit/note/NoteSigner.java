package io.goblinos.gateway.audit.note;

import io.goblinos.gateway.audit.crypto.Ed25519PrivateKey;
import java.util.Base64;
import java.util.Objects;

/** Signs notes under a name with an Ed25519 key. Thread-safe. {@link #toString()} hides the key. */
public final class NoteSigner {
    private static final String PRIVATE_KEY_PREFIX = "PRIVATE+KEY+";

    private final String name;
    private final Ed25519PrivateKey key;
    private final NoteVerifierKey verifierKey;

    public NoteSigner(String name, Ed25519PrivateKey key) {
        NoteNames.requireValid(name);
        this.name = name;
        this.key = Objects.requireNonNull(key, "key");
        this.verifierKey = NoteVerifierKey.of(name, key.publicKey());
    }

    /**
     * Parses the Go {@code golang.org/x/mod/sumdb/note} private key form
     * {@code PRIVATE+KEY+name+hash+base64(0x01 || seed)}.
     */
    public static NoteSigner parse(String text) {
        if (!text.startsWith(PRIVATE_KEY_PREFIX)) {
            throw new IllegalArgumentException("signer key does not start with " + PRIVATE_KEY_PREFIX);
        }
        String rest = text.substring(PRIVATE_KEY_PREFIX.length()).strip();
        int first = rest.indexOf('+');
        int second = first < 0 ? -1 : rest.indexOf('+', first + 1);
        if (first <= 0 || second < 0) {
            throw new IllegalArgumentException("signer key is not PRIVATE+KEY+name+hash+base64");
        }
        byte[] encoded = Base64.getDecoder().decode(rest.substring(second + 1));
        if (encoded.length != 1 + Ed25519PrivateKey.SEED_LENGTH || encoded[0] != NoteVerifierKey.ALGORITHM_ED25519) {
            throw new IllegalArgumentException("signer key holds " + encoded.length + " bytes, want 33 starting with 0x01 (Ed25519)");
        }
        byte[] seed = new byte[Ed25519PrivateKey.SEED_LENGTH];
        System.arraycopy(encoded, 1, seed, 0, seed.length);
        NoteSigner signer = new NoteSigner(rest.substring(0, first), Ed25519PrivateKey.fromSeed(seed));
        String hash = rest.substring(first + 1, second);
        String want = String.format("%08x", signer.verifierKey.keyHash());
        if (!hash.equals(want)) {
            throw new IllegalArgumentException("signer key hash " + hash + " does not match, want " + want);
        }
        return signer;
    }

    public String name() {
        return name;
    }

    public NoteVerifierKey verifierKey() {
        return verifierKey;
    }

    /** Signature bytes for a note line: 4-byte key hash followed by the 64-byte Ed25519 signature of the text. */
    byte[] signatureBlob(byte[] text) {
        byte[] signature = key.sign(text);
        byte[] blob = new byte[4 + signature.length];
        int hash = verifierKey.keyHash();
        blob[0] = (byte) (hash >>> 24);
        blob[1] = (byte) (hash >>> 16);
        blob[2] = (byte) (hash >>> 8);
        blob[3] = (byte) hash;
        System.arraycopy(signature, 0, blob, 4, signature.length);
        return blob;
    }

    @Override
    public String toString() {
        return "NoteSigner[" + verifierKey + "]";
    }
}
