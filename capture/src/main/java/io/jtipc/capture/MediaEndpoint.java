package io.jtipc.capture;

import java.util.Arrays;

/**
 * One end of a captured frame at the media level: an Ethernet MAC address (TIPC on ethertype 0x88CA)
 * or a UDP/IP address and port (TIPC over UDP). Immutable; the dissector interns instances, so the same
 * endpoint is usually the same object, but compare with {@link #equals}.
 */
public final class MediaEndpoint {
    /** Kind of media address. */
    public enum Kind { ETHERNET, UDP_IPV4, UDP_IPV6, UNKNOWN }

    /** Endpoint used when the link layer does not say (e.g. destination in Linux cooked captures). */
    public static final MediaEndpoint UNKNOWN = new MediaEndpoint(Kind.UNKNOWN, new byte[0], 0);

    private final Kind kind;
    private final byte[] address;
    private final int port;
    private final String text;
    private final int hash;

    private MediaEndpoint(Kind kind, byte[] address, int port) {
        this.kind = kind;
        this.address = address;
        this.port = port;
        this.text = format(kind, address, port);
        this.hash = (kind.ordinal() * 31 + Arrays.hashCode(address)) * 31 + port;
    }

    /** An Ethernet endpoint; {@code mac} is 6 bytes at {@code off}. */
    public static MediaEndpoint ethernet(byte[] mac, int off) {
        return new MediaEndpoint(Kind.ETHERNET, Arrays.copyOfRange(mac, off, off + 6), 0);
    }

    /** A UDP/IPv4 endpoint; {@code ip} is 4 bytes at {@code off}, {@code port} 0..65535. */
    public static MediaEndpoint udp4(byte[] ip, int off, int port) {
        return new MediaEndpoint(Kind.UDP_IPV4, Arrays.copyOfRange(ip, off, off + 4), port);
    }

    /** A UDP/IPv6 endpoint; {@code ip} is 16 bytes at {@code off}, {@code port} 0..65535. */
    public static MediaEndpoint udp6(byte[] ip, int off, int port) {
        return new MediaEndpoint(Kind.UDP_IPV6, Arrays.copyOfRange(ip, off, off + 16), port);
    }

    public Kind kind() { return kind; }

    /** A copy of the address bytes: 6 (MAC), 4 (IPv4) or 16 (IPv6), empty for UNKNOWN. */
    public byte[] address() { return address.clone(); }

    /** UDP port, 0 for Ethernet. */
    public int port() { return port; }

    /** True for the Ethernet broadcast address or an IP multicast/broadcast destination. */
    public boolean isBroadcastOrMulticast() {
        switch (kind) {
            case ETHERNET: return (address[0] & 1) != 0;
            case UDP_IPV4: return (address[0] & 0xf0) == 0xe0 || (address[0] & 0xff) == 0xff && (address[3] & 0xff) == 0xff;
            case UDP_IPV6: return (address[0] & 0xff) == 0xff;
            default: return false;
        }
    }

    /** "52:54:00:00:00:0a", "169.254.10.1:6118", "[fe80::1]:6118" or "?". */
    @Override public String toString() { return text; }

    @Override public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof MediaEndpoint)) return false;
        MediaEndpoint e = (MediaEndpoint) o;
        return hash == e.hash && kind == e.kind && port == e.port && Arrays.equals(address, e.address);
    }

    @Override public int hashCode() { return hash; }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static String format(Kind kind, byte[] a, int port) {
        StringBuilder sb = new StringBuilder(48);
        switch (kind) {
            case ETHERNET:
                for (int i = 0; i < a.length; i++) {
                    if (i > 0) sb.append(':');
                    sb.append(HEX[(a[i] >> 4) & 15]).append(HEX[a[i] & 15]);
                }
                return sb.toString();
            case UDP_IPV4:
                for (int i = 0; i < 4; i++) {
                    if (i > 0) sb.append('.');
                    sb.append(a[i] & 0xff);
                }
                return sb.append(':').append(port).toString();
            case UDP_IPV6:
                sb.append('[');
                // RFC 5952: collapse the longest run (>= 2) of zero groups
                int bestStart = -1, bestLen = 0;
                for (int i = 0; i < 8; ) {
                    if (group(a, i) == 0) {
                        int j = i;
                        while (j < 8 && group(a, j) == 0) j++;
                        if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
                        i = j;
                    } else {
                        i++;
                    }
                }
                for (int i = 0; i < 8; i++) {
                    if (i == bestStart) {
                        sb.append("::");
                        i += bestLen - 1;
                        continue;
                    }
                    if (i > 0 && i != bestStart + bestLen) sb.append(':');
                    sb.append(Integer.toHexString(group(a, i)));
                }
                return sb.append("]:").append(port).toString();
            default:
                return "?";
        }
    }

    private static int group(byte[] a, int i) { return ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff); }
}
