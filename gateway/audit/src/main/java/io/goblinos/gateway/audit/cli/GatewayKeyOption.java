package io.goblinos.gateway.audit.cli;

import io.goblinos.gateway.audit.note.NoteVerifierKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads {@code --gateway-key}: a verifier key string {@code name+hash+base64}, or a file holding one. */
final class GatewayKeyOption {
    private GatewayKeyOption() {
    }

    static NoteVerifierKey parse(String value) throws IOException {
        if (value == null) {
            return null;
        }
        Path file = Path.of(value);
        String text = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.US_ASCII) : value;
        return NoteVerifierKey.parse(text.strip());
    }
}
