package io.goblinos.gateway.audit.note;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * C2SP signed-note: the text (UTF-8, ending in a newline, no blank-line-separated signature block of its own),
 * a blank line, then one line per signature {@code — name base64(keyhash || signature)}. The signature covers
 * the text bytes exactly.
 */
public final class SignedNote {
    private static final String SIGNATURE_LINE_PREFIX = "\u2014 ";

    private SignedNote() {
    }

    /**
     * Signs {@code text} with {@code signer}.
     *
     * @param text must be non-empty and end with a newline
     */
    public static String sign(String text, NoteSigner signer) {
        requireText(text);
        byte[] blob = signer.signatureBlob(text.getBytes(StandardCharsets.UTF_8));
        return text + "\n" + SIGNATURE_LINE_PREFIX + signer.name() + " " + Base64.getEncoder().encodeToString(blob) + "\n";
    }

    /**
     * Checks that {@code note} holds a valid signature by {@code key} and returns the signed text. Signatures by
     * other keys are ignored.
     *
     * @throws NoteVerificationException when malformed or when no line verifies with {@code key}
     */
    public static String open(String note, NoteVerifierKey key) throws NoteVerificationException {
        int split = note.lastIndexOf("\n\n");
        if (split < 0 || !note.endsWith("\n")) {
            throw new NoteVerificationException("malformed note: no blank line before the signatures");
        }
        String text = note.substring(0, split + 1);
        String[] lines = note.substring(split + 2, note.length() - 1).split("\n", -1);
        boolean sawKeyName = false;
        for (String line : lines) {
            if (!line.startsWith(SIGNATURE_LINE_PREFIX)) {
                throw new NoteVerificationException("malformed note: signature line \"" + line + "\" does not start with \"— \"");
            }
            String[] parts = line.substring(SIGNATURE_LINE_PREFIX.length()).split(" ", -1);
            if (parts.length != 2) {
                throw new NoteVerificationException("malformed note: signature line \"" + line + "\" is not \"— name base64\"");
            }
            byte[] blob;
            try {
                blob = Base64.getDecoder().decode(parts[1]);
            } catch (IllegalArgumentException e) {
                throw new NoteVerificationException("malformed note: signature of " + parts[0] + " is not base64");
            }
            if (!parts[0].equals(key.name()) || blob.length < 4) {
                continue;
            }
            int hash = ((blob[0] & 0xff) << 24) | ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8) | (blob[3] & 0xff);
            if (hash != key.keyHash()) {
                continue;
            }
            sawKeyName = true;
            byte[] signature = Arrays.copyOfRange(blob, 4, blob.length);
            if (key.publicKey().verify(text.getBytes(StandardCharsets.UTF_8), signature)) {
                return text;
            }
        }
        if (sawKeyName) {
            throw new NoteVerificationException("signature by " + key.name() + "+" + String.format("%08x", key.keyHash()) + " does not verify");
        }
        throw new NoteVerificationException("no signature by " + key.name() + "+" + String.format("%08x", key.keyHash()));
    }

    private static void requireText(String text) {
        if (text == null || text.isEmpty() || !text.endsWith("\n")) {
            throw new IllegalArgumentException("note text must be non-empty and end with a newline");
        }
        if (text.contains("\n\n")) {
            throw new IllegalArgumentException("note text must not contain a blank line");
        }
    }
}
