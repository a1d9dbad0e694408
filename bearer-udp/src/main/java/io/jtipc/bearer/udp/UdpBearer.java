package io.jtipc.bearer.udp;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.jtipc.bearer.LeadFaults;
import io.jtipc.bearer.Leadable;
import io.jtipc.bearer.LossGenerator;
import io.jtipc.bearer.Media;
import io.jtipc.bearer.NetNs;
import io.jtipc.bearer.ReceiveLoop;

/**
 * The UDP bearer's I/O shell ({@code net/tipc/udp_media.c}): the {@link Media} that carries TIPC
 * messages as whole UDP payloads over IPv4 or IPv6, on {@link DatagramChannel}s, so no privilege is
 * needed. It holds no protocol state: the sans-IO core decides what goes where; the bearer sends it
 * and hands every received datagram, with its source's media address, back. The sockets are set up
 * by {@link UdpSockets}, the replicast peer list is {@link ReplicastPeers}, the receive thread is the
 * shared {@link ReceiveLoop}; the send batch is {@link UdpTx}, the receive side {@link UdpRx}; this class is the façade.
 *
 * <h2>Addresses</h2>
 * The bearer's media address is the 20-byte {@code struct udp_media_addr} (proto, port, IP; see
 * {@link UdpMedia#mediaAddr}), what the kernel keeps in {@code tipc_media_addr.value}.
 * {@link #address()} is this bearer's, for the discovery it sends;
 * {@link #send(byte[], int, byte[], int, int)} takes the one a peer advertised, because replies and
 * all link traffic go to the IP:port of the peer's media address, never to the IP header source.
 * Each destination is converted to a socket address once and cached ({@link DestinationCache}),
 * each source once to its media address ({@link SourceCache}); the 32-byte discovery block is the
 * core's business.
 *
 * <h2>Discovery: multicast or replicast</h2>
 * {@link #broadcast} is the kernel's send to the bearer's broadcast address: to the multicast group
 * in multicast mode, or one copy to each replicast peer ({@code tipc_udp_send_msg} with
 * TIPC_REPLICAST_SUPPORT). Peers are added and removed at run time with {@link #addPeer} and
 * {@link #removePeer} without disturbing traffic to the others, and, unless disabled, learnt from
 * the source of received discovery datagrams ({@code tipc_udp_rcast_disc}; guarded, capped and
 * expiring, see {@link ReplicastPeers}).
 *
 * <h2>Sockets</h2>
 * One socket bound to the local IP:port sends everything and receives unicast, so frames leave
 * from the advertised address as the kernel's do. In multicast mode a second socket, bound with
 * SO_REUSEADDR to the group address and port, joins the group on the interface that owns the local
 * IP and receives the group's frames. (The kernel binds one socket to the wildcard address instead;
 * binding the group keeps the local port exclusive per local IP, so several bearers, jtipc or
 * kernel, can share a host and a group.) Multicast TTL is 64 and loop on by default, as for the
 * kernel's tunnel socket; the bearer therefore receives its own multicast frames, which discovery
 * drops as the kernel's does. IPv4 datagrams leave with UDP checksum 0 as the kernel's
 * ({@link UdpNoCheck}), except on a bearer with segmentation offload ({@link UdpBearerConfig#gso}, an interface
 * whose MTU takes a bearer-MTU datagram when the bearer opens: loopback, or a jumbo-frame interface with a bearer MTU
 * at most its MTU - 28), whose UDP checksums are computed; IP fragments may carry DF per the host's path-MTU
 * setting, which does not change the bytes of a TIPC message.
 *
 * <h2>MTU</h2>
 * {@link #mtu()} is the kernel's bearer MTU: {@value UdpMedia#IPV4_MTU} bytes for IPv4
 * (TIPC_DEF_LINK_UDP_MTU, IP fragments the datagrams) and {@value UdpMedia#IPV6_MTU} for IPv6; the
 * link layer fragments larger messages to it. {@link #send} itself accepts anything that fits one
 * UDP datagram (65507 bytes IPv4, 65527 IPv6).
 *
 * <h2>Send batches</h2>
 * An IPv4 bearer {@link #holdsQueuedFrames() holds} what {@link #queue} and {@link #queueBroadcast} are given until
 * {@link #flush()}, which sends it with one {@code sendmmsg} per batch ({@link UdpTx}, issue 14: a 64 KiB STREAM
 * chunk at MTU 14000 is five datagrams, one system call instead of five); the datagrams are the same. With
 * segmentation offload ({@link UdpBearerConfig#gso}) a run of equal-sized datagrams to one peer in a batch is one
 * message the kernel cuts up ({@code UDP_SEGMENT}), and the receive batch takes such runs whole ({@code UDP_GRO})
 * and splits them into the same datagrams ({@link UdpRxBatch}). A frame sent
 * at once ({@link #send}, {@link #broadcast}) sends what is queued first, under the batch's send lock, so it never
 * overtakes a frame queued before it (also not one a concurrent flush is still sending). <b>Errors land on the call
 * whose frame failed:</b> {@link #send} and {@link #broadcast} throw for their own frames only; a queued frame's
 * failure is counted in {@link #sendsFailed()} and thrown by the next {@link #flush()} (whichever call's system call
 * it was), never by a {@link #queue} or a later {@link #send}. IPv6 bearers (and IPv4 ones whose
 * descriptor cannot be found through procfs, or with system property {@code jtipc.udpSendBatch=false}) send each
 * queued frame at once with {@link DatagramChannel#send}, as before.
 *
 * <h2>Receiving two ways, choose one per bearer</h2>
 * <ul>
 * <li>{@link #start}: a receive thread {@code jtipc-udp-rx-<name>} calls a {@link Media.FrameHandler};</li>
 * <li>{@link #poll}: an event loop asks for the next frame with a timeout (0 = do not wait) and
 *     interrupts a wait with {@link #wakeup()}.</li>
 * </ul>
 * An IPv4 bearer with one socket (replicast mode) reads what is queued with one {@code recvmmsg} per up to
 * {@value UdpRxBatch#BATCH} datagrams into native memory allocated once ({@link UdpRxBatch}, issue 14: a 64 KiB
 * STREAM chunk at MTU 14000 is five datagrams, one system call instead of five), and hands them over one by one in
 * the socket's order, each with its own source; IPv6 and multicast bearers (and IPv4 ones whose descriptor cannot be
 * found through procfs, or with system property {@code jtipc.udpRecvBatch=false}) read each datagram with
 * {@link DatagramChannel#receive}. Neither allocates per frame (beyond what {@link DatagramChannel} itself does: it
 * reuses its sender address object while the sender stays the same): frames are copied into the caller's array and
 * source addresses come from a small cache. Handler arguments are the
 * bearer's own buffers, valid only during the call. Sending is thread-safe; {@link #poll} is for one
 * thread. A {@link LossGenerator} ({@link UdpBearerConfig#lossGenerator}, none by default) may drop
 * received datagrams on purpose, for tests.
 */
