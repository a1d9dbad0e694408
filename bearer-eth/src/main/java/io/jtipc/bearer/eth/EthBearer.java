package io.jtipc.bearer.eth;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.jtipc.bearer.LeadFaults;
import io.jtipc.bearer.Leadable;
import io.jtipc.bearer.Media;
import io.jtipc.bearer.NetNs;
import io.jtipc.bearer.ReceiveLoop;
import io.jtipc.bearer.SocketBuffers;

/**
 * The Ethernet bearer's I/O shell ({@code net/tipc/eth_media.c}): the {@link Media} of one
 * {@link AfPacketSocket} for ethertype 0x88CA on one interface, moving whole TIPC messages between
 * the wire and the sans-IO protocol core. It holds no protocol state: the core decides what to send
 * where; the bearer sends it and hands every received frame with its source MAC back. Its media
 * address is the 6-byte MAC.
 *
 * <p>Two ways to receive, choose one per bearer:
 * <ul>
 * <li>{@link #start}: a receive thread ({@code jtipc-eth-rx-<ifname>}, a {@link ReceiveLoop}) calls a
 *     {@link Media.FrameHandler} for every frame;</li>
 * <li>{@link #poll}: the caller's event loop asks for the next frame with a timeout (0 = do not
 *     wait) and uses {@link #wakeup()} to interrupt a wait.</li>
 * </ul>
 * Neither allocates per frame: the handler gets the bearer's own buffers, valid only during the
 * call; copy what you keep. With the receive thread running, an application thread may also {@link #lead} (leader
 * receive, issue 14): it reads frames itself, taking turns with the receive thread in order.
 *
 * <p>As the kernel ({@code tipc_enable_l2_media}, net/tipc/bearer.c) does, opening refuses the
 * loopback device, an interface that is not Ethernet (ARPHRD_ETHER) and an MTU below
 * {@link #MIN_BEARER_MTU}. Received lengths are Ethernet payload lengths; a short TIPC message
 * arrives padded to 46 bytes on real NICs, so the core takes the message size from the TIPC header.
 */
public final class EthBearer implements Media, Leadable {
    /** TIPC_MIN_BEARER_MTU = MAX_H_SIZE + INT_H_SIZE = 60 + 40 bytes (net/tipc/bearer.h). */
    public static final int MIN_BEARER_MTU = 100;

    private static final System.Logger LOG = System.getLogger(EthBearer.class.getName());

    private final AfPacketSocket socket;
    /** The socket's receive side: the receive lock, reads and waits of the receive thread and of a leader. */
    private final AfPacketRx rx;
    private final byte[] address;
    private final ReceiveLoop receiveLoop;
    private volatile boolean closed;

    /**
     * How long the receive thread waits for the receive lock held by a leader before it looks at close again, in ms
     * (5; one timed wait, no spin, allocation-free: {@link io.jtipc.bearer.ReceiveLock#tryLock(long)}), as the UDP
     * bearer's receive thread does.
     */
    static final long RX_LOCK_WAIT_MS = 5;
    /** Times the receive thread found the receive lock held by another thread, a leader (written by it only; tests). */
    private volatile long rxLockBusy;
    /** Held by the one application thread that leads ({@link #lead}); others do not lead. */
    private final ReentrantLock leadLock = new ReentrantLock();
    /** The leader's frame and source buffers (allocated by the first lead; under {@link #leadLock}). */
    private byte[] leadBuf, leadSrc;
    /**
     * Set when a lead failed on an unexpected RuntimeException (a bug below the lead): leading is off for good (the
     * receive thread goes on). A receive error the kernel returned does not set it ({@link #leadFaults}).
     */
    private volatile boolean leadBroken;
    /** A leader's handler failures and receive errors, handled as the receive thread does (see {@link LeadFaults}). */
    private final LeadFaults leadFaults;
    /**
     * How long a leader waits for the receive lock in one attempt, in ms (1), before it looks at {@code done}, its
     * deadline, an interrupt and close again: the lock is not fair, and the receive thread may take it back after each
     * frame while a stream lasts.
     */
    static final long LEAD_LOCK_WAIT_MS = 1;
    /** The receive thread's error handler (set by {@link #start}): a receive error a leader met goes there too. */
    private volatile Consumer<IOException> onError;
    private volatile long framesLed;

