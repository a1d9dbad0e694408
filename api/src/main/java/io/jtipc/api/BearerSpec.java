package io.jtipc.api;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.jtipc.bearer.RandomLossGenerator;
import io.jtipc.bearer.udp.UdpBearerConfig;
import io.jtipc.bearer.udp.UdpMedia;

/**
 * A bearer to enable, parsed from the text the CLI and {@link TipcNode.Builder#bearer(String)} take:
 * <ul>
 *   <li>{@code eth:IFACE}: raw Ethernet (AF_PACKET, needs CAP_NET_RAW) on interface IFACE;</li>
 *   <li>{@code udp:LOCALIP[:PORT][,remote=IP[:PORT]]...[,name=NAME][,mtu=BYTES][,gso=on|off][,loss=PERCENT]}: UDP on LOCALIP
 *       (port 6118 by default); with remote peers discovery is replicast to them, without any it is multicast to
 *       iproute2's group for the cluster id; a multicast remote selects that group. IPv6 as {@code [::1]:6118}.
 *       {@code mtu} is the bearer MTU in bytes (default 14000 IPv4, TIPC_DEF_LINK_UDP_MTU; 1280 IPv6), from 128
 *       (IPv4) or 148 (IPv6) ({@code tipc_bearer_min_mtu}: TIPC_MIN_BEARER_MTU 100 plus the IP and UDP headers) to one
 *       UDP datagram (65507 IPv4, 65527 IPv6; checked when the bearer opens), what
 *       {@code tipc bearer set mtu N media udp name X} (or {@code tipc media set mtu N media udp} before enabling)
 *       sets on a kernel node (net/tipc/bearer.c, udp_media.c). Each link advertises it in its RESET/ACTIVATE
 *       messages as max_pkt, in units of 4 bytes (rounded down to a multiple of 4: mtu=65507 is advertised as 65504),
 *       and uses the smaller of both ends' values ({@code tipc_link_proto_rcv}, net/tipc/link.c), so a jtipc
 *       bearer at 65000 linked to a kernel at 14000 sends 14000-byte packets. Larger packets mean fewer UDP
 *       datagrams for large messages (IP fragments them below the interface MTU). {@code gso} (default on) lets an
 *       IPv4 bearer whose interface takes a bearer-MTU datagram whole (loopback) send runs of equal datagrams as one
 *       segmentation offload send and take them whole on receive, with UDP checksums computed; {@code gso=off}
 *       keeps the kernel's zero UDP checksum there too ({@code UdpBearerConfig.gso}). {@code loss} drops that
 *       percentage (0-50) of received datagrams on purpose, for tests (a {@link RandomLossGenerator} as the
 *       bearer's {@code UdpBearerConfig.lossGenerator}). {@code name} is the bearer name's part after "udp:", 1 to 15
 *       ASCII characters other than NUL and ',' ({@code UdpBearerConfig.checkName}); default "u" + the port.</li>
 * </ul>
 * Either may be opened inside a named network namespace ({@code netns}, /var/run/netns/NAME; needs CAP_SYS_ADMIN).
 */
public final class BearerSpec {
    /** Media kinds. */
    public enum Kind {
        /** Raw Ethernet frames through AF_PACKET (media "eth", bearer.c / eth_media.c). */
        ETH,
        /** UDP datagrams (media "udp", udp_media.c). */
        UDP
    }

    private final Kind kind;
    private final String iface;
    private final InetSocketAddress local;
    private final List<InetSocketAddress> remotes;
    private final String udpName;
    private final String netns;
    private double lossPercent;
    /** UDP bearer MTU in bytes, 0 = the media default. */
    private int mtu;
    /** Segmentation offload allowed (gso=on|off, default on). */
    private boolean gso = true;

    private BearerSpec(Kind kind, String iface, InetSocketAddress local, List<InetSocketAddress> remotes, String udpName,
                       String netns) {
        this.kind = kind;
        this.iface = iface;
        this.local = local;
        this.remotes = remotes;
        this.udpName = udpName;
        this.netns = netns;
    }

