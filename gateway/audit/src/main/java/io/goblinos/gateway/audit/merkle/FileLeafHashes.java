package io.goblinos.gateway.audit.merkle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Leaf hashes in a flat file, 32 bytes per leaf at offset {@code 32 * index}: no heap per leaf. The file is
 * derived data (rebuilt from the store when in doubt), so appends are not fsynced individually. A trailing
 * partial entry is cut at open.
 */
public final class FileLeafHashes implements LeafHashStore {
    private final FileChannel channel;
    private long size;

    private FileLeafHashes(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
    }

    public static FileLeafHashes open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long entries = channel.size() / Rfc6962Hasher.HASH_LENGTH;
        if (channel.size() != entries * Rfc6962Hasher.HASH_LENGTH) {
            channel.truncate(entries * Rfc6962Hasher.HASH_LENGTH);
        }
        return new FileLeafHashes(channel, entries);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public byte[] get(long index) throws IOException {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("leaf " + index + " requested, size " + size);
        }
        ByteBuffer buffer = ByteBuffer.allocate(Rfc6962Hasher.HASH_LENGTH);
        long position = index * Rfc6962Hasher.HASH_LENGTH;
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("leaf hash file ended at leaf " + index + " of " + size);
            }
        }
        return buffer.array();
    }

    @Override
    public void append(byte[] leafHash) throws IOException {
        if (leafHash.length != Rfc6962Hasher.HASH_LENGTH) {
            throw new IllegalArgumentException("leaf hash has " + leafHash.length + " bytes, want 32");
        }
        ByteBuffer buffer = ByteBuffer.wrap(leafHash);
        long position = size * Rfc6962Hasher.HASH_LENGTH;
        while (buffer.hasRemaining()) {
            channel.write(buffer, position + buffer.position());
        }
        size++;
    }

    /** One positional write for the whole list: a group-committed batch appends its leaves with one syscall. */
    @Override
    public void appendAll(List<byte[]> leafHashes) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(leafHashes.size() * Rfc6962Hasher.HASH_LENGTH);
        for (byte[] leafHash : leafHashes) {
            if (leafHash.length != Rfc6962Hasher.HASH_LENGTH) {
                throw new IllegalArgumentException("leaf hash has " + leafHash.length + " bytes, want 32");
            }
            buffer.put(leafHash);
        }
        buffer.flip();
        long position = size * Rfc6962Hasher.HASH_LENGTH;
        while (buffer.hasRemaining()) {
            channel.write(buffer, position + buffer.position());
        }
        size += leafHashes.size();
    }

    /** Drops every entry from {@code newSize} on; requires {@code 0 <= newSize <= size()}. */
    public void truncate(long newSize) throws IOException {
        if (newSize < 0 || newSize > size) {
            throw new IllegalArgumentException("newSize was " + newSize + " but it must be in [0, " + size + "]");
        }
        channel.truncate(newSize * Rfc6962Hasher.HASH_LENGTH);
        size = newSize;
    }

    @Override
    public void flush() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