public final class UdpBearer implements Media, Leadable {
    /** Size of the receive buffer: any UDP payload fits. */
    public static final int MAX_FRAME = 65536;

    private final UdpSockets sockets;
    private final String name;
    private final boolean ipv6;
    private final InetSocketAddress group;
    private final byte[] address;
    private final ReplicastPeers peers;
    private volatile int mtu;
    /** The IPv4 send batch, or null when each frame is sent at once (IPv6; see {@link UdpTx#open}). */
    private final UdpTx tx;
    /** The multicast group's raw media address (the batched broadcast's destination), or null in replicast mode. */
    private final byte[] groupMedia;

    private final Object txLock = new Object();
    private final ByteBuffer txBuf = ByteBuffer.allocateDirect(MAX_FRAME);
    private final DestinationCache destinations = new DestinationCache(32);

    /** The receive side: receive thread, event-loop receive, leader receive ({@link UdpRx}). */
    private final UdpRx rx;
    private volatile boolean closed;

    private volatile long framesSent;
    private volatile long sendsDropped;
    private volatile long sendsFailed;

    private UdpBearer(UdpSockets s, UdpBearerConfig cfg) {
        this.sockets = s;
        this.name = s.name;
        this.ipv6 = s.ipv6;
        this.group = s.group;
        this.mtu = s.mtu;
        this.address = UdpMedia.mediaAddr(s.local);
        this.peers = new ReplicastPeers(name, ipv6, s.local, cfg);
        this.tx = UdpTx.open(name, s.local, s.gso); // in the bearer's namespace: procfs shows its sockets
        this.groupMedia = group == null ? null : UdpMedia.mediaAddr(group);
        this.rx = new UdpRx(s, peers, cfg.learnPeers() && group == null, cfg.lossGenerator());
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
        UdpSockets s = UdpSockets.open(cfg);
        try {
            UdpBearer b = new UdpBearer(s, cfg);
            for (InetSocketAddress p : cfg.peers()) {
                b.addPeer(p);
            }
            return b;
        } catch (Throwable e) {
            s.close(); // also after an Error (e.g. direct buffer memory while the bearer allocates its buffers)
            throw e;
        }
    }