    /**
     * Parses a bearer spec.
     *
     * @param netns network namespace to open it in, or null for the caller's
     * @throws IllegalArgumentException naming the bad part
     */
    public static BearerSpec parse(String spec, String netns) {
        Objects.requireNonNull(spec, "spec");
        String s = spec.trim();
        if (s.startsWith("eth:")) {
            String ifn = s.substring(4);
            if (ifn.isEmpty() || ifn.length() > 15 || ifn.contains(",") || ifn.contains(" ")) {
                throw new IllegalArgumentException("bad Ethernet bearer '" + spec + "': want eth:IFACE (at most 15 characters)");
            }
            return new BearerSpec(Kind.ETH, ifn, null, List.of(), null, netns);
        }
        if (s.startsWith("udp:")) {
            String[] parts = s.substring(4).split(",");
            if (parts[0].isBlank()) {
                throw new IllegalArgumentException("bad UDP bearer '" + spec + "': want udp:LOCALIP[:PORT][,remote=IP[:PORT]...]");
            }
            InetSocketAddress local = UdpMedia.parse(parts[0], UdpMedia.DEFAULT_PORT);
            List<InetSocketAddress> remotes = new ArrayList<>();
            String name = null;
            double loss = 0;
            int mtu = 0;
            boolean gso = true;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.startsWith("remote=")) {
                    remotes.add(UdpMedia.parse(p.substring(7), UdpMedia.DEFAULT_PORT));
                } else if (p.startsWith("name=")) {
                    name = p.substring(5);
                    try {
                        io.jtipc.bearer.udp.UdpBearerConfig.checkName(name);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("bad UDP bearer '" + io.jtipc.wire.PeerText.escape(spec) + "': "
                            + e.getMessage());
                    }
                } else if (p.startsWith("mtu=")) {
                    mtu = parseMtu(p, spec, local.getAddress() instanceof java.net.Inet6Address);
                } else if (p.equals("gso=on") || p.equals("gso=off")) {
                    gso = p.equals("gso=on");
                } else if (p.startsWith("loss=")) {
                    try {
                        loss = Double.parseDouble(p.substring(5));
                    } catch (NumberFormatException e) {
                        loss = -1;
                    }
                    if (!(loss >= 0 && loss <= 50)) {
                        throw new IllegalArgumentException("bad UDP bearer option '" + p + "' in '" + spec
                                + "': loss is a percentage from 0 to 50");
                    }
                } else {
                    throw new IllegalArgumentException("bad UDP bearer option '" + p + "' in '" + spec
                            + "': want remote=IP[:PORT], name=NAME, mtu=BYTES, gso=on|off or loss=PERCENT");
                }
            }
            BearerSpec b = new BearerSpec(Kind.UDP, null, local, List.copyOf(remotes), name, netns);
            b.lossPercent = loss;
            b.mtu = mtu;
            b.gso = gso;
            return b;
        }
        throw new IllegalArgumentException("bad bearer '" + spec + "': want eth:IFACE or udp:LOCALIP[:PORT][,remote=IP[:PORT]...]");
    }

    /**
     * The value of {@code mtu=BYTES}: from 128 bytes on IPv4 ({@code UdpMedia.MIN_MTU}) or 148 on IPv6
     * ({@code UdpMedia.MIN_MTU_IPV6}): TIPC_MIN_BEARER_MTU plus the bearer's IP and UDP headers, the kernel's
     * {@code tipc_bearer_min_mtu} (net/tipc/bearer.c, encap_hlen from udp_media.c), below which a kernel peer ignores
     * the link's RESET/ACTIVATE ({@code tipc_link_proto_rcv}); up to 65527 (one IPv6 UDP datagram). The IPv4 maximum
     * (65507) is checked when the bearer opens ({@code UdpSockets.checkMtu}).
     */
    private static int parseMtu(String option, String spec, boolean ipv6) {
        int v;
        try {
            v = Integer.parseInt(option.substring(4));
        } catch (NumberFormatException e) {
            v = -1;
        }
        if (v < UdpMedia.minMtu(ipv6) || v > UdpMedia.MAX_PAYLOAD_IPV6) {
            throw new IllegalArgumentException("bad UDP bearer option '" + option + "' in '" + spec + "': mtu is the bearer MTU in bytes, "
                    + UdpMedia.MIN_MTU + " to " + UdpMedia.MAX_PAYLOAD_IPV4 + " (IPv4) or " + UdpMedia.MIN_MTU_IPV6 + " to "
                    + UdpMedia.MAX_PAYLOAD_IPV6 + " (IPv6)");
        }
        return v;
    }

    /** The media: Ethernet (AF_PACKET) or UDP. */
    public Kind kind() { return kind; }

    /** The UDP bearer MTU given with {@code mtu=BYTES}, in bytes, or 0 for the media default (14000 IPv4, 1280 IPv6). */
    public int mtu() { return mtu; }

    /** Interface of an Ethernet bearer. */
    public String iface() { return iface; }

    /** Network namespace, or null. */
    public String netns() { return netns; }

    /** UDP bearer configuration for cluster {@code netId}. */
    UdpBearerConfig udpConfig(int netId) {
        UdpBearerConfig c = UdpBearerConfig.local(local).netId(netId);
        if (udpName != null) c.name(udpName);
        if (mtu > 0) c.mtu(mtu);
        c.gso(gso);
        if (lossPercent > 0) c.lossGenerator(new RandomLossGenerator(lossPercent / 100, local.hashCode() * 31L + netId));
        if (remotes.isEmpty()) {
            c.multicastForNetId(netId);
        } else {
            c.replicast(remotes.toArray(new InetSocketAddress[0]));
        }
        return c;
    }

    @Override
    public String toString() {
        String base = kind == Kind.ETH ? "eth:" + iface : "udp:" + UdpMedia.format(local)
                + (remotes.isEmpty() ? "" : ",remote=" + remotes.stream().map(UdpMedia::format)
                        .reduce((a, b) -> a + ",remote=" + b).orElse(""))
                + (mtu > 0 ? ",mtu=" + mtu : "") + (gso ? "" : ",gso=off");
        return netns == null ? base : base + " (netns " + netns + ")";
    }
}
