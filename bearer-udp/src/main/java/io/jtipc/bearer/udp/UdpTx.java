package io.jtipc.bearer.udp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import io.jtipc.bearer.LibC;
import io.jtipc.bearer.SyscallException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * The IPv4 UDP bearer's send batch (issue 14): frames {@link UdpBearer#queue queued} during one run of the protocol
 * core are copied into native memory and leave in one {@code sendmmsg(2)} per batch on the unicast socket's
 * descriptor, instead of one {@code DatagramChannel.send} (one {@code sendto}) each; the datagrams on the wire are the
 * same. Modelled on the Ethernet bearer's {@code AfPacketTx}: two batches allocated once per bearer (up to
 * {@value #BATCH} frames and {@value #AREA_BYTES} bytes each, with their {@code struct mmsghdr}, {@code struct iovec}
 * and {@code struct sockaddr_in} arrays), frames queued into one under {@code fillLock} without waiting for a system
 * call while the other may be on its way under {@code txLock}; no allocation per frame. A queue that finds its batch
 * full sends it first.
 *
 * <p><b>Descriptor.</b> The unicast channel's descriptor is found once, at open, through procfs
 * ({@link UdpNoCheck#fdOf}, IPv4 only); no {@code --add-opens} is needed. It is used only under {@code txLock} and
 * only while {@link #close()} has not run: the bearer calls {@code close()} before it closes the channel, so a
 * descriptor number reused after the close is never written to.
 *
 * <p><b>Order.</b> A frame sent at once ({@link UdpBearer#send}, {@link UdpBearer#broadcast}) goes between
 * {@link #beginDirect()} and {@link #endDirect()}: under {@code txLock}, after what is queued was sent, so it never
 * overtakes a frame queued before it, not even one a concurrent flush is still sending.
 *
 * <p><b>Errors</b>: EAGAIN or ENOBUFS (the socket send buffer is full) drops the rest of the batch, counted in
 * {@link #sendsDropped()} (the link retransmits); EINTR retries; EBADF, ENOTSOCK, ENETDOWN and ENODEV (the socket or
 * its interface is gone or down, every frame would fail the same way) drop the rest of the batch too, counted in
 * {@link #sendsFailed()}; any other errno (ENETUNREACH, EHOSTUNREACH, EPERM from a firewall, EINVAL, ... which depend
 * on the destination) skips that one frame, counted in {@link #sendsFailed()}, and the others still go. <b>A queued
 * frame's failure is reported by the next {@link #flush()}</b>, whichever call ran the {@code sendmmsg} (a queue
 * that had to send a full batch, a frame sent at once, the flush itself): it throws one {@link UdpBearerException}
 * {@code SEND_FAILED} naming the first failed frame's destination and errno and how many more failed since. A queue
 * or a frame sent at once never throws another frame's failure.
 */
final class UdpTx {
    /** Frames per batch: 64 (a batch is sent when full). */
    static final int BATCH = 64;
    /** Frame bytes per batch: 256 KiB (four maximal 65507-byte datagrams, eighteen of 14000 bytes). */
    static final int AREA_BYTES = 256 << 10;
    /** struct mmsghdr on LP64: struct msghdr (56) + msg_len (4) + padding. */
    static final int MMSG_SIZE = 64;
    static final int MSG_NAMELEN = 8;
    static final int MSG_IOV = 16;
    static final int MSG_IOVLEN = 24;
    /** struct iovec: iov_base, iov_len. */
    static final int IOV_SIZE = 16;
    /** struct sockaddr_in: sin_family (host order), sin_port, sin_addr (network order), 8 zero bytes. */
    static final int SIN_SIZE = 16;
    private static final short AF_INET = 2;
    /** ENOTSOCK (asm-generic/errno.h): the descriptor is not a socket. */
    static final int ENOTSOCK = 88;

    private static final System.Logger LOG = System.getLogger(UdpBearer.class.getName());

    private final LibC libc;
    private final String name;
    private final int fd;
    /** Held by the send of a batch and by {@link #close()}: the descriptor is valid while it is held and not closed. */
    private final ReentrantLock txLock = new ReentrantLock();
    private final Object fillLock = new Object();
    private final Batch[] batches = new Batch[2];
    private volatile Batch filling;
    /** Set under txLock by {@link #close()}; nothing is queued or sent after it. */
    private volatile boolean closed;
    /**
     * Set under txLock and fillLock by {@link #close()} before its final send: a queue that finds it set throws
     * CLOSED, so every frame a queue accepted is in the batch the close sends (none is lost silently).
     */
    private boolean closing;
    private volatile long sendSyscalls;
    private volatile long framesSent;
    private volatile long sendsDropped;
    private volatile long sendsFailed;
    /**
     * The first queued frame that failed since the last {@link #flush()} that threw (its destination and errno), or
     * null; and how many more failed since (written under txLock, taken by flush under txLock).
     */
    private volatile String failedFirst;
    private int failedMore;
    /** Frames a {@code sendmmsg} took since the last {@link #flush()} that returned normally (see {@link #flush()}). */
    private final AtomicInteger sentUnreported = new AtomicInteger();

    /** A send batch on descriptor {@code fd} (tests: an invalid one shows the socket-wide errors). */
    static UdpTx onDescriptor(String bearerName, int fd) {
        return new UdpTx(LibC.Native.runtime(), LibC.Native.libc(), bearerName, fd);
    }

    private UdpTx(jnr.ffi.Runtime rt, LibC libc, String name, int fd) {
        this.libc = libc;
        this.name = name;
        this.fd = fd;
        batches[0] = new Batch(rt);
        batches[1] = new Batch(rt);
        filling = batches[0];
    }

    /**
     * The send batch of the IPv4 socket bound to {@code bound} in the calling thread's network namespace, or null when
     * there is none and the bearer sends each frame at once: IPv6, system property {@code jtipc.udpSendBatch=false},
     * or the descriptor or libc not found (logged at DEBUG).
     */
    static UdpTx open(String bearerName, InetSocketAddress bound) {
        if (!(bound.getAddress() instanceof Inet4Address)) {
            return null;
        }
        if (!Boolean.parseBoolean(System.getProperty("jtipc.udpSendBatch", "true"))) {
            return null;
        }
        try {
            int fd = UdpNoCheck.fdOf(bound);
            if (fd < 0) {
                LOG.log(System.Logger.Level.DEBUG, "bearer " + bearerName + ": no descriptor for " + bound
                        + " in procfs; each frame is sent at once");
                return null;
            }
            return new UdpTx(LibC.Native.runtime(), LibC.Native.libc(), bearerName, fd);
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, "bearer " + bearerName + ": no send batch (" + e + "); each frame is sent at once");
            return null;
        }
    }

    /** The unicast socket's descriptor (tests). */
    int fd() {
        return fd;
    }

    /**
     * Queues {@code frame[off..off+len)} for the IPv4 media address at {@code dest[destOff..destOff+20)} (proto 0x0800,
     * checked by the caller; {@code len} at most one datagram, checked by the caller). Sends the batch first when the
     * frame does not fit it.
     *
     * @throws UdpBearerException {@code CLOSED} (also while {@link #close()} runs: the frame is not queued); never
     *         the failure of a full batch this call had to send (the next {@link #flush()} reports it)
     */
    void queue(byte[] dest, int destOff, byte[] frame, int off, int len) throws IOException {
        Objects.checkFromIndexSize(destOff, UdpMedia.UDP_ADDR_SIZE, dest.length);
        Objects.checkFromIndexSize(off, len, frame.length);
        if (len > AREA_BYTES) {
            throw new IllegalArgumentException("frame of " + len + " bytes exceeds " + AREA_BYTES);
        }
        for (;;) {
            synchronized (fillLock) {
                if (closing) {
                    throw closedException();
                }
                Batch t = filling;
                if (t.count < BATCH && t.used + len <= AREA_BYTES) {
                    int i = t.count;
                    t.area.put(t.used, frame, off, len);
                    t.iov.putAddress((long) i * IOV_SIZE, t.area.address() + t.used);
                    t.iov.putLong((long) i * IOV_SIZE + 8, len);
                    long a = (long) i * SIN_SIZE;
                    t.addrs.put(a + 2, dest, destOff + 2, 2); // port, network order
                    t.addrs.put(a + 4, dest, destOff + 4, 4); // IPv4 address, network order
                    t.used += len;
                    t.count = i + 1;
                    break;
                }
            }
            txLock.lock(); // the batch is full: send it, then queue into the other one
            try {
                checkOpen();
                sendLocked(); // the frames it sends, and those that failed, are reported by the next flush()
            } finally {
                txLock.unlock();
            }
        }
    }

    /**
     * Sends every queued frame, in order ({@link io.jtipc.bearer.Media#flush}).
     *
     * @return frames the kernel took since the last flush that returned normally (by this call, by a queue that had
     *         to send a full batch, or by {@link #beginDirect}); 0 when nothing was queued and nothing was sent since
     * @throws UdpBearerException {@code SEND_FAILED}: a queued frame failed since the last flush that threw (by this
     *         call or an earlier send of a batch): the first one's destination and errno, "and N more" when others
     *         failed too (all counted in {@link #sendsFailed()}; the others were sent or dropped, the batch is empty
     *         afterwards; the frames sent are returned by the next flush). Frames queued after {@link #close()} ran
     *         are never sent (0).
     */
    int flush() throws IOException {
        // filling.count == 0: nothing of this thread's is queued (it saw its own queue calls)
        if (filling.count > 0 || failedFirst != null) {
            txLock.lock();
            try {
                if (!closed) {
                    sendLocked();
                }
                String first = failedFirst;
                if (first != null) {
                    int more = failedMore;
                    failedFirst = null;
                    failedMore = 0;
                    throw new UdpBearerException(UdpBearerException.Reason.SEND_FAILED, more == 0 ? first
                            : first + " and " + more + " more queued frame" + (more == 1 ? "" : "s") + " failed");
                }
            } finally {
                txLock.unlock();
            }
        }
        return closed || sentUnreported.get() == 0 ? 0 : sentUnreported.getAndSet(0);
    }

    /**
     * Before a frame is sent at once on the unicast channel: takes the send lock and sends what is queued (its count
     * and failures are reported by the next {@link #flush()}), so the frame goes after every frame queued before it,
     * also after a batch a concurrent flush is sending. The caller sends its frame, then calls {@link #endDirect()}
     * (in a finally block) in the same thread; the channel is open meanwhile ({@link #close()} waits).
     *
     * @throws UdpBearerException {@code CLOSED} once {@link #close()} ran (the lock is not held then)
     */
    void beginDirect() throws UdpBearerException {
        txLock.lock();
        boolean ok = false;
        try {
            checkOpen();
            sendLocked();
            ok = true;
        } finally {
            if (!ok) {
                txLock.unlock();
            }
        }
    }

    /** Ends what {@link #beginDirect()} began: releases the send lock. */
    void endDirect() {
        txLock.unlock();
    }

    /** Frames queued and not yet sent. */
    int queued() {
        return filling.count;
    }

    /**
     * The bearer closes: under the send lock marks this closing (under fillLock: a queue from then on throws CLOSED,
     * so every frame a queue accepted is in the batch sent next), sends what is still queued (best effort; a failure
     * is logged at DEBUG and counted), then marks this closed, so no later call touches the descriptor the bearer is
     * about to close. Idempotent.
     */
    void close() {
        txLock.lock();
        try {
            if (closed) {
                return;
            }
            synchronized (fillLock) {
                closing = true; // no queue adds a frame from here on: the send below takes every accepted one
            }
            sendLocked();
            if (failedFirst != null) {
                LOG.log(System.Logger.Level.DEBUG, "bearer " + name + ": sending the frames queued at close: " + failedFirst
                        + (failedMore > 0 ? " and " + failedMore + " more" : ""));
                failedFirst = null; // counted in sendsFailed; no flush reports it after the close
                failedMore = 0;
            }
            closed = true;
        } finally {
            txLock.unlock();
        }
    }

    long sendSyscalls() { return sendSyscalls; }
    long framesSent() { return framesSent; }
    long sendsDropped() { return sendsDropped; }
    /** Queued frames not sent because of an error other than a full send buffer (each frame counts). */
    long sendsFailed() { return sendsFailed; }

    private void checkOpen() throws UdpBearerException {
        if (closed) {
            throw closedException();
        }
    }

    private UdpBearerException closedException() {
        return new UdpBearerException(UdpBearerException.Reason.CLOSED, "bearer " + name + " is closed");
    }

    /**
     * Caller holds txLock and the descriptor is open: swaps the batches and sends the full one with {@code sendmmsg}
     * until every frame was sent, dropped or failed; the frames sent are added to {@link #sentUnreported} whatever
     * happens, the failed ones to {@link #sendsFailed} and {@link #failedFirst}/{@link #failedMore} (for the next
     * flush).
     */
    private void sendLocked() {
        Batch t;
        synchronized (fillLock) {
            t = filling;
            if (t.count == 0) {
                return;
            }
            filling = t == batches[0] ? batches[1] : batches[0]; // empty: its send ended under txLock
        }
        int count = t.count;
        int sent = 0;
        int i = 0;
        try {
            while (i < count) {
                int n = libc.sendmmsg(fd, t.msgsFrom[i], count - i, LibC.MSG_DONTWAIT);
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
                    sendsDropped += count - i; // the send buffer is full: drop the rest at once, the link retransmits
                    i = count;
                    continue;
                }
                boolean socketWide = err == SyscallException.EBADF || err == ENOTSOCK || err == SyscallException.ENETDOWN
                        || err == SyscallException.ENODEV;
                int failed = socketWide ? count - i : 1; // socket-wide: the rest would fail the same way, one call each
                sendsFailed += failed;
                if (failedFirst == null) {
                    failedFirst = "cannot send to " + destination(t, i) + " on bearer " + name + ": "
                            + SyscallException.describe(err) + " (sendmmsg)";
                    failedMore += failed - 1;
                } else {
                    failedMore += failed;
                }
                i += failed; // otherwise this frame only: the next may go elsewhere
            }
        } finally {
            framesSent += sent;
            sentUnreported.addAndGet(sent);
            synchronized (fillLock) {
                t.count = 0;
                t.used = 0;
            }
        }
    }

    /** "a.b.c.d:port" of entry {@code i}'s sockaddr_in (error messages only). */
    private static String destination(Batch t, int i) {
        long a = (long) i * SIN_SIZE;
        int port = (t.addrs.getByte(a + 2) & 0xFF) << 8 | (t.addrs.getByte(a + 3) & 0xFF);
        return (t.addrs.getByte(a + 4) & 0xFF) + "." + (t.addrs.getByte(a + 5) & 0xFF) + "." + (t.addrs.getByte(a + 6) & 0xFF)
                + "." + (t.addrs.getByte(a + 7) & 0xFF) + ":" + port;
    }

    /**
     * One send batch in native memory, allocated once: {@value #AREA_BYTES} bytes of frames and {@value #BATCH}
     * sockaddr_in, iovecs and mmsghdrs, the mmsghdrs pointing at their iovec and sockaddr_in for good. Written under
     * fillLock while it is {@code filling}, read by the send that swapped it out (under txLock).
     */
    private static final class Batch {
        final Pointer area;
        final Pointer addrs;
        final Pointer iov;
        final Pointer msgs;
        /** {@code msgsFrom[i]}: {@link #msgs} from its i-th mmsghdr on, made once (a retry after a partial send). */
        final Pointer[] msgsFrom = new Pointer[BATCH];
        /** Frames queued and bytes of {@link #area} they use (written under fillLock). */
        volatile int count;
        int used;

        Batch(jnr.ffi.Runtime rt) {
            area = Memory.allocateDirect(rt, AREA_BYTES, true);
            addrs = Memory.allocateDirect(rt, BATCH * SIN_SIZE, true);
            iov = Memory.allocateDirect(rt, BATCH * IOV_SIZE, true);
            msgs = Memory.allocateDirect(rt, BATCH * MMSG_SIZE, true);
            for (int i = 0; i < BATCH; i++) {
                addrs.putShort((long) i * SIN_SIZE, AF_INET); // host order, as the kernel reads sa_family
                long m = (long) i * MMSG_SIZE;
                msgs.putAddress(m, addrs.address() + (long) i * SIN_SIZE);
                msgs.putInt(m + MSG_NAMELEN, SIN_SIZE);
                msgs.putAddress(m + MSG_IOV, iov.address() + (long) i * IOV_SIZE);
                msgs.putLong(m + MSG_IOVLEN, 1);
            }
            msgsFrom[0] = msgs;
            for (int i = 1; i < BATCH; i++) {
                msgsFrom[i] = msgs.slice((long) i * MMSG_SIZE);
            }
        }
    }
}
