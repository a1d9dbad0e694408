package io.jtipc.bearer.udp;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.jtipc.bearer.NetNs;
import io.jtipc.bearer.ReceiveErrorBackoff;
import io.jtipc.wire.Tipc;

/**
 * The UDP bearer's I/O shell ({@code net/tipc/udp_media.c}): TIPC messages as whole UDP payloads
 * over IPv4 or IPv6, on {@link DatagramChannel}s, so no privilege is needed. It holds no protocol
 * state: the sans-IO core decides what goes where; the bearer sends it and hands every received
 * datagram, with its source as a UDP media address block, back. Its shape is
 * {@code io.jtipc.bearer.eth.EthBearer}'s, so one event loop can drive both.
 *
 * <h2>Addresses</h2>
 * A UDP media address is the 32-byte block of a discovery message (see {@link UdpMedia}: type 3,
 * proto, port, IP). {@link #address()} is this bearer's, for the discovery it sends;
 * {@link #send(byte[], int, byte[], int, int)} takes the block a peer advertised, because replies
 * and all link traffic go to the IP:port in the peer's media block, never to the IP header source.
 *
 * <h2>Discovery: multicast or replicast</h2>
 * {@link #broadcast} is the kernel's send to the bearer's broadcast address: to the multicast group
 * in multicast mode, or one copy to each replicast peer ({@code tipc_udp_send_msg} with
 * TIPC_REPLICAST_SUPPORT). Peers are added and removed at run time with {@link #addPeer} and
 * {@link #removePeer} without disturbing traffic to the others (copy-on-write list; a broadcast in
 * progress uses the list as it was when it started), and, unless disabled, learnt from the source
 * of received discovery datagrams ({@code tipc_udp_rcast_disc}). Learning is guarded, unlike the
 * kernel's first-byte check: only a datagram that validates as a TIPC frame
 * ({@code TipcCodec.validateFrame}) and is a LINK_CONFIG DSC_REQ/DSC_RESP of the configured net id
 * teaches a peer; at most {@link UdpBearerConfig#maxLearntPeers} are learnt (the rest are counted in
 * {@link #peersNotLearnt}) and a learnt peer silent for {@link UdpBearerConfig#learntPeerExpiryMs}
 * is forgotten (checked before each replicast broadcast, on the configured clock). The bearer does not
 * decide whether the sender is a real node: the core's discovery does that for links; this only bounds
 * whom broadcasts are copied to.
 *
 * <h2>Sockets</h2>
 * One socket bound to the local IP:port sends everything and receives unicast, so frames leave
 * from the advertised address as the kernel's do. In multicast mode a second socket, bound with
 * SO_REUSEADDR to the group address and port, joins the group on the interface that owns the local
 * IP and receives the group's frames. (The kernel binds one socket to the wildcard address instead;
 * binding the group keeps the local port exclusive per local IP, so several bearers, jtipc or
 * kernel, can share a host and a group.) Multicast TTL is 64 and loop on by default, as for the
 * kernel's tunnel socket; the bearer therefore receives its own multicast frames, which discovery
 * drops as the kernel's does. Differences that do not change the bytes of a TIPC message: IPv4 UDP
 * checksums are computed (the kernel sends 0), and IP fragments may carry DF per the host's path-MTU
 * setting.
 *
 * <h2>MTU</h2>
 * {@link #mtu()} is the kernel's bearer MTU: {@value UdpMedia#IPV4_MTU} bytes for IPv4
 * (TIPC_DEF_LINK_UDP_MTU, IP fragments the datagrams) and {@value UdpMedia#IPV6_MTU} for IPv6; the
 * link layer fragments larger messages to it. {@link #send} itself accepts anything that fits one
 * UDP datagram (65507 bytes IPv4, 65527 IPv6).
 *
 * <h2>Receiving two ways, choose one per bearer</h2>
 * <ul>
 * <li>{@link #start}: a receive thread {@code jtipc-udp-rx-<name>} calls a {@link FrameHandler};</li>
 * <li>{@link #poll}: an event loop asks for the next frame with a timeout (0 = do not wait) and
 *     interrupts a wait with {@link #wakeup()}.</li>
 * </ul>
 * Neither allocates per frame beyond what {@link DatagramChannel} itself does (it reuses its sender
 * address object while the sender stays the same): frames are copied from one direct buffer into
 * the caller's array and source blocks come from a small cache. Handler arguments are the bearer's
 * own buffers, valid only during the call. Sending is thread-safe; {@link #poll} is for one thread.
 */
