package io.jtipc.bearer.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jtipc.bearer.LeadDriver;
import io.jtipc.bearer.LeadInterruptor;
import io.jtipc.bearer.LeadSource;
import io.jtipc.bearer.LossGenerator;
import io.jtipc.bearer.Media;
import io.jtipc.bearer.ReceiveLock;
import io.jtipc.bearer.ReceiveLoop;

import static io.jtipc.bearer.Media.TIMEOUT;
import static io.jtipc.bearer.Media.WAKEUP;

/**
 * The UDP bearer's receive side ({@code tipc_udp_recv}, net/tipc/udp_media.c: each datagram's payload is one TIPC
 * message, handed up with its source's media address): the event-loop receive ({@link UdpBearer#poll}), the receive
 * thread's blocking receive ({@link ReceiveLoop}) and the leader receive ({@link UdpBearer#lead}) with its own selector
 * (or {@link RxEpoll}), as {@link UdpTx} is the send side. {@link UdpBearer} is the façade: its public receive methods
 * delegate here, and its javadoc gives their contract.
 *
 * <p><b>One reader at a time, in order.</b> The receive thread and a leading application thread read the same
 * sockets under {@link #rxLock}, held from reading a datagram until its handler returned, so the core sees the
 * datagrams in the order the socket gave them whoever read them. Reading never waits under the lock: both wait for
 * readiness without it (the receive thread in the bearer's selector or {@link RxEpoll}, a leader in its own selector
 * or, in exclusive mode, its own {@link RxEpoll}).
 *
 * <p><b>Reading.</b> An IPv4 bearer with one socket reads through its native receive batch ({@link UdpRxBatch}: one
 * {@code recvmmsg} per up to {@value UdpRxBatch#BATCH} queued datagrams); the batch is state of the bearer, guarded by
 * {@link #rxLock} like the socket, so whichever thread holds the lock hands out its next datagram and the order stays
 * the socket's. A leader that stops (done, deadline, interrupt) with datagrams left in the batch wakes the receive
 * thread for them, since no readiness of the socket would. Other bearers read each datagram with
 * {@link DatagramChannel#receive}. Per datagram nothing is allocated (beyond what {@link DatagramChannel#receive}
 * itself does: it reuses its sender address object while the sender stays the same): frames are copied into the
 * caller's array and source addresses come from {@link SourceCache}.
 */
final class UdpRx {
    private static final Logger LOG = LoggerFactory.getLogger(UdpBearer.class);
    private static final Consumer<SelectionKey> IGNORE_KEY = k -> { };

    private final UdpSockets sockets;
    private final String name;
    private final DatagramChannel[] channels;
    private final ReplicastPeers peers;
    private final boolean learn;
    private final LossGenerator loss;
    final ReceiveLoop receiveLoop;

    private final ByteBuffer rxBuf = ByteBuffer.allocateDirect(UdpBearer.MAX_FRAME);
    /** 512 entries in sets of 4: a replicast cluster of 64 learnt peers (and the configured ones) stays cached. */
    private final SourceCache sources = new SourceCache(512);
    private int nextChannel;
    private volatile InetSocketAddress lastSource;
    private volatile boolean wakeupPending;
    private volatile boolean closed;

