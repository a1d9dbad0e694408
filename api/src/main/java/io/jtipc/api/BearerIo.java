package io.jtipc.api;

import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import io.jtipc.bearer.Leadable;
import io.jtipc.bearer.Media;
import io.jtipc.bearer.eth.EthBearer;
import io.jtipc.bearer.udp.UdpBearer;
import io.jtipc.node.BearerConfig;
import io.jtipc.node.MediaType;

/**
 * One bearer as the event loop sees it: its {@link Media} and the core configuration it is enabled
 * with. Media addresses pass through unchanged: the core's raw addresses (6-byte MAC, 20-byte
 * {@code udp_media_addr}) are the media's own, so nothing is converted here.
 */
final class BearerIo implements AutoCloseable {
    /**
     * A received frame, one reused object per receive thread: views of the media's own buffers ({@code frame[0, len)}, {@code src}), valid during the
     * handler call only (the media reuses them for its next frame; issue 14: no copy per frame). Whoever keeps
     * anything copies it: the core copies what it holds (deferred queue, reassembly, socket queues), the traffic
     * tap copies into its own record.
     */
    static final class Rx {
        private final BearerIo bearer;
        private byte[] src, frame;
        private int len;

        Rx(BearerIo bearer, byte[] src, byte[] frame, int len) {
            this.bearer = bearer;
            set(src, frame, len);
        }

        /** Points this view at the next frame (one Rx per receive thread, reused: issue 14, nothing per frame). */
        Rx set(byte[] src, byte[] frame, int len) {
            this.src = src;
            this.frame = frame;
            this.len = len;
            return this;
        }

        BearerIo bearer() { return bearer; }

        byte[] src() { return src; }

        byte[] frame() { return frame; }

        int len() { return len; }
    }

    /** Kernel UDP bearer defaults (udp_media.c): priority 10, tolerance 1500 ms. */
    private static final int UDP_PRIORITY = 10;
    private static final int UDP_TOLERANCE_MS = 1500;

    private final Media media;
    private final BearerConfig config;
    int coreId = -1;
    /** The priority the core enabled it with (one less than configured when two bearers had it, bearer.c). */
    volatile int priority;
    /** Interface MTU (bytes) and MAC the core bearer was last enabled with (Ethernet; see BearerLifecycle). */
    volatile int enabledMtu;
    volatile byte[] enabledAddr;
    /**
     * {@code epoch << 1 | down}: down (bit 0) when its interface was found down (ENETDOWN) and the bearer reset, until
     * frames are sent on it again; the epoch counts those resets. Set by {@link #markNetDown()} under the core lock
     * (BearerLifecycle.interfaceDown); cleared by {@link #clearNetDown(long)} with the state read before the frames
     * were sent, also by a flush outside the core lock: a flush that started before a reset (its frames went out while
     * the interface was still up) cannot clear the down state of that reset, so one outage resets the bearer once.
     */
    private final java.util.concurrent.atomic.AtomicLong netDownState = new java.util.concurrent.atomic.AtomicLong();
    /** An {@code interfaceDown} is queued for the loop and not yet run: one at a time, whatever the failed frames. */
    final java.util.concurrent.atomic.AtomicBoolean netDownQueued = new java.util.concurrent.atomic.AtomicBoolean();
    /**
     * A send failed because the interface is gone (ENXIO / ENODEV), was logged at WARN, and no frame has gone out
     * since: the next failures are only counted (BearerLifecycle.sendFailed), so an interface deleted under the bearer
     * is said once, not per frame. Cleared when frames go out again.
     */
    final java.util.concurrent.atomic.AtomicBoolean sendFailureLogged = new java.util.concurrent.atomic.AtomicBoolean();
    /** Set once, by the first report that its receive thread died (see {@link #markDead()}). */
    private final java.util.concurrent.atomic.AtomicBoolean dead = new java.util.concurrent.atomic.AtomicBoolean();

