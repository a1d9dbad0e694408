package io.jtipc.fuzz;

import static io.jtipc.fuzz.Checks.check;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.jtipc.capture.pcap.PcapReader;
import io.jtipc.capture.pcap.PcapRecord;

/**
 * Fuzz target for the capture file reader ({@link PcapReader}, classic pcap and pcapng): the input is a whole file.
 * The reader must never throw on bad contents (its contract: only an unreadable stream raises IOException; a corrupt
 * file ends with {@link PcapReader#error()}), every record must lie inside its array and within
 * {@link PcapReader#MAX_BLOCK}, record numbers must count up from 1, and the result must not depend on how the file
 * is read: copying with a 64-byte buffer, zero-copy with the default buffer, and zero-copy with a 100-byte buffer
 * read ahead on a second thread ({@code prefetch}) give the same records, error and bad-record count.
 *
 * <p>Seeds: the first records of both samples as classic pcap (little-endian µs as captured, big-endian ns
 * rewritten) and as pcapng (enhanced and simple packet blocks).
 */
class PcapReaderFuzzTest {
    /** Records read per input at most (a lying file cannot make one input run long). */
    static final int MAX_RECORDS = 10_000;
    private static final Runs RUNS = new Runs("pcap");

    /** What one way of reading saw: the records (number, time, link, interface, lengths, error, bytes) and the end. */
    record Reading(List<String> records, String error, long badRecords, boolean pcapng, int linkType) {}

    @MethodSource("seeds")
    @FuzzTest
    void read(byte[] data) throws IOException {
        RUNS.count();
        Reading copying = read(data, false, 64, false);
        Reading zeroCopy = read(data, true, 1 << 16, false);
        Reading prefetched = read(data, true, 100, true);
        check(copying.equals(zeroCopy), "zero-copy read differs from copying read:\n" + copying + "\n" + zeroCopy);
        check(copying.equals(prefetched), "prefetching read differs from copying read:\n" + copying + "\n" + prefetched);
    }

    static Reading read(byte[] data, boolean zeroCopy, int bufferSize, boolean prefetch) throws IOException {
        List<String> records = new ArrayList<>();
        try (PcapReader r = PcapReader.open(new ByteArrayInputStream(data), bufferSize, prefetch)) {
            r.zeroCopy(zeroCopy);
            PcapRecord rec = new PcapRecord();
            long expected = 1;
            while (records.size() < MAX_RECORDS && r.next(rec)) {
                check(rec.number == expected++, "record number " + rec.number + ", expected " + (expected - 1));
                if (rec.error != null) {
                    records.add(rec.number + " error " + rec.error);
                    continue;
                }
                check(rec.capturedLength >= 0 && rec.capturedLength <= PcapReader.MAX_BLOCK
                    && rec.offset >= 0 && rec.offset <= rec.data.length - rec.capturedLength,
                    "record " + rec.number + ": [" + rec.offset + ", +" + rec.capturedLength + ") outside its array of "
                        + rec.data.length);
                check(rec.originalLength >= rec.capturedLength, "original length < captured length");
                records.add(rec.number + " t=" + rec.timestampNanos + " link=" + rec.linkType + " if=" + rec.interfaceId
                    + " orig=" + rec.originalLength + " " + Arrays.hashCode(Arrays.copyOfRange(rec.data, rec.offset,
                        rec.offset + rec.capturedLength)) + "/" + rec.capturedLength);
            }
            check(r.badRecords() >= 0, "negative bad-record count");
            return new Reading(records, r.error(), r.badRecords(), r.isPcapng(), r.linkType());
        }
    }

    @AfterAll
    static void report() {
        RUNS.report(seedList().size());
    }

    static Stream<Arguments> seeds() {
        List<String> names = List.of("eth sample, first records", "udp sample, first records",
            "eth records, big-endian ns", "eth records, pcapng", "udp records, pcapng");
        List<byte[]> s = seedList();
        return IntStream.range(0, s.size()).mapToObj(i -> Arguments.of(Named.of(names.get(i), s.get(i))));
    }

    static List<byte[]> seedList() {
        List<Captures.Record> eth = Captures.records(Captures.ETH).subList(0, 8);
        List<Captures.Record> udp = Captures.records(Captures.UDP_CRYPTO).subList(0, 8);
        return List.of(
            PcapFiles.pcap(ByteOrder.LITTLE_ENDIAN, false, 1, eth),
            PcapFiles.pcap(ByteOrder.LITTLE_ENDIAN, false, 1, udp),
            PcapFiles.pcap(ByteOrder.BIG_ENDIAN, true, 1, eth),
            PcapFiles.pcapng(1, eth),
            PcapFiles.pcapng(1, udp));
    }
}
