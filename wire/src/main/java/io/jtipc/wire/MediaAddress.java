package io.jtipc.wire;

/**
 * Flyweight over the 32-byte media address block of a discovery (LINK_CONFIG) message, message
 * bytes 20-51 (w5-w12), {@code net/tipc/bearer.h} TIPC_MEDIA_INFO_SIZE.
 *
 * <pre>
 *  byte  0   1   2   3   4 ...                                  31
 *       +---+---+---+---+--------------------------------------+
 *       |  reserved |typ|  address (media specific), rest 0      |
 *       +---+---+---+---+--------------------------------------+
 *  Ethernet (eth_media.c):  typ = 1, bytes 4-9 MAC
 *  UDP (udp_media.c):       typ = 3, bytes 4-5 proto (0x0800 IPv4 / 0x86DD IPv6), 6-7 port,
 *                           8-23 IP (IPv4 in 8-11, 12-23 zero) — struct udp_media_addr, big-endian
 *  InfiniBand (ib_media.c): bytes 0-19 IPoIB address, no type byte (byte 3 belongs to the address;
 *                           the kernel decodes by the receiving bearer's media, this class by byte 3 = 2)
 * </pre>
 * Bytes not part of the address are reserved (the kernel writes 0) and are reported/re-encoded as
 * such.
 */
public final class MediaAddress {
    public static final int SIZE = Tipc.MEDIA_INFO_SIZE;
    public static final int UDP_PROTO_IPV4 = 0x0800;
    public static final int UDP_PROTO_IPV6 = 0x86DD;

    private byte[] buf;
    private int off;

    /**
     * Wraps the media address at {@code off} (bearer.h TIPC_MEDIA_INFO_SIZE, {@value #SIZE} bytes). Not checked here:
     * each accessor reads only its own bytes, as the kernel's media callbacks do (an Ethernet address is read from 10
     * bytes, {@code tipc_eth_msg2addr}), so the caller guarantees those exist.
     */
    public MediaAddress wrap(byte[] buf, int off) {
        this.buf = buf;
        this.off = off;
        return this;
    }

    /** Byte 3, TIPC_MEDIA_TYPE_OFFSET: 1 Ethernet, 2 InfiniBand (heuristic), 3 UDP. */
    public int mediaType() { return buf[off + 3] & 0xff; }
    public MediaAddress setMediaType(int t) { buf[off + 3] = (byte) t; return this; }

    /** Offset of the MAC (Ethernet), 6 bytes. */
    public int macOffset() { return off + 4; }

    public MediaAddress setMac(byte[] src, int srcOff) {
        System.arraycopy(src, srcOff, buf, off + 4, 6);
        return this;
    }

