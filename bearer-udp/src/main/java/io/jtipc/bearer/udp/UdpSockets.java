package io.jtipc.bearer.udp;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jtipc.bearer.SocketBuffers;

/**
 * The sockets of one UDP bearer and how they are set up ({@code tipc_udp_enable}, udp_media.c): the
 * configuration checked as the kernel checks it, the local IP:port bound (IPv4 without UDP
 * checksums, {@link UdpNoCheck}), in multicast mode the group socket joined on the interface owning
 * the local IP, and one selector over both. Failures are {@link UdpBearerException}s in words.
 * {@link UdpBearer} sends and receives on what this opened.
 */
final class UdpSockets {
    private static final Logger LOG = LoggerFactory.getLogger(UdpBearer.class);

    /** Bearer name, {@code udp:<name>}. */
    final String name;
    final boolean ipv6;
    /** The interface owning the local IP, or null if none was found. */
    final NetworkInterface iface;
    /** The bound local IP and port. */
    final InetSocketAddress local;
    /** The multicast group and port, or null in replicast mode. */
    final InetSocketAddress group;
    /** Bearer MTU at open, bytes. */
    final int mtu;
    /** Largest UDP payload of the family: 65507 IPv4, 65527 IPv6. */
    final int maxPayload;
    /** Bound to the local IP:port: sends everything, receives unicast. */
    final DatagramChannel unicast;
    /** Bound to the group in multicast mode, else null. */
    final DatagramChannel groupChannel;
    /** Both channels, non-blocking, registered for reading. */
    final Selector selector;
    /** SO_NO_CHECK is set on the IPv4 socket. */
    final boolean checksumsOff;
    /**
     * Segmentation offload is on ({@link UdpBearerConfig#gso}): IPv4, allowed, and the interface's MTU takes a
     * bearer-MTU datagram with its IPv4 and UDP headers; checksums are on then (the kernel refuses UDP_SEGMENT
     * without them).
     */
    final boolean gso;

    private UdpSockets(String name, boolean ipv6, NetworkInterface iface, InetSocketAddress local, InetSocketAddress group,
            int mtu, DatagramChannel unicast, DatagramChannel groupChannel, Selector selector, boolean checksumsOff,
            boolean gso) {
        this.name = name;
        this.ipv6 = ipv6;
        this.iface = iface;
        this.local = local;
        this.group = group;
        this.mtu = mtu;
        this.maxPayload = ipv6 ? UdpMedia.MAX_PAYLOAD_IPV6 : UdpMedia.MAX_PAYLOAD_IPV4;
        this.unicast = unicast;
        this.groupChannel = groupChannel;
        this.selector = selector;
        this.checksumsOff = checksumsOff;
        this.gso = gso;
    }

    /**
     * Creates and binds the sockets of {@code cfg} in the calling thread's network namespace; see
     * {@link UdpBearer#open(String, UdpBearerConfig)} for what is checked and thrown.
     */
    static UdpSockets open(UdpBearerConfig cfg) throws IOException {
        InetSocketAddress localCfg = cfg.localAddress();
        InetAddress ip = localCfg.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("local address " + localCfg.getHostString() + " is not a numeric IP");
        }
        if (ip.isAnyLocalAddress()) {
            throw new IllegalArgumentException("local IP must be a unicast address of this host, not the wildcard "
                    + ip.getHostAddress());
        }
        if (ip.isMulticastAddress()) {
            throw new IllegalArgumentException("local IP " + ip.getHostAddress() + " is a multicast address; "
                    + "give a unicast address of this host (the group is the remote address)");
        }
        boolean v6 = ip instanceof Inet6Address;
        if (UdpMedia.needsScope(ip) && ((Inet6Address) ip).getScopeId() == 0
                && ((Inet6Address) ip).getScopedInterface() == null) {
            throw new IllegalArgumentException("IPv6 link-local address " + ip.getHostAddress()
                    + " needs a scope, e.g. " + ip.getHostAddress() + "%eth0");
        }
        InetSocketAddress grp = null;
        if (!cfg.isReplicast()) {
            grp = cfg.group() != null ? cfg.group() : UdpMedia.defaultGroup(cfg.netId(), v6);
            if (grp.getAddress() == null || !grp.getAddress().isMulticastAddress()) {
                throw new IllegalArgumentException("multicast group " + UdpMedia.format(grp) + " is not a multicast address");
            }
            checkFamily(v6, grp, "multicast group");
        } else {
            for (InetSocketAddress p : cfg.peers()) {
                checkPeer(v6, p);
            }
        }
        int port = localCfg.getPort();
        String bearerName = "udp:" + (cfg.name() != null ? cfg.name() : "u" + port);
        int maxPayload = v6 ? UdpMedia.MAX_PAYLOAD_IPV6 : UdpMedia.MAX_PAYLOAD_IPV4;
        int mtu = cfg.mtu() == 0 ? (v6 ? UdpMedia.IPV6_MTU : UdpMedia.IPV4_MTU) : checkMtu(cfg.mtu(), v6, maxPayload);
        NetworkInterface nif = interfaceOf(ip);
        String where = "UDP port " + port + " on " + ip.getHostAddress();