    // ------------------------------------------------------------------ identity

    /** Bearer name as the kernel names it: {@code udp:<name>}. */
    @Override
    public String name() {
        return name;
    }

    /** The bound local IP and port (the port actually bound when 0 was configured). */
    public InetSocketAddress localAddress() {
        return sockets.local;
    }

    /** {@value UdpMedia#UDP_ADDR_SIZE}: the media address is a {@code struct udp_media_addr}. */
    @Override
    public int addressLength() {
        return UdpMedia.UDP_ADDR_SIZE;
    }

    /**
     * The bearer's media address ({@code struct udp_media_addr} of the bound local IP:port, 20
     * bytes, see {@link UdpMedia#mediaAddr}) as a new array: what its discovery advertises.
     */
    @Override
    public byte[] address() {
        return address.clone();
    }

    /** Writes the bearer's 20-byte media address to {@code dst[off..off+19]}. */
    public void address(byte[] dst, int off) {
        System.arraycopy(address, 0, dst, off, UdpMedia.UDP_ADDR_SIZE);
    }

    /**
     * Whether IPv4 datagrams leave with UDP checksum 0 like the kernel's (SO_NO_CHECK set, see
     * {@code UdpNoCheck}); false for IPv6 (checksums are mandatory there and the kernel computes them) or
     * when the socket could not be found (logged at open; the kernel accepts checksummed datagrams), or with
     * segmentation offload ({@link #udpSegmentationOffload()}; set once the kernel refused it).
     */
    public boolean udpChecksumsOff() {
        return sockets.checksumsOff || tx != null && tx.checksumsOffSinceRefusal();
    }

    /**
     * Whether runs of equal-sized datagrams to one peer leave as one segmentation offload send ({@code UDP_SEGMENT})
     * and arrive as one ({@code UDP_GRO}): {@link UdpBearerConfig#gso} on an IPv4 bearer whose interface takes a
     * bearer-MTU datagram, and not turned off since by a send the kernel refused (logged once).
     */
    public boolean udpSegmentationOffload() {
        return tx != null && tx.gso();
    }

    /** True for IPv6, false for IPv4. */
    public boolean isIpv6() {
        return ipv6;
    }