    private EthBearer(AfPacketSocket socket) throws IOException {
        this.socket = socket;
        this.rx = socket.rx();
        String ifname = socket.interfaceName();
        if ((socket.flags() & AfPacketSocket.IFF_LOOPBACK) != 0) {
            throw new IllegalArgumentException("interface " + ifname
                    + " is a loopback device; TIPC does not run a bearer over loopback");
        }
        int hw = socket.hardwareType();
        if (hw != AfPacketSocket.ARPHRD_ETHER) {
            throw new IllegalArgumentException("interface " + ifname + " is not an Ethernet device (hardware type "
                    + hw + ", want ARPHRD_ETHER 1)");
        }
        int mtu = socket.mtu();
        if (mtu < MIN_BEARER_MTU) {
            throw new IllegalArgumentException("interface " + ifname + " has MTU " + mtu + ", TIPC needs at least "
                    + MIN_BEARER_MTU);
        }
        this.address = socket.macAddress();
        requestBuffers(socket);
        this.receiveLoop = new ReceiveLoop("eth:" + ifname, "jtipc-eth-rx-" + ifname, AfPacketSocket.MAX_FRAME,
                EthMedia.MAC_LENGTH, this::threadReceive, socket::isOpen, LOG);
        this.leadFaults = new LeadFaults("eth:" + ifname, LOG);
    }