    /** Its interface was last seen without carrier; whether it was looked at yet (BearerLifecycle). Loop thread only. */
    boolean noCarrier, carrierSeen;
    /** Its interface had carrier when it was opened (always true but for Ethernet): BearerLifecycle's first look. */
    final boolean carrierAtOpen;

    /** Set by {@link TrafficTap#bearerRemoved}: the traffic tap no longer records this bearer's frames. */
    volatile boolean untapped;

    /** True while its interface is known down (see {@link #netDownState}). */
    boolean netDown() {
        return (netDownState.get() & 1) != 0;
    }

    /** The down state to give {@link #clearNetDown} once the frames sent after this read went out. */
    long netDownState() {
        return netDownState.get();
    }

    /** The interface is down and the bearer is being reset: a new epoch, down. Under the core lock. */
    void markNetDown() {
        long s = netDownState.get();
        netDownState.set(((s >>> 1) + 1) << 1 | 1);
    }

    /**
     * Frames went out: the interface is back, unless the bearer was reset again since {@code seen} was read
     * ({@link #netDownState()} before those frames were sent). Any thread.
     */
    void clearNetDown(long seen) {
        if ((seen & 1) != 0) netDownState.compareAndSet(seen, seen & ~1L);
    }

    /** False once its media is closed ({@link Media#isOpen()}). */
    boolean isOpen() {
        return media.isOpen();
    }

    /** {@link Media#holdsQueuedFrames()}: frames leave at {@link #flush()}, not at {@link #send}. */
    final boolean holdsQueuedFrames;
    /** Hands a frame read by a leading application thread to the node (set by {@link #start}); null before. */
    private volatile Media.FrameHandler leadHandler;
    /** The media as {@link Leadable} (UDP and Ethernet bearers); null when it cannot be led (a test's wrapper). */
    private final Leadable leadable;

    private BearerIo(Media media, BearerConfig config, boolean carrierAtOpen) {
        this.media = media;
        this.carrierAtOpen = carrierAtOpen;
        this.config = config;
        this.holdsQueuedFrames = media.holdsQueuedFrames();
        this.leadable = media instanceof Leadable l ? l : null;
    }

