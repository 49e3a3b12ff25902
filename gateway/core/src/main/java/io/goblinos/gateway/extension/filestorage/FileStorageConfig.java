package io.goblinos.gateway.extension.filestorage;

import io.goblinos.gateway.api.config.ConfigNode;
import java.time.Duration;

/**
 * Config of the {@code file_storage} extension (Collector shape: {@code directory}; the other keys are Goblin's).
 *
 * @param directory where every queue gets its own sub-directory (relative to the working directory)
 * @param fsync when an offered request counts as stored: {@link Fsync#ALWAYS} after {@code fsync} (default),
 *     {@link Fsync#INTERVAL} after the write reached the operating system, with an {@code fsync} every
 *     {@code fsyncInterval}, {@link Fsync#NEVER} after the write, never forcing it to the disk
 * @param fsyncInterval with {@link Fsync#INTERVAL}, the longest time written data stays un-synced
 * @param segmentSize a segment file is closed and a new one started once it would grow beyond this
 * @param maxSizePerQueue most bytes one queue's files take on disk (live and not yet reclaimed records, marks);
 *     0 = automatic: {@code 2 × sending_queue.queue_size_bytes + 2 × segment_size}
 * @param compaction reclaiming of segments whose records are mostly acknowledged
 */
public record FileStorageConfig(
    String directory, Fsync fsync, Duration fsyncInterval, long segmentSize, long maxSizePerQueue,
    Compaction compaction) {

  public enum Fsync {
    ALWAYS("always"),
    INTERVAL("interval"),
    NEVER("never");

    private final String configName;

    Fsync(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }
  }

  /**
   * @param enabled rewrite sparse segments; without it a segment is deleted only when every record in it is done
   * @param liveRatio a closed segment whose live bytes fall below this fraction of its size is compacted: its live
   *     records are copied to the newest segment and it is deleted
   */
  public record Compaction(boolean enabled, double liveRatio) {
    public static final Compaction DEFAULT = new Compaction(true, 0.25);
  }

  public static final String DEFAULT_DIRECTORY = "file_storage";
  public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofSeconds(1);
  public static final long DEFAULT_SEGMENT_SIZE = 8L * 1024 * 1024;
  public static final long MIN_SEGMENT_SIZE = 4096;

  public static FileStorageConfig parse(ConfigNode node) {
    String directory = node.string("directory", DEFAULT_DIRECTORY);
    if (directory == null || directory.isBlank()) {
      node.invalid("directory", directory, "a directory path");
      directory = DEFAULT_DIRECTORY;
    }
    Fsync fsync = Fsync.ALWAYS;
    Object raw = node.raw("fsync");
    if (raw != null) {
      String v = String.valueOf(raw).trim();
      switch (v) {
        case "always", "true" -> fsync = Fsync.ALWAYS; // true: the Collector's boolean form
        case "interval" -> fsync = Fsync.INTERVAL;
        case "never", "false" -> fsync = Fsync.NEVER;
        default -> node.invalid("fsync", raw, "one of always, interval, never (or true = always, false = never)");
      }
    }
    Duration interval = node.duration("fsync_interval", DEFAULT_FSYNC_INTERVAL, Duration.ofMillis(1));
    long segmentSize = node.byteSize("segment_size", DEFAULT_SEGMENT_SIZE, MIN_SEGMENT_SIZE);
    long maxSize = node.byteSize("max_size_per_queue", 0, 0);
    if (maxSize != 0 && maxSize < 2 * segmentSize) {
      node.invalid("max_size_per_queue", maxSize, "0 (automatic) or at least twice segment_size (" + 2 * segmentSize
          + " bytes)");
      maxSize = 0;
    }
    ConfigNode c = node.child("compaction");
    boolean enabled = c.bool("enabled", Compaction.DEFAULT.enabled());
    double ratio = c.number("live_ratio", Compaction.DEFAULT.liveRatio(), 0.0, 0.9);
    return new FileStorageConfig(directory, fsync, interval, segmentSize, maxSize, new Compaction(enabled, ratio));
  }
}
