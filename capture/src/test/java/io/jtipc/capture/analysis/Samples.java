package io.jtipc.capture.analysis;

import io.jtipc.capture.CaptureSummary;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.TipcCaptureDissector;
import io.jtipc.capture.TipcMessageListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test access to the repository's real kernel captures (samples/) and the guests' console logs. */
final class Samples {
    /** The key both kernels of udpcrypto-6.1 were given (samples/README.md). */
    static final String UDP_KEY = "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef11223344";

    private Samples() {}

    static Path dir() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isRegularFile(p.resolve("samples/eth-6.1.pcap"))) return p.resolve("samples");
            p = p.getParent();
        }
        throw new IllegalStateException("samples/ not found above " + Path.of("").toAbsolutePath());
    }

    static Path file(String name) {
        return dir().resolve(name);
    }

    static DissectorOptions options(String name) {
        DissectorOptions.Builder b = DissectorOptions.builder();
        if (name.startsWith("udpcrypto")) b.addKey(DissectorOptions.parseKey(UDP_KEY));
        return b.build();
    }

    static CaptureSummary dissect(String name, TipcMessageListener l) {
        try {
            return new TipcCaptureDissector(options(name)).dissect(file(name), l);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One row of 'tipc nametable show'. */
    record Row(long type, long lower, long upper, String scope, long port, String node) {}

    /** The rows of the 'tipc nametable show' output in a guest console log, in printed order. */
    static List<Row> nametable(String log) throws IOException {
        List<Row> rows = new ArrayList<>();
        boolean in = false;
        Pattern row = Pattern.compile("^(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\w+)\\s+(\\d+)\\s+(\\S+)\\s*$");
        for (String line : Files.readAllLines(file(log), StandardCharsets.UTF_8)) {
            if (line.startsWith("Type ") && line.contains("Lower")) {
                in = true;
                continue;
            }
            if (!in) continue;
            Matcher m = row.matcher(line);
            if (!m.matches()) break;
            rows.add(new Row(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    m.group(4), Long.parseLong(m.group(5)), m.group(6)));
        }
        if (rows.isEmpty()) throw new IllegalStateException("no nametable in " + log);
        return rows;
    }

    /** A value from the 'tipc link stat show' section of a unicast link in a console log. */
    static long linkStat(String log, String section, String key) throws IOException {
        boolean inLink = false;
        for (String line : Files.readAllLines(file(log), StandardCharsets.UTF_8)) {
            if (line.startsWith("Link <")) inLink = !line.contains("broadcast-link");
            if (!inLink) continue;
            if (line.trim().startsWith(section + " ")) {
                Matcher m = Pattern.compile("\\b" + Pattern.quote(key) + ":(\\d+)").matcher(line);
                if (m.find()) return Long.parseLong(m.group(1));
            }
        }
        throw new IllegalStateException(section + " " + key + " not in " + log);
    }

    /** One TIPC-over-Ethernet frame read straight from a classic pcap file (no dissector). */
    record RawFrame(long number, String srcMac, String dstMac, byte[] tipc) {
        int word(int i) {
            return ByteBuffer.wrap(tipc).getInt(4 * i);
        }
    }

    /** Every frame with ethertype 0x88CA of a classic little-endian pcap, read independently. */
    static List<RawFrame> rawEthernetTipc(String name) throws IOException {
        byte[] f = Files.readAllBytes(file(name));
        ByteBuffer bb = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        if (bb.getInt(0) != 0xa1b2c3d4) throw new IllegalStateException("not a LE usec pcap");
        List<RawFrame> out = new ArrayList<>();
        int pos = 24;
        long n = 0;
        while (pos + 16 <= f.length) {
            int cap = bb.getInt(pos + 8);
            int d = pos + 16;
            n++;
            if (cap >= 14 + 24 && ((f[d + 12] & 0xff) << 8 | (f[d + 13] & 0xff)) == 0x88CA) {
                int size = ByteBuffer.wrap(f, d + 14, 4).getInt() & 0x1ffff;
                byte[] tipc = java.util.Arrays.copyOfRange(f, d + 14, d + 14 + Math.min(size, cap - 14));
                out.add(new RawFrame(n, mac(f, d + 6), mac(f, d), tipc));
            }
            pos = d + cap;
        }
        return out;
    }

    /**
     * Writes {@code copies} back-to-back copies of a classic little-endian µs pcap, each shifted in time
     * by the capture's span plus one second (the same kernels "running the scenario again").
     */
    static Path repeat(String name, int copies, Path out) throws IOException {
        byte[] f = Files.readAllBytes(file(name));
        ByteBuffer bb = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        long first = -1, last = 0;
        for (int pos = 24; pos + 16 <= f.length; pos += 16 + bb.getInt(pos + 8)) {
            long t = bb.getInt(pos) * 1_000_000L + bb.getInt(pos + 4);
            if (first < 0) first = t;
            last = t;
        }
        long shift = last - first + 1_000_000L;
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        o.write(f, 0, 24);
        for (int c = 0; c < copies; c++) {
            for (int pos = 24; pos + 16 <= f.length; pos += 16 + bb.getInt(pos + 8)) {
                long t = bb.getInt(pos) * 1_000_000L + bb.getInt(pos + 4) + c * shift;
                ByteBuffer rec = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                rec.putInt((int) (t / 1_000_000L)).putInt((int) (t % 1_000_000L)).putInt(bb.getInt(pos + 8))
                        .putInt(bb.getInt(pos + 12));
                o.write(rec.array(), 0, 16);
                o.write(f, pos + 16, bb.getInt(pos + 8));
            }
        }
        return Files.write(out, o.toByteArray());
    }

    /**
     * Rewrites an Ethernet classic pcap as a Linux cooked capture (LINKTYPE_LINUX_SLL 113, what
     * {@code tcpdump -i any} writes): each 14-byte Ethernet header becomes the 16-byte SLL header, which
     * keeps the source MAC and the ethertype but not the destination.
     */
    static Path toSll(String name, Path out) throws IOException {
        byte[] f = Files.readAllBytes(file(name));
        ByteBuffer bb = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        ByteBuffer gh = ByteBuffer.wrap(java.util.Arrays.copyOf(f, 24)).order(ByteOrder.LITTLE_ENDIAN);
        gh.putInt(20, 113);
        o.write(gh.array(), 0, 24);
        for (int pos = 24; pos + 16 <= f.length; pos += 16 + bb.getInt(pos + 8)) {
            int cap = bb.getInt(pos + 8);
            int d = pos + 16;
            if (cap < 14) continue;
            ByteBuffer rec = ByteBuffer.allocate(16 + 16).order(ByteOrder.LITTLE_ENDIAN);
            rec.putInt(bb.getInt(pos)).putInt(bb.getInt(pos + 4)).putInt(cap + 2).putInt(bb.getInt(pos + 12) + 2);
            rec.order(ByteOrder.BIG_ENDIAN);
            boolean multicast = (f[d] & 1) != 0;
            rec.putShort((short) (multicast ? 2 : 0)).putShort((short) 1).putShort((short) 6);
            rec.put(f, d + 6, 6).putShort((short) 0).put(f, d + 12, 2);
            o.write(rec.array(), 0, 32);
            o.write(f, d + 14, cap - 14);
        }
        return Files.write(out, o.toByteArray());
    }

    private static String mac(byte[] f, int off) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            if (i > 0) sb.append(':');
            sb.append(String.format("%02x", f[off + i] & 0xff));
        }
        return sb.toString();
    }
}
