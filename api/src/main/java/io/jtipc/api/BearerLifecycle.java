package io.jtipc.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jtipc.bearer.Media;
import io.jtipc.bearer.ReceiveThreadDiedException;
import io.jtipc.bearer.SyscallException;
import io.jtipc.bearer.eth.EthBearer;
import io.jtipc.node.BearerConfig;
import io.jtipc.node.NodeCore;
import io.jtipc.node.Outbox;

/**
 * The bearers of a {@link TipcNode} and what passes through them: opening them at start, enabling and disabling
 * them in the core at run time ({@code tipc bearer enable|disable}, bearer.c), the core's {@link Outbox} (a frame to
 * a bearer's media, a node-local delivery to the traffic tap), send failures, an interface going down (ENETDOWN) and
 * a receive thread dying. Also the traffic tap ({@link TrafficTap}) the frames are copied to. Logs to TipcNode's
 * logger, as before the split.
 */
final class BearerLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(TipcNode.class);

    private final TipcNode node;
    private final int clusterId;
    private final UnaryOperator<Media> mediaWrapper;
    /** The builder's network namespace, for bearers added at run time ({@link #addBearer}). */
    private final String netns;
    private final List<BearerIo> bearers = new CopyOnWriteArrayList<>();
    /**
     * {@link #bearers} as an array, replaced after every change ({@link #listed}): what {@link #leadReceive} and
     * {@link #wakeLeaders} walk, with no iterator per receive and no size/get race with a removal.
     */
    private volatile BearerIo[] snapshot = new BearerIo[0];
    /** The bearer of each core bearer id (MAX_BEARERS = 3 slots); written under the core lock. */
    private final BearerIo[] byCoreId = new BearerIo[3];
    private final LongAdder sendErrors = new LongAdder();
    /** Bearer resets for a down interface ({@link #interfaceDown}), all bearers (count; tests). */
    final LongAdder netDownResets = new LongAdder();
    /** The traffic tap ({@link TipcNode.Builder#capture}), null without one; set by {@link #open}. */
    private volatile TrafficTap tap;
    /** Frames the tap failed on with an unexpected exception (see {@link #tapFailed}). */
    private final LongAdder tapErrors = new LongAdder();
    private final AtomicBoolean tapFailureLogged = new AtomicBoolean();
    final Outbox outbox = new Outbox() {
        @Override
        public void send(int bearerId, byte[] dest, byte[] buf, int off, int len) {
            transmit(bearerId, dest, buf, off, len);
        }

        @Override
        public void flush() {
            flushQueued();
        }

        @Override
        public void loopback(byte[] buf, int off, int len) {
            TrafficTap t = tap;
            if (t == null) return;
            try {
                t.loopback(buf, off, len);
            } catch (RuntimeException e) {
                tapFailed(e); // the tap never disturbs a delivery
            }
        }
    };

    BearerLifecycle(TipcNode node, int clusterId, UnaryOperator<Media> mediaWrapper, String netns) {
        this.node = node;
        this.clusterId = clusterId;
        this.mediaWrapper = mediaWrapper;
        this.netns = netns;
    }

    /**
     * Start, first step: opens the traffic tap ({@code capture} non-null) and every bearer of {@code specs}.
     *
     * @throws IOException a bearer cannot be opened; nothing stays open
     */
    void open(Path capture, long captureMaxBytes, int captureFiles, List<BearerSpec> specs) throws IOException {
        try {
            if (capture != null) tap = new TrafficTap(capture, captureMaxBytes, captureFiles, node.identity().toString());
            for (BearerSpec s : specs) {
                bearers.add(BearerIo.open(s, clusterId, mediaWrapper));
                listed();
            }
        } catch (IOException | RuntimeException e) {
            for (BearerIo b : bearers) b.close();
            bearers.clear();
            listed();
            if (tap != null) tap.close();
            throw e;
        }
    }

    /** Start, second step (the loop runs): enables every opened bearer in the core and starts its receive thread. */
    void enableAll() throws TipcException {
        for (BearerIo b : bearers) {
            var cfg = b.config();
            node.call(now -> enableInCore(now, b, cfg, false));
            LOG.info("Enabled bearer <{}>, priority {}", cfg.name(), b.priority);
            b.start(node::received, e -> receiveError(b, e));
        }
    }

    /** Closes every bearer (the node stops). */
    void closeAll() {
        for (BearerIo b : bearers) b.close();
        for (BearerIo gone; (gone = removedToClose.poll()) != null; ) gone.close(); // removed, not closed yet
    }

    /** Closes the traffic tap, if any (after the node's last frames). */
    void closeTap() {
        TrafficTap tp = tap;
        if (tp != null) tp.close();
    }

    /**
     * A blocking receive on {@code q} about to wait: leads the first bearer that can ({@link BearerIo#lead}), so the
     * frame carrying its message wakes this thread rather than the bearer's receive thread (issue 14). Not while
     * this thread holds the core lock (a listener called under it) nor when the node is not running.
     *
     * @return what {@link BearerIo#lead} returned, or -1 when no bearer could be led (the caller waits on its queue)
     */
    int leadReceive(SocketRxQueue q, long timeoutNanos) {
        if (!node.runner.running() || node.runner.heldByCurrentThread()) return -1;
        for (BearerIo b : snapshot) { // an array: no iterator per receive
            int r = b.lead(q, timeoutNanos);
            if (r >= 0) return r;
        }
        return -1;
    }

    /** Wakes every thread leading one of the bearers ({@link SocketRxQueue#offer} for a queue being led); any thread. */
    void wakeLeaders() {
        for (BearerIo b : snapshot) b.wakeLeader();
    }

    /** Replaces {@link #snapshot} after a change of {@link #bearers}; serialised so the last one written is current. */
    private synchronized void listed() {
        snapshot = bearers.toArray(new BearerIo[0]);
    }

    /** The bearers opened so far (tests). */
    List<BearerIo> list() {
        return List.copyOf(bearers);
    }

    /** A bearer's receive error: a dead receive thread closes the bearer; any other is only logged (DEBUG). */
    private void receiveError(BearerIo b, IOException e) {
        if (e instanceof ReceiveThreadDiedException d) {
            bearerDied(b, d.getCause());
        } else {
            LOG.debug("bearer {}: receive error {}", b, e.toString());
            if (isNetDown(e) && b.netDownQueued.compareAndSet(false, true)) node.runner.later(() -> interfaceDown(b, null));
        }
    }

    /**
     * The receive thread of {@code b} died over {@code cause} (on that thread, now ending): logged at ERROR once, the
     * bearer disabled in the core (its links reset with a peer-stopping RESET) and closed on the loop thread, the
     * node DEGRADED, or FAILED when it was the last live bearer. A node already DEGRADED (an earlier bearer died)
     * stays DEGRADED and does the same for this bearer; its listeners are told DEGRADED again, once per bearer lost.
     */
    private void bearerDied(BearerIo b, Throwable cause) {
        if (!b.markDead()) return;
        boolean last = true;
        for (BearerIo x : bearers) if (!x.isDead()) last = false;
        if (last) {
            node.life.fail("the receive thread of " + b + ", the last bearer,", cause);
            return;
        }
        try {
            LOG.error("bearer {}: receive thread died; the bearer is disabled and closed, the node runs on its other bearers",
                    b, cause);
        } catch (Throwable ignored) {
            // after an OutOfMemoryError the logger may fail too; the state below still tells the application
        }
        // FAILED or CLOSED meanwhile: everything is released already. DEGRADED (an earlier bearer died): this one
        // must still be disabled, closed and reported
        if (!node.life.degrade(cause)) return;
        node.runner.later(() -> {
            int id = b.coreId;
            if (id >= 0) {
                node.core().disableBearer(node.runner.now(), id, outbox);
                byCoreId[id] = null;
                b.coreId = -1;
            }
            closeBearer(b);
        });
        node.life.tellListeners();
    }

    /**
     * Bearer sends that failed (interface down, ...): for a media that sends at once one per frame; for one that holds
     * queued frames (Ethernet) one per failed batch — a flush, or a queue that had to send a full batch — whatever the
     * number of frames in it.
     */
    long sendErrors() {
        return sendErrors.sum();
    }

    private void transmit(int bearerId, byte[] dest, byte[] buf, int off, int len) {
        BearerIo b = bearerId >= 0 && bearerId < byCoreId.length ? byCoreId[bearerId] : null;
        if (b == null) return;
        try {
            long down = b.netDownState();
            b.send(dest, buf, off, len);
            if (!b.holdsQueuedFrames) sent(b, down); // sent at once: the interface is back
        } catch (IOException | RuntimeException e) {
            sendFailed(b, e);
            return;
        }
        // recorded when queued: for a media that holds queued frames, a frame its flush drops later (ENETDOWN, full send
        // queue) is in the capture all the same, as a frame lost on the wire would be
        TrafficTap t = tap;
        if (t == null) return;
        try {
            t.sent(b, dest, buf, off, len);
        } catch (RuntimeException e) {
            tapFailed(e); // a tap bug is not a send error
        }
    }

    /**
     * The end of a core run ({@link Outbox#flush}), called by the runner once it released the core lock: every
     * bearer sends the frames queued on it (one {@code sendmmsg} per Ethernet bearer; nothing when none is queued), so
     * the system call never holds the core lock. A bearer that left its slot in the meantime sends what it holds when
     * it is closed. A bearer whose media is closed is skipped (it sent what it held when it was closed). Any thread;
     * allocates nothing.
     */
    private void flushQueued() {
        for (BearerIo b : byCoreId) { // the slots as this thread saw them under the lock, or newer
            if (b == null || !b.isOpen()) continue;
            try {
                long down = b.netDownState(); // before the frames go: a reset after this read is not cleared by them
                if (b.flush() > 0) sent(b, down); // frames went out: the interface is back
            } catch (IOException | RuntimeException e) {
                sendFailed(b, e);
            }
        }
    }

    /**
     * A frame (or a batch of them) failed to go out on {@code b}: counted, logged; ENETDOWN resets the bearer on the
     * loop thread. With or without the core lock.
     */
    private void sendFailed(BearerIo b, Exception e) {
        sendErrors.increment();
        if (isInterfaceGone(e) && b.sendFailureLogged.compareAndSet(false, true)) {
            // the interface was deleted under the bearer: said once until frames go out again (it is re-created)
            LOG.warn("bearer {}: send failed: {} (further failures are counted in sendErrors until frames go out)",
                b, e.getMessage());
        } else {
            LOG.debug("bearer {}: send failed: {}", b, e.toString());
        }
        // not here: the core may be in the middle of the call that sent this frame
        if (isNetDown(e) && !b.netDown() && b.netDownQueued.compareAndSet(false, true)) node.runner.later(() -> interfaceDown(b, null));
    }

    /** Frames went out on {@code b}: its interface is back ({@link BearerIo#clearNetDown}), send failures are news again. */
    private static void sent(BearerIo b, long down) {
        b.clearNetDown(down);
        if (b.sendFailureLogged.get()) b.sendFailureLogged.set(false);
    }

    /** A received frame for the tap, if any; a tap bug never reaches the bearer's receive thread. */
    void tapReceived(BearerIo.Rx rx) {
        TrafficTap t = tap;
        if (t == null) return;
        try {
            t.received(rx.bearer(), rx.src(), rx.frame(), rx.len());
        } catch (RuntimeException e) {
            tapFailed(e);
        }
    }

    /** An unexpected exception in the traffic tap: counted ({@link #captureDropped()}), logged once. */
    private void tapFailed(RuntimeException e) {
        tapErrors.increment();
        if (!tapFailureLogged.getAndSet(true)) LOG.error("traffic tap: internal error, the frame is not captured (logged once)", e);
    }

    /** The traffic tap, null without one (tests). */
    TrafficTap tap() {
        return tap;
    }

    /** See {@link TipcNode#capturedFrames()}. */
    long capturedFrames() {
        TrafficTap t = tap;
        return t == null ? 0 : t.written();
    }

    /** See {@link TipcNode#captureDropped()}. */
    long captureDropped() {
        TrafficTap t = tap;
        return t == null ? 0 : t.dropped() + tapErrors.sum();
    }

    /**
     * ENETDOWN from an AF_PACKET send or receive (also as the cause of a receive-error report that sums up several):
     * the bearer's interface went down.
     */
    /** ENXIO / ENODEV: the bearer's interface no longer exists (the kernel unbinds the AF_PACKET socket). */
    private static boolean isInterfaceGone(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SyscallException s
                    && (s.errno() == SyscallException.ENXIO || s.errno() == SyscallException.ENODEV)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isNetDown(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SyscallException s && s.errno() == SyscallException.ENETDOWN) return true;
        }
        return false;
    }

    /**
     * The interface of {@code b} is down (ENETDOWN), as the kernel's netdev notifier reports NETDEV_GOING_DOWN or a
     * lost carrier (bearer.c tipc_l2_device_event, tipc_reset_bearer "Resetting bearer"): its links are taken down at
     * once (failing over to a parallel link) rather than after the link tolerance, and its discovery starts again —
     * in the core, the bearer is disabled and enabled again in the same slot with its current settings. Once is enough
     * per outage: {@link BearerIo#netDown()} is set until a frame is sent on the bearer again. Loop thread (via later).
     *
     * @param why null for an ENETDOWN (the queued report is taken), else what the interface check saw
     */
    private void interfaceDown(BearerIo b, String why) {
        if (why == null) b.netDownQueued.set(false);
        int id = b.coreId;
        NodeCore core = node.core();
        var cur = !node.isRunning() || id < 0 || b.netDown() ? null : core.bearer(id); // not after close()'s shutdown
        if (cur == null) return;
        b.markNetDown();
        netDownResets.increment();
        LOG.info("Resetting bearer <{}>: {}", b, why == null ? "interface down" : why);
        var cfg = cur.config();
        long now = node.runner.now();
        core.disableBearer(now, id, outbox);
        byCoreId[id] = null;
        b.coreId = -1;
        enableInCore(now, b, cfg, true); // the lowest free slot: this one unless a lower one was freed before
    }

    /** How often the Ethernet interfaces' carrier, MTU and MAC are compared with their bearers' (ms). */
    static final long INTERFACE_CHECK_MS = 1000;
    /** Loop thread only. */
    private long nextInterfaceCheck;
    /** Bearers whose interface was removed, disabled in the core, to be closed outside the core lock. */
    private final java.util.Queue<BearerIo> removedToClose = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * The kernel follows an interface's carrier, MTU and MAC (bearer.c tipc_l2_device_event: NETDEV_CHANGEMTU stores the new MTU,
     * NETDEV_CHANGEADDR the new address, each then tipc_reset_bearer: links reset, discovery again). jtipc has no
     * netdevice notifier: every {@link #INTERFACE_CHECK_MS} the event loop asks each Ethernet bearer's interface
     * (four ioctls: index, flags, MTU, MAC) and a change resets the bearer with the new values, as {@link #interfaceDown}
     * does; an interface deleted or replaced under its name disables the bearer ({@link #interfaceRemoved}). An MTU below
     * TIPC's 100 bytes, for which the kernel disables the bearer, is logged and the bearer left as it is. A lost
     * carrier (no IFF_RUNNING: a cut cable, the far end of a veth set down; NETDEV_CHANGE without carrier) resets the
     * bearer once, at once rather than after the link tolerance; its discovery goes on and finds the peers when the
     * carrier is back (the kernel stops sending meanwhile: frames into a device without carrier are dropped by it).
     * Loop thread, outside the core lock.
     */
    void checkInterfaces(long now) {
        for (BearerIo gone; (gone = removedToClose.poll()) != null; ) closeBearer(gone); // see interfaceRemoved
        if (now < nextInterfaceCheck) return;
        nextInterfaceCheck = now + INTERFACE_CHECK_MS;
        for (BearerIo b : bearers) {
            if (!(b.media() instanceof EthBearer e) || b.coreId < 0 || b.enabledAddr == null) continue;
            int mtu;
            byte[] mac;
            boolean carrier;
            try {
                if (!e.interfacePresent()) {
                    node.runner.later(() -> interfaceRemoved(b));
                    continue;
                }
                mtu = e.mtu();
                mac = e.currentAddress();
                carrier = e.isUp();
            } catch (IOException | RuntimeException x) {
                continue; // the interface is going away: the send path reports it (ENETDOWN, ENXIO)
            }
            if (!b.carrierSeen) { // the first look: compared with the state it was opened in (the kernel acts on
                b.carrierSeen = true; // events only): a carrier lost since then resets it now
                b.noCarrier = !b.carrierAtOpen;
            }
            if (!carrier) { // NETDEV_CHANGE without carrier / NETDEV_GOING_DOWN: reset once per outage
                if (!b.noCarrier) {
                    b.noCarrier = true;
                    node.runner.later(() -> interfaceDown(b, "interface down or without carrier"));
                }
                continue; // MTU and MAC are compared again once it is back
            }
            if (b.noCarrier) {
                b.noCarrier = false;
                LOG.info("Bearer <{}>: interface up with carrier again", b);
            }
            if (mtu == b.enabledMtu && java.util.Arrays.equals(mac, b.enabledAddr)) continue;
            if (mtu < EthBearer.MIN_BEARER_MTU) {
                if (b.enabledMtu != mtu) {
                    LOG.warn("Bearer <{}>: interface MTU {} is below TIPC's minimum of {}; the bearer keeps MTU {}", b,
                        mtu, EthBearer.MIN_BEARER_MTU, b.enabledMtu);
                }
                b.enabledMtu = mtu; // said once; a later valid MTU differs again and resets
                if (java.util.Arrays.equals(mac, b.enabledAddr)) continue;
                mtu = -1; // the address changed too: follow it, keep the bearer's MTU
            }
            int m = mtu;
            node.runner.later(() -> interfaceChanged(b, m, mac));
        }
    }

    /**
     * bearer.c tipc_l2_device_event NETDEV_UNREGISTER: the interface of {@code b} was deleted, or replaced by another
     * of the same name to which its socket is not attached (af_packet.c unhooks it for good): the bearer is disabled
     * (its links reset with the peer-stopping RESET) and closed, as the kernel disables it; enable it again once the
     * interface is back. Before, it stayed listed, deaf and mute. Loop thread, core lock.
     */
    private void interfaceRemoved(BearerIo b) {
        int id = b.coreId;
        if (id < 0 || !bearers.contains(b)) return; // disabled meanwhile, or queued twice
        LOG.warn("Bearer <{}>: its interface was removed (or replaced by another of its name); the bearer is disabled, "
            + "as the kernel's: enable it again once the interface is back", b);
        node.core().disableBearer(node.runner.now(), id, outbox);
        byCoreId[id] = null;
        b.coreId = -1;
        bearers.remove(b);
        listed();
        // closed by the loop's next interface check, outside the core lock: closing joins the receive thread, which
        // may be waiting for that lock with a frame
        removedToClose.add(b);
    }

    /**
     * Resets {@code b} with the interface's new {@code mtu} (-1: keep the bearer's) and {@code mac}: links down, the
     * bearer disabled and enabled again in the core (tipc_reset_bearer "Resetting bearer"). Loop thread, core lock.
     */
    private void interfaceChanged(BearerIo b, int mtu, byte[] mac) {
        int id = b.coreId;
        NodeCore core = node.core();
        var cur = !node.isRunning() || id < 0 ? null : core.bearer(id);
        if (cur == null) return;
        var cfg = cur.config();
        int newMtu = mtu < 0 ? cfg.mtu() : mtu;
        if (newMtu == cfg.mtu() && java.util.Arrays.equals(mac, cfg.ownAddr())) {
            b.enabledMtu = newMtu; // back to what the bearer has (e.g. after an MTU below 100): nothing to reset
            b.enabledAddr = mac;
            return;
        }
        LOG.info("Resetting bearer <{}>: interface {}", b, newMtu != cfg.mtu()
            ? "MTU " + cfg.mtu() + " -> " + newMtu : "address changed");
        long now = node.runner.now();
        core.disableBearer(now, id, outbox);
        byCoreId[id] = null;
        b.coreId = -1;
        enableInCore(now, b, new BearerConfig(cfg.name(), cfg.media(), mac, newMtu, cfg.priority(), cfg.tolerance(),
            cfg.window(), cfg.domain()), true);
    }

    /**
     * Enables {@code b}'s bearer in the core with {@code b} already mapped to the slot the core will choose (the lowest
     * free one, node Bearer.freeSlot), so that the discovery request {@code enableBearer} sends at once reaches it.
     * Under the core lock.
     *
     * @param reset true when the shell re-enables a bearer it just disabled to reset it: its priority is kept as is
     *              ({@link NodeCore#reenableBearer}), not adjusted as a new bearer's
     * @return the core's bearer id
     * @throws IllegalStateException from {@link NodeCore#enableBearer} (no free slot, same name): nothing mapped
     */
    private int enableInCore(long now, BearerIo b, BearerConfig cfg, boolean reset) {
        NodeCore core = node.core();
        int slot = -1;
        for (int i = 0; i < byCoreId.length && slot < 0; i++) if (core.bearer(i) == null && byCoreId[i] == null) slot = i;
        if (slot >= 0) byCoreId[slot] = b;
        int id;
        try {
            id = reset ? core.reenableBearer(now, cfg, outbox) : core.enableBearer(now, cfg, outbox);
        } catch (RuntimeException e) {
            if (slot >= 0) byCoreId[slot] = null;
            throw e;
        }
        if (id != slot) {
            if (slot >= 0) byCoreId[slot] = null;
            byCoreId[id] = b;
        }
        b.coreId = id;
        b.priority = core.bearer(id).config().priority();
        b.enabledMtu = cfg.mtu();
        b.enabledAddr = cfg.ownAddr();
        core.broadcastLink().setBearerBroadcast(id, b.broadcastCapable()); // bearer.c tipc_bearer_bcast_support
        return id;
    }

    /**
     * See {@link TipcNode#addBearer}. Holds no lock while it waits for the core lock: a listener that runs under the
     * core lock may close the node or add or remove a bearer meanwhile without waiting {@value TipcNode#CALL_WAIT_MS}
     * ms for it (the TipcNode's monitor, which close() takes, is only held for the short check-and-start below).
     */
    String addBearer(String spec) throws IOException {
        BearerSpec bs = BearerSpec.parse(spec, netns);
        if (node.life.isClosed() || !node.isRunning()) throw node.life.notRunning();
        BearerIo b = BearerIo.open(bs, clusterId, mediaWrapper);
        var cfg = b.config();
        try {
            // -1: close() got in first
            int id = node.call(now -> node.life.isClosed() || !node.isRunning() ? -1 : enableInCore(now, b, cfg, false));
            if (id < 0) throw node.life.notRunning();
            synchronized (node) { // close() marks the node closed under it, then releases the bearers listed
                // listed before the check: fail() (which does not take the monitor) sets closed, then closes the
                // listed bearers, so either it sees b or we see closed
                bearers.add(b);
                listed();
                if (node.life.isClosed() || !node.isRunning()) throw node.life.notRunning();
                LOG.info("Enabled bearer <{}>, priority {} (bearer {})", cfg.name(), b.priority, id);
                b.start(node::received, e -> receiveError(b, e));
            }
            return cfg.name();
        } catch (IllegalStateException e) {
            bearers.remove(b);
            listed();
            closeBearer(b);
            String hint = bs.kind() == BearerSpec.Kind.UDP && cfg.name().startsWith("udp:u") && !spec.contains("name=")
                && e.getMessage() != null && e.getMessage().contains("already enabled")
                ? " (a UDP bearer without name= is called u<port>: give each one its own name=)" : "";
            throw new TipcException(TipcError.EINVAL, "bearer enable " + spec + ": " + e.getMessage() + hint);
        } catch (TipcException | RuntimeException e) {
            bearers.remove(b);
            listed();
            closeBearer(b);
            throw e;
        }
    }

    /** Closes a bearer that leaves the node (the node's own close releases them all); the tap forgets it. */
    private void closeBearer(BearerIo b) {
        b.close();
        TrafficTap t = tap;
        if (t != null) t.bearerRemoved(b);
    }

    /**
     * See {@link TipcNode#removeBearer}. Holds no lock while it waits for the core lock (see {@link #addBearer});
     * of two removals of one bearer, the one that disables it under the core lock closes it, the other fails EINVAL.
     */
    void removeBearer(String name) throws TipcException {
        BearerIo found = null;
        for (BearerIo b : bearers) if (b.coreId >= 0 && b.config().name().equals(name)) found = b;
        BearerIo b = found;
        if (b == null) throw new TipcException(TipcError.EINVAL, "bearer disable: no bearer " + name);
        boolean disabled = node.call(now -> {
            int id = b.coreId;
            if (id < 0) return false; // another removal (or its receive thread's death) got in first
            node.core().disableBearer(now, id, outbox);
            byCoreId[id] = null;
            b.coreId = -1;
            return true;
        });
        if (!disabled) { // its receive thread died (deferred disable) or another removal won: do not list it
            bearers.remove(b);
            listed();
            closeBearer(b);
            throw new TipcException(TipcError.EINVAL, "bearer disable: no bearer " + name);
        }
        bearers.remove(b);
        listed();
        closeBearer(b);
        LOG.info("Disabled bearer <{}>", name);
    }

    /** See {@link TipcNode#bearerNames}. */
    List<String> bearerNames() throws TipcException {
        return node.call(now -> {
            List<String> r = new ArrayList<>();
            for (int id = 0; id < byCoreId.length; id++) {
                var b = node.core().bearer(id);
                if (b != null) r.add(b.config().name());
            }
            return r;
        });
    }

    /** See {@link TipcNode#addUdpRemote}. */
    boolean addUdpRemote(String bearerName, InetSocketAddress remote) throws TipcException {
        for (BearerIo b : bearers) {
            if (b.coreId < 0 || !b.config().name().equals(bearerName)) continue;
            try {
                return b.addUdpPeer(remote);
            } catch (IllegalStateException | IllegalArgumentException e) {
                throw new TipcException(TipcError.EINVAL, "bearer add " + bearerName + ": " + e.getMessage());
            }
        }
        throw new TipcException(TipcError.EINVAL, "bearer add: no bearer " + bearerName);
    }
}
