package io.jtipc.bearer.eth;

import static io.jtipc.bearer.eth.AfPacketSocket.MAX_FRAME;
import static io.jtipc.bearer.eth.AfPacketSocket.SLL_ADDR;
import static io.jtipc.bearer.eth.AfPacketSocket.SLL_HALEN;
import static io.jtipc.bearer.eth.AfPacketSocket.SLL_SIZE;
import static io.jtipc.bearer.eth.AfPacketSocket.TX_AREA_BYTES;
import static io.jtipc.bearer.eth.AfPacketSocket.TX_BATCH;
import static io.jtipc.bearer.eth.MmsgLayout.ADDR_SLOT;
import static io.jtipc.bearer.eth.MmsgLayout.IOV_SIZE;
import static io.jtipc.bearer.eth.MmsgLayout.MMSG_SIZE;
import static io.jtipc.bearer.eth.MmsgLayout.MSG_IOV;
import static io.jtipc.bearer.eth.MmsgLayout.MSG_IOVLEN;
import static io.jtipc.bearer.eth.MmsgLayout.MSG_NAMELEN;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

import io.jtipc.bearer.LibC;
import io.jtipc.bearer.SyscallException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * The transmit side of an {@link AfPacketSocket} (the socket's sends as the kernel's {@code packet_sendmsg} takes them):
 * one frame at once with {@code sendto} ({@link #send}), or frames queued into native batches and sent with one
 * {@code sendmmsg} per batch ({@link #queue}, {@link #flush}; issue 14). The socket owns the descriptor and its
 * lifecycle; this class owns the send buffers, the send lock and the send counters. Contracts, errors and units are
 * those of the socket's methods of the same names.
 *
 * <p>Why batches: the protocol core queues what one of its runs releases (a window opened by an ack, retransmissions,
 * a burst of protocol messages) and its runner flushes once the run is over, so n frames cost one system call instead
 * of n, as the C reference blaster ({@code bench/src/main/c/afpacket_ref.c}) sends. Nothing is allocated per frame.
 * There are two batches: while a flush has one in the kernel, {@code queue} fills the other, so queuing (done under
 * the protocol core's lock) never waits for a system call.
 */
final class AfPacketTx {
    private final LibC libc;
    private final String ifname;
    /** The socket whose descriptor this side uses ({@link AfPacketSocket#checkOpen} before each use). */
    private final AfPacketSocket socket;
    /** Held by a send, a flush of a full batch, a flush, and the socket's close (the descriptor stays valid under it). */
    private final ReentrantLock txLock = new ReentrantLock();
    private final Pointer txBuf;
    private final Pointer txAddr;
    // two send batches, allocated once per socket: frames are queued into `filling` (under fillLock, never waiting for
    // a system call) while the other one may be on its way (under txLock); flush swaps them under both locks
    private final Object fillLock = new Object();
    private final TxBatch[] txBatches = new TxBatch[2];
    private volatile TxBatch filling;
    private volatile long sendSyscalls;
    private volatile long framesSent;
    private volatile long sendDropped;
    /**
     * Frames a {@code sendmmsg} took since the last {@link #flush()} that returned normally, whoever sent them (a
     * {@link #queue} that found its batch full, {@link #send} sending what was queued, another flush that failed): the
     * next {@link #flush()} returns them, so its caller learns that frames went out (count).
     */
    private final java.util.concurrent.atomic.AtomicInteger sentUnreported = new java.util.concurrent.atomic.AtomicInteger();

    AfPacketTx(jnr.ffi.Runtime rt, LibC libc, String ifname, int ethertype, int ifindex, AfPacketSocket socket) {
        this.libc = libc;
        this.ifname = ifname;
        this.socket = socket;
        txBuf = Memory.allocateDirect(rt, MAX_FRAME, true);
        txAddr = Memory.allocateDirect(rt, 32, true);
        txBatches[0] = new TxBatch(rt);
        txBatches[1] = new TxBatch(rt);
        filling = txBatches[0];
        AfPacketSocket.fillSll(txAddr, 0, ethertype, ifindex);
        txAddr.putByte(SLL_HALEN, (byte) EthMedia.MAC_LENGTH);
        for (TxBatch t : txBatches) {
            for (int i = 0; i < TX_BATCH; i++) {
                AfPacketSocket.fillSll(t.addrs, (long) i * ADDR_SLOT, ethertype, ifindex);
                t.addrs.putByte((long) i * ADDR_SLOT + SLL_HALEN, (byte) EthMedia.MAC_LENGTH);
                long m = (long) i * MMSG_SIZE;
                t.msgs.putAddress(m, t.addrs.address() + (long) i * ADDR_SLOT);
                t.msgs.putInt(m + MSG_NAMELEN, SLL_SIZE);
                t.msgs.putAddress(m + MSG_IOV, t.iov.address() + (long) i * IOV_SIZE);
                t.msgs.putLong(m + MSG_IOVLEN, 1);
            }
        }
    }

    private int checkOpen() throws ClosedChannelException {
        return socket.checkOpen();
    }

    /** {@link AfPacketSocket#send(byte[], int, byte[], int, int)}. */
    boolean send(byte[] destMac, int destOff, byte[] frame, int off, int len) throws IOException {
        Objects.checkFromIndexSize(destOff, EthMedia.MAC_LENGTH, destMac.length);
        Objects.checkFromIndexSize(off, len, frame.length);
        if (len > MAX_FRAME) {
            throw new IllegalArgumentException("frame of " + len + " bytes exceeds " + MAX_FRAME);
        }
        txLock.lock();
        try {
            int s = checkOpen();
            AfPacketException earlier = null;
            if (filling.count > 0) {
                try {
                    flushLocked(s); // what was queued before goes first
                } catch (AfPacketException e) {
                    earlier = new AfPacketException(e.operation(), e.errno(), e.getMessage() + " (an earlier queued frame)");
                }
            }
            txBuf.put(0, frame, off, len);
            txAddr.put(SLL_ADDR, destMac, destOff, EthMedia.MAC_LENGTH);
            boolean took;
            for (;;) {
                long n = libc.sendto(s, txBuf, len, LibC.MSG_DONTWAIT, txAddr, SLL_SIZE);
                sendSyscalls++;
                if (n >= 0) {
                    framesSent++;
                    took = true;
                    break;
                }
                int err = LibC.Native.errno();
                if (err == SyscallException.EINTR) {
                    continue;
                }
                if (err == SyscallException.EAGAIN || err == SyscallException.ENOBUFS) {
                    took = false;
                    break;
                }
                AfPacketException own = err == SyscallException.EMSGSIZE
                        ? new AfPacketException("sendto", err, "frame of " + len + " bytes is larger than the MTU of interface "
                                + ifname + " (sendto failed: EMSGSIZE)")
                        : AfPacketException.forSocket("sendto", err, ifname);
                if (earlier != null) {
                    own.addSuppressed(earlier);
                }
                throw own;
            }
            if (earlier != null) {
                throw earlier;
            }
            return took;
        } finally {
            txLock.unlock();
        }
    }

    /** {@link AfPacketSocket#queue}. */
    void queue(byte[] destMac, int destOff, byte[] frame, int off, int len) throws IOException {
        Objects.checkFromIndexSize(destOff, EthMedia.MAC_LENGTH, destMac.length);
        Objects.checkFromIndexSize(off, len, frame.length);
        if (len > MAX_FRAME) {
            throw new IllegalArgumentException("frame of " + len + " bytes exceeds " + MAX_FRAME);
        }
        IOException earlier = null;
        for (;;) {
            synchronized (fillLock) {
                checkOpen();
                TxBatch t = filling;
                if (t.count < TX_BATCH && t.used + len <= TX_AREA_BYTES) {
                    int i = t.count;
                    t.area.put(t.used, frame, off, len);
                    t.iov.putAddress((long) i * IOV_SIZE, t.area.address() + t.used);
                    t.iov.putLong((long) i * IOV_SIZE + 8, len);
                    t.addrs.put((long) i * ADDR_SLOT + SLL_ADDR, destMac, destOff, EthMedia.MAC_LENGTH);
                    t.used += len;
                    t.count = i + 1;
                    break;
                }
            }
            txLock.lock(); // the batch is full: send it, then queue into the other one
            try {
                flushLocked(checkOpen()); // the frames it sends are returned by the next flush() (sentUnreported)
            } catch (ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                earlier = e;
            } finally {
                txLock.unlock();
            }
        }
        if (earlier != null) {
            throw earlier;
        }
    }

    /** {@link AfPacketSocket#flush}. */
    int flush() throws IOException {
        if (filling.count == 0) { // nothing of this thread's is queued: it saw its own queue calls
            return !socket.isOpen() || sentUnreported.get() == 0 ? 0 : sentUnreported.getAndSet(0);
        }
        txLock.lock();
        try {
            flushLocked(checkOpen());
        } finally {
            txLock.unlock();
        }
        return sentUnreported.getAndSet(0);
    }

    /** {@link AfPacketSocket#queued}. */
    int queued() {
        return filling.count;
    }

    /**
     * The socket closes (it is marked closed already): under the send lock, sends what is still queued (best effort,
     * the interface may be gone), then runs {@code closeFds}, so no send uses a descriptor being closed.
     */
    void closing(int fd, Runnable closeFds) {
        txLock.lock();
        try {
            if (filling.count > 0) {
                try {
                    flushLocked(fd);
                } catch (IOException e) {
                    // best effort: the interface may be gone
                }
            }
            closeFds.run();
        } finally {
            txLock.unlock();
        }
    }

    /** {@link AfPacketSocket#framesSent}. */
    long framesSent() {
        return framesSent;
    }

    /** {@link AfPacketSocket#sendSyscalls}. */
    long sendSyscalls() {
        return sendSyscalls;
    }

    /** {@link AfPacketSocket#sendDropped}. */
    long sendDropped() {
        return sendDropped;
    }

    /**
     * Caller holds txLock (and the socket was open when it took it): swaps the batches and sends the full one; the frames
     * sent are added to {@link #sentUnreported} whatever happens.
     */
    private int flushLocked(int s) throws IOException {
        TxBatch t;
        synchronized (fillLock) {
            t = filling;
            if (t.count == 0) {
                return 0;
            }
            filling = t == txBatches[0] ? txBatches[1] : txBatches[0]; // empty: its flush ended under txLock
        }
        int count = t.count;
        int sent = 0;
        int i = 0;
        AfPacketException first = null;
        // one frame: sendto, the same frame to the same address for less kernel work than a sendmmsg of one (no
        // mmsghdr/msghdr copy-in and iovec import: 2.35-2.41 against 2.60-2.80 us of kernel CPU per 1 032-byte frame on
        // the bench host's veth, bench/RESULTS.md); a one-way sender's flush after each message is this case
        String op = count == 1 ? "sendto" : "sendmmsg";
        try {
            while (i < count) {
                int n = count == 1 ? sendOne(s, t) : libc.sendmmsg(s, t.msgsFrom[i], count - i, LibC.MSG_DONTWAIT);
                sendSyscalls++;
                if (n > 0) {
                    i += n;
                    sent += n;
                    continue;
                }
                int err = n < 0 ? LibC.Native.errno() : SyscallException.EAGAIN;
                if (err == SyscallException.EINTR) {
                    continue;
                }
                if (err == SyscallException.EAGAIN || err == SyscallException.ENOBUFS) {
                    sendDropped += count - i; // the send queue is full: drop the rest at once, the link retransmits
                    i = count;
                    continue;
                }
                if (err == SyscallException.EMSGSIZE) {
                    long len = t.iov.getLong((long) i * IOV_SIZE + 8);
                    if (first == null) {
                        first = new AfPacketException(op, err, "frame of " + len
                                + " bytes is larger than the MTU of interface " + ifname + " (" + op + " failed: EMSGSIZE)");
                    }
                    sendDropped++;
                    i++;
                    continue;
                }
                if (first == null) {
                    first = AfPacketException.forSocket(op, err, ifname);
                }
                sendDropped += count - i; // interface down or gone: the rest would fail the same way
                i = count;
            }
        } finally {
            framesSent += sent;
            sentUnreported.addAndGet(sent);
            synchronized (fillLock) {
                t.count = 0;
                t.used = 0;
            }
        }
        if (first != null) {
            throw first;
        }
        return sent;
    }

    /**
     * Sends the only frame of {@code t} (area offset 0, address slot 0) with one {@code sendto}; errno as the call left
     * it. Caller holds txLock.
     *
     * @return 1 if the kernel took it, -1 on an error (read errno)
     */
    private int sendOne(int s, TxBatch t) {
        return libc.sendto(s, t.area, t.iov.getLong(8), LibC.MSG_DONTWAIT, t.addrs, SLL_SIZE) >= 0 ? 1 : -1;
    }

    /**
     * One send batch in native memory, allocated once: {@link AfPacketSocket#TX_AREA_BYTES} of frames, {@link AfPacketSocket#TX_BATCH} destination
     * sockaddr_ll, iovecs and mmsghdrs. Written under fillLock while it is {@code filling}, read by the flush that
     * swapped it out (under txLock).
     */
    private static final class TxBatch {
        final Pointer area;
        final Pointer addrs;
        final Pointer iov;
        final Pointer msgs;
        /** {@code msgsFrom[i]}: {@link #msgs} from its i-th mmsghdr on, made once (a retry after a partial send). */
        final Pointer[] msgsFrom = new Pointer[TX_BATCH];
        /** Frames queued and bytes of {@link #area} they use (written under fillLock). */
        volatile int count;
        int used;

        TxBatch(jnr.ffi.Runtime rt) {
            area = Memory.allocateDirect(rt, TX_AREA_BYTES, true);
            addrs = Memory.allocateDirect(rt, TX_BATCH * ADDR_SLOT, true);
            iov = Memory.allocateDirect(rt, TX_BATCH * IOV_SIZE, true);
            msgs = Memory.allocateDirect(rt, TX_BATCH * MMSG_SIZE, true);
            msgsFrom[0] = msgs;
            for (int i = 1; i < TX_BATCH; i++) {
                msgsFrom[i] = msgs.slice((long) i * MMSG_SIZE);
            }
        }
    }
}
