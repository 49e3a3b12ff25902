package io.goblinos.gateway.audit.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Segment files are {@code segments/<index of first record, 20 digits>.log}. */
public final class SegmentNames {
    public static final String SEGMENTS_DIRECTORY = "segments";
    private static final Pattern NAME = Pattern.compile("(\\d{20})\\.log");

    private SegmentNames() {
    }

    public static String fileName(long firstIndex) {
        return String.format("%020d.log", firstIndex);
    }

    /** A segment file and the index its name says it starts at. */
    public record Segment(Path file, long firstIndex) {
        public String displayName() {
            return SEGMENTS_DIRECTORY + "/" + file.getFileName();
        }
    }

    /** The segment files under {@code segmentsDirectory}, ordered by first index; other files are ignored. */
    public static List<Segment> list(Path segmentsDirectory) throws IOException {
        List<Segment> segments = new ArrayList<>();
        if (!Files.isDirectory(segmentsDirectory)) {
            return segments;
        }
        try (Stream<Path> files = Files.list(segmentsDirectory)) {
            files.forEach(file -> {
                Matcher matcher = NAME.matcher(file.getFileName().toString());
                if (matcher.matches()) {
                    segments.add(new Segment(file, Long.parseLong(matcher.group(1))));
                }
            });
        }
        segments.sort(Comparator.comparingLong(Segment::firstIndex));
        return segments;
    }
}