    /**
     * Held from reading a datagram until its handler returned, by the receive thread and by a {@link #lead leading}
     * application thread alike: one reader at a time, and the core sees the frames in the order the socket gave them
     * (also guards {@link #rxBuf}, {@link #sources}, {@link #nextChannel}).
     */
    private final ReceiveLock rxLock = new ReceiveLock();
    /**
     * How long the receive thread waits for {@link #rxLock} held by a leader before it looks at close and wakeups
     * again, in ms (5; one timed wait, no spin, allocation-free: {@link ReceiveLock#tryLock(long)}).
     */
    static final long RX_LOCK_WAIT_MS = 5;
    private static final long RX_LOCK_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(RX_LOCK_WAIT_MS);
    /** Times the receive thread found {@link #rxLock} held by another thread (written by it only; tests). */
    private volatile long rxLockBusy;
    /** The leader's own selector over the same channels (opened on the first lead); under the lead lock. */
    private volatile Selector leadSelector;
    /** The leader receive ({@link #lead}), over {@link LeadSocket}. */
    private final LeadDriver leader;
    /**
     * Where the receive thread waits ({@link RxEpoll}: IPv4, one socket), else null: it waits in the JDK selector, and an
     * arrival during a lead wakes it as well as the leader (the default). System property {@code jtipc.udpRxEpoll}:
     * {@code false} (default), the JDK selectors; {@code exclusive}, the socket added with {@code EPOLLEXCLUSIVE} here
     * and, first, in {@link #leadEpoll}, so a datagram wakes the leader when one waits and the receive thread otherwise;
     * {@code pause} (or {@code true}), the socket's interest switched off here while a thread leads. On the 2-core bench
     * host (bench/RESULTS.md, issue 14) {@code exclusive} (with a lead only while the receive thread is not busy,
     * {@link LeadSocket#leadUseful}) took the 64 B round trip from a median 37 to 30 us with the cores kept busy
     * (1.1-1.3 context switches per message instead of 2.1-2.3), one-way rates within the noise there; on a quiet host
     * it cost 1 000 B one-way rates ~28 % and lengthened the round trip (~60 against ~40 us); {@code pause} 1.34-1.61x
     * TCP at 10-25 % of one-way rate; hence opt-in.
     */
    private final RxEpoll rxEpoll;
    /**
     * The leader's wait in exclusive mode (see {@link #rxEpoll}), opened before it; null in the other modes (the leader
     * waits in {@link #leadSelector}).
     */
    private final RxEpoll leadEpoll;
    /**
     * True from the receive thread's read of a datagram until it finds the socket empty again or a read fails (it is
     * handing frames over, or waiting for {@link #rxLock} that a leader holds); false while it waits for readiness,
     * and before its first datagram. Written by the receive thread only. In exclusive mode a lead starts only while it
     * is false ({@link LeadSocket#leadUseful}).
     */
    private volatile boolean receiveThreadBusy;
    /** The current lead waited in {@link #leadEpoll} (under the lead lock). */
    private boolean leadWaited;
    /** Ends the leader's wait in {@link #leadEpoll} on an interrupt; replaced once an interrupt closed it (lead lock). */
    private LeadInterruptor interruptor;
    /**
     * The native receive batch ({@link UdpRxBatch}: one {@code recvmmsg} per up to {@value UdpRxBatch#BATCH} queued
     * datagrams) of an IPv4 bearer with one socket (replicast mode), or null: IPv6, multicast mode, system property
     * {@code jtipc.udpRecvBatch=false}, or no descriptor / libc; then each datagram is read with
     * {@link DatagramChannel#receive}. Used under {@link #rxLock} only, by whichever thread reads.
     */
    private final UdpRxBatch batch;

    private volatile long framesReceived;
    private volatile long truncatedFrames;
    private volatile long droppedByLoss;

    /**
     * The receive side of the bearer on {@code s}: its unicast socket, and in multicast mode its group socket.
     *
     * @param peers replicast peers, learnt from discovery datagrams when {@code learn}
     * @param loss  drops received datagrams on purpose (tests), see {@link UdpBearerConfig#lossGenerator}
     */
    UdpRx(UdpSockets s, ReplicastPeers peers, boolean learn, LossGenerator loss) {
        this.sockets = s;
        this.name = s.name;
        this.channels = s.groupChannel == null ? new DatagramChannel[] {s.unicast}
                : new DatagramChannel[] {s.unicast, s.groupChannel};
        this.peers = peers;
        this.learn = learn;
        this.loss = loss;
        String mode = System.getProperty("jtipc.udpRxEpoll", "false");
        RxEpoll lead = null, rx = null;
        if (channels.length == 1 && mode.equals("exclusive")) {
            lead = RxEpoll.open(s.local, true); // first: the kernel wakes the first waiting exclusive entry
            rx = lead == null ? null : RxEpoll.open(s.local, true);
            if (rx == null && lead != null) {
                lead.close();
                lead = null;
            }
        } else if (channels.length == 1 && (mode.equals("pause") || mode.equals("true"))) {
            rx = RxEpoll.open(s.local, false);
        }
        boolean known = mode.equals("false") || mode.equals("exclusive") || mode.equals("pause") || mode.equals("true");
        if (!known) {
            LOG.warn("bearer " + name + ": jtipc.udpRxEpoll=" + mode
                    + " is not one of false, exclusive, pause, true: the JDK selectors are used");
        } else if (!mode.equals("false") && rx == null) {
            LOG.info("bearer " + name + ": jtipc.udpRxEpoll=" + mode + " not available here"
                    + " (IPv4 replicast bearers on Linux only): the JDK selectors are used");
        }
        this.leadEpoll = lead;
        this.rxEpoll = rx;
        try {
            this.batch = UdpRxBatch.open(name, s.local, channels.length, s.gso); // in the bearer's namespace: procfs shows it
            this.receiveLoop = new ReceiveLoop(name, "jtipc-udp-rx-" + name.substring(4), UdpBearer.MAX_FRAME,
                    UdpMedia.UDP_ADDR_SIZE, this::threadReceive, () -> !closed, LOG);
            this.leader = new LeadDriver(new LeadSocket(), name, "bearer " + name, LOG, UdpBearer.MAX_FRAME,
                    UdpMedia.UDP_ADDR_SIZE);
        } catch (RuntimeException | Error e) {
            if (lead != null) lead.close(); // their descriptors are ours: not left open
            if (rx != null) rx.close();
            throw e;
        }
    }

