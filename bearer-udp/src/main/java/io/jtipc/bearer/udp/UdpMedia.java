package io.jtipc.bearer.udp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

import io.jtipc.wire.MediaAddress;
import io.jtipc.wire.Tipc;

/**
 * UDP media addresses and constants, as {@code net/tipc/udp_media.c} and iproute2's
 * {@code tipc/bearer.c} define them.
 *
 * <pre>
 * media address block (TIPC_MEDIA_INFO_SIZE = 32 bytes, discovery message words w5..w12)
 *  byte 0  1  2  3   4    5   6    7   8 ........ 23  24 ......... 31
 *      +--+--+--+---+--------+--------+-------------+---------------+
 *      | 0| 0| 0| 3 | proto  |  port  |  IP (16)     |   zero (8)    |
 *      +--+--+--+---+--------+--------+-------------+---------------+
 *                 ^ TIPC_MEDIA_TYPE_UDP   struct udp_media_addr (20 bytes, network order):
 *                   proto 0x0800 (ETH_P_IP) or 0x86DD (ETH_P_IPV6), port, then a 16-byte union
 *                   holding the IPv4 address in its first 4 bytes (12 zero bytes follow) or the
 *                   IPv6 address.
 * </pre>
 *
 * <p>The bearer's raw media address is the 20-byte {@code struct udp_media_addr} itself (what the
 * kernel keeps in {@code tipc_media_addr.value}): {@link #mediaAddr} builds it from an IP:port and
 * {@link #socketAddress} reads it back; {@link UdpBearer} does each once per destination or source
 * and caches the result. The block is the wire module's {@link MediaAddress} flyweight; this class
 * adds the kernel's conversions: {@link #addrToMsg} is {@code tipc_udp_addr2msg} (block zeroed,
 * type byte 3 set to {@link Tipc#MEDIA_TYPE_UDP}, the 20-byte {@code udp_media_addr} copied to
 * byte 4) and {@link #msgToAddr} is {@code tipc_udp_msg2addr} (refuses a block whose type byte is
 * not UDP). The protocol core does that conversion for discovery with the node's own media type.
 *
 * <p>The default multicast group is iproute2's rule ({@code generate_multicast}), not the
 * kernel's: with no {@code remoteip}, {@code tipc bearer enable media udp} uses
 * {@code 228.0.X.Y} with X = (netid &gt;&gt; 8) &amp; 0xFF and Y = netid &amp; 0xFF for IPv4, and for
 * IPv6 the text {@code "ff02::" + netid printed in decimal}, parsed as an IPv6 address (so net id
 * 4711 gives ff02::4711, the hex group 0x4711); see {@link #multicastGroup}.
 */
public final class UdpMedia {
    private UdpMedia() {
    }

    /** IANA port of TIPC over UDP, iproute2's default local and remote port (UDP_PORT_DEFAULT, udp_media.c). */
    public static final int DEFAULT_PORT = 6118;
    /** Net id (cluster id) a kernel node starts with unless configured: 4711, set in {@code tipc_init_net} (core.c). */
    public static final int DEFAULT_NET_ID = 4711;
    /** Bearer MTU of an IPv4 UDP bearer: TIPC_DEF_LINK_UDP_MTU = 14000 bytes (bearer.h), relying on IP fragmentation. */
    public static final int IPV4_MTU = 14000;
    /** Bearer MTU of an IPv6 UDP bearer: 1280 bytes, set in {@code tipc_udp_enable}. */
    public static final int IPV6_MTU = 1280;
    /**
     * Smallest IPv4 UDP bearer MTU: TIPC_MIN_BEARER_MTU (100) + IPv4 header (20) + UDP header (8): the bearer's
     * {@code encap_hlen} ({@code tipc_udp_enable}, udp_media.c) added by {@code tipc_bearer_min_mtu} (bearer.c), below
     * which {@code tipc_nl_bearer_set} refuses the MTU and {@code tipc_link_proto_rcv} (link.c) ignores a peer's
     * RESET/ACTIVATE.
     */
    public static final int MIN_MTU = 100 + 20 + 8;
    /** Smallest IPv6 UDP bearer MTU: TIPC_MIN_BEARER_MTU (100) + IPv6 header (40) + UDP header (8), as {@link #MIN_MTU}. */
    public static final int MIN_MTU_IPV6 = 100 + 40 + 8;
    /** The smallest UDP bearer MTU for the family: {@value #MIN_MTU} IPv4, {@value #MIN_MTU_IPV6} IPv6, in bytes. */
    public static int minMtu(boolean ipv6) {
        return ipv6 ? MIN_MTU_IPV6 : MIN_MTU;
    }