public final class UdpBearer implements AutoCloseable {
    /** {@link #poll} result: the timeout passed without a frame. */
    public static final int TIMEOUT = -1;
    /** {@link #poll} result: {@link #wakeup()} or {@link #close()} was called. */
    public static final int WAKEUP = -2;
    /** Size of the receive buffer: any UDP payload fits. */
    public static final int MAX_FRAME = 65536;

    /** Receives frames on the bearer's receive thread. */
    @FunctionalInterface
    public interface FrameHandler {
        /**
         * One received datagram.
         *
         * @param srcMedia 32-byte UDP media address block of the datagram's source IP:port (reused)
         * @param frame    buffer holding the UDP payload, the TIPC message, at index 0 (reused)
         * @param length   payload length in bytes
         */
        void onFrame(byte[] srcMedia, byte[] frame, int length);
    }

    private static final System.Logger LOG = System.getLogger(UdpBearer.class.getName());
    private static final Consumer<SelectionKey> IGNORE_KEY = k -> { };

    private final String name;
    private final boolean ipv6;
    private final NetworkInterface iface;
    private final InetSocketAddress local;
    private final InetSocketAddress group;
    private final byte[] address;
    private final boolean learn;
    private final int maxPayload;
    private final DatagramChannel unicast;
    private final DatagramChannel groupChannel;
    private final DatagramChannel[] channels;
    private final Selector selector;
    private volatile int mtu;
    private volatile boolean checksumsOff;
    private java.util.SplittableRandom lossRandom;
    private double lossFraction;
    private volatile long droppedByLoss;

    private final Object peerLock = new Object();
    private volatile Peer[] peers = new Peer[0];

    private final Object txLock = new Object();
    private final ByteBuffer txBuf = ByteBuffer.allocateDirect(MAX_FRAME);
    private final DestCache destCache = new DestCache(32);

    private final ByteBuffer rxBuf = ByteBuffer.allocateDirect(MAX_FRAME);
    private final SourceCache sourceCache = new SourceCache(16);
    private int nextChannel;
    private volatile InetSocketAddress lastSource;
    private volatile boolean wakeupPending;
    private volatile boolean closed;

    private volatile Thread rxThread;
    private volatile boolean running;
    private volatile long framesReceived;
    private volatile long framesSent;
    private volatile long sendsDropped;
    private volatile long truncatedFrames;
    private volatile long peersLearnt;
    private volatile long peersNotLearnt;
    private volatile long peersExpired;
    private int netId = UdpMedia.DEFAULT_NET_ID;
    private int maxLearnt = UdpBearerConfig.DEFAULT_MAX_LEARNT_PEERS;
    private long learntExpiryMs = UdpBearerConfig.DEFAULT_LEARNT_PEER_EXPIRY_MS;
    private java.util.function.LongSupplier clockMs = () -> System.nanoTime() / 1_000_000;
    private volatile long handlerFailures;
    private volatile long receiveErrors;

    private static final class Peer {
        final InetSocketAddress addr;
        final byte[] block;
        /** Learnt from discovery (counts toward the cap, expires); false for configured peers. */
        final boolean learnt;
        /** Clock ms of the last valid discovery frame from a learnt peer. */
        volatile long lastSeenMs;

        Peer(InetSocketAddress addr, boolean learnt, long nowMs) {
            this.addr = addr;
            this.block = UdpMedia.addrToMsg(addr);
            this.learnt = learnt;
            this.lastSeenMs = nowMs;
        }
    }

    private UdpBearer(String name, boolean ipv6, NetworkInterface iface, InetSocketAddress local, InetSocketAddress group,
            boolean learn, int mtu, DatagramChannel unicast, DatagramChannel groupChannel, Selector selector) {
        this.name = name;
        this.ipv6 = ipv6;
        this.iface = iface;
        this.local = local;
        this.group = group;
        this.learn = learn;
        this.mtu = mtu;
        this.maxPayload = ipv6 ? UdpMedia.MAX_PAYLOAD_IPV6 : UdpMedia.MAX_PAYLOAD_IPV4;
        this.unicast = unicast;
        this.groupChannel = groupChannel;
        this.channels = groupChannel == null ? new DatagramChannel[] {unicast} : new DatagramChannel[] {unicast, groupChannel};
        this.selector = selector;
        this.address = UdpMedia.addrToMsg(new InetSocketAddress(stripScope(local.getAddress()), local.getPort()));
    }

    /**
     * Opens the bearer in the calling thread's network namespace; see {@link #open(String, UdpBearerConfig)}.
     */
    public static UdpBearer open(UdpBearerConfig config) throws IOException {
        return open(null, config);
    }

