package io.goblinos.gateway.exporter.file;

import io.goblinos.gateway.api.config.ConfigNode;

/**
 * Config of the {@code file} exporter.
 *
 * @param directory where {@code traces.jsonl}, {@code metrics.jsonl} and {@code logs.jsonl} are written (default
 *     {@code data/otlp})
 * @param maxFileBytes size at which the current file is rotated ({@code rotation.max_megabytes}, default 100)
 * @param maxBackups rotated files kept per signal ({@code rotation.max_backups}, default 10; older are deleted)
 * @param maxPendingRequests requests accepted but not yet written before senders get 429 ({@code max_pending_requests}, default 1000)
 */
public record FileExporterConfig(String directory, long maxFileBytes, int maxBackups, int maxPendingRequests) {

  static FileExporterConfig parse(ConfigNode node) {
    String directory = node.string("directory", "data/otlp");
    if (directory.isBlank()) {
      node.invalid("directory", directory, "a directory path");
    }
    ConfigNode rotation = node.child("rotation");
    int maxMb = rotation.integer("max_megabytes", 100, 1, 1_000_000);
    int backups = rotation.integer("max_backups", 10, 0, 100_000);
    int pending = node.integer("max_pending_requests", 1000, 1, 1_000_000);
    return new FileExporterConfig(directory, maxMb * 1024L * 1024L, backups, pending);
  }
}
