package io.jtipc.capture.analysis;

import io.jtipc.capture.pcap.PcapReader;
import io.jtipc.capture.pcap.PcapRecord;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Frame and byte totals and the time span of a capture file, whatever its frames carry (one pass with
 * the project's pcap/pcapng reader).
 *
 * @param frames        records read
 * @param capturedBytes sum of captured record lengths
 * @param wireBytes     sum of original (on the wire) lengths
 * @param firstNanos    timestamp of the first record (ns since the epoch), -1 if none
 * @param lastNanos     timestamp of the last record, -1 if none
 * @param error         null if the file was read to its end, else why reading stopped
 */
public record FileTotals(long frames, long capturedBytes, long wireBytes, long firstNanos, long lastNanos,
                         String error) {

    /**
     * Reads {@code file} once.
     *
     * @throws IOException if the file cannot be opened or read
     */
    public static FileTotals of(Path file) throws IOException {
        long frames = 0, cap = 0, wire = 0, first = -1, last = -1;
        try (PcapReader r = PcapReader.open(file)) {
            PcapRecord rec = new PcapRecord();
            while (r.next(rec)) {
                frames++;
                if (rec.error != null) continue;
                cap += rec.capturedLength;
                wire += rec.originalLength;
                if (first < 0) first = rec.timestampNanos;
                last = rec.timestampNanos;
            }
            return new FileTotals(frames, cap, wire, first, last, r.error());
        }
    }

    /** Timestamp of the first record only (reads one record); -1 if the file has none. */
    public static long firstTimestamp(Path file) throws IOException {
        try (PcapReader r = PcapReader.open(file)) {
            PcapRecord rec = new PcapRecord();
            while (r.next(rec)) {
                if (rec.error == null) return rec.timestampNanos;
            }
            return -1;
        }
    }
}