    /**
     * Opens the bearer: binds the local IP:port, in multicast mode joins the group on the local IP's
     * interface, in replicast mode adds the configured peers. The sockets are created inside network
     * namespace {@code netns} (a name under /var/run/netns or a path; null = the caller's), through
     * {@link NetNs#runIn}, which needs CAP_SYS_ADMIN; they stay in that namespace.
     *
     * @throws UdpBearerException {@code ADDRESS_NOT_LOCAL} "10.9.9.9 is not an address of this host",
     *         {@code PORT_IN_USE} "UDP port 6118 on 10.0.0.1 is already in use ...",
     *         {@code MULTICAST_SETUP} "cannot join multicast group ...", {@code MTU_TOO_SMALL},
     *         {@code SOCKET} for other socket failures (e.g. a port below 1024 without privilege)
     * @throws IOException from {@link NetNs#runIn} when the namespace does not exist or cannot be entered
     * @throws IllegalArgumentException for a configuration the kernel refuses too: wildcard or
     *         multicast local IP, IPv4 local with IPv6 remote (or the reverse), a unicast "group",
     *         an IPv6 link-local local IP without scope, a bad name or MTU
     */
    public static UdpBearer open(String netns, UdpBearerConfig config) throws IOException {
        Objects.requireNonNull(config, "config");
        if (netns == null) {
            return create(config);
        }
        return NetNs.runIn(netns, () -> create(config));
    }

