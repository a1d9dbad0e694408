package io.jtipc.bearer.udp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.IntFunction;



/** Ports, frames and uid for the bearer tests. */
final class TestSupport {
    private static final Random RND = new Random();

    private TestSupport() {
    }

    /** A random high port (20000..59999). */
    static synchronized int randomPort() {
        return 20000 + RND.nextInt(40000);
    }

    /** Opens a bearer from {@code cfg(port)} with random ports, retrying while a port is taken. */
    static UdpBearer openRetrying(IntFunction<UdpBearerConfig> cfg) throws IOException {
        for (int i = 0; ; i++) {
            try {
                return UdpBearer.open(cfg.apply(randomPort()));
            } catch (UdpBearerException e) {
                if (e.reason() != UdpBearerException.Reason.PORT_IN_USE || i >= 20) {
                    throw e;
                }
            }
        }
    }

    /** Opens two bearers sharing one random port (a.port == b.port), retrying while it is taken. */
    static UdpBearer[] openPair(IntFunction<UdpBearerConfig> a, IntFunction<UdpBearerConfig> b) throws IOException {
        for (int i = 0; ; i++) {
            int p = randomPort();
            UdpBearer first = null;
            try {
                first = UdpBearer.open(a.apply(p));
                return new UdpBearer[] {first, UdpBearer.open(b.apply(p))};
            } catch (UdpBearerException e) {
                if (first != null) {
                    first.close();
                }
                if (e.reason() != UdpBearerException.Reason.PORT_IN_USE || i >= 20) {
                    throw e;
                }
            }
        }
    }

    static InetSocketAddress sa(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A frame of {@code size} bytes: w0 with TIPC version 2 and {@code user}, the sequence number in
     * bytes 4-7, the rest pseudo-random from {@code seq}.
     */
    static byte[] frame(int user, int seq, int size) {
        byte[] f = new byte[size];
        new Random(seq * 31L + size).nextBytes(f);
        if (size >= 1) {
            f[0] = (byte) (2 << 5 | user << 1);
        }
        if (size >= 8) {
            f[4] = (byte) (seq >>> 24);
            f[5] = (byte) (seq >>> 16);
            f[6] = (byte) (seq >>> 8);
            f[7] = (byte) seq;
        }
        return f;
    }

    static int seqOf(byte[] f) {
        return (f[4] & 0xFF) << 24 | (f[5] & 0xFF) << 16 | (f[6] & 0xFF) << 8 | (f[7] & 0xFF);
    }

    static byte[] data(int seq, int size) {
        return frame(0, seq, size); // user 0: TIPC_LOW_IMPORTANCE data
    }

    /** The effective uid of this JVM. */
    static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** A valid 76-byte LINK_CONFIG discovery frame (DSC_REQ_MSG) of {@code netId}, from node {@code node}. */
    static byte[] discovery(int netId, int node) {
        byte[] f = new byte[io.jtipc.wire.Tipc.DSC_MSG_SIZE];
        io.jtipc.wire.TipcMsg m = new io.jtipc.wire.TipcMsg().wrap(f, 0, f.length);
        m.init(node, io.jtipc.wire.Tipc.LINK_CONFIG, io.jtipc.wire.Tipc.DSC_REQ_MSG, io.jtipc.wire.Tipc.DSC_MSG_SIZE - 16, 0);
        m.setSize(f.length);
        m.setBcNetid(netId);
        return f;
    }

    /** A plain UDP receiver on {@code ip} (random port, no UDP_GRO), 5 s timeout, 8 MiB buffer. */
    static java.net.DatagramSocket receiver(String ip) throws java.io.IOException {
        java.net.DatagramSocket s = new java.net.DatagramSocket(null);
        s.setReceiveBufferSize(8 << 20);
        s.bind(sa(ip, 0));
        s.setSoTimeout(5000);
        return s;
    }

    /** The 20-byte UDP media address of {@code s}'s local address. */
    static byte[] media(java.net.DatagramSocket s) {
        return UdpMedia.mediaAddr((java.net.InetSocketAddress) s.getLocalSocketAddress());
    }

    /** The next datagram {@code s} receives (its timeout applies). */
    static byte[] next(java.net.DatagramSocket s) throws java.io.IOException {
        byte[] b = new byte[UdpBearer.MAX_FRAME];
        java.net.DatagramPacket p = new java.net.DatagramPacket(b, b.length);
        s.receive(p);
        return java.util.Arrays.copyOf(b, p.getLength());
    }
}
