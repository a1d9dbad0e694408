package io.jtipc.bearer.eth;

import static io.jtipc.bearer.eth.AfPacketSocket.MAX_FRAME;
import static io.jtipc.bearer.eth.AfPacketSocket.PACKET_MULTICAST;
import static io.jtipc.bearer.eth.AfPacketSocket.RX_BATCH;
import static io.jtipc.bearer.eth.AfPacketSocket.SLL_ADDR;
import static io.jtipc.bearer.eth.AfPacketSocket.SLL_PKTTYPE;
import static io.jtipc.bearer.eth.AfPacketSocket.SLL_SIZE;
import static io.jtipc.bearer.eth.AfPacketSocket.TIMEOUT;
import static io.jtipc.bearer.eth.AfPacketSocket.WAKEUP;
import static io.jtipc.bearer.eth.MmsgLayout.ADDR_SLOT;
import static io.jtipc.bearer.eth.MmsgLayout.IOV_SIZE;
import static io.jtipc.bearer.eth.MmsgLayout.MMSG_SIZE;
import static io.jtipc.bearer.eth.MmsgLayout.MSG_FLAGS;
import static io.jtipc.bearer.eth.MmsgLayout.MSG_IOV;
import static io.jtipc.bearer.eth.MmsgLayout.MSG_IOVLEN;
import static io.jtipc.bearer.eth.MmsgLayout.MSG_LEN;
import static io.jtipc.bearer.eth.MmsgLayout.MSG_NAMELEN;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import io.jtipc.bearer.LeadInterruptor;
import io.jtipc.bearer.LibC;
import io.jtipc.bearer.ReceiveLock;
import io.jtipc.bearer.SyscallException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * The receive side of an {@link AfPacketSocket}: the {@code recvmmsg} batch in native memory and the hand-out of its
 * frames one by one, the waits in {@code poll(2)}, the eventfd wakeups, and the receive lock under which a reader
 * takes frames. The socket owns the descriptors (the packet socket and the two eventfds), their counting and their
 * close; this class only uses them, each call between the socket's {@link AfPacketSocket#enter} and
 * {@link AfPacketSocket#leave}, so {@link AfPacketSocket#close()} never closes a descriptor under it. Contracts,
 * errors and units of {@link #receive}, {@link #wakeup()} and the counters are those of the socket's methods of the
 * same names.
 *
 * <p>Why a batch: the frames of the last {@code recvmmsg} are handed out first, and a wait ({@code poll}) comes only
 * when nothing is queued, so under load a frame costs a sixteenth of a system call instead of two ({@code poll} +
 * {@code recvfrom}), the batching the kernel's own receive path does per NAPI poll (issue 14). The slots are native
 * memory allocated once; each frame is copied once, to the caller's array: no Java allocation per frame.
 *
 * <h2>Kernel semantics relied on (net/packet/af_packet.c, net/socket.c, net/core/datagram.c)</h2>
 * <ul>
 * <li>{@code recvmmsg} ({@code do_recvmmsg}, net/socket.c) calls {@code packet_recvmsg} once per slot; with
 *     {@code MSG_DONTWAIT} it returns the frames queued now (up to {@link AfPacketSocket#RX_BATCH}) and -1/EAGAIN when
 *     none is. An error met after some frames is kept in {@code sk_err} and returned by the next call, so a batch is
 *     never lost to an error.</li>
 * <li>{@code packet_recvmsg} copies at most the slot's {@link AfPacketSocket#MAX_FRAME} bytes and sets
 *     {@code MSG_TRUNC} in {@code msg_flags} when the frame was longer; with {@code MSG_TRUNC} in the call's flags the
 *     length returned ({@code msg_len}) is the frame's real length. It fills {@code sockaddr_ll} from what
 *     {@code packet_rcv} stored: {@code sll_pkttype} (PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, and
 *     PACKET_OTHERHOST / PACKET_OUTGOING, which are skipped here as {@code tipc_l2_rcv_msg} skips them) and the source
 *     MAC in {@code sll_addr}; {@code msg_namelen} is value-result, so it is reset before every call.</li>
 * <li>{@code poll} ({@code packet_poll} → {@code datagram_poll}) reports POLLIN while the receive queue holds a frame
 *     and POLLERR once {@code sk_err} is set (ENETDOWN from {@code packet_notifier} when the interface goes down):
 *     both are read with {@code recvmmsg}, which returns the frame or the error. POLLNVAL means the descriptor is not
 *     open (ClosedChannelException). An eventfd polls POLLIN while its counter is non-zero; reading it resets it.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * {@link #receive} (the event loop's receive) may be called from any thread, one at a time: it holds the receive lock
 * for the whole call, wait included. With {@link EthBearer}'s receive thread and one leading application thread
 * (leader receive, issue 14) both read the socket: each takes the receive lock ({@link #lockReceive}, the
 * {@code tryLockReceive} variants), reads a frame with {@link #readQueued} (the batch, or one {@code recvmmsg}, never
 * a wait) and keeps the lock until the frame's handler returned, so frames reach the core in the order the socket gave
 * them whoever read them. Both wait without the lock, each in its own {@code poll}: the receive thread on the socket
 * and the {@link #wakeup()} eventfd ({@link #awaitReadable}), the leader on the socket and a second eventfd
 * ({@link #awaitLead}) written by {@link #wakeLeader()}, by an interrupt of the leading thread and by the socket's
 * close. {@link #wakeup()} and {@link #wakeLeader()} may be called from any thread at any time. The batch, its
 * cursor, {@link #lastPacketType()} and the drop counts are written under the receive lock only.
 */
final class AfPacketRx {
    /** Result of {@link #awaitReadable} and {@link #awaitLead}: the socket has a frame queued (or an error to report). */
    static final int READABLE = 0;

    // struct pollfd (8 bytes): fd s32, events s16, revents s16
    private static final int POLLFD_SIZE = 8;

    private final LibC libc;
    private final String ifname;
    /**
     * The socket whose descriptors this side uses: {@link AfPacketSocket#enter}/{@link AfPacketSocket#leave} around
     * each use, and its monitor, under which it marks itself closed and closes the descriptors (the eventfd writes
     * take it too, so no write reaches a closed or reused descriptor).
     */
    private final AfPacketSocket socket;
    // the socket's descriptors, set once by attach() as the last step of the socket's constructor, before the socket
    // is published. Not final (the native memory is allocated before the descriptors exist), so this object must be
    // reached only through a final field (AfPacketSocket.rx, EthBearer's, the LeadInterruptor's wake): the final-field
    // guarantee (JLS 17.5) then makes these writes visible to every thread. Never hand it out through another field.
    private int fd;
    private int wakeFd;
    /** The leader's eventfd (see the class comment): {@link #wakeLeader()}, an interrupt, the socket's close. */
    private int leadWakeFd;

    private final ReceiveLock rxLock = new ReceiveLock();
    // native memory, allocated once per socket: the receive batch (frames, source addresses, iovecs, mmsghdrs)
    private final Pointer rxSlots;
    private final Pointer rxAddrs;
    private final Pointer rxIov;
    private final Pointer rxMsgs;
    // frames in the current batch and the next one to hand out (guarded by rxLock)
    private int rxCount;
    private int rxNext;
    private final AtomicLong receiveSyscalls = new AtomicLong();
    private final Pointer pollFds;
    /** The receive thread's wait outside the receive lock ({@link #awaitReadable}): the socket and wakeFd. */
    private final Pointer waitFds;
    /** The leader's wait ({@link #awaitLead}): the socket and leadWakeFd; with its own scratch. */
    private final Pointer leadFds;
    private final Pointer leadScratch;
    /** True while a leader waits in (or is about to enter) its poll: only then does {@link #wakeLeader()} write. */
    private volatile boolean leaderWaiting;
    /** Wakes the leader's poll when its thread is interrupted; replaced after an interrupt closed it (leader only). */
    private LeadInterruptor interruptor;
    private final Pointer wakeScratch;
    private final Pointer wakeOne;

    private int lastPacketType = -1;
    private volatile long droppedNotForUs;
    private volatile long droppedOversize;

    /**
     * Allocates the native memory (before the socket opens its descriptors, so a failed allocation leaves none open);
     * {@link #attach} gives the descriptors.
     */
    AfPacketRx(jnr.ffi.Runtime rt, LibC libc, String ifname, AfPacketSocket socket) {
        this.libc = libc;
        this.ifname = ifname;
        this.socket = socket;
        rxSlots = Memory.allocateDirect(rt, (long) RX_BATCH * MAX_FRAME, true);
        rxAddrs = Memory.allocateDirect(rt, RX_BATCH * ADDR_SLOT, true);
        rxIov = Memory.allocateDirect(rt, RX_BATCH * IOV_SIZE, true);
        rxMsgs = Memory.allocateDirect(rt, RX_BATCH * MMSG_SIZE, true);
        for (int i = 0; i < RX_BATCH; i++) {
            rxIov.putAddress((long) i * IOV_SIZE, rxSlots.address() + (long) i * MAX_FRAME);
            rxIov.putLong((long) i * IOV_SIZE + 8, MAX_FRAME);
            rxMsgs.putAddress((long) i * MMSG_SIZE, rxAddrs.address() + (long) i * ADDR_SLOT);
            rxMsgs.putAddress((long) i * MMSG_SIZE + MSG_IOV, rxIov.address() + (long) i * IOV_SIZE);
            rxMsgs.putLong((long) i * MMSG_SIZE + MSG_IOVLEN, 1);
        }
        pollFds = Memory.allocateDirect(rt, 2 * POLLFD_SIZE, true);
        waitFds = Memory.allocateDirect(rt, 2 * POLLFD_SIZE, true);
        leadFds = Memory.allocateDirect(rt, 2 * POLLFD_SIZE, true);
        leadScratch = Memory.allocateDirect(rt, 8, true);
        wakeScratch = Memory.allocateDirect(rt, 8, true);
        wakeOne = Memory.allocateDirect(rt, 8, true);
        wakeOne.putLong(0, 1L);
    }

    /** The socket's descriptors, once they are open: called once by its constructor, before it is published. */
    void attach(int fd, int wakeFd, int leadWakeFd) {
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.leadWakeFd = leadWakeFd;
        pollFds.putInt(0, fd);
        pollFds.putShort(4, LibC.POLLIN);
        pollFds.putInt(POLLFD_SIZE, wakeFd);
        pollFds.putShort(POLLFD_SIZE + 4, LibC.POLLIN);
        for (Pointer p : new Pointer[] {waitFds, leadFds}) {
            p.putInt(0, fd);
            p.putShort(4, LibC.POLLIN);
            p.putInt(POLLFD_SIZE, p == leadFds ? leadWakeFd : wakeFd);
            p.putShort(POLLFD_SIZE + 4, LibC.POLLIN);
        }
    }

    /** {@link AfPacketSocket#receive(byte[], int, int, byte[], int, int)}. */
    int receive(byte[] buf, int off, int len, byte[] srcMac, int srcOff, int timeoutMs) throws IOException {
        Objects.checkFromIndexSize(off, len, buf.length);
        Objects.checkFromIndexSize(srcOff, EthMedia.MAC_LENGTH, srcMac.length);
        rxLock.lock();
        if (!socket.enter()) {
            rxLock.unlock();
            throw new ClosedChannelException();
        }
        try {
            int s = fd;
            long deadline = timeoutMs > 0 ? System.nanoTime() + timeoutMs * 1_000_000L : 0L;
            int waitMs = timeoutMs < 0 ? -1 : timeoutMs;
            for (;;) {
                if (!socket.isOpen()) {
                    return WAKEUP;
                }
                int queued = readOne(s, buf, off, len, srcMac, srcOff); // the batch, or what is queued: no poll
                if (queued >= 0) {
                    return queued;
                }
                pollFds.putShort(6, (short) 0);
                pollFds.putShort(POLLFD_SIZE + 6, (short) 0);
                int r = libc.poll(pollFds, 2, waitMs);
                receiveSyscalls.incrementAndGet();
                if (r < 0) {
                    int err = LibC.Native.errno();
                    if (err != SyscallException.EINTR) {
                        throw AfPacketException.forSocket("poll", err, ifname);
                    }
                } else if (r > 0) {
                    if ((pollFds.getShort(POLLFD_SIZE + 6) & LibC.POLLIN) != 0) {
                        libc.read(wakeFd, wakeScratch, 8); // resets the eventfd counter
                        return WAKEUP;
                    }
                    short ev = pollFds.getShort(6);
                    if ((ev & LibC.POLLNVAL) != 0) {
                        throw new ClosedChannelException();
                    }
                    if ((ev & (LibC.POLLIN | LibC.POLLERR | LibC.POLLHUP)) != 0) {
                        int n = readOne(s, buf, off, len, srcMac, srcOff);
                        if (n >= 0) {
                            return n;
                        }
                    }
                }
                if (timeoutMs == 0) {
                    return TIMEOUT;
                }
                if (timeoutMs > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return TIMEOUT;
                    }
                    waitMs = (int) Math.max(1, (left + 999_999) / 1_000_000);
                }
            }
        } finally {
            socket.leave();
            rxLock.unlock();
        }
    }

    /**
     * The next frame of the batch, reading a new batch with one {@code recvmmsg} when it is used up; returns its
     * length, or -1 when nothing is queued. Skipped frames (not for us, oversize) are counted and passed over.
     * Caller holds rxLock.
     */
    private int readOne(int s, byte[] buf, int off, int len, byte[] srcMac, int srcOff) throws IOException {
        for (;;) {
            if (rxNext == rxCount) {
                rxNext = 0;
                rxCount = 0;
                for (int i = 0; i < RX_BATCH; i++) {
                    rxMsgs.putInt((long) i * MMSG_SIZE + MSG_NAMELEN, SLL_SIZE); // value-result: reset every call
                }
                int n = libc.recvmmsg(s, rxMsgs, RX_BATCH, LibC.MSG_DONTWAIT | LibC.MSG_TRUNC, null);
                receiveSyscalls.incrementAndGet();
                if (n <= 0) {
                    if (n == 0) {
                        return -1;
                    }
                    int err = LibC.Native.errno();
                    if (err == SyscallException.EAGAIN || err == SyscallException.EINTR) {
                        return -1;
                    }
                    throw AfPacketException.forSocket("recvmmsg", err, ifname);
                }
                rxCount = n;
            }
            int i = rxNext++;
            long m = (long) i * MMSG_SIZE;
            long n = rxMsgs.getInt(m + MSG_LEN) & 0xFFFF_FFFFL; // the frame's real length (MSG_TRUNC)
            boolean truncated = (rxMsgs.getInt(m + MSG_FLAGS) & LibC.MSG_TRUNC) != 0;
            long a = (long) i * ADDR_SLOT;
            int type = rxAddrs.getByte(a + SLL_PKTTYPE) & 0xFF;
            if (type > PACKET_MULTICAST) {
                droppedNotForUs++;
                continue;
            }
            if (truncated || n > len || n > MAX_FRAME) {
                droppedOversize++;
                continue;
            }
            int length = (int) n;
            rxSlots.get((long) i * MAX_FRAME, buf, off, length);
            rxAddrs.get(a + SLL_ADDR, srcMac, srcOff, EthMedia.MAC_LENGTH);
            lastPacketType = type;
            return length;
        }
    }

    /** {@link AfPacketSocket#wakeup()}: under the socket's monitor, so never after its close marked it closed. */
    void wakeup() {
        synchronized (socket) {
            if (socket.isOpen()) {
                libc.write(wakeFd, wakeOne, 8);
            }
        }
    }

    /**
     * The socket closes: caller holds the socket's monitor and has just marked it closed. Wakes a blocked
     * {@link #receive} or {@link #awaitReadable} (WAKEUP) and a waiting leader; no wakeup writes after this.
     */
    void closing() {
        libc.write(wakeFd, wakeOne, 8);
        libc.write(leadWakeFd, wakeOne, 8);
    }

    /** {@link AfPacketSocket#lastPacketType()}. */
    int lastPacketType() {
        return lastPacketType;
    }

    /** {@link AfPacketSocket#droppedNotForUs()}. */
    long droppedNotForUs() {
        return droppedNotForUs;
    }

    /** {@link AfPacketSocket#droppedOversize()}. */
    long droppedOversize() {
        return droppedOversize;
    }

    /** {@link AfPacketSocket#receiveSyscalls()}. */
    long receiveSyscalls() {
        return receiveSyscalls.get();
    }

    /** Takes the receive lock (see the class comment). */
    void lockReceive() {
        rxLock.lock();
    }

    /** Takes the receive lock if it is free. */
    boolean tryLockReceive() {
        return rxLock.tryLock();
    }

    /**
     * Takes the receive lock, waiting for it at most {@code ms} milliseconds without allocating (one waiting thread,
     * the receive thread; {@link ReceiveLock#tryLock(long)}); {@link #unlockReceive} wakes it.
     */
    boolean tryLockReceive(long ms) throws InterruptedException {
        return rxLock.tryLock(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    void unlockReceive() {
        rxLock.unlock();
    }

    /** The receive lock itself (tests). */
    ReceiveLock receiveLock() {
        return rxLock;
    }

    /**
     * The next frame without waiting: from the batch, else one {@code recvmmsg}; caller holds the receive lock.
     *
     * @return payload length, or -1 when no frame is queued
     * @throws AfPacketException the receive error (ENETDOWN, ...)
     * @throws ClosedChannelException once closed (a receive thread then ends, as with {@link #receive})
     */
    int readQueued(byte[] buf, int off, int len, byte[] srcMac, int srcOff) throws IOException {
        if (!socket.enter()) {
            throw new ClosedChannelException();
        }
        try {
            return readOne(fd, buf, off, len, srcMac, srcOff);
        } finally {
            socket.leave();
        }
    }

    /** True while the batch holds frames not handed out yet; caller holds the receive lock. */
    boolean batchLeft() {
        return rxNext < rxCount;
    }

    /**
     * The receive thread's wait, without the receive lock, until the socket is readable or {@link #wakeup()}.
     *
     * @return {@link #READABLE}, or {@link AfPacketSocket#WAKEUP} after {@link #wakeup()} or the socket's close
     */
    int awaitReadable() throws IOException {
        if (!socket.enter()) {
            return WAKEUP;
        }
        try {
            return pollOnce(waitFds, wakeFd, wakeScratch, -1);
        } finally {
            socket.leave();
        }
    }

    /**
     * The leader's wait, without the receive lock, until the socket is readable, {@link #wakeLeader()}, an interrupt
     * of the calling thread (its flag stays set), the socket's close or {@code timeoutMs} (negative: no limit); returns
     * at once when {@code done} is true once the leader is marked waiting (so a {@link #wakeLeader()} after whatever
     * made it true is not lost). One leader at a time (EthBearer's lead lock).
     *
     * @return {@link #READABLE}, {@link AfPacketSocket#WAKEUP} or {@link AfPacketSocket#TIMEOUT}
     */
    int awaitLead(BooleanSupplier done, long timeoutMs) throws IOException {
        if (!socket.enter()) {
            return WAKEUP;
        }
        try {
            leaderWaiting = true;
            if (done.getAsBoolean()) {
                return WAKEUP;
            }
            LeadInterruptor in = interruptor;
            if (in == null || !in.isOpen()) {
                interruptor = in = new LeadInterruptor(this::leadWakeup); // first lead, or the last one was interrupted
            }
            in.enter(); // an interrupt from now on (or one already pending) writes leadWakeFd
            try {
                return pollOnce(leadFds, leadWakeFd, leadScratch, timeoutMs < 0 ? -1 : Math.min(timeoutMs, Integer.MAX_VALUE));
            } finally {
                in.exit();
            }
        } finally {
            leaderWaiting = false;
            socket.leave();
        }
    }

    /**
     * Makes the leader's {@link #awaitLead} return: writes its eventfd only while one waits there (a wakeup left for
     * no one would make the next lead wait for nothing). Any thread; allocates nothing.
     */
    void wakeLeader() {
        if (leaderWaiting) {
            leadWakeup();
        }
    }

    private void leadWakeup() {
        synchronized (socket) {
            if (socket.isOpen()) {
                libc.write(leadWakeFd, wakeOne, 8);
            }
        }
    }

    /** One {@code poll} on the socket and the eventfd {@code efd} (reset when it fired). */
    private int pollOnce(Pointer fds, int efd, Pointer scratch, long timeoutMs) throws IOException {
        fds.putShort(6, (short) 0);
        fds.putShort(POLLFD_SIZE + 6, (short) 0);
        int r = libc.poll(fds, 2, (int) timeoutMs);
        receiveSyscalls.incrementAndGet();
        if (r < 0) {
            int err = LibC.Native.errno();
            if (err == SyscallException.EINTR) {
                return READABLE; // the caller reads (nothing, then waits again) or looks at its condition
            }
            throw AfPacketException.forSocket("poll", err, ifname);
        }
        if (r == 0) {
            return TIMEOUT;
        }
        if ((fds.getShort(POLLFD_SIZE + 6) & LibC.POLLIN) != 0) {
            libc.read(efd, scratch, 8); // resets the eventfd counter
            return WAKEUP;
        }
        if ((fds.getShort(6) & LibC.POLLNVAL) != 0) {
            throw new ClosedChannelException();
        }
        return READABLE;
    }
}
