package io.jtipc.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.jtipc.wire.TipcMsg;

/**
 * The real kernel captures of the repository's {@code samples/} (samples/README.md), read without the code under
 * test: the fuzz targets' seeds come from here, so a clean clone seeds every target (nothing from outside the
 * repository is needed).
 */
final class Captures {
    private Captures() {}

    /** Plaintext Ethernet capture of two Linux 6.1 kernels (srv-node 52:54:00:00:00:0a, cli-node ...0b). */
    static final String ETH = "eth-6.1.pcap";
    /** The same scenario over UDP/IPv4 port 6118 with AES-GCM (key in samples/README.md). */
    static final String UDP_CRYPTO = "udpcrypto-6.1.pcap";
    /** The master key of {@link #UDP_CRYPTO}, as given to {@code tipc node set key} (samples/README.md). */
    static final String UDP_CRYPTO_KEY = "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef11223344";

    /** One record of a classic pcap file: capture time (ms since the first record) and the link-layer frame. */
    record Record(int index, long timeMs, byte[] frame) {}

    /** {@code samples/NAME} of the repository this module is built in (the module's parent directory). */
    static Path sample(String name) {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path p = d.resolve("samples").resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        throw new IllegalStateException("samples/" + name + " not found above " + dir);
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(sample(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every record of a classic little-endian µs pcap file (what the samples are). */
    static List<Record> records(String name) {
        ByteBuffer b = ByteBuffer.wrap(bytes(name)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 0xa1b2c3d4) throw new IllegalStateException(name + ": not a little-endian µs pcap");
        List<Record> out = new ArrayList<>();
        long t0 = -1;
        int i = 0;
        for (int pos = 24; pos + 16 <= b.limit(); i++) {
            long t = (b.getInt(pos) & 0xffffffffL) * 1000 + b.getInt(pos + 4) / 1000;
            if (t0 < 0) t0 = t;
            int cl = b.getInt(pos + 8);
            out.add(new Record(i, t - t0, Arrays.copyOfRange(b.array(), pos + 16, pos + 16 + cl)));
            pos += 16 + cl;
        }
        return out;
    }

    /** The TIPC message of an Ethernet frame with ethertype 0x88CA, cut to its msg_size; null for other frames. */
    static byte[] tipcOfEthernet(byte[] f) {
        if (f.length < 14 + 24 || (f[12] & 0xff) != 0x88 || (f[13] & 0xff) != 0xca) return null;
        byte[] tipc = Arrays.copyOfRange(f, 14, f.length);
        int size = new TipcMsg().wrap(tipc, 0, tipc.length).size();
        return Arrays.copyOf(tipc, Math.min(size, tipc.length));
    }

    /**
     * The UDP payload of an unfragmented IPv4/UDP Ethernet frame from or to port 6118 (a TIPC message or, in the
     * encrypted sample, an encryption header + ciphertext + tag); null for anything else.
     */
    static byte[] udpPayload(byte[] f) {
        if (f.length < 14 + 20 + 8 || (f[12] & 0xff) != 0x08 || f[13] != 0x00) return null;
        int ip = 14;
        int ihl = (f[ip] & 0x0f) * 4;
        if ((f[ip] & 0xf0) != 0x40 || f[ip + 9] != 17 || ihl < 20) return null;
        int fragment = ((f[ip + 6] & 0x3f) << 8) | (f[ip + 7] & 0xff); // MF bit and offset
        if (fragment != 0) return null;
        int udp = ip + ihl;
        if (udp + 8 > f.length) return null;
        int sport = ((f[udp] & 0xff) << 8) | (f[udp + 1] & 0xff);
        int dport = ((f[udp + 2] & 0xff) << 8) | (f[udp + 3] & 0xff);
        if (sport != 6118 && dport != 6118) return null;
        int len = ((f[udp + 4] & 0xff) << 8) | (f[udp + 5] & 0xff);
        int end = Math.min(f.length, udp + Math.max(8, len));
        return Arrays.copyOfRange(f, udp + 8, end);
    }

    /** The plaintext TIPC messages of the Ethernet sample, in capture order. */
    static List<byte[]> ethMessages() {
        List<byte[]> out = new ArrayList<>();
        for (Record r : records(ETH)) {
            byte[] m = tipcOfEthernet(r.frame());
            if (m != null) out.add(m);
        }
        return out;
    }

    /** The UDP payloads of the encrypted sample (encryption header, ciphertext, tag), in capture order. */
    static List<byte[]> encryptedPayloads() {
        List<byte[]> out = new ArrayList<>();
        for (Record r : records(UDP_CRYPTO)) {
            byte[] p = udpPayload(r.frame());
            if (p != null) out.add(p);
        }
        return out;
    }

    /**
     * At most {@code max} messages, the first of each kind: (user, type, header size, data size in powers of two),
     * so the seeds cover every message kind of the capture without thousands of look-alike STATE messages.
     */
    static List<byte[]> diverse(List<byte[]> msgs, int max) {
        Map<String, byte[]> firstOfKind = new LinkedHashMap<>();
        TipcMsg m = new TipcMsg();
        for (byte[] b : msgs) {
            m.wrap(b, 0, b.length);
            int ds = Math.max(0, b.length - m.hdrSize());
            String kind = (b[0] >>> 5 & 7) + "/" + m.user() + "/" + m.type() + "/" + m.hdrSize() + "/"
                + (32 - Integer.numberOfLeadingZeros(ds));
            firstOfKind.putIfAbsent(kind, b);
            if (firstOfKind.size() == max) break;
        }
        return new ArrayList<>(firstOfKind.values());
    }
}
