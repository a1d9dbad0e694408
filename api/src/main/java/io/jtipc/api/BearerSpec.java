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
 *   <li>{@code udp:LOCALIP[:PORT][,remote=IP[:PORT]]...[,name=NAME][,loss=PERCENT]}: UDP on LOCALIP (port 6118 by
 *       default); with remote peers discovery is replicast to them, without any it is multicast to iproute2's group
 *       for the cluster id; a multicast remote selects that group. IPv6 as {@code [::1]:6118}. {@code loss} drops
 *       that percentage (0-50) of received datagrams on purpose, for tests (a {@link RandomLossGenerator} as the
 *       bearer's {@code UdpBearerConfig.lossGenerator}).</li>
 * </ul>
 * Either may be opened inside a named network namespace ({@code netns}, /var/run/netns/NAME; needs CAP_SYS_ADMIN).
 */
public final class BearerSpec {
    /** Media kinds. */
    public enum Kind { ETH, UDP }

    private final Kind kind;
    private final String iface;
    private final InetSocketAddress local;
    private final List<InetSocketAddress> remotes;
    private final String udpName;
    private final String netns;
    private double lossPercent;

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
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.startsWith("remote=")) {
                    remotes.add(UdpMedia.parse(p.substring(7), UdpMedia.DEFAULT_PORT));
                } else if (p.startsWith("name=")) {
                    name = p.substring(5);
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
                            + "': want remote=IP[:PORT], name=NAME or loss=PERCENT");
                }
            }
            BearerSpec b = new BearerSpec(Kind.UDP, null, local, List.copyOf(remotes), name, netns);
            b.lossPercent = loss;
            return b;
        }
        throw new IllegalArgumentException("bad bearer '" + spec + "': want eth:IFACE or udp:LOCALIP[:PORT][,remote=IP[:PORT]...]");
    }

    public Kind kind() { return kind; }

    /** Interface of an Ethernet bearer. */
    public String iface() { return iface; }

    /** Network namespace, or null. */
    public String netns() { return netns; }

    /** UDP bearer configuration for cluster {@code netId}. */
    UdpBearerConfig udpConfig(int netId) {
        UdpBearerConfig c = UdpBearerConfig.local(local).netId(netId);
        if (udpName != null) c.name(udpName);
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
                        .reduce((a, b) -> a + ",remote=" + b).orElse(""));
        return netns == null ? base : base + " (netns " + netns + ")";
    }
}