        List<AutoCloseable> opened = new ArrayList<>();
        try {
            DatagramChannel uc = DatagramChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            opened.add(uc);
            setBuffers(uc, cfg);
            try {
                uc.bind(localCfg);
            } catch (BindException e) {
                throw bindError(e, ip, port, where);
            } catch (IOException e) {
                throw new UdpBearerException(UdpBearerException.Reason.SOCKET, "cannot bind " + where + ": " + e.getMessage(), e);
            }
            InetSocketAddress bound = (InetSocketAddress) uc.getLocalAddress();
            boolean gso = gsoPossible(v6, cfg, nif == null ? -1 : nif.getMTU(), mtu) && UdpNoCheck.segmentationOffered(bound);
            // IPv4 datagrams leave with UDP checksum 0, as the kernel's (udp_media.c, nocheck); see UdpNoCheck;
            // not with segmentation offload, which the kernel refuses on such a socket (udp_send_skb)
            String noCheck = v6 ? "IPv6 keeps UDP checksums (as the kernel)" : gso ? "" : UdpNoCheck.apply(bound);
            if (gso) {
                LOG.debug("UDP bearer on " + bound + ": segmentation offload on ("
                        + (nif == null ? "?" : nif.getName()) + " MTU >= " + (mtu + IPV4_UDP_HEADERS)
                        + "), so UDP checksums are computed");
            } else if (!v6 && noCheck != null) {
                LOG.warn("UDP bearer on " + bound + ": checksums stay on ("
                        + noCheck + "); the kernel accepts them");
            }
            if (!v6) {
                String df = UdpNoCheck.dontFragment(bound);
                if (df != null) {
                    LOG.warn("UDP bearer on " + bound + ": datagrams that fit the path MTU leave with the "
                            + "don't-fragment bit (" + df + "); the kernel's do not");
                }
            }
            if (cfg.name() == null) {
                bearerName = "udp:u" + bound.getPort();
            }
            checkBuffers(uc, bound, cfg);
            if (bearerName.length() > 31) {
                throw new IllegalArgumentException("bearer name " + bearerName + " is longer than 31 characters "
                        + "(TIPC_MAX_BEARER_NAME)");
            }
            if (!v6 && nif != null) {
                int devMtu = nif.getMTU();
                if (devMtu >= 0 && devMtu < UdpMedia.MIN_MTU) {
                    throw new UdpBearerException(UdpBearerException.Reason.MTU_TOO_SMALL, "interface " + nif.getName()
                            + " has MTU " + devMtu + "; a TIPC UDP bearer over IPv4 needs at least " + UdpMedia.MIN_MTU);
                }
            }
            DatagramChannel gc = null;
            if (grp != null) {
                gc = openGroupSocket(uc, nif, ip, grp, cfg, opened);
            }
            Selector sel = Selector.open();
            opened.add(sel);
            uc.configureBlocking(false);
            uc.register(sel, SelectionKey.OP_READ);
            if (gc != null) {
                gc.configureBlocking(false);
                gc.register(sel, SelectionKey.OP_READ);
            }
            return new UdpSockets(bearerName, v6, nif, bound, grp, mtu, uc, gc, sel, noCheck == null, gso);
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // nothing more to do
                }
            }
            throw e;
        }
    }

    private static DatagramChannel openGroupSocket(DatagramChannel uc, NetworkInterface nif, InetAddress ip,
            InetSocketAddress grp, UdpBearerConfig cfg, List<AutoCloseable> opened) throws IOException {
        String g = UdpMedia.format(grp);
        if (nif == null) {
            throw new UdpBearerException(UdpBearerException.Reason.MULTICAST_SETUP, "cannot find the network interface "
                    + "that has " + ip.getHostAddress() + ", needed to join multicast group " + g);
        }
        try {
            uc.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
            uc.setOption(StandardSocketOptions.IP_MULTICAST_TTL, cfg.multicastTtl());
            uc.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, cfg.multicastLoop());
        } catch (IOException e) {
            throw new UdpBearerException(UdpBearerException.Reason.MULTICAST_SETUP, "cannot send multicast out of interface "
                    + nif.getName() + ": " + e.getMessage(), e);
        }
        InetAddress gaddr = grp.getAddress();
        DatagramChannel gc = DatagramChannel.open(gaddr instanceof Inet6Address ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET);
        opened.add(gc);
        setBuffers(gc, cfg);
        InetAddress bindAddr = gaddr;
        if (UdpMedia.needsScope(gaddr)) {
            bindAddr = Inet6Address.getByAddress(null, gaddr.getAddress(), nif.getIndex());
        }
        try {
            gc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            gc.bind(new InetSocketAddress(bindAddr, grp.getPort()));
        } catch (IOException e) {
            throw new UdpBearerException(UdpBearerException.Reason.MULTICAST_SETUP, "cannot bind a socket to multicast group "
                    + g + " on interface " + nif.getName() + ": " + e.getMessage(), e);
        }
        try {
            gc.join(gaddr, nif);
        } catch (IOException | RuntimeException e) {
            throw new UdpBearerException(UdpBearerException.Reason.MULTICAST_SETUP, "cannot join multicast group " + g
                    + " on interface " + nif.getName() + ": " + e.getMessage()
                    + (nif.isLoopback() ? " (multicast on a loopback device may be unsupported here)" : ""), e);
        }
        return gc;
    }

    private static UdpBearerException bindError(BindException e, InetAddress ip, int port, String where) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("in use")) {
            return new UdpBearerException(UdpBearerException.Reason.PORT_IN_USE, where
                    + " is already in use (by another TIPC bearer or program)", e);
        }
        if (m.contains("assign requested address")) {
            return new UdpBearerException(UdpBearerException.Reason.ADDRESS_NOT_LOCAL, ip.getHostAddress()
                    + " is not an address of this host (in this network namespace)", e);
        }
        if (m.contains("ermission denied") && port > 0 && port < 1024) {
            return new UdpBearerException(UdpBearerException.Reason.SOCKET, "cannot bind " + where
                    + ": ports below 1024 need root or CAP_NET_BIND_SERVICE", e);
        }
        return new UdpBearerException(UdpBearerException.Reason.SOCKET, "cannot bind " + where + ": " + m, e);
    }

    private static void setBuffers(DatagramChannel ch, UdpBearerConfig cfg) throws IOException {
        if (cfg.receiveBufferSize() > 0) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, cfg.receiveBufferSize());
        }
        if (cfg.sendBufferSize() > 0) {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, cfg.sendBufferSize());
        }
    }

    /**
     * After bind: when SO_RCVBUF/SO_SNDBUF was capped below the request (net.core.rmem_max/wmem_max), retries with
     * SO_RCVBUFFORCE/SO_SNDBUFFORCE through the descriptor (IPv4, CAP_NET_ADMIN), then logs a grant still short
     * once per process ({@link SocketBuffers#checkGrant}). The kernel reports twice the size it was given.
     */
    private static void checkBuffers(DatagramChannel ch, InetSocketAddress bound, UdpBearerConfig cfg) throws IOException {
        int rcv = cfg.receiveBufferSize();
        int snd = cfg.sendBufferSize();
        boolean shortRcv = rcv > 0 && ch.getOption(StandardSocketOptions.SO_RCVBUF) < rcv;
        boolean shortSnd = snd > 0 && ch.getOption(StandardSocketOptions.SO_SNDBUF) < snd;
        if (shortRcv || shortSnd) {
            String why = UdpNoCheck.forceBuffers(bound, shortRcv ? rcv : 0, shortSnd ? snd : 0);
            if (why != null) {
                LOG.debug("UDP bearer on " + bound + ": cannot force buffer sizes: " + why);
            }
        }
        String name = "UDP bearer on " + bound;
        if (rcv > 0) {
            SocketBuffers.checkGrant(name, "receive", rcv, ch.getOption(StandardSocketOptions.SO_RCVBUF));
        }
        if (snd > 0) {
            SocketBuffers.checkGrant(name, "send", snd, ch.getOption(StandardSocketOptions.SO_SNDBUF));
        }
    }

    private static NetworkInterface interfaceOf(InetAddress ip) throws SocketException {
        if (ip instanceof Inet6Address && ((Inet6Address) ip).getScopedInterface() != null) {
            return ((Inet6Address) ip).getScopedInterface();
        }
        if (ip instanceof Inet6Address) {
            // The JDK lists IPv6 addresses from /proc/net/if_inet6, which shows the namespace of the
            // process's main thread, not of this thread: ask /proc/thread-self instead, so a bearer
            // opened inside a lab namespace (NetNs.runIn) finds its own interface.
            NetworkInterface n = ipv6InterfaceOfThisThread((Inet6Address) ip);
            if (n != null) {
                return n;
            }
        }
        NetworkInterface n = NetworkInterface.getByInetAddress(ip);
        if (n == null && ip.isLoopbackAddress()) {
            // 127.0.0.2 etc. are local through lo's 127.0.0.0/8 route without being listed on it
            for (NetworkInterface c : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (c.isLoopback()) {
                    return c;
                }
            }
        }
        return n;
    }

    /**
     * The interface holding {@code ip} according to {@code /proc/thread-self/net/if_inet6} (lines
     * "address-hex ifindex prefixlen scope flags name"), or null.
     */
    private static NetworkInterface ipv6InterfaceOfThisThread(Inet6Address ip) {
        java.nio.file.Path table = java.nio.file.Path.of("/proc/thread-self/net/if_inet6");
        StringBuilder hex = new StringBuilder(32);
        for (byte x : ip.getAddress()) {
            hex.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        try {
            for (String line : java.nio.file.Files.readAllLines(table)) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 6 && f[0].equalsIgnoreCase(hex.toString())) {
                    int index = Integer.parseInt(f[1], 16);
                    NetworkInterface byName = NetworkInterface.getByName(f[5]);
                    if (byName != null && byName.getIndex() == index) {
                        return byName;
                    }
                    NetworkInterface byIndex = NetworkInterface.getByIndex(index);
                    if (byIndex != null && byIndex.getName().equals(f[5])) {
                        return byIndex;
                    }
                    return null;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null; // no /proc: the JDK's lookup decides
        }
        return null;
    }

    private static void checkFamily(boolean v6, InetSocketAddress remote, String what) {
        boolean r6 = remote.getAddress() instanceof Inet6Address;
        if (r6 != v6) {
            throw new IllegalArgumentException("local address is " + (v6 ? "IPv6" : "IPv4") + " but " + what + " "
                    + UdpMedia.format(remote) + " is " + (r6 ? "IPv6" : "IPv4") + "; a UDP bearer uses one family");
        }
    }

    static void checkPeer(boolean v6, InetSocketAddress p) {
        Objects.requireNonNull(p, "peer");
        if (p.getAddress() == null) {
            throw new IllegalArgumentException("peer " + p.getHostString() + " is not a numeric IP");
        }
        if (p.getAddress().isMulticastAddress() || p.getAddress().isAnyLocalAddress()) {
            throw new IllegalArgumentException("replicast peer " + UdpMedia.format(p) + " must be a unicast address");
        }
        if (p.getPort() == 0) {
            throw new IllegalArgumentException("replicast peer " + UdpMedia.format(p) + " has no port");
        }
        checkFamily(v6, p, "peer");
    }

    /** IPv4 header (no options) + UDP header, bytes: what a bearer-MTU datagram adds on the interface. */
    static final int IPV4_UDP_HEADERS = 28;

    /**
     * Whether an IPv4 bearer of MTU {@code mtu} (bytes) on an interface of MTU {@code ifMtu} (bytes, -1 unknown) uses
     * segmentation offload: allowed by {@link UdpBearerConfig#gso} and system property {@code jtipc.udpGso} (default
     * true), the send batch not turned off ({@code jtipc.udpSendBatch}: runs are cut from a batch), and the interface
     * takes a bearer-MTU datagram with its headers unfragmented (udp_send_skb refuses UDP_SEGMENT when a segment
     * exceeds the path's MTU). The caller also asks the kernel ({@link UdpNoCheck#segmentationOffered}).
     */
    static boolean gsoPossible(boolean v6, UdpBearerConfig cfg, int ifMtu, int mtu) {
        return !v6 && cfg.gso() && Boolean.parseBoolean(System.getProperty("jtipc.udpGso", "true"))
                && Boolean.parseBoolean(System.getProperty("jtipc.udpSendBatch", "true")) // runs leave in a send batch
                && ifMtu >= mtu + IPV4_UDP_HEADERS;
    }

    /**
     * {@code mtu} if it is a valid UDP bearer MTU for the family: from {@link UdpMedia#minMtu} (128 IPv4, 148 IPv6,
     * {@code tipc_bearer_min_mtu}) to {@code max} (one datagram).
     *
     * @throws IllegalArgumentException otherwise
     */
    static int checkMtu(int mtu, boolean v6, int max) {
        int min = UdpMedia.minMtu(v6);
        if (mtu < min || mtu > max) {
            throw new IllegalArgumentException("UDP bearer MTU " + mtu + " is not in " + min + ".." + max
                    + (v6 ? " (IPv6)" : ""));
        }
        return mtu;
    }

    /** Closes the selector and both channels (the group is left as the group socket closes); logs failures at DEBUG. */
    void close() {
        for (AutoCloseable c : new AutoCloseable[] {selector, unicast, groupChannel}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.debug(name + ": close: " + e.getMessage());
                }
            }
        }
    }
}