    /**
     * Opens the bearer {@code spec} describes (inside its network namespace, if any).
     *
     * @param clusterId the node's cluster (net) id: the UDP bearer's multicast group and discovery filter
     * @param wrap      applied to the opened media (tests put a fault-injecting media around the real one; normally
     *                  the identity)
     * @throws IOException the bearer module's error in words; nothing stays open
     */
    static BearerIo open(BearerSpec spec, int clusterId, UnaryOperator<Media> wrap) throws IOException {
        Media m = spec.kind() == BearerSpec.Kind.ETH ? EthBearer.open(spec.netns(), spec.iface())
                : UdpBearer.open(spec.netns(), spec.udpConfig(clusterId));
        try {
            boolean carrier = true;
            if (m instanceof EthBearer e) {
                try {
                    carrier = e.isUp();
                } catch (IOException x) {
                    // flags unreadable: the first interface check decides
                }
            }
            m = wrap.apply(m);
            return new BearerIo(m, configOf(m), carrier);
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static BearerConfig configOf(Media m) throws IOException {
        if (m instanceof EthBearer e) {
            return BearerConfig.ethernet(e.interfaceName(), e.address()).withMtu(e.mtu());
        }
        return new BearerConfig(m.name(), MediaType.UDP, m.address(), m.mtu(), UDP_PRIORITY, UDP_TOLERANCE_MS,
                MediaType.UDP.maxWindow(), 0);
    }

    /** The media (the traffic tap reads its addresses). */
    Media media() {
        return media;
    }

    /** Core configuration (name, media, own raw address, MTU). */
    BearerConfig config() {
        return config;
    }

    /**
     * Whether one send to the broadcast address reaches every peer (bearer.c tipc_bearer_bcast_support): Ethernet and
     * multicast UDP; a replicast UDP bearer copies each broadcast frame to every peer, so multicast goes by replicast.
     */
    boolean broadcastCapable() {
        return !(media instanceof UdpBearer u) || u.isMulticast();
    }

    /**
     * Queues a frame for a raw media address, or for the broadcast address when {@code dest} is null, until
     * {@link #flush()} ({@link Media#queue}: a media without a send batch sends at once). Under the core lock.
     */
    void send(byte[] dest, byte[] buf, int off, int len) throws IOException {
        if (dest == null) {
            media.queueBroadcast(buf, off, len);
        } else {
            media.queue(dest, 0, buf, off, len);
        }
    }

    /**
     * Sends what {@link #send} queued ({@link Media#flush}: one {@code sendmmsg} on Ethernet, at once when nothing is
     * queued). Any thread, with or without the core lock.
     *
     * @return frames that went out since the last flush that returned normally, by this call or by a queue that had to
     *         send a full batch (0 when nothing was queued, or for a media that sends at once)
     */
    int flush() throws IOException {
        return media.flush();
    }

    /**
     * Starts the receive thread; each frame and its source address are given to {@code sink} as views, not copies
     * (see {@link Rx}): {@code sink} runs on the receive thread and must be done with them when it returns.
     */
    void start(Consumer<Rx> sink, Consumer<IOException> onError) {
        Rx rx = new Rx(this, null, null, 0); // the media calls back on its one receive thread
        Rx leadRx = new Rx(this, null, null, 0); // the one leading thread's (Leadable#lead: one at a time)
        leadHandler = (src, frame, len) -> sink.accept(leadRx.set(src, frame, len));
        media.start((src, frame, len) -> sink.accept(rx.set(src, frame, len)), onError);
    }

    /**
     * Leader receive (issue 14): the calling thread, about to wait for a message on {@code q}, reads this bearer's
     * frames itself and runs the core on them ({@link Leadable#lead}) until {@code q} has a message or is closed,
     * {@code timeoutNanos} passed (negative: no limit; rounded up to whole ms), it is interrupted, or a message reached
     * {@code q} another way (then {@link SocketRxQueue#offer} wakes it). Only a UDP or Ethernet bearer not wrapped by a
     * test media can be led; one thread at a time.
     *
     * @return frames handled (0: none, the caller looks at its queue and time again), or -1 when this thread cannot
     *         lead this bearer (the caller waits on its queue as before)
     */
    int lead(SocketRxQueue q, long timeoutNanos) {
        Media.FrameHandler h = leadHandler;
        Leadable l = leadable;
        if (l == null || h == null || coreId < 0 || isDead()) return -1;
        if (q.ready().getAsBoolean()) return 0;
        long ms = timeoutNanos < 0 ? -1 : Math.max(1, (timeoutNanos + 999_999) / 1_000_000);
        // the queue counts this thread as a leader only while it holds the lead lock (not when another thread leads)
        return l.lead(h, q.ready(), ms, q.leadStart(), q.leadEnd());
    }

    /** Wakes the thread leading this bearer, if any ({@link Leadable#wakeLeader}); any thread. */
    void wakeLeader() {
        Leadable l = leadable;
        if (l != null) l.wakeLeader();
    }

    /**
     * Adds a replicast peer to a UDP bearer (udp_media.c tipc_udp_rcast_add).
     *
     * @return false if it was a peer already
     * @throws IllegalStateException not a UDP bearer, or a multicast one
     * @throws IllegalArgumentException a multicast, wildcard, port-0 or other-family address
     */
    boolean addUdpPeer(java.net.InetSocketAddress peer) {
        if (!(media instanceof UdpBearer u)) throw new IllegalStateException(media.name() + " is not a UDP bearer");
        return u.addPeer(peer);
    }

    /** Marks the bearer dead; true for the first caller only (its failure is reported once). */
    boolean markDead() {
        return dead.compareAndSet(false, true);
    }

    /** True once its receive thread died. */
    boolean isDead() {
        return dead.get();
    }

    @Override
    public void close() {
        media.close();
    }

    @Override
    public String toString() {
        return media.name();
    }
}
