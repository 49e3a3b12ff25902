package io.goblinos.gateway.audit.store;

import java.io.IOException;

/** A stored line is not a valid record; the message names the file, the record number and what was found. */
public final class CorruptRecordException extends IOException {
    public CorruptRecordException(String message) {
        super(message);
    }
}