    /**
     * The receive thread's and the leader's wait in effect: {@code "exclusive"}, {@code "pause"} or {@code "selector"}
     * (the JDK selectors: the default, or an epoll mode that could not be set up here). Tests.
     */
    String waitMode() {
        return leadEpoll != null ? "exclusive" : rxEpoll != null ? "pause" : "selector";
    }

    /** {@link UdpBearer#poll}: the bearer checked the arguments. */
    int poll(byte[] buf, int off, int len, byte[] src, int srcOff, int timeoutMs) throws IOException {
        receiveLoop.checkNotStarted();
        return receive(buf, off, len, src, srcOff, timeoutMs);
    }

    private int receive(byte[] buf, int off, int len, byte[] src, int srcOff, long timeoutMs) throws IOException {
        long deadline = timeoutMs > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs) : 0;
        for (;;) {
            if (closed) {
                return WAKEUP;
            }
            int n;
            try {
                n = tryReceive(buf, off, len, src, srcOff);
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
                    sockets.selector.select(IGNORE_KEY);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return TIMEOUT;
                    }
                    sockets.selector.select(IGNORE_KEY, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
                }
            } catch (ClosedSelectorException e) {
                return WAKEUP;
            }
        }
    }

    /** One non-blocking pass over the sockets, starting after the one that delivered last. */
    private int tryReceive(byte[] buf, int off, int len, byte[] src, int srcOff) throws IOException {
        if (batch != null) {
            rxLock.lock(); // held already by the receive thread and a leader (reentrant); taken for poll(): batch state
            try {
                return tryReceiveBatched(buf, off, len, src, srcOff);
            } finally {
                rxLock.unlock();
            }
        }
        int count = channels.length;
        for (int i = 0; i < count; i++) {
            int idx = (nextChannel + i) % count;
            rxBuf.clear();
            SocketAddress sa = channels[idx].receive(rxBuf);
            if (sa == null) {
                continue;
            }
            nextChannel = idx + 1;
            int n = rxBuf.position();
            rxBuf.flip();
            int c = Math.min(n, len);
            rxBuf.get(buf, off, c);
            if (loss.shouldDrop(buf, off, c)) {
                droppedByLoss++;
                continue;
            }
            if (n > len) {
                truncatedFrames++;
            }
            InetSocketAddress from = (InetSocketAddress) sa;
            lastSource = from;
            if (src != null) {
                System.arraycopy(sources.mediaAddrOf(from), 0, src, srcOff, UdpMedia.UDP_ADDR_SIZE);
            }
            framesReceived++;
            if (learn) {
                peers.learnFrom(buf, off, c, from);
            }
            return c;
        }
        return -1;
    }

    /**
     * {@link #tryReceive} through the native receive batch: the next datagram of the last {@code recvmmsg}, else one
     * more {@code recvmmsg}; its source comes from its {@code sockaddr_in} through {@link SourceCache#indexOf4}, so
     * nothing is allocated per datagram. Caller holds {@link #rxLock}.
     *
     * @throws ClosedChannelException once the bearer is closing: the descriptor is not used any more
     * @throws io.jtipc.bearer.SyscallException a receive error ("recvmmsg", errno), reported as the JDK path's
     */
    private int tryReceiveBatched(byte[] buf, int off, int len, byte[] src, int srcOff) throws IOException {
        for (;;) {
            if (closed) {
                throw new ClosedChannelException(); // as DatagramChannel.receive on a closed channel
            }
            int i = batch.next();
            if (i < 0) {
                return -1;
            }
            int n = batch.length(i);
            int c = Math.min(n, len);
            batch.copy(i, buf, off, c);
            if (loss.shouldDrop(buf, off, c)) {
                droppedByLoss++;
                continue;
            }
            if (n > len) {
                truncatedFrames++;
            }
            int e = sources.indexOf4(batch.ip(i), batch.port(i));
            InetSocketAddress from = sources.address(e);
            lastSource = from;
            if (src != null) {
                System.arraycopy(sources.mediaAddr(e), 0, src, srcOff, UdpMedia.UDP_ADDR_SIZE);
            }
            framesReceived++;
            if (learn) {
                peers.learnFrom(buf, off, c, from);
            }
            return c;
        }
    }

    /**
     * The receive thread's blocking receive: reads under {@link #rxLock} and returns with the lock still held when it
     * got a datagram; the handler wrapper of {@link #start} releases it once the frame was handed over, so a
     * {@link #lead leading} thread never reads the next datagram before this one reached the core. Waits for
     * readiness without the lock.
     */
    private int threadReceive(byte[] buf, int off, int len, byte[] src, int srcOff, int timeoutMs) throws IOException {
        for (;;) {
            if (closed) {
                return WAKEUP;
            }
            if (!rxLock.tryLock()) {
                rxLockBusy++;
                // a leader is reading (or handing a frame over): wait in the lock, bounded, so a close or wakeup is
                // seen; spinning on the selector (it returns at once while datagrams are queued) burnt a core
                try {
                    if (!rxLock.tryLock(RX_LOCK_WAIT_NS)) { // woken by the leader's unlock
                        continue;
                    }
                } catch (InterruptedException e) {
                    // nobody interrupts it; if one did, the flag is cleared (re-set, every timed wait and select would
                    // return at once: a spin) and the loop looks at close and the lock again
                    continue;
                }
            }
            int n;
            try {
                n = receive(buf, off, len, src, srcOff, 0);
            } catch (IOException | RuntimeException | Error e) {
                rxLock.unlock();
                receiveThreadBusy = false; // the receive loop backs off now: a leader may read meanwhile
                throw e;
            }
            if (n >= 0) {
                if (!receiveThreadBusy) {
                    receiveThreadBusy = true; // written once per run of datagrams, not per datagram
                }
                return n; // still locked: released by the handler wrapper (start)
            }
            rxLock.unlock();
            receiveThreadBusy = false;
            if (n == WAKEUP || !waitReadable()) {
                return WAKEUP;
            }
        }
    }

    /** The receive thread waits for a datagram or a wakeup; false once the selector is closed. */
    private boolean waitReadable() throws IOException {
        if (rxEpoll != null) {
            rxEpoll.await();
            return true; // closed: threadReceive returns WAKEUP
        }
        try {
            sockets.selector.select(IGNORE_KEY);
            return true;
        } catch (ClosedSelectorException e) {
            return false;
        }
    }


    /**
     * {@link UdpBearer#lead}: the contract (threads, locks, deadline, failures, return values) is {@link LeadDriver}'s,
     * over {@link LeadSocket}.
     */
    int lead(Media.FrameHandler handler, BooleanSupplier done, long timeoutMs, Runnable started,
            Runnable ended) {
        return leader.lead(handler, done, timeoutMs, started, ended);
    }

    /**
     * The socket side of {@link #leader}: {@link #rxLock}, the reads of {@link #tryReceive} (the batch or the JDK
     * channels), the leader's own selector (or {@link #leadEpoll}) and {@link #rxEpoll}. A lead stops mid batch (a
     * datagram is only read when it is handed over next), leaving the rest to the receive thread, which it wakes; a
     * lead with timeout 0 drains once more (not in exclusive mode); in pause mode a lead that found nothing pauses
     * {@link #rxEpoll} before its wait.
     */
    private final class LeadSocket implements LeadSource {
        @Override public boolean isClosed() { return closed; }
        @Override public boolean receiveThreadAlive() { return receiveLoop.isAlive(); }

        /**
         * Exclusive mode: only while the receive thread is not handing datagrams over. A leader's exclusive wait takes
         * the socket's wake-ups from it, so a lead started while it hands a stream over (a one-way receiver that just
         * sent an acknowledgement) would move the stream onto the application thread and leave the receive thread to be
         * woken again afterwards; the other modes wake both (always true).
         */
        @Override public boolean leadUseful() { return leadEpoll == null || !receiveThreadBusy; }

        /** Opens the leader's selector over the same channels on the first lead (not in exclusive mode). */
        @Override
        public void openLead() throws IOException {
            if (leadEpoll == null && leadSelector == null) {
                Selector sel = Selector.open();
                try {
                    for (DatagramChannel c : channels) {
                        c.register(sel, SelectionKey.OP_READ);
                    }
                } catch (IOException | RuntimeException e) {
                    sel.close(); // a channel closed meanwhile: the selector is not kept, so endLead would not close it
                    throw e;
                }
                leadSelector = sel;
            }
        }

        @Override public boolean tryLockReceive() { return rxLock.tryLock(); }

        @Override
        public boolean tryLockReceive(long ms) throws InterruptedException {
            return rxLock.tryLock(TimeUnit.MILLISECONDS.toNanos(ms));
        }

        @Override public void unlockReceive() { rxLock.unlock(); }

        /** {@link #tryReceive}: never takes the receive thread's wakeup. */
        @Override
        public int readQueued(byte[] buf, int off, int len, byte[] src, int srcOff) throws IOException {
            return tryReceive(buf, off, len, src, srcOff);
        }

        @Override public boolean batchLeft() { return batch != null && batch.left(); }
        @Override public boolean handsOverBatch() { return false; }
        @Override public void wakeReceiveThread() { wakeReceiver(); }
        /** Not in exclusive mode: nothing is paused between the two drains there. */
        @Override public boolean zeroTimeoutDrainsAgain() { return leadEpoll == null; }

        @Override
        public boolean pauseReceiveThread() {
            if (rxEpoll == null || rxEpoll.exclusive()) {
                return false;
            }
            rxEpoll.pause();
            return true;
        }

        @Override
        public void resumeReceiveThread() {
            if (rxEpoll != null) {
                rxEpoll.resume(); // nothing in exclusive mode (never paused)
            }
        }

        /**
         * Waits in {@link #leadEpoll} (WAKEUP once the bearer closed), else in the leader's selector (never WAKEUP: a
         * close closes the selector, ClosedSelectorException).
         */
        @Override
        public int awaitLead(BooleanSupplier done, long waitMs) throws IOException {
            if (leadEpoll != null) {
                leadWaited = true;
                LeadInterruptor in = interruptor;
                if (in == null || !in.isOpen()) {
                    interruptor = in = new LeadInterruptor(leadEpoll::wakeup); // first lead, or after an interrupt
                }
                in.enter(); // an interrupt from now on (or one pending) ends the wait; its flag stays set
                try {
                    leadEpoll.await((int) Math.min(waitMs, Integer.MAX_VALUE));
                } finally {
                    in.exit();
                }
                return closed ? WAKEUP : 0;
            }
            if (waitMs < 0) {
                leadSelector.select(IGNORE_KEY);
            } else {
                leadSelector.select(IGNORE_KEY, waitMs);
            }
            return 0;
        }

        /**
         * Exclusive mode: a lead that waited may have taken the wake-up of a datagram it left unread (it stopped once
         * its answer came, or its wait ended by time, wakeLeader or an interrupt as the datagram came), and that
         * datagram is not on the receive thread's ready list (nor does a datagram queued behind it wake anyone: Linux
         * 6.10+ UDP signals only an empty queue's first datagram): wakes the receive thread if the socket is readable.
         * It also drops a wakeLeader left pending. Then closes the leader's selector once the bearer closed: close may
         * have run before it was opened.
         */
        @Override
        public void endLead() {
            if (leadWaited) {
                leadWaited = false;
                leadEpoll.clearWakeup(); // a wakeLeader or interrupt after the wait: the next lead must not skip its wait
                if (leadEpoll.readable()) {
                    rxEpoll.wakeup();
                }
            }
            if (closed) {
                closeLeadSelector();
            }
        }

        @Override
        public IOException receiveError(IOException e) {
            return e instanceof UdpBearerException ? e : new UdpBearerException(UdpBearerException.Reason.SOCKET,
                    "receive failed on bearer " + name + ": " + e.getMessage(), e);
        }
    }

    private void closeLeadSelector() {
        Selector s = leadSelector;
        if (s != null) {
            try {
                s.close(); // wakes a leader waiting in it
            } catch (IOException e) {
                LOG.debug("bearer " + name + ": closing the leader's selector: " + e);
            }
        }
    }

    /** {@link UdpBearer#start}. */
    void start(Media.FrameHandler handler, Consumer<IOException> onError) {
        leader.errorHandler(onError);
        receiveLoop.start((src, buf, n) -> {
            try {
                handler.onFrame(src, buf, n);
            } finally {
                rxLock.unlock(); // taken by threadReceive with the datagram
            }
        }, onError);
    }

    /** {@link UdpBearer#wakeLeader}. */
    void wakeLeader() {
        if (leadEpoll != null) {
            if (leader.leading()) {
                leadEpoll.wakeup();
            }
            return;
        }
        Selector s = leadSelector;
        // no thread leads (a leader is counted only once it holds the lead lock): a wakeup left pending would only make the
        // next lead return at once for nothing
        if (s != null && leader.leading()) {
            try {
                s.wakeup();
            } catch (ClosedSelectorException ignored) {
                // closed: the lead ends anyway
            }
        }
    }

    /**
     * Wakes the receive thread's wait (not a {@link #poll}: no pending wakeup is left), for datagrams a leader read
     * into the batch and left there when it stopped.
     */
    private void wakeReceiver() {
        if (rxEpoll != null) {
            rxEpoll.wakeup();
        }
        try {
            sockets.selector.wakeup();
        } catch (ClosedSelectorException ignored) {
            // closed: nothing is received any more
        }
    }

    /** {@link UdpBearer#wakeup}. */
    void wakeup() {
        wakeupPending = true;
        if (rxEpoll != null) {
            rxEpoll.wakeup();
        }
        try {
            sockets.selector.wakeup();
        } catch (ClosedSelectorException ignored) {
            // closed: poll returns WAKEUP anyway
        }
    }

    /**
     * The bearer closes: nothing is received from now on; a leader waiting in its selector returns at once, the
     * receive thread is stopped (woken, joined up to 5 s unless this is it). The bearer closes the sockets after.
     */
    void close() {
        closed = true;
        closeLeadSelector(); // first: a leader waiting in it returns now, not after the receive thread's join
        if (leadEpoll != null) {
            leadEpoll.close(); // likewise (wakes it, waits until it left the epoll calls)
        }
        receiveLoop.stop(this::wakeup);
        if (rxEpoll != null) {
            rxEpoll.close(); // the receive thread has ended (or was never started)
        }
        closeLeadSelector();
        if (batch != null) {
            batch.close(); // no recvmmsg from now on: the bearer closes the descriptor next
        }
    }

    /** Times the receive thread found the receive lock held by another thread, a leader (tests). */
    long rxLockBusy() { return rxLockBusy; }
    boolean leading() { return leader.leading(); }
    InetSocketAddress lastSource() { return lastSource; }
    long framesReceived() { return framesReceived; }
    long framesLed() { return leader.framesLed(); }
    /** The native receive batch, or null when each datagram is read with {@code DatagramChannel.receive} (tests). */
    UdpRxBatch batch() { return batch; }
    long droppedByLoss() { return droppedByLoss; }
    long truncatedFrames() { return truncatedFrames; }
    long handlerFailures() { return receiveLoop.handlerFailures() + leader.handlerFailures(); }
    long receiveErrors() { return receiveLoop.receiveErrors() + leader.receiveErrors(); }
}