    /** The interface that owns the local IP (multicast is joined there), or null if none was found. */
    public NetworkInterface networkInterface() {
        return sockets.iface;
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
    @Override
    public int mtu() {
        return mtu;
    }

    /**
     * Changes the bearer MTU, as {@code tipc bearer set mtu} does for UDP bearers only.
     *
     * @throws IllegalArgumentException below 128 bytes (IPv4) or 148 (IPv6): TIPC_MIN_BEARER_MTU plus the IP and UDP
     *         headers ({@code tipc_bearer_min_mtu}, net/tipc/bearer.c; {@code encap_hlen}, udp_media.c), under which a
     *         kernel peer ignores the link's RESET/ACTIVATE; or above one UDP datagram (65507 IPv4, 65527 IPv6)
     */
    public void setMtu(int mtu) {
        this.mtu = UdpSockets.checkMtu(mtu, ipv6, sockets.maxPayload);
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
        if (group != null) {
            throw new IllegalStateException("cannot add replicast peer " + UdpMedia.format(peer) + " to multicast bearer "
                    + name + " (group " + UdpMedia.format(group) + ")");
        }
        return peers.add(peer, false);
    }

    /**
     * Removes a replicast peer (a jtipc extension: the kernel has no command for it); the others are
     * not affected.
     *
     * @return false if it was not a peer
     */
    public boolean removePeer(InetSocketAddress peer) {
        return peers.remove(peer);
    }

    /** The replicast peers, in the order added (empty in multicast mode). */
    public List<InetSocketAddress> peers() {
        return peers.addresses();
    }

    /**
     * Removes learnt peers that sent no valid discovery frame for the configured expiry; done before
     * each replicast broadcast and before learning a new peer.
     *
     * @return how many were removed
     */
    public int expireLearntPeers() {
        return peers.expire();
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends the TIPC message {@code frame[off..off+len)} to the IP:port of the 20-byte UDP media
     * address at {@code dest[destOff]} (a peer's, as its discovery advertised it). Never blocks. The
     * address is converted to a socket address the first time only.
     *
     * @return true if sent, false if dropped because the socket send buffer is full (retransmission covers it)
     * @throws IllegalArgumentException if the proto is neither IPv4 nor IPv6 ({@link UdpMedia#mediaAddrProblem})
     * @throws UdpBearerException {@code FRAME_TOO_LARGE} over one datagram, {@code SEND_FAILED}
     *         (other family, network unreachable, ...), {@code CLOSED}
     */
    @Override
    public boolean send(byte[] dest, int destOff, byte[] frame, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, frame.length);
        InetSocketAddress dst;
        synchronized (txLock) {
            dst = destinations.lookup(dest, destOff);
            if (dst == null) {
                String p = UdpMedia.mediaAddrProblem(dest, destOff);
                if (p != null) {
                    throw new IllegalArgumentException("cannot send to this media address: " + p);
                }
                dst = UdpMedia.socketAddress(dest, destOff, sockets.iface);
                destinations.put(dest, destOff, dst);
            }
        }
        return sendTo(dst, frame, off, len);
    }

    /** {@link #send(byte[], int, byte[], int, int)} to an IP:port. */
    public boolean send(InetSocketAddress dst, byte[] frame, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, frame.length);
        return sendTo(dst, frame, off, len);
    }

    /**
     * Sends to the bearer's broadcast address, as discovery and the broadcast link do: to the
     * multicast group, or a copy to every replicast peer (learnt peers gone silent are forgotten
     * first). A failure for one peer does not stop the copies to the others; the first failure of
     * this call's copies is thrown after all were tried (a queued frame's failure is left to {@link #flush()}).
     *
     * @return true if every copy was sent (also with no peers), false if any was dropped because
     *         the send buffer was full
     * @throws UdpBearerException as {@link #send(byte[], int, byte[], int, int)}
     */
    @Override
    public boolean broadcast(byte[] frame, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, frame.length);
        if (group != null) {
            return sendTo(group, frame, off, len);
        }
        peers.expire();
        boolean all = true;
        UdpBearerException first = null;
        for (ReplicastPeers.ReplicastPeer p : peers.snapshot()) {
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

    /**
     * Queues the TIPC message for the IPv4 media address at {@code dest[destOff]} until {@link #flush()} (an IPv6
     * bearer, or an address that is not IPv4, sends at once as {@link #send(byte[], int, byte[], int, int)}). The
     * arrays may be reused at once; allocates nothing.
     *
     * @throws IllegalArgumentException if the proto is neither IPv4 nor IPv6
     * @throws UdpBearerException {@code FRAME_TOO_LARGE}, {@code CLOSED} (also while the bearer closes: the frame is
     *         not queued); never the failure of another queued frame (the next {@link #flush()} reports it)
     */
    @Override
    public void queue(byte[] dest, int destOff, byte[] frame, int off, int len) throws IOException {
        Objects.checkFromIndexSize(destOff, UdpMedia.UDP_ADDR_SIZE, dest.length);
        if (tx == null || dest[destOff] != 0x08 || dest[destOff + 1] != 0x00) {
            send(dest, destOff, frame, off, len); // checks the proto; IPv4-mapped IPv6 goes by the JDK's path
            return;
        }
        Objects.checkFromIndexSize(off, len, frame.length);
        checkSendable(len);
        tx.queue(dest, destOff, frame, off, len);
    }

    /**
     * Queues a frame for the bearer's broadcast address until {@link #flush()}: the multicast group, or one copy per
     * replicast peer (learnt peers gone silent are forgotten first), as {@link #broadcast}. IPv6 sends at once.
     *
     * @throws UdpBearerException as {@link #queue}
     */
    @Override
    public void queueBroadcast(byte[] frame, int off, int len) throws IOException {
        if (tx == null) {
            broadcast(frame, off, len);
            return;
        }
        Objects.checkFromIndexSize(off, len, frame.length);
        checkSendable(len);
        if (groupMedia != null) {
            tx.queue(groupMedia, 0, frame, off, len);
            return;
        }
        peers.expire();
        for (ReplicastPeers.ReplicastPeer p : peers.snapshot()) {
            tx.queue(p.media, 0, frame, off, len); // throws CLOSED only
        }
    }

    /** True for an IPv4 bearer with its send batch ({@link UdpTx}); false when each frame is sent at once (IPv6). */
    @Override
    public boolean holdsQueuedFrames() {
        return tx != null;
    }

    /**
     * Sends every queued frame in one {@code sendmmsg} per batch, in the order queued. A send buffer that is full
     * (EAGAIN, ENOBUFS) drops the rest, counted in {@link #sendsDropped()} (the link retransmits); a socket or
     * interface gone or down (EBADF, ENOTSOCK, ENETDOWN, ENODEV) drops the rest too, another error (ENETUNREACH,
     * EPERM, ...) skips its frame only, both counted in {@link #sendsFailed()}. Frames still queued when the bearer
     * closed went out with its close (best effort).
     *
     * @return frames the kernel took since the last flush that returned normally (0 when nothing was queued, or for
     *         an IPv6 bearer, which sends at once)
     * @throws UdpBearerException {@code SEND_FAILED} when a queued frame failed since the last flush that threw, sent
     *         by this call or earlier (by a queue that had to send a full batch, or before a frame sent at once): the
     *         first one's destination and errno, and how many more failed
     */
    @Override
    public int flush() throws IOException {
        return tx == null ? 0 : tx.flush();
    }

    /** The send batch's {@code sendmmsg} calls (tests; 0 without a batch). */
    long batchSyscalls() {
        return tx == null ? 0 : tx.sendSyscalls();
    }

    /** The receive side (tests). */
    UdpRx receiveSide() {
        return rx;
    }

    /** The send batch (tests), or null. */
    UdpTx sendBatch() {
        return tx;
    }

    private void checkSendable(int len) throws UdpBearerException {
        if (len > sockets.maxPayload) {
            throw tooLarge(len);
        }
        if (closed) {
            throw new UdpBearerException(UdpBearerException.Reason.CLOSED, "bearer " + name + " is closed");
        }
    }

    private UdpBearerException tooLarge(int len) {
        return new UdpBearerException(UdpBearerException.Reason.FRAME_TOO_LARGE, "frame of " + len
                + " bytes does not fit one UDP datagram over " + (ipv6 ? "IPv6" : "IPv4") + " (at most "
                + sockets.maxPayload + " bytes; the bearer MTU is " + mtu + ", larger messages are fragmented by the link)");
    }

    private boolean sendTo(InetSocketAddress dst, byte[] frame, int off, int len) throws IOException {
        if (len > sockets.maxPayload) {
            throw tooLarge(len);
        }
        if (closed) {
            throw new UdpBearerException(UdpBearerException.Reason.CLOSED, "bearer " + name + " is closed");
        }
        if ((dst.getAddress() instanceof Inet6Address) != ipv6) {
            synchronized (txLock) {
                sendsFailed++; // every failed frame counts, as below
            }
            throw new UdpBearerException(UdpBearerException.Reason.SEND_FAILED, "cannot send to " + UdpMedia.format(dst)
                    + " from " + (ipv6 ? "IPv6" : "IPv4") + " bearer " + name);
        }
        if (tx != null) {
            tx.beginDirect(); // what was queued before goes first, and no batch is on its way while this frame goes
        }
        int n;
        try {
            synchronized (txLock) {
                txBuf.clear();
                txBuf.put(frame, off, len);
                txBuf.flip();
                try {
                    n = sockets.unicast.send(txBuf, dst);
                } catch (ClosedChannelException e) {
                    throw new UdpBearerException(UdpBearerException.Reason.CLOSED, "bearer " + name + " is closed", e);
                } catch (IOException e) {
                    sendsFailed++;
                    throw new UdpBearerException(UdpBearerException.Reason.SEND_FAILED, "cannot send to "
                            + UdpMedia.format(dst) + " on bearer " + name + ": " + e.getMessage(), e);
                }
                boolean took = !(n == 0 && len > 0);
                if (took) {
                    framesSent++;
                } else {
                    sendsDropped++;
                }
                return took;
            }
        } finally {
            if (tx != null) {
                tx.endDirect();
            }
        }
    }

    // ------------------------------------------------------------------ receiving

    /**
     * Event-loop receive: copies the next datagram's payload to {@code buf[off..]} and its source's
     * 20-byte media address to {@code src[srcOff..]} (null = not wanted).
     *
     * @param timeoutMs 0 = return at once, negative = wait without limit, else wait up to that many ms
     * @return payload length (a datagram longer than {@code len} is cut to {@code len} and counted in
     *         {@link #truncatedFrames()}), {@link #TIMEOUT}, or {@link #WAKEUP} after {@link #wakeup()}
     *         (a wakeup while nobody waits makes the next empty poll return it) or once closed
     * @throws IllegalStateException if the receive thread was started
     * @throws UdpBearerException {@code SOCKET} for a receive error
     */
    @Override
    public int poll(byte[] buf, int off, int len, byte[] src, int srcOff, int timeoutMs) throws IOException {
        rx.receiveLoop.checkNotStarted();
        Objects.checkFromIndexSize(off, len, buf.length);
        if (src != null) {
            Objects.checkFromIndexSize(srcOff, UdpMedia.UDP_ADDR_SIZE, src.length);
        }
        return rx.poll(buf, off, len, src, srcOff, timeoutMs);
    }

    /**
     * Leader receive (issue 14, a leader/follower receive): an application thread about to wait for a message reads
     * the bearer's datagrams itself and hands each to {@code handler} on its own thread (the node's core runs there),
     * so the datagram's arrival wakes the thread that wants its message instead of the receive thread, which then
     * wakes the application. One leader at a time; the receive thread goes on receiving too (both are woken by an
     * arrival; the receive lock makes them take turns, in order). Reads what is queued, and when nothing was and
     * {@code done} is still false waits once, up to {@code timeoutMs} (negative: no limit) or until
     * {@link #wakeLeader()}, an interrupt, or close, then reads what came.
     *
     * <p>Stops reading as soon as {@code done}, and, once it handed over a datagram, when {@code timeoutMs} has passed
     * since the call or the thread is interrupted (the flag stays set): a stream of other sockets' datagrams does not
     * hold a timed receive past its time. The receive lock is taken in bounded attempts (1 ms each), between which
     * {@code done}, the deadline and an interrupt are looked at. Datagrams a {@code recvmmsg} read and this lead did
     * not hand over (it stopped) are handed over by the receive thread, in order. A handler exception on a datagram is
     * counted ({@link #handlerFailures()}), logged (not per datagram) and the next one handed over, as the receive
     * thread does; a receive error goes to the {@code onError} given to {@link #start}, is counted
     * ({@link #receiveErrors()}) and pauses leading for 20 ms doubling to 1 s (see {@link LeadFaults}). The algorithm
     * is the shared {@link io.jtipc.bearer.LeadDriver}'s (both bearers), whose javadoc gives the contract: threads,
     * locks, units, return values.
     *
     * @return datagrams handed to {@code handler} (0 if none came in time, or after a receive error), or -1 when this
     *         thread cannot lead: another thread leads, the receive thread is not running or (in exclusive mode,
     *         {@code jtipc.udpRxEpoll=exclusive}) is handing datagrams over, the bearer is closed, leading pauses
     *         after a receive error, or an earlier lead failed on an unexpected exception
     */
    public int lead(Media.FrameHandler handler, BooleanSupplier done, long timeoutMs) {
        return rx.lead(handler, done, timeoutMs, null, null);
    }

    /**
     * {@link #lead(Media.FrameHandler, BooleanSupplier, long)}, telling the caller when this thread really leads:
     * {@code started} runs once the lead lock is taken, before the first look at {@code done} (so whatever makes
     * {@code done} true after it can {@link #wakeLeader()} this thread), and {@code ended} runs before the lock is
     * released, only if {@code started} ran. Neither runs when this returns -1 because another thread leads. Either
     * may be null.
     */
    @Override
    public int lead(Media.FrameHandler handler, BooleanSupplier done, long timeoutMs, Runnable started,
            Runnable ended) {
        return rx.lead(handler, done, timeoutMs, started, ended);
    }

    /** Times the receive thread found the receive lock held by another thread, a leader (tests). */
    long rxLockBusy() {
        return rx.rxLockBusy();
    }

    /** True while a thread leads (tests). */
    public boolean leading() {
        return rx.leading();
    }

    /** Makes a {@link #lead} that waits return; from any thread. Nothing when no thread leads (no wakeup is kept for a later lead). */
    @Override
    public void wakeLeader() {
        rx.wakeLeader();
    }

    /** Source IP:port of the last datagram received (null before the first). */
    public InetSocketAddress lastSource() {
        return rx.lastSource();
    }

    /** Makes a waiting {@link #poll} (or the next one that finds nothing) return {@link #WAKEUP}. */
    @Override
    public void wakeup() {
        rx.wakeup();
    }

    /**
     * Starts the receive thread {@code jtipc-udp-rx-<name>}; each datagram goes to {@code handler}
     * with its source's media address. An exception from the handler is logged and counted
     * ({@link #handlerFailures()}) and the loop goes on; a receive error goes to {@code onError}
     * (null = log it), is counted ({@link #receiveErrors()}) and the loop goes on after a pause
     * (20 ms, doubling to 1 s).
     *
     * @throws IllegalStateException if already started or closed
     */
    @Override
    public void start(Media.FrameHandler handler, Consumer<IOException> onError) {
        Objects.requireNonNull(handler, "handler");
        rx.start(handler, onError);
    }

    /** True while the receive thread runs. */
    public boolean isReceiving() {
        return rx.receiveLoop.isAlive();
    }

    /** Datagrams received (both sockets). */
    public long framesReceived() { return rx.framesReceived(); }
    /** Datagrams read by a leading application thread ({@link #lead}), part of {@link #framesReceived()}. */
    public long framesLed() { return rx.framesLed(); }
    /** Datagrams dropped by the configured {@link UdpBearerConfig#lossGenerator loss generator}. */
    public long framesDroppedByLoss() { return rx.droppedByLoss(); }
    /** Datagrams sent (each replicast copy counts), at once or in a send batch. */
    public long framesSent() { return framesSent + (tx == null ? 0 : tx.framesSent()); }
    /** Sends dropped because the socket send buffer was full (a full batch drops its rest: each frame counts). */
    public long sendsDropped() { return sendsDropped + (tx == null ? 0 : tx.sendsDropped()); }
    /**
     * Frames not sent because of another error (network unreachable, firewall, socket or interface gone; each frame,
     * each replicast copy counts), sent at once or queued.
     */
    public long sendsFailed() { return sendsFailed + (tx == null ? 0 : tx.sendsFailed()); }
    /** {@link #sendsDropped()} plus {@link #sendsFailed()}. */
    @Override
    public long framesNotSent() { return sendsDropped() + sendsFailed(); }
    /** Datagrams longer than the caller's buffer, cut. */
    public long truncatedFrames() { return rx.truncatedFrames(); }
    /** Replicast peers learnt from discovery datagrams. */
    public long peersLearnt() { return peers.learnt(); }
    /** Valid discovery frames from new sources not learnt because the learnt-peer cap was reached. */
    public long peersNotLearnt() { return peers.notLearnt(); }
    /** Learnt replicast peers removed because they sent no valid discovery for the expiry time. */
    public long peersExpired() { return peers.expired(); }
    /** Handler calls that threw, on the receive thread or a leader ({@link #lead}). */
    @Override
    public long handlerFailures() { return rx.handlerFailures(); }
    /** Receive errors met by the receive thread or a leader ({@link #lead}). */
    @Override
    public long receiveErrors() { return rx.receiveErrors(); }

    /** True until {@link #close()}. */
    @Override
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Stops the receive thread (wakes it and waits up to 5 s for it to end, unless called from the
     * handler itself), sends the frames still queued (best effort), leaves the group and closes the sockets.
     * Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        rx.close(); // stops the receive thread and a leader before the sockets close
        if (tx != null) {
            tx.close(); // sends what is queued, and never touches the descriptor again: it is closed next
        }
        sockets.close();
    }

    @Override
    public String toString() {
        return "UdpBearer[" + name + " " + UdpMedia.format(sockets.local)
                + (group != null ? " multicast " + UdpMedia.format(group) : " replicast " + peers().size() + " peers") + "]";
    }
}