package io.goblinos.gateway.audit.note;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.goblinos.gateway.audit.crypto.Ed25519PrivateKey;
import io.goblinos.gateway.audit.merkle.Rfc6962Hasher;
import org.junit.jupiter.api.Test;

/** Vectors from golang.org/x/mod sumdb/note/note_test.go (TestNewVerifier, TestSign, TestOpen). */
class SignedNoteTest {
    static final String PETER_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    static final String PETER_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    static final String TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    static final String SIGNED = TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    static final String ENOCH_VERIFIER = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    static final String ENOCH_LINE = "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    @Test
    void verifierKeyParsesAndRoundTrips() {
        NoteVerifierKey key = NoteVerifierKey.parse(PETER_VERIFIER);
        assertThat(key.name()).isEqualTo("PeterNeumann");
        assertThat(String.format("%08x", key.keyHash())).isEqualTo("c74f20a3");
        assertThat(key.toString()).isEqualTo(PETER_VERIFIER);
    }

    @Test
    void mangledVerifierKeysAreRefused() {
        assertThatThrownBy(() -> NoteVerifierKey.parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
                .hasMessageContaining("key hash c74f20a4 does not match name and key, want c74f20a3");
        assertThatThrownBy(() -> NoteVerifierKey.parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
                .hasMessageContaining("want 33 bytes starting with 0x01");
        assertThatThrownBy(() -> NoteVerifierKey.parse("PeterNeumann+c74f20a3")).hasMessageContaining("not name+hash+base64");
        assertThatThrownBy(() -> NoteVerifierKey.parse("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")).hasMessageContaining("want no whitespace");
    }

    @Test
    void signingReproducesTheGoSignature() {
        NoteSigner signer = NoteSigner.parse(PETER_SIGNER);
        assertThat(signer.verifierKey().toString()).isEqualTo(PETER_VERIFIER);
        assertThat(SignedNote.sign(TEXT, signer)).isEqualTo(SIGNED);
    }

    @Test
    void openingChecksTheRightSignatureAmongSeveral() throws Exception {
        assertThat(SignedNote.open(SIGNED, NoteVerifierKey.parse(PETER_VERIFIER))).isEqualTo(TEXT);
        String both = SIGNED + ENOCH_LINE;
        assertThat(SignedNote.open(both, NoteVerifierKey.parse(PETER_VERIFIER))).isEqualTo(TEXT);
        assertThat(SignedNote.open(both, NoteVerifierKey.parse(ENOCH_VERIFIER))).isEqualTo(TEXT);
    }

    @Test
    void tamperedNotesAreRefused() {
        NoteVerifierKey peter = NoteVerifierKey.parse(PETER_VERIFIER);
        assertThatThrownBy(() -> SignedNote.open(SIGNED.replace("cryptography", "cryptographY"), peter))
                .isInstanceOf(NoteVerificationException.class).hasMessage("signature by PeterNeumann+c74f20a3 does not verify");
        assertThatThrownBy(() -> SignedNote.open(TEXT + "\n" + ENOCH_LINE, peter)).hasMessage("no signature by PeterNeumann+c74f20a3");
        assertThatThrownBy(() -> SignedNote.open(TEXT, peter)).hasMessageContaining("malformed note");
    }

    @Test
    void checkpointBodyRoundTrips() throws Exception {
        byte[] root = Rfc6962Hasher.emptyRoot();
        Checkpoint checkpoint = new Checkpoint("goblin.example/audit", 0, root);
        assertThat(checkpoint.body()).isEqualTo("goblin.example/audit\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
        assertThat(Checkpoint.parse(checkpoint.body() + "extension line\n")).isEqualTo(checkpoint);
        NoteSigner signer = new NoteSigner("goblin.example/audit", Ed25519PrivateKey.fromSeed(new byte[32]));
        String note = SignedNote.sign(checkpoint.body(), signer);
        assertThat(Checkpoint.parse(SignedNote.open(note, signer.verifierKey()))).isEqualTo(checkpoint);
        assertThatThrownBy(() -> Checkpoint.parse("origin\n-1\nAAAA\n")).hasMessageContaining("not a decimal number");
    }
}
