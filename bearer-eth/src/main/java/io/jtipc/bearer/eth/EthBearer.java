package io.jtipc.bearer.eth;

import java.io.IOException;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jtipc.bearer.LeadDriver;
import io.jtipc.bearer.LeadSource;
import io.jtipc.bearer.Leadable;
import io.jtipc.bearer.Media;
import io.jtipc.bearer.NetNs;
import io.jtipc.bearer.ReceiveLoop;
import io.jtipc.bearer.SocketBuffers;
import io.jtipc.bearer.SyscallException;

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

    private static final Logger LOG = LoggerFactory.getLogger(EthBearer.class);

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
    /** The leader receive ({@link #lead}), over {@link LeadSocket}. */
    private final LeadDriver leader;

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
        this.leader = new LeadDriver(new LeadSocket(), "eth:" + ifname, "eth:" + ifname, LOG, AfPacketSocket.MAX_FRAME,
                EthMedia.MAC_LENGTH);
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
            LOG.info(name + ": socket buffers left at the kernel default: " + e.getMessage());
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

    /**
     * The interface's MAC now (SIOCGIFHWADDR), which may differ from {@link #address()} after {@code ip link set
     * address}: the node compares the two to follow the change (bearer.c NETDEV_CHANGEADDR).
     *
     * @throws IOException if the interface cannot be asked (gone, socket closed)
     */
    public byte[] currentAddress() throws IOException {
        return socket.macAddress();
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

    /**
     * False once the interface this bearer was opened on is gone: deleted (ENODEV) or replaced by another interface of
     * the same name (a new index). Its socket then neither sends nor receives again (af_packet.c NETDEV_UNREGISTER).
     *
     * @throws IOException if the interface cannot be asked for another reason
     */
    public boolean interfacePresent() throws IOException {
        try {
            return socket.currentInterfaceIndex() == socket.interfaceIndex();
        } catch (AfPacketException e) {
            if (e.errno() == SyscallException.ENODEV) return false;
            throw e;
        }
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
        leader.errorHandler(onError);
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
     * each to {@code handler}, taking turns with the receive thread under the socket's receive lock. The contract
     * (threads, locks, deadline, failures, return values) is {@link LeadDriver}'s, which this delegates to. Here the
     * wait is the leader's own {@code poll} (the socket and an eventfd, {@link #wakeLeader()}); frames of the last
     * {@code recvmmsg} batch already read are handed over still when the lead stops, in order (the receive thread's
     * poll would not see them), and {@code timeoutMs} 0 returns after one look at what is queued. A receive error
     * (ENETDOWN, ...) goes to the {@code onError} given to {@link #start} (an ENETDOWN must reach the node whoever
     * read it); the counters are {@link #handlerFailures()} and {@link #receiveErrors()}.
     *
     * @return frames handed to {@code handler} (0 if none came in time, or after a receive error), or -1 when this
     *         thread cannot lead: another thread leads, the receive thread is not running, the bearer is closed,
     *         leading pauses after a receive error, or an earlier lead failed on an unexpected exception
     */
    @Override
    public int lead(Media.FrameHandler handler, BooleanSupplier done, long timeoutMs, Runnable started,
            Runnable ended) {
        return leader.lead(handler, done, timeoutMs, started, ended);
    }

    /** The socket side of {@link #leader}: the receive lock, batch, reads and leader's wait of {@link #rx}. */
    private final class LeadSocket implements LeadSource {
        @Override public boolean isClosed() { return closed; }
        @Override public boolean receiveThreadAlive() { return receiveLoop.isAlive(); }
        /** Always: the leader's poll and the receive thread's are both woken by an arrival. */
        @Override public boolean leadUseful() { return true; }
        @Override public void openLead() { }
        @Override public boolean tryLockReceive() { return rx.tryLockReceive(); }
        @Override public boolean tryLockReceive(long ms) throws InterruptedException { return rx.tryLockReceive(ms); }
        @Override public void unlockReceive() { rx.unlockReceive(); }

        @Override
        public int readQueued(byte[] buf, int off, int len, byte[] src, int srcOff) throws IOException {
            return rx.readQueued(buf, off, len, src, srcOff);
        }

        @Override public boolean batchLeft() { return rx.batchLeft(); }
        /** True: a frame a {@code recvmmsg} read is handed over by the thread that read it. */
        @Override public boolean handsOverBatch() { return true; }
        /** Left by an Error or a receive error: the receive thread's poll would not see them. */
        @Override public void wakeReceiveThread() { socket.wakeup(); }
        @Override public boolean zeroTimeoutDrainsAgain() { return false; }
        @Override public boolean pauseReceiveThread() { return false; }
        @Override public void resumeReceiveThread() { }

        @Override
        public int awaitLead(BooleanSupplier done, long waitMs) throws IOException {
            return rx.awaitLead(done, waitMs);
        }

        @Override public void endLead() { }
        @Override public IOException receiveError(IOException e) { return e; }
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
        return leader.leading();
    }

    /** Frames read by a leading application thread ({@link #lead}). */
    public long framesLed() {
        return leader.framesLed();
    }

    /** Times the receive thread found the receive lock held by another thread, a leader (tests). */
    long rxLockBusy() {
        return rxLockBusy;
    }

    /** Handler calls that threw, on the receive thread or a leader ({@link #lead}). */
    @Override
    public long handlerFailures() {
        return receiveLoop.handlerFailures() + leader.handlerFailures();
    }

    /** Frames the socket's send queue refused or the kernel failed to send ({@link AfPacketSocket#sendDropped()}). */
    @Override
    public long framesNotSent() {
        return socket.sendDropped();
    }

    /** Receive errors met by the receive thread or a leader ({@link #lead}). */
    @Override
    public long receiveErrors() {
        return receiveLoop.receiveErrors() + leader.receiveErrors();
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
