package io.jtipc.bearer.udp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * on the destination) skips that one frame, counted in {@link #sendsFailed()}, and the others still go.
 *
 * <p><b>Segmentation offload</b> (when opened with {@code gso}, see {@link UdpSockets#gso}): a batch leaves as
 * {@link #runs runs}, a run of several equal frames to one destination as one message the kernel cuts into the same
 * datagrams ({@code UDP_SEGMENT}). An errno on a run counts for all its frames (same destination) as above, except
 * EINVAL, EIO, EMSGSIZE, ENOPROTOOPT and EOPNOTSUPP: then the rest of the batch goes one frame per message, and if the
 * run's first frame goes on its own the offload is off for good (logged once; SO_NO_CHECK is set then), otherwise
 * the frames fail one by one as without it. <b>A queued
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
    static final int MSG_CONTROL = 32;
    static final int MSG_CONTROLLEN = 40;
    /** SOL_UDP and UDP_SEGMENT (include/uapi/linux/udp.h): the cmsg carrying a send's GSO segment size (u16). */
    static final int SOL_UDP = 17;
    static final int UDP_SEGMENT = 103;
    /** CMSG_SPACE(sizeof(u16)) on LP64: cmsghdr (len 8, level 4, type 4) + the u16, padded to 8. */
    static final int CMSG_SPACE_U16 = 24;
    /** UDP_MAX_SEGMENTS of Linux 4.18-6.x (include/linux/udp.h: 1 << 6; later kernels allow more). */
    static final int UDP_MAX_SEGMENTS = 64;
    /** The largest IPv4 UDP payload: a GSO send's segments together stay within it (ip_append_data, maxnonfragsize). */
    static final int MAX_GSO_BYTES = 65507;
    /** EIO (asm-generic/errno-base.h): udp_send_skb's answer to GSO on a device without checksum offload. */
    static final int EIO = 5;
    static final int ENOPROTOOPT = 92;
    static final int EOPNOTSUPP = 95;
    /** ENOTSOCK (asm-generic/errno.h): the descriptor is not a socket. */
    static final int ENOTSOCK = 88;

    private static final Logger LOG = LoggerFactory.getLogger(UdpBearer.class);

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
     * Whether runs of equal-sized frames to one destination leave as one GSO send ({@code UDP_SEGMENT}); cleared for
     * good when the kernel refuses a run whose first frame then goes on its own ({@link #offloadRefused}).
     */
    private volatile boolean gso;
    private volatile long gsoSends;
    /** SO_NO_CHECK set by {@link #offloadRefused}. */
    private volatile boolean checksumsOff;
    /**
     * The first queued frame that failed since the last {@link #flush()} that threw (its destination and errno), or
     * null; and how many more failed since (written under txLock, taken by flush under txLock).
     */
    private volatile String failedFirst;
    private int failedMore;
    /** Frames a {@code sendmmsg} took since the last {@link #flush()} that returned normally (see {@link #flush()}). */
    private final AtomicInteger sentUnreported = new AtomicInteger();

    /** A send batch on descriptor {@code fd} (tests: an invalid one shows the socket-wide errors). */
    static UdpTx onDescriptor(String bearerName, int fd, boolean gso) {
        return new UdpTx(LibC.Native.runtime(), LibC.Native.libc(), bearerName, fd, gso);
    }

    private UdpTx(jnr.ffi.Runtime rt, LibC libc, String name, int fd, boolean gso) {
        this.gso = gso;
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
     * or the descriptor or libc not found (logged at DEBUG). {@code gso}: runs of equal-sized frames to one
     * destination leave as one GSO send (the socket must compute UDP checksums, {@link UdpSockets#gso}).
     */
    static UdpTx open(String bearerName, InetSocketAddress bound, boolean gso) {
        if (!(bound.getAddress() instanceof Inet4Address)) {
            return null;
        }
        if (!Boolean.parseBoolean(System.getProperty("jtipc.udpSendBatch", "true"))) {
            return null;
        }
        try {
            int fd = UdpNoCheck.fdOf(bound);
            if (fd < 0) {
                LOG.debug("bearer " + bearerName + ": no descriptor for " + bound
                        + " in procfs; each frame is sent at once");
                return null;
            }
            return new UdpTx(LibC.Native.runtime(), LibC.Native.libc(), bearerName, fd, gso);
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.debug("bearer " + bearerName + ": no send batch (" + e + "); each frame is sent at once");
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
                    t.lens[i] = len;
                    t.dests[i] = (dest[destOff + 2] & 0xFFL) << 40 | (dest[destOff + 3] & 0xFFL) << 32
                            | (dest[destOff + 4] & 0xFFL) << 24 | (dest[destOff + 5] & 0xFFL) << 16
                            | (dest[destOff + 6] & 0xFFL) << 8 | (dest[destOff + 7] & 0xFFL);
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
                LOG.debug("bearer " + name + ": sending the frames queued at close: " + failedFirst
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
     * flush). With GSO on the messages are the batch's {@link #group groups}, each carrying one frame or a run of
     * them; an error on a group counts for all its frames (they share the destination). A run the kernel refuses
     * (EINVAL: a segment over the path MTU, checksums off, or the destination's own error such as port 0; EIO: no
     * checksum offload; ...) sends the rest of the batch one frame per message; if the run's first frame then goes,
     * the offload was refused and is off for good ({@link #offloadRefused}, after the frames sent are counted).
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
        boolean grouped = gso && count > 1;
        int units = grouped ? group(t, count) : count; // messages: groups, or one per frame
        int u = 0;
        int probe = -1; // the first frame of a run the kernel refused, sent on its own next (see below)
        int probeErr = 0;
        try {
            while (u < units) {
                int n = libc.sendmmsg(fd, grouped ? t.gmsgsFrom[u] : t.msgsFrom[u], units - u, LibC.MSG_DONTWAIT);
                sendSyscalls++;
                if (n > 0) {
                    boolean refused = u == probe; // the frame went on its own: the offload was refused, not the frame
                    probe = -1;
                    sent += grouped ? t.groupStart[u + n] - t.groupStart[u] : n;
                    if (grouped) {
                        for (int k = u; k < u + n; k++) {
                            if (t.groupStart[k + 1] - t.groupStart[k] > 1) {
                                gsoSends++;
                            }
                        }
                    }
                    u += n;
                    if (refused) {
                        offloadRefused(probeErr);
                    }
                    continue;
                }
                int err = n < 0 ? LibC.Native.errno() : SyscallException.EAGAIN;
                if (err == SyscallException.EINTR) {
                    continue;
                }
                int first = grouped ? t.groupStart[u] : u; // the unit's first frame
                int frames = grouped ? t.groupStart[u + 1] - first : 1;
                if (frames > 1 && (err == SyscallException.EINVAL || err == EIO || err == SyscallException.EMSGSIZE
                        || err == ENOPROTOOPT || err == EOPNOTSUPP)) {
                    // the offload or the destination (port 0, a smaller path MTU)? The rest of the batch goes one frame
                    // per message; if the run's first frame then goes, the offload was refused and stays off
                    grouped = false;
                    units = count;
                    u = first;
                    probe = first;
                    probeErr = err;
                    continue;
                }
                probe = -1; // a frame that failed on its own too: its destination's error, the offload stays on
                if (err == SyscallException.EAGAIN || err == SyscallException.ENOBUFS) {
                    sendsDropped += count - first; // the send buffer is full: drop the rest at once, the link retransmits
                    u = units;
                    continue;
                }
                boolean socketWide = err == SyscallException.EBADF || err == ENOTSOCK || err == SyscallException.ENETDOWN
                        || err == SyscallException.ENODEV;
                int failed = socketWide ? count - first : frames; // socket-wide: the rest would fail the same way
                sendsFailed += failed;
                if (failedFirst == null) {
                    failedFirst = "cannot send to " + destination(t, first) + " on bearer " + name + ": "
                            + SyscallException.describe(err) + " (sendmmsg)";
                    failedMore += failed - 1;
                } else {
                    failedMore += failed;
                }
                u = socketWide ? units : u + 1; // otherwise this unit only: the next may go elsewhere
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

    /**
     * Cuts {@code count} frames (lengths {@code lens}, destinations {@code dests}) into runs, one message each: a run is
     * frames to one destination, each but the last exactly as long as the first and the last not longer, at most
     * {@value #MAX_GSO_BYTES} bytes together (ip_append_data's limit) and with its IPv4 and UDP headers at most
     * {@value #UDP_MAX_SEGMENTS} times the first's length (udp_send_skb compared the skb's length, headers included,
     * with gso_size * UDP_MAX_SEGMENTS before Linux 5.16, commit 158390e45612); a frame alone is a run of one, and
     * so is every frame to a multicast group (a multicast-mode bearer's broadcasts: kept out of the offload, whose
     * looped-back multicast copies this bearer does not test). {@code dests[i]}: port &lt;&lt; 32 | IPv4 address.
     * {@code starts[r]} is run r's first frame and {@code starts[runs]} = {@code count}.
     *
     * @return the number of runs (1..count)
     */
    static int runs(int[] lens, long[] dests, int count, int[] starts) {
        int runs = 0;
        for (int s = 0; s < count; ) {
            int first = lens[s];
            long total = first;
            int e = s + 1;
            boolean multicast = (dests[s] >>> 24 & 0xF0) == 0xE0; // 224.0.0.0/4: not offloaded (looped-back copies)
            while (!multicast && e < count && dests[e] == dests[s] && lens[e - 1] == first && lens[e] <= first
                    && total + lens[e] <= MAX_GSO_BYTES
                    && total + lens[e] + UdpSockets.IPV4_UDP_HEADERS <= (long) first * UDP_MAX_SEGMENTS) {
                total += lens[e];
                e++;
            }
            starts[runs++] = s;
            s = e;
        }
        starts[runs] = count;
        return runs;
    }

    /**
     * Cuts batch {@code t}'s {@code count} frames into {@link #runs} and writes one message per run into
     * {@code t.gmsgs}: a run of several carries {@code UDP_SEGMENT} = its first frame's length, which the kernel cuts
     * into the same datagrams (net/ipv4/udp.c udp_send_skb, net/ipv4/udp_offload.c); a frame alone is a plain message.
     *
     * @return the number of runs (1..count), their first frames in {@code t.groupStart}
     */
    private static int group(Batch t, int count) {
        int groups = runs(t.lens, t.dests, count, t.groupStart);
        for (int g = 0; g < groups; g++) {
            int s = t.groupStart[g];
            int k = t.groupStart[g + 1] - s;
            long m = (long) g * MMSG_SIZE;
            t.gmsgs.putAddress(m, t.addrs.address() + (long) s * SIN_SIZE);
            t.gmsgs.putAddress(m + MSG_IOV, t.iov.address() + (long) s * IOV_SIZE);
            t.gmsgs.putLong(m + MSG_IOVLEN, k);
            if (k > 1) {
                t.ctrl.putShort((long) g * CMSG_SPACE_U16 + 16, (short) t.lens[s]);
                t.gmsgs.putAddress(m + MSG_CONTROL, t.ctrl.address() + (long) g * CMSG_SPACE_U16);
                t.gmsgs.putLong(m + MSG_CONTROLLEN, CMSG_SPACE_U16);
            } else {
                t.gmsgs.putAddress(m + MSG_CONTROL, 0L);
                t.gmsgs.putLong(m + MSG_CONTROLLEN, 0L);
            }
        }
        return groups;
    }

    /**
     * The kernel refused a run that its first frame alone passed: segmentation offload is off for good (logged once),
     * and UDP checksums too (SO_NO_CHECK, as the kernel's bearer sends; they were on only for the offload). Under
     * txLock.
     */
    private void offloadRefused(int err) {
        if (!gso) {
            return;
        }
        gso = false;
        String noCheck;
        try {
            noCheck = UdpNoCheck.set(fd);
        } catch (RuntimeException | LinkageError | OutOfMemoryError e) {
            noCheck = e.toString();
        }
        checksumsOff = noCheck == null;
        LOG.info("bearer " + name + ": the kernel refused a segmentation offload send ("
                + SyscallException.describe(err) + "); each datagram goes on its own from now on, with UDP checksum "
                + (noCheck == null ? "0" : "on (" + noCheck + ")"));
    }

    /** Whether SO_NO_CHECK was set when segmentation offload was refused ({@link #offloadRefused}). */
    boolean checksumsOffSinceRefusal() { return checksumsOff; }

    /** Whether runs of frames still leave as GSO sends (false once the kernel refused one). */
    boolean gso() { return gso; }

    /** GSO sends the kernel took (each carried several datagrams; count). */
    long gsoSends() { return gsoSends; }

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
        /** Per frame: its length and its destination (port and IPv4 address, 48 bits), for the GSO groups. */
        final int[] lens = new int[BATCH];
        final long[] dests = new long[BATCH];
        /** The GSO send's mmsghdrs (one per group), their cmsgs, each group's first frame (and count at the end). */
        final Pointer gmsgs;
        final Pointer ctrl;
        final Pointer[] gmsgsFrom = new Pointer[BATCH];
        final int[] groupStart = new int[BATCH + 1];
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
            gmsgs = Memory.allocateDirect(rt, BATCH * MMSG_SIZE, true);
            ctrl = Memory.allocateDirect(rt, BATCH * CMSG_SPACE_U16, true);
            for (int i = 0; i < BATCH; i++) {
                gmsgs.putInt((long) i * MMSG_SIZE + MSG_NAMELEN, SIN_SIZE);
                long c = (long) i * CMSG_SPACE_U16;
                ctrl.putLong(c, 18); // CMSG_LEN(2)
                ctrl.putInt(c + 8, SOL_UDP);
                ctrl.putInt(c + 12, UDP_SEGMENT);
                gmsgsFrom[i] = gmsgs.slice((long) i * MMSG_SIZE);
            }
            msgsFrom[0] = msgs;
            for (int i = 1; i < BATCH; i++) {
                msgsFrom[i] = msgs.slice((long) i * MMSG_SIZE);
            }
        }
    }
}
