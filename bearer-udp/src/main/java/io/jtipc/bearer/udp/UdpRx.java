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
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.jtipc.bearer.LeadFaults;
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
 * readiness without it (the receive thread in the bearer's selector or {@link RxEpoll}, a leader in its own selector).
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
    private static final System.Logger LOG = System.getLogger(UdpBearer.class.getName());
    private static final Consumer<SelectionKey> IGNORE_KEY = k -> { };

    private final UdpSockets sockets;
    private final String name;
    private final DatagramChannel[] channels;
    private final ReplicastPeers peers;
    private final boolean learn;
    private final LossGenerator loss;
    final ReceiveLoop receiveLoop;

    private final ByteBuffer rxBuf = ByteBuffer.allocateDirect(UdpBearer.MAX_FRAME);
    private final SourceCache sources = new SourceCache(16);
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
    /**
     * How long a leader waits for {@link #rxLock} in one attempt, in ms (1), before it looks at {@code done}, its
     * deadline, an interrupt and close again: the lock is not fair, and the receive thread may take it back after each
     * datagram while a stream lasts.
     */
    static final long LEAD_LOCK_WAIT_MS = 1;
    private static final long RX_LOCK_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(RX_LOCK_WAIT_MS);
    /** Times the receive thread found {@link #rxLock} held by another thread (written by it only; tests). */
    private volatile long rxLockBusy;
    /** Held by the one application thread that leads ({@link #lead}); others wait as followers. */
    private final ReentrantLock leadLock = new ReentrantLock();
    /** The leader's own selector over the same channels (opened on the first lead); under {@link #leadLock}. */
    private volatile Selector leadSelector;
    /** The leader's frame and source buffers (under {@link #leadLock}). */
    private byte[] leadBuf, leadSrc;
    /**
     * Set when a lead failed on an unexpected RuntimeException (a bug below the lead): leading is off for good (the
     * receive thread goes on). A receive error the kernel returned does not set it ({@link #leadFaults}).
     */
    private volatile boolean leadBroken;
    /** A leader's handler failures and receive errors, handled as the receive thread does (see {@link LeadFaults}). */
    private final LeadFaults leadFaults;
    /** The receive thread's error handler (set by {@link #start}): a receive error a leader met goes there too. */
    private volatile Consumer<IOException> onError;
    /**
     * Where the receive thread waits when it is kept out of a lead's way ({@link RxEpoll}: IPv4, one socket), else
     * null (it waits in the JDK selector and an arrival during a lead wakes it too). Off by default, system property
     * {@code jtipc.udpRxEpoll=true} turns it on: on the 2-core bench host it took the 64 B round trip from 1.3-1.8x
     * TCP's to 1.34-1.46x, but cost the one-way rates 10-25 % (the receive thread paused and woken again per lead;
     * bench/RESULTS.md, issue 14).
     */
    private final RxEpoll rxEpoll;
    /**
     * The native receive batch ({@link UdpRxBatch}: one {@code recvmmsg} per up to {@value UdpRxBatch#BATCH} queued
     * datagrams) of an IPv4 bearer with one socket (replicast mode), or null: IPv6, multicast mode, system property
     * {@code jtipc.udpRecvBatch=false}, or no descriptor / libc; then each datagram is read with
     * {@link DatagramChannel#receive}. Used under {@link #rxLock} only, by whichever thread reads.
     */
    private final UdpRxBatch batch;

    private volatile long framesReceived;
    private volatile long framesLed;
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
        this.rxEpoll = channels.length == 1 && Boolean.getBoolean("jtipc.udpRxEpoll")
                ? RxEpoll.open(s.local) : null;
        this.batch = UdpRxBatch.open(name, s.local, channels.length); // in the bearer's namespace: procfs shows it
        this.receiveLoop = new ReceiveLoop(name, "jtipc-udp-rx-" + name.substring(4), UdpBearer.MAX_FRAME,
                UdpMedia.UDP_ADDR_SIZE, this::threadReceive, () -> !closed, LOG);
        this.leadFaults = new LeadFaults(name, LOG);
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
                throw e;
            }
            if (n >= 0) {
                return n; // still locked: released by the handler wrapper (start)
            }
            rxLock.unlock();
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


    int lead(Media.FrameHandler handler, BooleanSupplier done, long timeoutMs, Runnable started,
            Runnable ended) {
        if (closed || leadBroken || !receiveLoop.isAlive() || !leadLock.tryLock()) {
            return -1;
        }
        boolean paused = false;
        boolean told = false;
        try {
            if (leadFaults.paused()) {
                return -1; // the receive thread reads meanwhile; the caller waits on its queue
            }
            if (started != null) {
                started.run();
                told = true;
            }
            boolean timed = timeoutMs >= 0;
            long deadline = timed ? System.nanoTime() + Math.min(timeoutMs, Long.MAX_VALUE / 2_000_000L) * 1_000_000L
                    : 0;
            if (leadSelector == null) {
                Selector sel = Selector.open();
                for (DatagramChannel c : channels) {
                    c.register(sel, SelectionKey.OP_READ);
                }
                leadSelector = sel;
                leadBuf = new byte[UdpBearer.MAX_FRAME];
                leadSrc = new byte[UdpMedia.UDP_ADDR_SIZE];
            }
            int got = drain(handler, done, timed, deadline);
            if (got > 0 || done.getAsBoolean()) {
                return got;
            }
            if (rxEpoll != null) {
                // nothing queued (a request's answer awaited on a quiet link): an arrival now wakes this thread only
                rxEpoll.pause();
                paused = true;
                got = drain(handler, done, timed, deadline); // what came before the pause took effect
                if (got > 0 || done.getAsBoolean()) {
                    return got;
                }
            }
            if (timeoutMs < 0) {
                leadSelector.select(IGNORE_KEY);
            } else if (timeoutMs > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return 0;
                }
                leadSelector.select(IGNORE_KEY, (left + 999_999) / 1_000_000);
            }
            return done.getAsBoolean() ? 0 : drain(handler, done, timed, deadline);
        } catch (ClosedChannelException | ClosedSelectorException e) {
            return -1;
        } catch (IOException e) {
            if (closed) {
                return -1;
            }
            // the kernel's error: reported as the receive thread would have; leading goes on after a pause
            LOG.log(System.Logger.Level.DEBUG, "bearer " + name + ": leader receive failed: " + e);
            leadFaults.receiveFailed(e instanceof UdpBearerException ? e : new UdpBearerException(
                    UdpBearerException.Reason.SOCKET, "receive failed on bearer " + name + ": " + e.getMessage(), e),
                    onError);
            return 0;
        } catch (RuntimeException e) {
            leadBroken = true;
            LOG.log(System.Logger.Level.WARNING, "bearer " + name + ": leader receive off after an unexpected failure",
                    e);
            return -1;
        } finally {
            if (closed) {
                closeLeadSelector(); // close may have run before the selector was opened
            }
            try {
                if (paused) {
                    rxEpoll.resume(); // what this thread left unread wakes the receive thread now
                }
            } finally {
                try {
                    if (told && ended != null) {
                        ended.run(); // even if resume threw: the queue must not count a leader that left
                    }
                } finally {
                    leadLock.unlock();
                }
            }
        }
    }


    /**
     * Reads and hands over queued datagrams until none is left, or {@code done}, or (once one was handed over) the
     * deadline passed or the thread is interrupted; under {@link #leadLock}. Holds {@link #rxLock} for the whole
     * drain, not per datagram: a receive thread waiting in it is woken once per drain. A datagram is only read when
     * it is handed over next, so stopping leaves nothing read behind.
     *
     * @return datagrams handed over; 0 also when {@link #rxLock} could not be taken before {@code done}, the deadline
     *         or an interrupt (the receive thread holds it: it hands over what is queued)
     */
    private int drain(Media.FrameHandler handler, BooleanSupplier done, boolean timed, long deadline)
            throws IOException {
        if (!lockReceive(done, timed, deadline)) {
            return 0;
        }
        int got = 0;
        try {
            while (!done.getAsBoolean() && !(got > 0 && stop(timed, deadline))) {
                int n = tryReceive(leadBuf, 0, leadBuf.length, leadSrc, 0); // never takes the receive thread's wakeup
                if (n < 0) {
                    break;
                }
                got++;
                framesLed++; // under rxLock
                try {
                    handler.onFrame(leadSrc, leadBuf, n);
                } catch (RuntimeException e) {
                    leadFaults.handlerFailed(e); // counted, logged (not per datagram); the next one goes on
                }
            }
            if (got > 0) {
                leadFaults.readOk();
            }
        } finally {
            boolean left = batch != null && batch.left();
            rxLock.unlock();
            if (left) {
                wakeReceiver(); // read but not handed over: no readiness of the socket would wake the receive thread
            }
        }
        return got;
    }

    /**
     * Takes {@link #rxLock} in attempts of {@link #LEAD_LOCK_WAIT_MS}, looking at {@code done}, the deadline, an
     * interrupt (kept set) and close between them.
     *
     * @return false when one of those ended the wait without the lock
     */
    private boolean lockReceive(BooleanSupplier done, boolean timed, long deadline) {
        if (rxLock.tryLock()) {
            return true;
        }
        for (;;) {
            if (closed || done.getAsBoolean() || stop(timed, deadline)) {
                return false;
            }
            try {
                if (rxLock.tryLock(TimeUnit.MILLISECONDS.toNanos(LEAD_LOCK_WAIT_MS))) {
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the caller's receive sees it
                return false;
            }
        }
    }

    /** True when the lead's deadline passed ({@code timed}) or the leading thread is interrupted. */
    private static boolean stop(boolean timed, long deadline) {
        return Thread.currentThread().isInterrupted() || timed && System.nanoTime() - deadline >= 0;
    }

    private void closeLeadSelector() {
        Selector s = leadSelector;
        if (s != null) {
            try {
                s.close(); // wakes a leader waiting in it
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "bearer " + name + ": closing the leader's selector: " + e);
            }
        }
    }

    /** {@link UdpBearer#start}. */
    void start(Media.FrameHandler handler, Consumer<IOException> onError) {
        this.onError = onError;
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
        Selector s = leadSelector;
        // no thread leads (a leader is counted only once it holds leadLock): a wakeup left pending would only make the
        // next lead return at once for nothing
        if (s != null && leadLock.isLocked()) {
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
    boolean leading() { return leadLock.isLocked(); }
    InetSocketAddress lastSource() { return lastSource; }
    long framesReceived() { return framesReceived; }
    long framesLed() { return framesLed; }
    /** The native receive batch, or null when each datagram is read with {@code DatagramChannel.receive} (tests). */
    UdpRxBatch batch() { return batch; }
    long droppedByLoss() { return droppedByLoss; }
    long truncatedFrames() { return truncatedFrames; }
    long handlerFailures() { return receiveLoop.handlerFailures() + leadFaults.handlerFailures(); }
    long receiveErrors() { return receiveLoop.receiveErrors() + leadFaults.receiveErrors(); }
}
