package io.jtipc.bearer.udp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.jtipc.bearer.LossGenerator;
import io.jtipc.bearer.SocketBuffers;

/**
 * What {@code tipc bearer enable media udp name NAME localip IP [localport P] [remoteip IP]
 * [remoteport P]} configures, for {@link UdpBearer#open(UdpBearerConfig)}. Mutable, fluent; checked
 * when the bearer opens.
 *
 * <p>Discovery runs one of two ways, as in {@code tipc_udp_enable} (udp_media.c), chosen by the
 * remote address:
 * <ul>
 * <li><b>multicast</b> (the default): broadcast-class frames (discovery, broadcast link) go to one
 *     multicast group, by default iproute2's group for net id {@value UdpMedia#DEFAULT_NET_ID}
 *     ({@code 228.0.18.103:6118} for IPv4, {@code [ff02::4711]:6118} for IPv6), see
 *     {@link #multicast(InetSocketAddress)} and {@link #multicastForNetId(int)};</li>
 * <li><b>replicast</b>: a unicast remote address makes the bearer copy every broadcast-class frame
 *     to each configured peer ({@code tipc_udp_rcast_add}); {@link #replicast} sets the first peers,
 *     {@link UdpBearer#addPeer} adds more at run time.</li>
 * </ul>
 * A multicast address passed to {@link #replicast} or {@link #remote} selects multicast mode, as
 * a multicast {@code remoteip} does for the kernel.
 */
public final class UdpBearerConfig {
    /** Default cap on replicast peers learnt from discovery (configured peers do not count). */
    public static final int DEFAULT_MAX_LEARNT_PEERS = 64;
    /**
     * Default time after which a learnt peer that sent no valid discovery frame is forgotten, ms: three of the
     * kernel's discovery intervals once a bearer has linked nodes (TIPC_DISC_SLOW, 60 s, discover.c
     * tipc_disc_timeout), so a linked peer is kept through two lost discovery frames.
     */
    public static final long DEFAULT_LEARNT_PEER_EXPIRY_MS = 180_000;

    private final InetSocketAddress local;
    private String name;
    private InetSocketAddress group;
    private final List<InetSocketAddress> peers = new ArrayList<>();
    private boolean replicast;
    private int netId = UdpMedia.DEFAULT_NET_ID;
    private int multicastTtl = 64;
    private boolean multicastLoop = true;
    private boolean learnPeers = true;
    private int maxLearntPeers = DEFAULT_MAX_LEARNT_PEERS;
    private long learntPeerExpiryMs = DEFAULT_LEARNT_PEER_EXPIRY_MS;
    private java.util.function.LongSupplier clockMs = UdpBearerConfig::monotonicMs;
    private int receiveBufferSize = SocketBuffers.DEFAULT_RECEIVE_BUFFER_BYTES;
    private int sendBufferSize = SocketBuffers.DEFAULT_SEND_BUFFER_BYTES;
    private int mtu;
    private boolean gso = true;
    private LossGenerator lossGenerator = LossGenerator.NONE;

    private UdpBearerConfig(InetSocketAddress local) {
        this.local = Objects.requireNonNull(local, "local");
    }

    /**
     * Local IP and port ({@code localip}, {@code localport}); port 0 takes a free ephemeral port
     * (a jtipc extension; the media address then advertises the port actually bound).
     */
    public static UdpBearerConfig local(InetSocketAddress local) {
        return new UdpBearerConfig(local);
    }

    /** Local IP and port. */
    public static UdpBearerConfig local(InetAddress ip, int port) {
        return new UdpBearerConfig(new InetSocketAddress(ip, port));
    }

    /**
     * Local {@code IP[:port]}, numeric ({@code 10.0.0.1}, {@code 10.0.0.1:6118}, {@code [::1]:6118});
     * port {@value UdpMedia#DEFAULT_PORT} when none is given.
     *
     * @throws IllegalArgumentException if the text is not a numeric IP[:port]
     */
    public static UdpBearerConfig local(String ipPort) {
        return new UdpBearerConfig(UdpMedia.parse(ipPort, UdpMedia.DEFAULT_PORT));
    }

    /**
     * Bearer name after "udp:" (the kernel's {@code name NAME}); default "u" + the bound port.
     *
     * @param name 1 to 15 ASCII characters other than NUL and ',' (bearer.c bearer_name_validate: the interface part
     *             of a bearer name fits TIPC_MAX_IF_NAME = 16 bytes with its NUL; links carry it in their RESET/ACTIVATE
     *             messages, so a longer one would be cut on the wire; ',' separates the options of a bearer spec)
     * @throws IllegalArgumentException for any other name
     */
    public UdpBearerConfig name(String name) {
        this.name = checkName(name);
        return this;
    }