    private static UdpBearer create(UdpBearerConfig cfg) throws IOException {
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
        int mtu = cfg.mtu() == 0 ? (v6 ? UdpMedia.IPV6_MTU : UdpMedia.IPV4_MTU) : checkMtu(cfg.mtu(), maxPayload);
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
            // IPv4 datagrams leave with UDP checksum 0, as the kernel's (udp_media.c, nocheck); see UdpNoCheck
            String noCheck = v6 ? "IPv6 keeps UDP checksums (as the kernel)" : UdpNoCheck.apply(bound);
            if (!v6 && noCheck != null) {
                LOG.log(System.Logger.Level.WARNING, "UDP bearer on " + bound + ": checksums stay on ("
                        + noCheck + "); the kernel accepts them");
            }
            if (cfg.name() == null) {
                bearerName = "udp:u" + bound.getPort();
            }
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
            UdpBearer b = new UdpBearer(bearerName, v6, nif, bound, grp, cfg.learnPeers(), mtu, uc, gc, sel);
            b.checksumsOff = noCheck == null;
            b.netId = cfg.netId();
            b.maxLearnt = cfg.maxLearntPeers();
            b.learntExpiryMs = cfg.learntPeerExpiryMs();
            b.clockMs = cfg.clockMs();
            if (cfg.receiveLoss() > 0) {
                b.lossRandom = new java.util.SplittableRandom(cfg.lossSeed());
                b.lossFraction = cfg.receiveLoss();
            }
            for (InetSocketAddress p : cfg.peers()) {
                b.addPeer(p);
            }
            return b;
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

    private static void checkPeer(boolean v6, InetSocketAddress p) {
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

    private static int checkMtu(int mtu, int max) {
        if (mtu < UdpMedia.MIN_MTU || mtu > max) {
            throw new IllegalArgumentException("UDP bearer MTU " + mtu + " is not in " + UdpMedia.MIN_MTU + ".." + max);
        }
        return mtu;
    }

    private static InetAddress stripScope(InetAddress a) {
        if (a instanceof Inet6Address) {
            try {
                return InetAddress.getByAddress(a.getAddress());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return a;
    }

    // ------------------------------------------------------------------ identity

    /** Bearer name as the kernel names it: {@code udp:<name>}. */
    public String name() {
        return name;
    }

    /** The bound local IP and port (the port actually bound when 0 was configured). */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** The bearer's media address block (32 bytes, see {@link UdpMedia}) as a new array: what its discovery advertises. */
    public byte[] address() {
        return address.clone();
    }

    /** Writes the bearer's 32-byte media address block to {@code dst[off..off+31]} (TIPC_MEDIA_INFO_OFFSET of a discovery message). */
    public void address(byte[] dst, int off) {
        System.arraycopy(address, 0, dst, off, UdpMedia.BLOCK_SIZE);
    }

    /**
     * Whether IPv4 datagrams leave with UDP checksum 0 like the kernel's (SO_NO_CHECK set, see
     * {@code UdpNoCheck}); false for IPv6 (checksums are mandatory there and the kernel computes them) or
     * when the socket could not be found (logged at open; the kernel accepts checksummed datagrams).
     */
    public boolean udpChecksumsOff() {
        return checksumsOff;
    }

    /** True for IPv6, false for IPv4. */
    public boolean isIpv6() {
        return ipv6;
    }

    /** The interface that owns the local IP (multicast is joined there), or null if none was found. */
    public NetworkInterface networkInterface() {
        return iface;
    }

    /** True in multicast mode, false in replicast mode. */
    public boolean isMulticast() {
        return group != null;
    }

    /** The multicast group and port in multicast mode, else null. */
    public InetSocketAddress group() {
        return group;
    }

    /**
     * The bearer MTU in bytes: the largest TIPC message the link layer should hand to
     * {@link #send} (14000 IPv4 / 1280 IPv6 unless configured).
     */
    public int mtu() {
        return mtu;
    }

    /**
     * Changes the bearer MTU, as {@code tipc bearer set mtu} does for UDP bearers only.
     *
     * @throws IllegalArgumentException below 128 ({@code tipc_udp_mtu_bad}) or above one UDP datagram
     */
    public void setMtu(int mtu) {
        this.mtu = checkMtu(mtu, maxPayload);
    }

    // ------------------------------------------------------------------ peers

    /**
     * Adds a replicast peer ({@code tipc bearer add media udp name N remoteip IP remoteport P},
     * {@code tipc_udp_rcast_add}); broadcasts reach it from the next one on.
     *
     * @return false if it was already a peer
     * @throws IllegalStateException in multicast mode (the kernel refuses too: "Can't add remote ip to
     *         TIPC UDP multicast bearer")
     * @throws IllegalArgumentException for a multicast, wildcard, port-0 or other-family address
     */
    public boolean addPeer(InetSocketAddress peer) {
        return addPeer(peer, false);
    }

    private boolean addPeer(InetSocketAddress peer, boolean learnt) {
        if (group != null) {
            throw new IllegalStateException("cannot add replicast peer " + UdpMedia.format(peer) + " to multicast bearer "
                    + name + " (group " + UdpMedia.format(group) + ")");
        }
        checkPeer(ipv6, peer);
        synchronized (peerLock) {
            Peer[] cur = peers;
            int learntCount = 0;
            for (Peer p : cur) {
                if (p.addr.equals(peer)) {
                    return false;
                }
                if (p.learnt) {
                    learntCount++;
                }
            }
            if (learnt && learntCount >= maxLearnt) {
                peersNotLearnt++;
                return false;
            }
            Peer[] next = java.util.Arrays.copyOf(cur, cur.length + 1);
            next[cur.length] = new Peer(peer, learnt, learnt ? clockMs.getAsLong() : 0);
            peers = next;
        }
        LOG.log(System.Logger.Level.DEBUG, name + ": new replicast peer " + UdpMedia.format(peer));
        return true;
    }

    /**
     * Removes a replicast peer (a jtipc extension: the kernel has no command for it); the others are
     * not affected.
     *
     * @return false if it was not a peer
     */
    public boolean removePeer(InetSocketAddress peer) {
        synchronized (peerLock) {
            Peer[] cur = peers;
            for (int i = 0; i < cur.length; i++) {
                if (cur[i].addr.equals(peer)) {
                    Peer[] next = new Peer[cur.length - 1];
                    System.arraycopy(cur, 0, next, 0, i);
                    System.arraycopy(cur, i + 1, next, i, cur.length - i - 1);
                    peers = next;
                    return true;
                }
            }
        }
        return false;
    }

    /** The replicast peers, in the order added (empty in multicast mode). */
    public List<InetSocketAddress> peers() {
        Peer[] cur = peers;
        List<InetSocketAddress> l = new ArrayList<>(cur.length);
        for (Peer p : cur) {
            l.add(p.addr);
        }
        return l;
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends the TIPC message {@code frame[off..off+len)} to the IP:port in the 32-byte UDP media
     * address block at {@code dstMedia[mediaOff]} (a peer's discovery block, or a group block). Never
     * blocks.
     *
     * @return true if sent, false if dropped because the socket send buffer is full (retransmission covers it)
     * @throws IllegalArgumentException if the block is not a UDP media address ({@link UdpMedia#problem})
     * @throws UdpBearerException {@code FRAME_TOO_LARGE} over one datagram, {@code SEND_FAILED}
     *         (other family, network unreachable, ...), {@code CLOSED}
     */
    public boolean send(byte[] dstMedia, int mediaOff, byte[] frame, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, frame.length);
        InetSocketAddress dst;
        synchronized (txLock) {
            dst = destCache.lookup(dstMedia, mediaOff);
            if (dst == null) {
                String p = UdpMedia.problem(dstMedia, mediaOff);
                if (p != null) {
                    throw new IllegalArgumentException("cannot send to this media address: " + p);
                }
                dst = UdpMedia.msgToAddr(dstMedia, mediaOff, iface);
                destCache.put(dstMedia, mediaOff, dst);
            }
        }
        return sendTo(dst, frame, off, len);
    }

    /**
     * {@link #send(byte[], int, byte[], int, int)} with the media block at {@code dstMedia[0..31]}:
     * the same shape as {@code EthBearer.send(destMac, frame, off, len)}.
     */
    public boolean send(byte[] dstMedia, byte[] frame, int off, int len) throws IOException {
        return send(dstMedia, 0, frame, off, len);
    }

    /** {@link #send(byte[], int, byte[], int, int)} to an IP:port. */
    public boolean send(InetSocketAddress dst, byte[] frame, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, frame.length);
        return sendTo(dst, frame, off, len);
    }

    /**
     * Sends to the bearer's broadcast address, as discovery and the broadcast link do: to the
     * multicast group, or a copy to every replicast peer. A failure for one peer does not stop the
     * copies to the others; the first failure is thrown after all were tried.
     *
     * @return true if every copy was sent (also with no peers), false if any was dropped because
     *         the send buffer was full
     * @throws UdpBearerException as {@link #send(byte[], int, byte[], int, int)}
     */
    public boolean broadcast(byte[] frame, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, frame.length);
        if (group != null) {
            return sendTo(group, frame, off, len);
        }
        expireLearntPeers();
        boolean all = true;
        UdpBearerException first = null;
        for (Peer p : peers) {
            try {
                all &= sendTo(p.addr, frame, off, len);
            } catch (UdpBearerException e) {
                if (e.reason() == UdpBearerException.Reason.FRAME_TOO_LARGE || e.reason() == UdpBearerException.Reason.CLOSED) {
                    throw e;
                }
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return all;
    }

    private boolean sendTo(InetSocketAddress dst, byte[] frame, int off, int len) throws IOException {
        if (len > maxPayload) {
            throw new UdpBearerException(UdpBearerException.Reason.FRAME_TOO_LARGE, "frame of " + len
                    + " bytes does not fit one UDP datagram over " + (ipv6 ? "IPv6" : "IPv4") + " (at most " + maxPayload
                    + " bytes; the bearer MTU is " + mtu + ", larger messages are fragmented by the link)");
        }
        if (closed) {
            throw new UdpBearerException(UdpBearerException.Reason.CLOSED, "bearer " + name + " is closed");
        }
        if ((dst.getAddress() instanceof Inet6Address) != ipv6) {
            throw new UdpBearerException(UdpBearerException.Reason.SEND_FAILED, "cannot send to " + UdpMedia.format(dst)
                    + " from " + (ipv6 ? "IPv6" : "IPv4") + " bearer " + name);
        }
        int n;
        synchronized (txLock) {
            txBuf.clear();
            txBuf.put(frame, off, len);
            txBuf.flip();
            try {
                n = unicast.send(txBuf, dst);
            } catch (ClosedChannelException e) {
                throw new UdpBearerException(UdpBearerException.Reason.CLOSED, "bearer " + name + " is closed", e);
            } catch (IOException e) {
                throw new UdpBearerException(UdpBearerException.Reason.SEND_FAILED, "cannot send to "
                        + UdpMedia.format(dst) + " on bearer " + name + ": " + e.getMessage(), e);
            }
        }
        if (n == 0 && len > 0) {
            sendsDropped++;
            return false;
        }
        framesSent++;
        return true;
    }

    // ------------------------------------------------------------------ receiving

    /**
     * Event-loop receive: copies the next datagram's payload to {@code buf[off..]} and its source's
     * media address block (32 bytes) to {@code srcMedia[srcOff..]} (null = not wanted).
     *
     * @param timeoutMs 0 = return at once, negative = wait without limit, else wait up to that many ms
     * @return payload length (a datagram longer than {@code len} is cut to {@code len} and counted in
     *         {@link #truncatedFrames()}), {@link #TIMEOUT}, or {@link #WAKEUP} after {@link #wakeup()}
     *         (a wakeup while nobody waits makes the next empty poll return it) or once closed
     * @throws IllegalStateException if the receive thread was started
     * @throws UdpBearerException {@code SOCKET} for a receive error
     */
    public int poll(byte[] buf, int off, int len, byte[] srcMedia, int srcOff, int timeoutMs) throws IOException {
        if (rxThread != null) {
            throw new IllegalStateException("bearer " + name + " has a receive thread; poll() is for event loops");
        }
        Objects.checkFromIndexSize(off, len, buf.length);
        if (srcMedia != null) {
            Objects.checkFromIndexSize(srcOff, UdpMedia.BLOCK_SIZE, srcMedia.length);
        }
        return receive(buf, off, len, srcMedia, srcOff, timeoutMs);
    }

    /**
     * {@link #poll(byte[], int, int, byte[], int, int)} with the source block written to
     * {@code srcMedia[0..31]}: the same shape as {@code EthBearer.poll(buf, off, len, srcMac, timeoutMs)}.
     */
    public int poll(byte[] buf, int off, int len, byte[] srcMedia, int timeoutMs) throws IOException {
        return poll(buf, off, len, srcMedia, 0, timeoutMs);
    }

    private int receive(byte[] buf, int off, int len, byte[] srcMedia, int srcOff, long timeoutMs) throws IOException {
        long deadline = timeoutMs > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs) : 0;
        for (;;) {
            if (closed) {
                return WAKEUP;
            }
            int n;
            try {
                n = tryReceive(buf, off, len, srcMedia, srcOff);
            } catch (ClosedChannelException | ClosedSelectorException e) {
                return WAKEUP;
            } catch (IOException e) {
                if (closed) {
                    return WAKEUP;
                }
                throw new UdpBearerException(UdpBearerException.Reason.SOCKET, "receive failed on bearer " + name + ": "
                        + e.getMessage(), e);
            }
            if (n >= 0) {
                return n;
            }
            if (wakeupPending) {
                wakeupPending = false;
                return WAKEUP;
            }
            if (timeoutMs == 0) {
                return TIMEOUT;
            }
            try {
                if (timeoutMs < 0) {
                    selector.select(IGNORE_KEY);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return TIMEOUT;
                    }
                    selector.select(IGNORE_KEY, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
                }
            } catch (ClosedSelectorException e) {
                return WAKEUP;
            }
        }
    }

    /** One non-blocking pass over the sockets, starting after the one that delivered last. */
    private int tryReceive(byte[] buf, int off, int len, byte[] srcMedia, int srcOff) throws IOException {
        int count = channels.length;
        for (int i = 0; i < count; i++) {
            int idx = (nextChannel + i) % count;
            rxBuf.clear();
            SocketAddress sa = channels[idx].receive(rxBuf);
            if (sa == null) {
                continue;
            }
            nextChannel = idx + 1;
            if (lossRandom != null && lossRandom.nextDouble() < lossFraction) {
                droppedByLoss++;
                continue;
            }
            int n = rxBuf.position();
            rxBuf.flip();
            int c = Math.min(n, len);
            rxBuf.get(buf, off, c);
            if (n > len) {
                truncatedFrames++;
            }
            InetSocketAddress src = (InetSocketAddress) sa;
            lastSource = src;
            byte[] block = sourceCache.blockOf(src);
            if (srcMedia != null) {
                System.arraycopy(block, 0, srcMedia, srcOff, UdpMedia.BLOCK_SIZE);
            }
            framesReceived++;
            if (learn && group == null && isOwnDiscovery(buf, off, c)) {
                learnPeer(src);
            }
            return c;
        }
        return -1;
    }

    /**
     * True if {@code buf[off..off+len)} frames as a valid TIPC message (TipcCodec.validateFrame) and
     * is a LINK_CONFIG DSC_REQ/DSC_RESP for this bearer's net id (w4, msg_bc_netid): the only
     * datagrams that may teach a replicast peer. Allocates nothing.
     */
    private boolean isOwnDiscovery(byte[] buf, int off, int len) {
        if (len < Tipc.MIN_H_SIZE || ((buf[off] >> 1) & 0xF) != Tipc.LINK_CONFIG) {
            return false; // cheap pre-check: most datagrams are not discovery
        }
        if (!io.jtipc.wire.TipcCodec.validateFrame(buf, off, len).isOk()) {
            return false;
        }
        int type = (buf[off + 4] >> 5) & 7;
        if (type != Tipc.DSC_REQ_MSG && type != Tipc.DSC_RESP_MSG) {
            return false;
        }
        int w4 = (buf[off + 16] & 0xFF) << 24 | (buf[off + 17] & 0xFF) << 16 | (buf[off + 18] & 0xFF) << 8
                | (buf[off + 19] & 0xFF);
        return w4 == netId;
    }

    /**
     * Removes learnt peers that sent no valid discovery frame for the configured expiry; called
     * before each replicast broadcast and before learning a new peer.
     *
     * @return how many were removed
     */
    public int expireLearntPeers() {
        long now = clockMs.getAsLong();
        Peer[] cur = peers;
        boolean any = false;
        for (Peer p : cur) {
            if (p.learnt && now - p.lastSeenMs > learntExpiryMs) {
                any = true;
                break;
            }
        }
        if (!any) {
            return 0;
        }
        int removed = 0;
        synchronized (peerLock) {
            cur = peers;
            List<Peer> keep = new ArrayList<>(cur.length);
            for (Peer p : cur) {
                if (p.learnt && now - p.lastSeenMs > learntExpiryMs) {
                    removed++;
                    LOG.log(System.Logger.Level.INFO, name + ": forgetting learnt replicast peer "
                            + UdpMedia.format(p.addr) + ": no discovery for " + (now - p.lastSeenMs) + " ms");
                } else {
                    keep.add(p);
                }
            }
            peers = keep.toArray(new Peer[0]);
        }
        peersExpired += removed;
        return removed;
    }

    /**
     * {@code tipc_udp_rcast_disc}: a valid discovery datagram from an unknown unicast source adds its
     * IP:port as a learnt peer (within the cap); from a learnt peer it refreshes its expiry.
     */
    private void learnPeer(InetSocketAddress src) {
        for (Peer p : peers) {
            if (p.addr.equals(src)) {
                if (p.learnt) {
                    p.lastSeenMs = clockMs.getAsLong();
                }
                return;
            }
        }
        if (src.equals(local) || src.getPort() == 0 || src.getAddress().isMulticastAddress()) {
            return;
        }
        expireLearntPeers();
        try {
            if (addPeer(src, true)) {
                peersLearnt++;
                LOG.log(System.Logger.Level.INFO, name + ": learnt replicast peer " + UdpMedia.format(src)
                        + " from its discovery");
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, name + ": not learning " + src + ": " + e.getMessage());
        }
    }

    /** Source IP:port of the last datagram received (null before the first). */
    public InetSocketAddress lastSource() {
        return lastSource;
    }

    /** Makes a waiting {@link #poll} (or the next one that finds nothing) return {@link #WAKEUP}. */
    public void wakeup() {
        wakeupPending = true;
        try {
            selector.wakeup();
        } catch (ClosedSelectorException ignored) {
            // closed: poll returns WAKEUP anyway
        }
    }

    /**
     * Starts the receive thread; each datagram goes to {@code handler}. An exception from the handler
     * is logged and counted ({@link #handlerFailures()}) and the loop goes on; a receive error goes
     * to {@code onError} (null = log it), is counted ({@link #receiveErrors()}) and the loop goes on
     * after 20 ms.
     *
     * @throws IllegalStateException if already started or closed
     */
    public synchronized void start(FrameHandler handler, Consumer<IOException> onError) {
        Objects.requireNonNull(handler, "handler");
        if (rxThread != null) {
            throw new IllegalStateException("bearer " + name + " already started");
        }
        if (closed) {
            throw new IllegalStateException("bearer " + name + " is closed");
        }
        running = true;
        Thread t = new Thread(() -> receiveLoop(handler, onError), "jtipc-udp-rx-" + name.substring(4));
        t.setDaemon(true);
        rxThread = t;
        t.start();
    }

    private void receiveLoop(FrameHandler handler, Consumer<IOException> onError) {
        ReceiveErrorBackoff errors = new ReceiveErrorBackoff(name, LOG);
        byte[] buf = new byte[MAX_FRAME];
        byte[] src = new byte[UdpMedia.BLOCK_SIZE];
        while (running) {
            int n;
            try {
                n = receive(buf, 0, buf.length, src, 0, -1);
            } catch (IOException e) {
                if (!running || closed) {
                    break;
                }
                receiveErrors++;
                try {
                    Thread.sleep(errors.failed(e, onError));
                } catch (InterruptedException ie) {
                    break;
                }
                continue;
            }
            errors.succeeded();
            if (n < 0) {
                continue; // WAKEUP (close clears running first) or TIMEOUT
            }
            try {
                handler.onFrame(src, buf, n);
            } catch (RuntimeException e) {
                handlerFailures++;
                LOG.log(System.Logger.Level.WARNING, "frame handler of " + name + " failed", e);
            }
        }
    }

    /** True while the receive thread runs. */
    public boolean isReceiving() {
        Thread t = rxThread;
        return t != null && t.isAlive();
    }

    /** Datagrams received (both sockets). */
    public long framesReceived() { return framesReceived; }

    /** Datagrams dropped by the configured receive loss ({@link UdpBearerConfig#receiveLoss}). */
    public long framesDroppedByLoss() { return droppedByLoss; }
    /** Datagrams sent (each replicast copy counts). */
    public long framesSent() { return framesSent; }
    /** Sends dropped because the socket send buffer was full. */
    public long sendsDropped() { return sendsDropped; }
    /** Datagrams longer than the caller's buffer, cut. */
    public long truncatedFrames() { return truncatedFrames; }
    /** Replicast peers learnt from discovery datagrams. */
    public long peersLearnt() { return peersLearnt; }

    /** Valid discovery frames from new sources not learnt because the learnt-peer cap was reached. */
    public long peersNotLearnt() { return peersNotLearnt; }

    /** Learnt replicast peers removed because they sent no valid discovery for the expiry time. */
    public long peersExpired() { return peersExpired; }
    /** Handler calls that threw. */
    public long handlerFailures() { return handlerFailures; }
    /** Receive errors seen by the receive thread. */
    public long receiveErrors() { return receiveErrors; }

    /** True until {@link #close()}. */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Stops the receive thread (wakes it and waits up to 5 s for it to end, unless called from the
     * handler itself), leaves the group and closes the sockets. Idempotent.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            closed = true;
            t = rxThread;
        }
        wakeup();
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (AutoCloseable c : new AutoCloseable[] {selector, unicast, groupChannel}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.DEBUG, name + ": close: " + e.getMessage());
                }
            }
        }
    }

    @Override
    public String toString() {
        return "UdpBearer[" + name + " " + UdpMedia.format(local)
                + (group != null ? " multicast " + UdpMedia.format(group) : " replicast " + peers().size() + " peers") + "]";
    }

    // ------------------------------------------------------------------ caches

    /** Media block (proto, port, IP: 20 bytes) to socket address; linear, bounded, allocation-free on a hit. */
    private static final class DestCache {
        private final long[] k0;
        private final long[] k1;
        private final int[] k2;
        private final InetSocketAddress[] v;
        private int size;
        private int next;

        DestCache(int capacity) {
            k0 = new long[capacity];
            k1 = new long[capacity];
            k2 = new int[capacity];
            v = new InetSocketAddress[capacity];
        }

        private static long getLong(byte[] b, int o) {
            long r = 0;
            for (int i = 0; i < 8; i++) {
                r = (r << 8) | (b[o + i] & 0xFF);
            }
            return r;
        }

        private static int getInt(byte[] b, int o) {
            return (b[o] & 0xFF) << 24 | (b[o + 1] & 0xFF) << 16 | (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
        }

        InetSocketAddress lookup(byte[] block, int off) {
            Objects.checkFromIndexSize(off, UdpMedia.BLOCK_SIZE, block.length);
            if (block[off + 3] != Tipc.MEDIA_TYPE_UDP) {
                return null;
            }
            long a = getLong(block, off + 4);
            long b = getLong(block, off + 12);
            int c = getInt(block, off + 20);
            for (int i = 0; i < size; i++) {
                if (k0[i] == a && k1[i] == b && k2[i] == c) {
                    return v[i];
                }
            }
            return null;
        }

        void put(byte[] block, int off, InetSocketAddress addr) {
            int i = size < v.length ? size++ : next++ % v.length;
            k0[i] = getLong(block, off + 4);
            k1[i] = getLong(block, off + 12);
            k2[i] = getInt(block, off + 20);
            v[i] = addr;
        }
    }

    /** Source socket address to its media block; bounded, compared with equals, so a hit allocates nothing. */
    private static final class SourceCache {
        private final InetSocketAddress[] keys;
        private final byte[][] blocks;
        private int size;
        private int next;

        SourceCache(int capacity) {
            keys = new InetSocketAddress[capacity];
            blocks = new byte[capacity][];
        }

        byte[] blockOf(InetSocketAddress src) {
            for (int i = 0; i < size; i++) {
                InetSocketAddress k = keys[i];
                if (k == src || k.equals(src)) {
                    return blocks[i];
                }
            }
            int i = size < keys.length ? size++ : next++ % keys.length;
            keys[i] = src;
            blocks[i] = UdpMedia.addrToMsg(new InetSocketAddress(stripScope(src.getAddress()), src.getPort()));
            return blocks[i];
        }
    }
}