    /** "52:54:00:00:00:0a". */
    public String macString() {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) sb.append(':');
            sb.append(Bytes.hex(buf, off + 4 + i, 1));
        }
        return sb.toString();
    }

    /** UDP: bytes 4-5, struct udp_media_addr.proto (ETH_P_IP 0x0800 / ETH_P_IPV6 0x86DD). */
    public int udpProto() { return Bytes.getShort(buf, off + 4); }
    public MediaAddress setUdpProto(int p) { Bytes.putShort(buf, off + 4, p); return this; }

    /** UDP: bytes 6-7, port. */
    public int udpPort() { return Bytes.getShort(buf, off + 6); }
    public MediaAddress setUdpPort(int p) { Bytes.putShort(buf, off + 6, p); return this; }

    /** UDP: offset of the IP address (4 bytes IPv4 or 16 bytes IPv6). */
    public int ipOffset() { return off + 8; }

    /** UDP IPv4 address as an int. */
    public int ipv4() { return Bytes.getInt(buf, off + 8); }
    public MediaAddress setIpv4(int a) { Bytes.putInt(buf, off + 8, a); return this; }

    public MediaAddress setIp(byte[] src, int srcOff, int len) {
        System.arraycopy(src, srcOff, buf, off + 8, len);
        return this;
    }

    /** IP length in bytes implied by {@link #udpProto()}: 4, 16, or 16 for an unknown proto (whole union). */
    public int ipLength() {
        return udpProto() == UDP_PROTO_IPV4 ? 4 : 16;
    }

    /** Textual IP ("169.254.10.1" or full IPv6 "fe80:0:0:0:0:0:0:1"). */
    public String ipString() {
        if (udpProto() == UDP_PROTO_IPV4) {
            return (buf[off + 8] & 0xff) + "." + (buf[off + 9] & 0xff) + "." + (buf[off + 10] & 0xff) + "." + (buf[off + 11] & 0xff);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i > 0) sb.append(':');
            sb.append(Integer.toHexString(Bytes.getShort(buf, off + 8 + 2 * i)));
        }
        return sb.toString();
    }

    /**
     * [start, end) byte ranges (relative to the block) that are not part of the decoded address
     * for this media type, in order. For an unknown type the whole block is one opaque range
     * (reported as "raw") and this returns an empty array.
     */
    public int[] reservedRanges() {
        return ranges().clone();
    }

    private static final int[] R_ETH = {0, 3, 10, 32}, R_UDP4 = {0, 3, 12, 32}, R_UDP6 = {0, 3, 24, 32},
        R_IB = {20, 32}, R_NONE = {};
    private static final String[] RESERVED_NAME = new String[SIZE];

    static {
        for (int i = 0; i < SIZE; i++) RESERVED_NAME[i] = "reserved_" + i;
    }

    /** {@link #reservedRanges()} as a shared constant (not to be modified). */
    private int[] ranges() {
        switch (mediaType()) {
            case Tipc.MEDIA_TYPE_ETH: return R_ETH;
            case Tipc.MEDIA_TYPE_UDP: return udpProto() == UDP_PROTO_IPV4 ? R_UDP4 : R_UDP6;
            case Tipc.MEDIA_TYPE_IB: return R_IB;
            default: return R_NONE;
        }
    }

    /** Copies every field of {@code src} through getters/setters (reserved ranges copied as bytes). */
    public static void reencode(MediaAddress s, MediaAddress d) {
        int t = s.mediaType();
        switch (t) {
            case Tipc.MEDIA_TYPE_ETH:
                d.setMediaType(t).setMac(s.buf, s.macOffset());
                break;
            case Tipc.MEDIA_TYPE_UDP:
                d.setMediaType(t).setUdpProto(s.udpProto()).setUdpPort(s.udpPort()).setIp(s.buf, s.ipOffset(), s.ipLength());
                break;
            case Tipc.MEDIA_TYPE_IB:
                System.arraycopy(s.buf, s.off, d.buf, d.off, 20);
                break;
            default:
                System.arraycopy(s.buf, s.off, d.buf, d.off, SIZE);
                return;
        }
        int[] r = s.ranges();
        for (int i = 0; i < r.length; i += 2) System.arraycopy(s.buf, s.off + r[i], d.buf, d.off + r[i], r[i + 1] - r[i]);
    }

    /** Emits group "media_addr". */
    public void describe(FieldSink sink) {
        sink.beginGroup("media_addr");
        int t = mediaType();
        String name = Tipc.mediaName(t);
        sink.field("media_type", t, name != null ? name : "UNKNOWN_MEDIA");
        switch (t) {
            case Tipc.MEDIA_TYPE_ETH:
                sink.bytes("addr", buf, macOffset(), 6);
                sink.text("eth_addr", FieldSink.TextKind.MAC, buf, macOffset(), 6);
                break;
            case Tipc.MEDIA_TYPE_UDP: {
                int p = udpProto();
                sink.field("proto", p, p == UDP_PROTO_IPV4 ? "IPv4" : p == UDP_PROTO_IPV6 ? "IPv6" : "UNKNOWN_PROTO");
                sink.field("port", udpPort(), null);
                sink.bytes("addr", buf, ipOffset(), ipLength());
                sink.text("ip", FieldSink.TextKind.IP, buf, ipOffset(), ipLength());
                break;
            }
            case Tipc.MEDIA_TYPE_IB:
                sink.bytes("addr", buf, off, 20);
                break;
            default:
                sink.bytes("raw", buf, off, SIZE);
        }
        int[] r = ranges();
        for (int i = 0; i < r.length; i += 2) {
            boolean nz = false;
            for (int j = r[i]; j < r[i + 1]; j++) nz |= buf[off + j] != 0;
            if (nz) sink.bytes(RESERVED_NAME[r[i]], buf, off + r[i], r[i + 1] - r[i]);
        }
        sink.endGroup();
    }
}