    /**
     * Checks a UDP bearer name as {@link #name(String)} takes it.
     *
     * @return {@code name}
     * @throws IllegalArgumentException naming the rule if it is empty, longer than 15 characters, or has a NUL, a
     *         ',' or a character outside ASCII (the kernel checks only the length; a peer's name is escaped where shown)
     */
    public static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        boolean ok = !name.isEmpty() && name.length() <= 15;
        for (int i = 0; ok && i < name.length(); i++) {
            char c = name.charAt(i);
            ok = c > 0 && c < 0x80 && c != ',';
        }
        if (!ok) {
            throw new IllegalArgumentException("bad UDP bearer name '" + io.jtipc.wire.PeerText.escape(name)
                + "': want 1 to 15 ASCII characters other than NUL and ',' (TIPC_MAX_IF_NAME)");
        }
        return name;
    }

    /** Multicast discovery to {@code group} (IP and port); the group must be a multicast address. */
    public UdpBearerConfig multicast(InetSocketAddress group) {
        this.group = Objects.requireNonNull(group, "group");
        this.replicast = false;
        this.peers.clear();
        return this;
    }

    /** Multicast discovery to iproute2's group for {@code netId} ({@link UdpMedia#multicastGroup}), port 6118. */
    public UdpBearerConfig multicastForNetId(int netId) {
        this.netId = netId;
        this.group = null;
        this.replicast = false;
        this.peers.clear();
        return this;
    }

    /**
     * Replicast discovery to these peers (possibly none yet: peers can be added at run time or
     * learnt, see {@link #learnPeers}). A multicast address among them selects multicast mode
     * with that group instead, like the kernel's {@code remoteip}.
     */
    public UdpBearerConfig replicast(InetSocketAddress... peers) {
        this.group = null;
        this.peers.clear();
        this.replicast = true;
        for (InetSocketAddress p : peers) {
            remote(p);
        }
        return this;
    }

    /** The kernel's {@code remoteip}/{@code remoteport}: a multicast IP sets the group, a unicast one adds a replicast peer. */
    public UdpBearerConfig remote(InetSocketAddress remote) {
        Objects.requireNonNull(remote, "remote");
        if (remote.getAddress() != null && remote.getAddress().isMulticastAddress()) {
            return multicast(remote);
        }
        if (group != null) {
            throw new IllegalArgumentException("bearer is configured for multicast group " + UdpMedia.format(group)
                    + "; cannot add replicast peer " + UdpMedia.format(remote));
        }
        this.replicast = true;
        if (!peers.contains(remote)) {
            peers.add(remote);
        }
        return this;
    }

    /** IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS; default 64, the route hop limit the kernel's UDP tunnel uses. */
    public UdpBearerConfig multicastTtl(int ttl) {
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("multicast TTL " + ttl + " is not in 0..255");
        }
        this.multicastTtl = ttl;
        return this;
    }

    /**
     * IP_MULTICAST_LOOP; default true as for the kernel's socket, so bearers on one host hear each
     * other (the bearer also receives its own multicast frames; discovery drops them as the kernel's does).
     */
    public UdpBearerConfig multicastLoop(boolean loop) {
        this.multicastLoop = loop;
        return this;
    }

    /**
     * Replicast only: add the source IP:port of a received discovery datagram to the peer list when
     * it is not there yet ({@code tipc_udp_rcast_disc}). Default true. Only a datagram that frames
     * as a valid TIPC message ({@code TipcCodec.validateFrame}) and is a LINK_CONFIG DSC_REQ or
     * DSC_RESP of this bearer's {@link #netId(int) net id} teaches a peer; at most
     * {@link #maxLearntPeers} are kept, and a learnt peer is forgotten when it sent no such frame for
     * {@link #learntPeerExpiryMs} (configured peers never are). Note: the kernel only reaches that
     * code while the bearer is not yet up, so a kernel node in practice learns nothing; configure
     * peers on the kernel side explicitly.
     */
    public UdpBearerConfig learnPeers(boolean learn) {
        this.learnPeers = learn;
        return this;
    }

    /**
     * Network (cluster) id, default {@value UdpMedia#DEFAULT_NET_ID}: discovery frames of another
     * net id teach no replicast peer; in multicast mode without an explicit group it also selects
     * iproute2's group ({@link UdpMedia#defaultGroup}). Does not change the mode.
     */
    public UdpBearerConfig netId(int netId) {
        this.netId = netId;
        return this;
    }

    /**
     * Cap on learnt replicast peers (default {@value #DEFAULT_MAX_LEARNT_PEERS}); discovery frames
     * from further sources are dropped from learning and counted ({@link UdpBearer#peersNotLearnt()}).
     *
     * @throws IllegalArgumentException if negative
     */
    public UdpBearerConfig maxLearntPeers(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max learnt peers " + max + " < 0");
        }
        this.maxLearntPeers = max;
        return this;
    }

    /**
     * A learnt peer that sent no valid discovery frame for this long is removed, ms (default
     * {@value #DEFAULT_LEARNT_PEER_EXPIRY_MS}). A linked peer's discovery comes every 60 s (the kernel's TIPC_DISC_SLOW;
     * 1 s while its bearer has no node): a value at or below 60 000 forgets linked peers between two of them.
     *
     * @throws IllegalArgumentException if not positive
     */
    public UdpBearerConfig learntPeerExpiryMs(long ms) {
        if (ms <= 0) {
            throw new IllegalArgumentException("learnt peer expiry " + ms + " ms is not positive");
        }
        this.learntPeerExpiryMs = ms;
        return this;
    }

    /** Monotonic clock in ms used for learnt peer expiry (default from System.nanoTime; tests inject one). */
    public UdpBearerConfig clockMs(java.util.function.LongSupplier clockMs) {
        this.clockMs = Objects.requireNonNull(clockMs, "clockMs");
        return this;
    }

    private static long monotonicMs() {
        return System.nanoTime() / 1_000_000;
    }

    /**
     * SO_RCVBUF requested, bytes (default {@link SocketBuffers#DEFAULT_RECEIVE_BUFFER_BYTES}, 16 MiB; 0 = keep the
     * kernel default). Set with SO_RCVBUF, then, on IPv4 when the kernel capped it at net.core.rmem_max, with
     * SO_RCVBUFFORCE (CAP_NET_ADMIN); a short grant is logged once per process.
     */
    public UdpBearerConfig receiveBufferSize(int bytes) {
        this.receiveBufferSize = bytes;
        return this;
    }

    /**
     * SO_SNDBUF requested, bytes (default {@link SocketBuffers#DEFAULT_SEND_BUFFER_BYTES}, 16 MiB; 0 = kernel
     * default), set as {@link #receiveBufferSize(int)} with SO_SNDBUFFORCE and net.core.wmem_max.
     */
    public UdpBearerConfig sendBufferSize(int bytes) {
        this.sendBufferSize = bytes;
        return this;
    }

    /** Bearer MTU in bytes; 0 (default) = the kernel's: 14000 IPv4, 1280 IPv6. See {@link UdpBearer#setMtu}. */
    public UdpBearerConfig mtu(int mtu) {
        this.mtu = mtu;
        return this;
    }

    /**
     * Segmentation offload (IPv4; default true): when the bearer's interface takes a whole bearer-MTU datagram
     * without IP fragmentation when the bearer opens (its MTU at least {@link #mtu(int) the bearer MTU} + 28:
     * loopback, or a jumbo-frame interface with a bearer MTU set at most its MTU - 28; a later
     * {@code UdpBearer.setMtu} does not turn it on, and one above what the interface takes turns it off at the first
     * refused send), a run of equal-sized datagrams to one peer leaves in one {@code sendmsg} that the kernel cuts up
     * ({@code UDP_SEGMENT}, net/ipv4/udp_offload.c) and the receive socket takes such runs whole ({@code UDP_GRO})
     * and the bearer splits them again: the same datagrams on the wire, fewer trips through the stack (a 64 KiB
     * STREAM chunk is 2 sends instead of 5). The kernel refuses {@code UDP_SEGMENT} on a socket with UDP checksums
     * off, so such a bearer computes UDP checksums (offloaded) where the kernel's sends 0; any receiver accepts both.
     * Off, or on an interface with a smaller MTU, the datagrams carry checksum 0 as the kernel's. System property
     * {@code jtipc.udpGso=false} turns it off for every bearer of the process.
     */
    public UdpBearerConfig gso(boolean on) {
        this.gso = on;
        return this;
    }

    /**
     * Fault injection, for tests (what netem loss does on a real interface, which loopback cannot have without
     * root): {@code loss} decides, for each received datagram, whether it is dropped before it reaches the handler
     * or poll, e.g. {@code new RandomLossGenerator(0.2, seed)}. Dropped datagrams are counted
     * ({@link UdpBearer#framesDroppedByLoss()}). Default {@link LossGenerator#NONE}. The generator is asked on the
     * bearer's receiving thread, so give each bearer its own (a {@code RandomLossGenerator} is not thread-safe, and
     * one shared by two bearers would make a seeded run unrepeatable); in {@code poll} mode a dropped datagram may
     * already have been copied into the caller's buffer, whose content is defined only for the length returned.
     */
    public UdpBearerConfig lossGenerator(LossGenerator loss) {
        this.lossGenerator = Objects.requireNonNull(loss, "loss");
        return this;
    }

    /** What drops received datagrams on purpose (see {@link #lossGenerator(LossGenerator)}). */
    public LossGenerator lossGenerator() { return lossGenerator; }

    public InetSocketAddress localAddress() { return local; }
    public String name() { return name; }
    /** The group set explicitly, or null (then the net id rule applies in multicast mode). */
    public InetSocketAddress group() { return group; }
    public List<InetSocketAddress> peers() { return List.copyOf(peers); }
    public boolean isReplicast() { return replicast && group == null; }
    public int netId() { return netId; }
    public int multicastTtl() { return multicastTtl; }
    public boolean multicastLoop() { return multicastLoop; }
    public boolean learnPeers() { return learnPeers; }
    public int maxLearntPeers() { return maxLearntPeers; }
    public long learntPeerExpiryMs() { return learntPeerExpiryMs; }
    public java.util.function.LongSupplier clockMs() { return clockMs; }
    public int receiveBufferSize() { return receiveBufferSize; }
    public int sendBufferSize() { return sendBufferSize; }
    public int mtu() { return mtu; }
    /** Whether segmentation offload may be used (see {@link #gso(boolean)}). */
    public boolean gso() { return gso; }
}
