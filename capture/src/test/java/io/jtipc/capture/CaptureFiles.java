package io.jtipc.capture;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds small capture files and frames for tests. */
public final class CaptureFiles {
    private CaptureFiles() {
    }

    /** Repository root (the module runs tests from capture/ or cli/). */
    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("samples"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("samples/ not found above " + Path.of("").toAbsolutePath());
        return p;
    }

    public static Path sample(String name) { return repoRoot().resolve("samples").resolve(name); }

    /** The key of samples/udpcrypto-6.1.pcap (samples/README.md). */
    public static final String SAMPLE_KEY =
            "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef11223344";

    /** A classic pcap: records given as {tsNanos, data}. */
    public static byte[] pcap(boolean bigEndian, boolean nanos, int linkType, List<long[]> ts, List<byte[]> frames) {
        ByteBuffer b = ByteBuffer.allocate(24 + frames.stream().mapToInt(f -> f.length + 16).sum());
        b.order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        b.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(262144).putInt(linkType);
        for (int i = 0; i < frames.size(); i++) {
            long t = ts.get(i)[0];
            b.putInt((int) (t / 1_000_000_000L));
            b.putInt((int) (nanos ? t % 1_000_000_000L : (t % 1_000_000_000L) / 1000));
            b.putInt(frames.get(i).length).putInt(frames.get(i).length).put(frames.get(i));
        }
        return b.array();
    }

    public static byte[] pcap(int linkType, List<byte[]> frames) {
        List<long[]> ts = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) ts.add(new long[] {1_700_000_000_000_000_000L + i * 1_000_000L});
        return pcap(false, false, linkType, ts, frames);
    }

    /** pcapng writer. */
    public static final class Ng {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteOrder order;

        public Ng(boolean bigEndian) {
            order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            block(0x0a0d0d0a, buf(16).putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0).putLong(-1L).array());
        }

        private ByteBuffer buf(int n) { return ByteBuffer.allocate(n).order(order); }

        public Ng block(int type, byte[] body) {
            int padded = (body.length + 3) & ~3;
            ByteBuffer b = buf(12 + padded);
            b.putInt(type).putInt(12 + padded).put(body);
            b.position(8 + padded);
            b.putInt(12 + padded);
            out.writeBytes(b.array());
            return this;
        }

        /** Interface with link type and if_tsresol byte (or -1 for none). */
        public Ng idb(int linkType, int tsresol) {
            ByteBuffer b = buf(tsresol >= 0 ? 8 + 8 + 4 : 8);
            b.putShort((short) linkType).putShort((short) 0).putInt(262144);
            if (tsresol >= 0) {
                b.putShort((short) 9).putShort((short) 1).put((byte) tsresol).put(new byte[3]);
                b.putShort((short) 0).putShort((short) 0);
            }
            return block(1, b.array());
        }

        public Ng epb(int iface, long ts, byte[] data) {
            ByteBuffer b = buf(20 + ((data.length + 3) & ~3));
            b.putInt(iface).putInt((int) (ts >>> 32)).putInt((int) ts).putInt(data.length).putInt(data.length).put(data);
            return block(6, b.array());
        }

        public Ng spb(byte[] data) {
            ByteBuffer b = buf(4 + ((data.length + 3) & ~3));
            b.putInt(data.length).put(data);
            return block(3, b.array());
        }

        public byte[] bytes() { return out.toByteArray(); }
    }

    // ---- frames

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    public static final byte[] MAC_A = {0x52, 0x54, 0, 0, 0, 0x0a};
    public static final byte[] MAC_B = {0x52, 0x54, 0, 0, 0, 0x0b};

    public static byte[] eth(byte[] dst, byte[] src, int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        b.put(dst).put(src).putShort((short) type).put(payload);
        return b.array();
    }

    /** IPv4 header + payload; flags/fragment offset word given. */
    public static byte[] ipv4(byte[] src, byte[] dst, int proto, int id, int flagsFrag, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putShort((short) id)
                .putShort((short) flagsFrag).put((byte) 64).put((byte) proto).putShort((short) 0).put(src).put(dst)
                .put(payload);
        return b.array();
    }

    public static byte[] udp(int sport, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0)
                .put(payload);
        return b.array();
    }

    public static byte[] ipv6(byte[] src, byte[] dst, int next, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        b.putInt(0x60000000).putShort((short) payload.length).put((byte) next).put((byte) 64).put(src).put(dst)
                .put(payload);
        return b.array();
    }

    /**
     * A minimal valid TIPC message: user, type, header size, data bytes; words w2.. filled from
     * {@code words} (index 0 = w2) when given.
     */
    public static byte[] tipc(int user, int type, int hdrSize, byte[] data, int... words) {
        int size = hdrSize + data.length;
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt((2 << 29) | (user << 25) | ((hdrSize / 4) << 21) | size);
        b.putInt(type << 29);
        for (int i = 0; i < hdrSize / 4 - 2; i++) b.putInt(i < words.length ? words[i] : 0);
        b.put(data);
        return b.array();
    }

    public static byte[] ip(int a, int b, int c, int d) { return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}; }
}