    /**
     * Asks for {@link SocketBuffers#DEFAULT_RECEIVE_BUFFER_BYTES} / {@link SocketBuffers#DEFAULT_SEND_BUFFER_BYTES}
     * (SO_RCVBUFFORCE/SO_SNDBUFFORCE when root, else capped by net.core.rmem_max/wmem_max) so a link window's
     * burst fits instead of being dropped by the AF_PACKET socket (the kernel default holds ~150 frames). A short
     * grant is logged once per process; a failure to set either is logged and the bearer keeps the kernel default.
     */
    private static void requestBuffers(AfPacketSocket socket) {
        String name = "eth:" + socket.interfaceName();
        try {
            SocketBuffers.checkGrant(name, "receive", SocketBuffers.DEFAULT_RECEIVE_BUFFER_BYTES,
                    socket.setReceiveBufferSize(SocketBuffers.DEFAULT_RECEIVE_BUFFER_BYTES));
            SocketBuffers.checkGrant(name, "send", SocketBuffers.DEFAULT_SEND_BUFFER_BYTES,
                    socket.setSendBufferSize(SocketBuffers.DEFAULT_SEND_BUFFER_BYTES));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, name + ": socket buffers left at the kernel default: " + e.getMessage());
        }
    }

    /**
     * Opens the bearer on interface {@code ifname} of the calling thread's network namespace.
     *
     * @throws AfPacketException     "AF_PACKET needs CAP_NET_RAW ...", "no such interface X", ...
     * @throws IllegalArgumentException for loopback, a non-Ethernet device or an MTU below 100
     */
    public static EthBearer open(String ifname) throws IOException {
        return open(null, ifname);
    }

    /**
     * Opens the bearer on interface {@code ifname} inside network namespace {@code netns} (name under
     * /var/run/netns or a path; null = the caller's namespace). See {@link NetNs} for the thread rule.
     *
     * @throws AfPacketException as {@link #open(String)}, or "no such network namespace X", or
     *         entering it needs CAP_SYS_ADMIN
     * @throws IllegalArgumentException as {@link #open(String)}
     */
    public static EthBearer open(String netns, String ifname) throws IOException {
        AfPacketSocket s = AfPacketSocket.open(netns, ifname, EthMedia.ETH_P_TIPC);
        try {
            return new EthBearer(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * A bearer over an already open socket (which must use ethertype 0x88CA); the bearer owns it
     * from now on and closes it.
     */
    public static EthBearer over(AfPacketSocket socket) throws IOException {
        if (socket.ethertype() != EthMedia.ETH_P_TIPC) {
            throw new IllegalArgumentException("socket ethertype is 0x" + Integer.toHexString(socket.ethertype())
                    + ", a TIPC bearer needs 0x88ca");
        }
        return new EthBearer(socket);
    }

    /** Bearer name as the kernel names it: {@code eth:<ifname>}. */
    @Override
    public String name() {
        return "eth:" + socket.interfaceName();
    }

    /** Interface name. */
    public String interfaceName() {
        return socket.interfaceName();
    }

    /** 6: the media address is a MAC (ETH_ALEN). */
    @Override
    public int addressLength() {
        return EthMedia.MAC_LENGTH;
    }

    /** The bearer's media address: the interface MAC read at open, as a new 6-byte array. */
    @Override
    public byte[] address() {
        return address.clone();
    }

    /** Writes the bearer's MAC to {@code dst[off..off+5]}. */
    public void address(byte[] dst, int off) {
        System.arraycopy(address, 0, dst, off, EthMedia.MAC_LENGTH);
    }

    /** The interface's current MTU in bytes (read from the device each call): the largest TIPC message sendable. */
    @Override
    public int mtu() throws IOException {
        return socket.mtu();
    }

    /** True when the interface is up with carrier (IFF_UP and IFF_RUNNING). */
    public boolean isUp() throws IOException {
        int f = socket.flags();
        return (f & AfPacketSocket.IFF_UP) != 0 && (f & AfPacketSocket.IFF_RUNNING) != 0;
    }

    /** The underlying socket (for counters and {@link AfPacketSocket#lastPacketType()}). */
    public AfPacketSocket socket() {
        return socket;
    }

    /**
     * Sends a TIPC message {@code frame[off..off+len)} to the MAC at {@code destMac[macOff..macOff+5]}.
     * Never blocks.
     *
     * @return true if sent, false if dropped because the send queue is full (retransmission covers it)
     * @throws AfPacketException for a message over the MTU, a down or vanished interface
     */
    @Override
    public boolean send(byte[] destMac, int macOff, byte[] frame, int off, int len) throws IOException {
        return socket.send(destMac, macOff, frame, off, len);
    }

    private static final byte[] BROADCAST_MAC = EthMedia.broadcastMac();

    /** Sends to ff:ff:ff:ff:ff:ff, as discovery and the broadcast link do; see {@link #send}. */
    @Override
    public boolean broadcast(byte[] frame, int off, int len) throws IOException {
        return socket.send(BROADCAST_MAC, 0, frame, off, len);
    }

    /**
     * Queues a TIPC message for {@code destMac[macOff..macOff+5]} until {@link #flush()}: see
     * {@link AfPacketSocket#queue} (one {@code sendmmsg} for up to {@link AfPacketSocket#TX_BATCH} frames).
     */
    @Override
    public void queue(byte[] destMac, int macOff, byte[] frame, int off, int len) throws IOException {
        socket.queue(destMac, macOff, frame, off, len);
    }

    /** True: {@link #queue} holds frames until {@link #flush()}. */
    @Override
    public boolean holdsQueuedFrames() {
        return true;
    }

    /** Queues a frame for ff:ff:ff:ff:ff:ff until {@link #flush()}; see {@link #queue}. */
    @Override
    public void queueBroadcast(byte[] frame, int off, int len) throws IOException {
        socket.queue(BROADCAST_MAC, 0, frame, off, len);
    }

    /** Sends the queued frames: see {@link AfPacketSocket#flush()}. */
    @Override
    public int flush() throws IOException {
        return socket.flush();
    }

    /**
     * Event-loop receive: see {@link AfPacketSocket#receive(byte[], int, int, byte[], int, int)}; the
     * source MAC goes to {@code srcMac[srcOff..srcOff+5]}.
     *
     * @return payload length, {@link #TIMEOUT} or {@link #WAKEUP}
     * @throws IllegalStateException if the receive thread was started
     */
    @Override
    public int poll(byte[] buf, int off, int len, byte[] srcMac, int srcOff, int timeoutMs) throws IOException {
        receiveLoop.checkNotStarted();
        return socket.receive(buf, off, len, srcMac, srcOff, timeoutMs);
    }

    /** Makes a waiting {@link #poll} (or the next one) return {@link #WAKEUP}. */
    @Override
    public void wakeup() {
        socket.wakeup();
    }

    /**
     * Starts the receive thread {@code jtipc-eth-rx-<ifname>}; each frame goes to {@code handler}
     * with its source MAC. An exception from the handler is logged and counted
     * ({@link #handlerFailures()}) and the loop goes on; a receive error (ENETDOWN while the
     * interface is down, ...) goes to {@code onError} (null = log it), is counted
     * ({@link #receiveErrors()}) and the loop goes on after a pause (20 ms, doubling to 1 s).
     *
     * @throws IllegalStateException if already started or closed
     */
    @Override
    public void start(Media.FrameHandler handler, Consumer<IOException> onError) {
        Objects.requireNonNull(handler, "handler");
        this.onError = onError;
        receiveLoop.start((src, frame, len) -> {
            try {
                handler.onFrame(src, frame, len);
            } finally {
                rx.unlockReceive(); // taken by threadReceive with the frame
            }
        }, onError);
    }

    /**
     * The receive thread's blocking receive: reads under the socket's receive lock and returns with the lock still
     * held when it got a frame; the handler wrapper of {@link #start} releases it once the frame was handed over, so
     * a {@link #lead leading} thread never reads the next frame before this one reached the core. Waits for
     * readiness without the lock.
     */
    private int threadReceive(byte[] buf, int off, int len, byte[] src, int srcOff, int timeoutMs) throws IOException {
        for (;;) {
            if (closed) {
                return WAKEUP;
            }
            if (!rx.tryLockReceive()) {
                rxLockBusy++;
                // a leader is reading (or handing a frame over): wait in the lock, bounded, so a close is seen
                try {
                    if (!rx.tryLockReceive(RX_LOCK_WAIT_MS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    continue; // nobody interrupts it; the flag is cleared, so no later wait returns at once
                }
            }
            int n;
            try {
                n = rx.readQueued(buf, off, len, src, srcOff);
            } catch (IOException | RuntimeException | Error e) {
                rx.unlockReceive();
                throw e;
            }
            if (n >= 0) {
                return n; // still locked: released by the handler wrapper (start)
            }
            rx.unlockReceive();
            if (rx.awaitReadable() == WAKEUP) {
                return WAKEUP;
            }
        }
    }

    /**
     * Leader receive (issue 14, see {@link Leadable}): the calling thread reads the bearer's frames itself and hands
     * each to {@code handler}, taking turns with the receive thread under the socket's receive lock (held from
     * reading a frame until its handler returned: no frame overtakes another). Hands over what is queued, and when
     * nothing was and {@code done} is still false waits once in its own {@code poll} (the socket and an eventfd) up
     * to {@code timeoutMs} (0: no wait; negative: no limit), or until {@link #wakeLeader()}, an interrupt or close,
     * then hands over what came.
     *
     * <p>Stops reading as soon as {@code done}, and, once it handed over a batch, when {@code timeoutMs} has passed
     * since the call or the thread is interrupted (the flag stays set): a stream of other sockets' frames does not
     * hold a timed receive past its time. Frames of the last {@code recvmmsg} batch already read are handed over
     * still, in order (the receive thread's poll would not see them). The receive lock is taken in bounded attempts
     * ({@link #LEAD_LOCK_WAIT_MS}) between which {@code done}, the deadline and an interrupt are looked at.
     *
     * <p>A handler exception on a frame is counted ({@link #handlerFailures()}), logged (not per frame) and the next
     * frame handed over, as the receive thread does. A receive error the kernel returned (ENETDOWN, ...) goes to the
     * {@code onError} given to {@link #start} (an ENETDOWN must reach the node whoever read it), is counted
     * ({@link #receiveErrors()}) and pauses leading for 20 ms doubling to 1 s (see {@link LeadFaults}); only an
     * unexpected RuntimeException turns leading off for good.
     *
     * @return frames handed to {@code handler} (0 if none came in time, or after a receive error), or -1 when this
     *         thread cannot lead: another thread leads, the receive thread is not running, the bearer is closed,
     *         leading pauses after a receive error, or an earlier lead failed on an unexpected exception
     */
    @Override
    public int lead(Media.FrameHandler handler, BooleanSupplier done, long timeoutMs, Runnable started,
            Runnable ended) {
        if (closed || leadBroken || !receiveLoop.isAlive() || !leadLock.tryLock()) {
            return -1;
        }
        boolean told = false;
        try {
            if (leadFaults.paused()) {
                return -1; // the receive thread reads meanwhile; the caller waits on its queue
            }
            if (started != null) {
                started.run();
                told = true;
            }
            if (leadBuf == null) {
                leadBuf = new byte[AfPacketSocket.MAX_FRAME];
                leadSrc = new byte[EthMedia.MAC_LENGTH];
            }
            boolean timed = timeoutMs >= 0;
            long deadline = timed ? System.nanoTime() + Math.min(timeoutMs, Long.MAX_VALUE / 2_000_000L) * 1_000_000L
                    : 0;
            int got = drain(handler, done, timed, deadline);
            if (got > 0 || done.getAsBoolean() || timeoutMs == 0) {
                return got;
            }
            long waitMs = -1;
            if (timed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return 0;
                }
                waitMs = (left + 999_999) / 1_000_000;
            }
            if (rx.awaitLead(done, waitMs) == WAKEUP && closed) {
                return -1;
            }
            return done.getAsBoolean() ? 0 : drain(handler, done, timed, deadline);
        } catch (ClosedChannelException e) {
            return -1;
        } catch (IOException e) {
            if (closed) {
                return -1;
            }
            // the kernel's error (ENETDOWN on a flap, ...): reported as the receive thread would have; leading goes on
            // after a pause, on this same bearer object, which the node enables again when the interface comes back
            LOG.log(System.Logger.Level.DEBUG, name() + ": leader receive failed: " + e);
            leadFaults.receiveFailed(e, onError);
            return 0;
        } catch (RuntimeException e) {
            leadBroken = true;
            LOG.log(System.Logger.Level.WARNING, name() + ": leader receive off after an unexpected failure", e);
            return -1;
        } finally {
            try {
                if (told && ended != null) {
                    ended.run();
                }
            } finally {
                leadLock.unlock();
            }
        }
    }

    /**
     * Hands over queued frames until none is left, or {@code done}, or (once a batch was handed over) the deadline
     * passed or the thread is interrupted; then only what the current batch still holds. Under {@link #leadLock}.
     * Holds the receive lock for the whole drain, not per frame: a receive thread waiting in it is woken once per
     * drain. Looks at the clock once per {@code recvmmsg}, not per frame.
     *
     * @return frames handed over; 0 also when the receive lock could not be taken before {@code done}, the deadline
     *         or an interrupt (the receive thread holds it: it hands over what is queued)
     */
    private int drain(Media.FrameHandler handler, BooleanSupplier done, boolean timed, long deadline)
            throws IOException {
        if (!lockReceive(done, timed, deadline)) {
            return 0;
        }
        int got = 0;
        try {
            for (;;) {
                if (!rx.batchLeft() && (done.getAsBoolean() || got > 0 && stop(timed, deadline))) {
                    break;
                }
                int n = rx.readQueued(leadBuf, 0, leadBuf.length, leadSrc, 0);
                if (n < 0) {
                    break;
                }
                got++;
                framesLed++; // under the receive lock
                try {
                    handler.onFrame(leadSrc, leadBuf, n);
                } catch (RuntimeException e) {
                    leadFaults.handlerFailed(e); // counted, logged (not per frame); the next frame goes on
                }
            }
            if (got > 0) {
                leadFaults.readOk();
            }
        } finally {
            if (rx.batchLeft()) {
                socket.wakeup(); // left by an Error or a receive error: the receive thread's poll would not see them
            }
            rx.unlockReceive();
        }
        return got;
    }

    /**
     * Takes the receive lock in attempts of {@link #LEAD_LOCK_WAIT_MS}, looking at {@code done}, the deadline, an
     * interrupt (kept set) and close between them.
     *
     * @return false when one of those ended the wait without the lock
     */
    private boolean lockReceive(BooleanSupplier done, boolean timed, long deadline) {
        if (rx.tryLockReceive()) {
            return true;
        }
        for (;;) {
            if (closed || done.getAsBoolean() || stop(timed, deadline)) {
                return false;
            }
            try {
                if (rx.tryLockReceive(LEAD_LOCK_WAIT_MS)) {
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

    /** Makes a waiting {@link #lead} return; any thread. Nothing when no thread waits in a lead. */
    @Override
    public void wakeLeader() {
        rx.wakeLeader();
    }

    /** True while the receive thread runs. */
    public boolean isReceiving() {
        return receiveLoop.isAlive();
    }

    /** True while a thread leads (tests). */
    public boolean leading() {
        return leadLock.isLocked();
    }

    /** Frames read by a leading application thread ({@link #lead}). */
    public long framesLed() {
        return framesLed;
    }

    /** Times the receive thread found the receive lock held by another thread, a leader (tests). */
    long rxLockBusy() {
        return rxLockBusy;
    }

    /** Handler calls that threw, on the receive thread or a leader ({@link #lead}). */
    @Override
    public long handlerFailures() {
        return receiveLoop.handlerFailures() + leadFaults.handlerFailures();
    }

    /** Receive errors met by the receive thread or a leader ({@link #lead}). */
    @Override
    public long framesNotSent() {
        return socket.sendDropped();
    }

    @Override
    public long receiveErrors() {
        return receiveLoop.receiveErrors() + leadFaults.receiveErrors();
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    /**
     * Stops the receive thread (wakes it and waits up to 5 s for it to end, unless called from the
     * handler itself) and closes the socket. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        rx.wakeLeader(); // first: a leader waiting returns now, not after the receive thread's join
        receiveLoop.stop(socket::wakeup);
        socket.close();
    }

    @Override
    public String toString() {
        return "EthBearer[" + name() + " " + EthMedia.toString(address) + "]";
    }
}
