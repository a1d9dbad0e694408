package io.jtipc.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a large classic-pcap file by repeating the frames of a real capture, each copy shifted in
 * time by the capture's duration plus one second, so that the result is a long, time-ordered capture
 * made only of frames a kernel really sent. Used by {@code bench/run.sh} to compare {@code jtipc pcap}
 * with {@code tshark}; not a test.
 *
 * <p>Usage: {@code CaptureRepeater IN.pcap OUT.pcap MIN_FRAMES}. Reads classic pcap (either byte
 * order, micro- or nanosecond timestamps) and writes the same header, so the link type and timestamp
 * resolution are kept. Prints the number of frames written.
 */
public final class CaptureRepeater {

    private record Frame(long tsUnits, int origLen, byte[] data) {}

    private CaptureRepeater() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: CaptureRepeater IN.pcap OUT.pcap MIN_FRAMES");
            System.exit(2);
        }
        long written = repeat(Path.of(args[0]), Path.of(args[1]), Long.parseLong(args[2]));
        System.out.println(written);
    }

    /**
     * Writes {@code out} holding whole copies of {@code in} until at least {@code minFrames} frames.
     *
     * @return number of frames written
     * @throws IOException if {@code in} is not a classic pcap file or cannot be read/written
     */
    public static long repeat(Path in, Path out, long minFrames) throws IOException {
        byte[] file = Files.readAllBytes(in);
        if (file.length < 24) {
            throw new IOException(in + ": too short for a pcap header");
        }
        ByteBuffer bb = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int magic = bb.getInt(0);
        ByteOrder order;
        boolean nanos;
        switch (magic) {
            case 0xa1b2c3d4 -> { order = ByteOrder.LITTLE_ENDIAN; nanos = false; }
            case 0xa1b23c4d -> { order = ByteOrder.LITTLE_ENDIAN; nanos = true; }
            case 0xd4c3b2a1 -> { order = ByteOrder.BIG_ENDIAN; nanos = false; }
            case 0x4d3cb2a1 -> { order = ByteOrder.BIG_ENDIAN; nanos = true; }
            default -> throw new IOException(in + ": not a classic pcap file (magic "
                    + Integer.toHexString(magic) + ")");
        }
        bb.order(order);
        long unitsPerSecond = nanos ? 1_000_000_000L : 1_000_000L;
        List<Frame> frames = new ArrayList<>();
        int pos = 24;
        while (pos + 16 <= file.length) {
            long sec = bb.getInt(pos) & 0xffffffffL;
            long frac = bb.getInt(pos + 4) & 0xffffffffL;
            int capLen = bb.getInt(pos + 8);
            int origLen = bb.getInt(pos + 12);
            if (capLen < 0 || pos + 16 + capLen > file.length) {
                break; // truncated last record: ignore it, as readers do
            }
            byte[] data = new byte[capLen];
            System.arraycopy(file, pos + 16, data, 0, capLen);
            frames.add(new Frame(sec * unitsPerSecond + frac, origLen, data));
            pos += 16 + capLen;
        }
        if (frames.isEmpty()) {
            throw new IOException(in + ": no frames");
        }
        long first = frames.get(0).tsUnits();
        long last = frames.get(frames.size() - 1).tsUnits();
        long shift = (last - first) + unitsPerSecond;
        long written = 0;
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            os.write(file, 0, 24);
            ByteBuffer rec = ByteBuffer.allocate(16).order(order);
            for (int copy = 0; written < minFrames; copy++) {
                for (Frame f : frames) {
                    long ts = f.tsUnits() + copy * shift;
                    rec.clear();
                    rec.putInt((int) (ts / unitsPerSecond));
                    rec.putInt((int) (ts % unitsPerSecond));
                    rec.putInt(f.data().length);
                    rec.putInt(f.origLen());
                    os.write(rec.array(), 0, 16);
                    os.write(f.data());
                    written++;
                }
            }
        }
        return written;
    }
}