    /** Largest UDP payload over IPv4: 65535 - 20 (IP header) - 8 (UDP header). */
    public static final int MAX_PAYLOAD_IPV4 = 65507;
    /** Largest UDP payload over IPv6 without jumbograms: 65535 - 8 (UDP header). */
    public static final int MAX_PAYLOAD_IPV6 = 65527;
    /** Size of {@code struct udp_media_addr}: proto (2) + port (2) + address union (16). */
    public static final int UDP_ADDR_SIZE = 20;
    /** Size of the media address block in a discovery message (TIPC_MEDIA_INFO_SIZE). */
    public static final int BLOCK_SIZE = Tipc.MEDIA_INFO_SIZE;

    /**
     * Writes {@code struct udp_media_addr} of {@code addr}, the UDP bearer's raw media address (what
     * the kernel keeps in {@code tipc_media_addr.value}, and what the core and {@link UdpBearer} pass
     * around), to the {@value #UDP_ADDR_SIZE} bytes at {@code dst[off]}: bytes 0-1 proto 0x0800 or
     * 0x86DD, 2-3 port, 4-19 the IPv4 address (4 bytes, 12 zero bytes follow) or the IPv6 address;
     * big-endian. An IPv6 scope is not part of it.
     *
     * @throws IllegalArgumentException if {@code addr} is unresolved
     * @throws IndexOutOfBoundsException if the 20 bytes do not fit
     */
    public static void mediaAddr(InetSocketAddress addr, byte[] dst, int off) {
        Objects.checkFromIndexSize(off, UDP_ADDR_SIZE, dst.length);
        InetAddress ip = addr.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address " + addr + "; give a numeric IP");
        }
        byte[] raw = ip.getAddress();
        int proto = raw.length == 4 ? MediaAddress.UDP_PROTO_IPV4 : MediaAddress.UDP_PROTO_IPV6;
        int port = addr.getPort();
        Arrays.fill(dst, off, off + UDP_ADDR_SIZE, (byte) 0);
        dst[off] = (byte) (proto >> 8);
        dst[off + 1] = (byte) proto;
        dst[off + 2] = (byte) (port >> 8);
        dst[off + 3] = (byte) port;
        System.arraycopy(raw, 0, dst, off + 4, raw.length);
    }

    /** A new {@value #UDP_ADDR_SIZE}-byte raw media address for {@code addr}; see {@link #mediaAddr(InetSocketAddress, byte[], int)}. */
    public static byte[] mediaAddr(InetSocketAddress addr) {
        byte[] a = new byte[UDP_ADDR_SIZE];
        mediaAddr(addr, a, 0);
        return a;
    }

    /**
     * Why the raw media address at {@code addr[off]} cannot be sent to, or null if it can: the proto
     * must be 0x0800 or 0x86DD (the kernel cannot send to anything else).
     */
    public static String mediaAddrProblem(byte[] addr, int off) {
        Objects.checkFromIndexSize(off, UDP_ADDR_SIZE, addr.length);
        int p = (addr[off] & 0xFF) << 8 | (addr[off + 1] & 0xFF);
        if (p != MediaAddress.UDP_PROTO_IPV4 && p != MediaAddress.UDP_PROTO_IPV6) {
            return "UDP media address proto 0x" + Integer.toHexString(p) + " is neither IPv4 (0x0800) nor IPv6 (0x86dd)";
        }
        return null;
    }

    /**
     * The IP address and port of the raw media address at {@code addr[off]}, or null if
     * {@link #mediaAddrProblem} names a problem. IPv6 link-local (and link-local multicast)
     * addresses get the scope of {@code scope} when it is not null, as the kernel sends them out of
     * the bearer's interface.
     */
    public static InetSocketAddress socketAddress(byte[] addr, int off, NetworkInterface scope) {
        if (mediaAddrProblem(addr, off) != null) {
            return null;
        }
        int port = (addr[off + 2] & 0xFF) << 8 | (addr[off + 3] & 0xFF);
        boolean v4 = addr[off] == 0x08;
        try {
            if (v4) {
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(addr, off + 4, off + 8)), port);
            }
            byte[] raw = Arrays.copyOfRange(addr, off + 4, off + 20);
            InetAddress a = InetAddress.getByAddress(raw); // ::ffff:a.b.c.d comes back as Inet4Address
            if (scope != null && a instanceof Inet6Address && needsScope(a)) {
                a = Inet6Address.getByAddress(null, raw, scope.getIndex()); // by index: the JDK cannot derive it inside a namespace
            }
            return new InetSocketAddress(a, port);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an IP address", e);
        }
    }

    /** {@link #socketAddress(byte[], int, NetworkInterface)} without a scope. */
    public static InetSocketAddress socketAddress(byte[] addr, int off) {
        return socketAddress(addr, off, null);
    }

    /**
     * Writes the media address block of the raw media address {@code addr[addrOff..+20)} into the 32
     * bytes at {@code block[blockOff]} ({@code tipc_udp_addr2msg}): zeroes them, sets byte 3 to
     * {@link Tipc#MEDIA_TYPE_UDP} and copies the 20 bytes to byte 4.
     *
     * @throws IndexOutOfBoundsException if either range does not fit its array
     */
    public static void addrToMsg(byte[] addr, int addrOff, byte[] block, int blockOff) {
        Objects.checkFromIndexSize(addrOff, UDP_ADDR_SIZE, addr.length);
        Objects.checkFromIndexSize(blockOff, BLOCK_SIZE, block.length);
        Arrays.fill(block, blockOff, blockOff + BLOCK_SIZE, (byte) 0);
        new MediaAddress().wrap(block, blockOff).setMediaType(Tipc.MEDIA_TYPE_UDP);
        System.arraycopy(addr, addrOff, block, blockOff + 4, UDP_ADDR_SIZE);
    }

    /**
     * Writes the UDP media address block of {@code addr} ({@code tipc_udp_addr2msg} of its
     * {@link #mediaAddr raw media address}) into the 32 bytes at {@code block[off]}: zeroes them,
     * byte 3 = {@link Tipc#MEDIA_TYPE_UDP}, bytes 4-5 proto, 6-7 port, 8.. the IPv4 (4 bytes) or IPv6
     * (16 bytes) address, all big-endian.
     *
     * @throws IllegalArgumentException if {@code addr} is unresolved
     * @throws IndexOutOfBoundsException if the block does not fit
     */
    public static void addrToMsg(InetSocketAddress addr, byte[] block, int off) {
        Objects.checkFromIndexSize(off, BLOCK_SIZE, block.length);
        byte[] raw = mediaAddr(addr);
        addrToMsg(raw, 0, block, off);
    }

    /** A new 32-byte media address block for {@code addr}; see {@link #addrToMsg(InetSocketAddress, byte[], int)}. */
    public static byte[] addrToMsg(InetSocketAddress addr) {
        byte[] b = new byte[BLOCK_SIZE];
        addrToMsg(addr, b, 0);
        return b;
    }

    /** A new 32-byte media address block for the raw media address {@code addr[0..20)}; see {@link #addrToMsg(byte[], int, byte[], int)}. */
    public static byte[] addrToMsg(byte[] addr) {
        byte[] b = new byte[BLOCK_SIZE];
        addrToMsg(addr, 0, b, 0);
        return b;
    }

    /**
     * Why the block at {@code block[off]} is not a usable UDP media address, or null if it is: the
     * type byte must be 3 ({@code tipc_udp_msg2addr} returns -EINVAL otherwise) and the proto
     * 0x0800 or 0x86DD (the kernel cannot send to anything else). Never throws for a block that
     * fits the array.
     */
    public static String problem(byte[] block, int off) {
        Objects.checkFromIndexSize(off, BLOCK_SIZE, block.length);
        MediaAddress m = new MediaAddress().wrap(block, off);
        if (m.mediaType() != Tipc.MEDIA_TYPE_UDP) {
            return "media type " + m.mediaType() + " is not UDP (" + Tipc.MEDIA_TYPE_UDP + ")";
        }
        return mediaAddrProblem(block, off + 4);
    }

    /**
     * The IP address and port in the media address block at {@code block[off]}
     * ({@code tipc_udp_msg2addr}, then {@link #socketAddress}), or null if {@link #problem} names a
     * problem. IPv6 link-local (and link-local multicast) addresses get the scope of {@code scope}
     * when it is not null, as the kernel sends them out of the bearer's interface.
     */
    public static InetSocketAddress msgToAddr(byte[] block, int off, NetworkInterface scope) {
        if (problem(block, off) != null) {
            return null;
        }
        return socketAddress(block, off + 4, scope);
    }

    /** {@link #msgToAddr(byte[], int, NetworkInterface)} without a scope. */
    public static InetSocketAddress msgToAddr(byte[] block, int off) {
        return msgToAddr(block, off, null);
    }

    /**
     * True if the block holds a multicast IP ({@code tipc_udp_is_mcast_addr}): the kernel's discovery
     * ignores a peer that advertises one. Any bytes are accepted.
     */
    public static boolean isMulticast(byte[] block, int off) {
        Objects.checkFromIndexSize(off, BLOCK_SIZE, block.length);
        MediaAddress m = new MediaAddress().wrap(block, off);
        int first = block[m.ipOffset()] & 0xFF;
        if (m.udpProto() == MediaAddress.UDP_PROTO_IPV4) {
            return first >= 224 && first <= 239;
        }
        return first == 0xFF;
    }

    /**
     * The block as the kernel prints it ({@code tipc_udp_addr2str}): {@code "%pI4:%u"}, e.g.
     * {@code 228.0.18.103:6118}, or {@code "%pI6:%u"}, the uncompressed IPv6 form with 4 hex digits
     * per group, e.g. {@code 0000:0000:0000:0000:0000:0000:0000:0001:6118}; "invalid UDP media
     * address" for another proto or type.
     */
    public static String toString(byte[] block, int off) {
        if (problem(block, off) != null) {
            return "invalid UDP media address";
        }
        MediaAddress m = new MediaAddress().wrap(block, off);
        int ip = m.ipOffset();
        StringBuilder sb = new StringBuilder(48);
        if (m.udpProto() == MediaAddress.UDP_PROTO_IPV4) {
            sb.append(block[ip] & 0xFF).append('.').append(block[ip + 1] & 0xFF).append('.')
                    .append(block[ip + 2] & 0xFF).append('.').append(block[ip + 3] & 0xFF);
        } else {
            for (int i = 0; i < 16; i += 2) {
                if (i > 0) {
                    sb.append(':');
                }
                int g = (block[ip + i] & 0xFF) << 8 | (block[ip + i + 1] & 0xFF);
                String h = Integer.toHexString(g);
                sb.append("0000", h.length(), 4).append(h);
            }
        }
        return sb.append(':').append(m.udpPort()).toString();
    }

    /**
     * The default multicast group of cluster (net id) {@code netId}, iproute2's
     * {@code generate_multicast}: IPv4 {@code 228.0.X.Y} with X = bits 15-8 and Y = bits 7-0 of the net
     * id (4711 = 0x1267 gives 228.0.18.103); IPv6 {@code "ff02::" + unsigned decimal net id} parsed
     * as an IPv6 address (4711 gives ff02::4711).
     *
     * @param netId the cluster id, as an unsigned 32-bit value
     * @throws IllegalArgumentException for IPv6 when the decimal net id has more than 4 digits: the
     *         text is then not an IPv6 address and iproute2 fails too; give the group explicitly
     */
    public static InetAddress multicastGroup(int netId, boolean ipv6) {
        try {
            if (!ipv6) {
                return InetAddress.getByAddress(new byte[] {(byte) 228, 0, (byte) (netId >>> 8), (byte) netId});
            }
            String dec = Integer.toUnsignedString(netId);
            if (dec.length() > 4) {
                throw new IllegalArgumentException("net id " + dec + " has no IPv6 multicast group by iproute2's rule "
                        + "(ff02::" + dec + " is not an IPv6 address); configure the group explicitly");
            }
            byte[] a = new byte[16];
            a[0] = (byte) 0xFF;
            a[1] = 0x02;
            int g = Integer.parseInt(dec, 16);
            a[14] = (byte) (g >>> 8);
            a[15] = (byte) g;
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an IP address", e);
        }
    }

    /** {@link #multicastGroup} with port {@link #DEFAULT_PORT}. */
    public static InetSocketAddress defaultGroup(int netId, boolean ipv6) {
        return new InetSocketAddress(multicastGroup(netId, ipv6), DEFAULT_PORT);
    }

    /** True for an IPv4 address in 224.0.0.0/4 or an IPv6 address in ff00::/8. */
    public static boolean isMulticast(InetAddress a) {
        return a.isMulticastAddress();
    }

    /**
     * Parses a numeric {@code IP[:port]}: {@code 10.0.0.1}, {@code 10.0.0.1:6118}, {@code ::1},
     * {@code [::1]:6118}, {@code [fe80::1%eth0]:6118}. No name lookup is ever made.
     *
     * @param defaultPort port used when the text has none
     * @throws IllegalArgumentException naming what is wrong
     */
    public static InetSocketAddress parse(String text, int defaultPort) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("missing IP address (want IP or IP:port)");
        }
        String s = text.trim();
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' in " + text + " (want [IPv6]:port)");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("unexpected text after ']' in " + text);
                }
                port = rest.substring(1);
            }
        } else if (s.indexOf(':') != s.lastIndexOf(':')) {
            host = s; // bare IPv6, no port
        } else {
            int c = s.indexOf(':');
            host = c < 0 ? s : s.substring(0, c);
            port = c < 0 ? null : s.substring(c + 1);
        }
        int p = defaultPort;
        if (port != null) {
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                p = -1;
            }
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("bad UDP port '" + port + "' in " + text + " (want 0..65535)");
            }
        }
        return new InetSocketAddress(parseIp(host, text), p);
    }

    private static InetAddress parseIp(String host, String text) {
        if (host.contains(":")) {
            for (int i = 0; i < host.length(); i++) {
                char ch = host.charAt(i);
                if (ch == '%') {
                    break; // scope: interface name or number
                }
                if (Character.digit(ch, 16) < 0 && ch != ':' && ch != '.') {
                    throw new IllegalArgumentException("not an IPv6 address: " + host + " (in " + text + ")");
                }
            }
            try {
                return InetAddress.getByName(host); // a literal: no lookup
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IPv6 address: " + host + " (in " + text + ")");
            }
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + host + " (in " + text + "; names are not looked up)");
        }
        byte[] a = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            int v = -1;
            if (!part.isEmpty() && part.length() <= 3 && part.chars().allMatch(Character::isDigit)) {
                v = Integer.parseInt(part);
            }
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + host + " (in " + text + ")");
            }
            a[i] = (byte) v;
        }
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** "127.0.0.1:6118" / "[::1]:6118": numeric, never a host name. */
    public static String format(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip == null) {
            return a.getHostString() + ":" + a.getPort();
        }
        String h = ip.getHostAddress();
        return (ip instanceof Inet4Address ? h : "[" + h + "]") + ":" + a.getPort();
    }

    /** IPv6 addresses that only make sense with an interface: link-local unicast and link/interface-local multicast. */
    static boolean needsScope(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return false;
        }
        if (a.isLinkLocalAddress() || a.isMCLinkLocal()) {
            return true;
        }
        byte[] r = a.getAddress();
        return (r[0] & 0xFF) == 0xFF && (r[1] & 0x0F) == 1; // ff01::/16 interface-local multicast
    }
}
