package io.jtipc.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Writes small capture files (classic pcap, pcapng) for seeds and for the dissector target. */
final class PcapFiles {
    private PcapFiles() {}

    /** A classic pcap file: the given byte order and resolution, one link type, records at the given times. */
    static byte[] pcap(ByteOrder order, boolean nanos, int linkType, List<Captures.Record> records) {
        int size = 24;
        for (Captures.Record r : records) size += 16 + r.frame().length;
        ByteBuffer b = ByteBuffer.allocate(size).order(order);
        b.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
            .putInt(262144).putInt(linkType);
        long base = 1_700_000_000_000L;
        for (Captures.Record r : records) {
            long ms = base + r.timeMs();
            b.putInt((int) (ms / 1000)).putInt((int) (ms % 1000 * (nanos ? 1_000_000 : 1000)))
                .putInt(r.frame().length).putInt(r.frame().length).put(r.frame());
        }
        return b.array();
    }

    /**
     * A pcapng file: section header, one interface (link type, if_tsresol 9 = ns), then the records as enhanced
     * packet blocks, every third as a simple packet block.
     */
    static byte[] pcapng(int linkType, List<Captures.Record> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        block(out, 0x0a0d0d0a, le().putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0).putLong(-1));
        block(out, 1, le().putShort((short) linkType).putShort((short) 0).putInt(262144)
            .putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3]).putInt(0));
        long base = 1_700_000_000L * 1_000_000_000L; // ns since the epoch
        int i = 0;
        for (Captures.Record r : records) {
            byte[] f = r.frame();
            ByteBuffer body = ByteBuffer.allocate(20 + pad(f.length) + 16).order(ByteOrder.LITTLE_ENDIAN);
            if (i++ % 3 == 2) {
                body.putInt(f.length).put(f).put(new byte[pad(f.length) - f.length]);
                block(out, 3, body);
            } else {
                long ns = base + r.timeMs() * 1_000_000;
                body.putInt(0).putInt((int) (ns >>> 32)).putInt((int) ns).putInt(f.length).putInt(f.length).put(f)
                    .put(new byte[pad(f.length) - f.length]);
                block(out, 6, body);
            }
        }
        return out.toByteArray();
    }

    private static ByteBuffer le() {
        return ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int pad(int n) {
        return (n + 3) & ~3;
    }

    private static void block(ByteArrayOutputStream out, int type, ByteBuffer body) {
        int len = 12 + body.position();
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type).putInt(len).put(body.array(), 0, body.position()).putInt(len);
        out.write(b.array(), 0, len);
    }
}
