package io.jtipc.bearer.udp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jtipc.bearer.LibC;
import io.jtipc.bearer.SyscallException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * The IPv4 UDP bearer's receive batch (issue 14): queued datagrams are read with one
 * {@code recvmmsg(fd, msgs, }{@value #BATCH}{@code , MSG_DONTWAIT, NULL)} into native slots allocated once per bearer,
 * instead of one {@code DatagramChannel.receive} ({@code recvfrom}) each, and handed out one at a time by
 * {@link UdpRx} in the order the socket gave them. The datagrams and their handling are those of
 * {@code tipc_udp_recv} (net/tipc/udp_media.c) as before; only the reading is batched, as {@link UdpTx} batches the
 * sending and the Ethernet bearer's {@code AfPacketSocket} its receive.
 *
 * <p><b>Memory</b>, allocated once: {@value #BATCH} slots of {@value #SLOT} bytes (any UDP payload fits, so nothing is
 * cut), {@value #BATCH} {@code struct sockaddr_in} (16 bytes: family, port big-endian, address big-endian), iovecs
 * and {@code struct mmsghdr}s (64 bytes each on LP64) pointing at them for good; about 1 MiB per bearer. Nothing is
 * allocated per datagram: its source is read from its {@code msg_name} as an int address and a port.
 *
 * <p><b>Runs taken whole.</b> With segmentation offload ({@link UdpBearerConfig#gso}) the socket has {@code UDP_GRO}
 * set: a run of datagrams a sender handed over as one {@code UDP_SEGMENT} send (or the receive path coalesced) arrives
 * in one slot with a {@code UDP_GRO} cmsg giving the segment size (net/ipv4/udp.c udp_cmsg_recv), and is handed out as
 * the datagrams it was cut from: each of the segment size, the last maybe shorter, with the slot's source.
 *
 * <p><b>Descriptor.</b> The unicast socket's, found once through procfs ({@link UdpNoCheck#fdOf}, IPv4 only) as
 * {@link UdpTx} finds it. Not thread-safe: the caller holds the bearer's receive lock for every call. The bearer calls
 * {@link #close()} before it closes the channel: from then on no {@code recvmmsg} starts, and the one under way (if
 * any) has ended when it returns (the look at the closed flag and the call run under one small lock, {@code callLock},
 * which close takes to set the flag), so a descriptor number reused after the close is never read from. It waits for
 * that one non-blocking call only ({@code MSG_DONTWAIT}), not for the receive lock (whose holder may sit in a
 * handler). The native memory is freed by the garbage collector once the bearer is unreachable, not at close: a
 * datagram of the last batch may still be copied out after it.
 *
 * <p><b>Errors</b>: EINTR (and ECONNREFUSED, as the JDK) retries; EAGAIN means nothing is queued; any other errno is thrown as a
 * {@link SyscallException} ("recvmmsg"), which the caller reports as a receive error of the JDK path is reported.
 */
final class UdpRxBatch {
    /** Datagrams read per {@code recvmmsg} at most (count): 16, a 64 KiB STREAM chunk at MTU 14000 is 5. */
    static final int BATCH = 16;
    /** Bytes per slot: {@value}, any UDP payload (65507 bytes over IPv4 at most). */
    static final int SLOT = UdpBearer.MAX_FRAME;
    /** struct mmsghdr on LP64: struct msghdr (56 bytes) + unsigned msg_len + padding. */
    static final int MMSG_SIZE = 64;
    static final int MSG_NAMELEN = 8;
    static final int MSG_IOV = 16;
    static final int MSG_IOVLEN = 24;
    static final int MSG_CONTROL = 32;
    static final int MSG_CONTROLLEN = 40;
    static final int MSG_LEN = 56;
    /** SOL_UDP, UDP_GRO (include/uapi/linux/udp.h): the socket option and the cmsg carrying a coalesced datagram's segment size (int). */
    static final int SOL_UDP = 17;
    static final int UDP_GRO = 104;
    /** CMSG_SPACE(sizeof(int)) on LP64. */
    static final int CMSG_SPACE_INT = 24;
    static final int IOV_SIZE = 16;
    /** struct sockaddr_in: sin_family (host order), sin_port, sin_addr (network order), 8 zero bytes. */
    static final int SIN_SIZE = 16;

    /**
     * ECONNREFUSED (asm-generic/errno.h): an ICMP port unreachable pending on the socket (only with IP_RECVERR on an
     * unconnected socket, which the bearer does not set); skipped and retried as the JDK's receive on an unconnected
     * DatagramChannel does.
     */
    static final int ECONNREFUSED = 111;

    private static final Logger LOG = LoggerFactory.getLogger(UdpBearer.class);

    private final LibC libc;
    private final String name;
    private final int fd;
    private final Pointer slots;
    private final Pointer addrs;
    private final Pointer msgs;
    /** The iovecs, referenced from {@link #msgs} by address only (held so they are not freed). */
    @SuppressWarnings("unused")
    private final Pointer iov;
    /** Datagrams of the last {@code recvmmsg} and the next one to hand out. */
    private int count;
    private int next;
    /** Each slot's cmsg area (UDP_GRO), or null when the socket does not coalesce. */
    private final Pointer ctrl;
    /**
     * The datagram handed out last: its slot, offset in the slot and length (a slot the kernel coalesced, UDP_GRO,
     * holds several datagrams of {@link #segSize} bytes, the last maybe shorter), the slot's payload length.
     */
    private int cur = -1;
    private int curOff;
    private int curLen;
    private int slotLen;
    private int segSize;
    private volatile long coalesced;
    /** {@code recvmmsg} calls made (tests, bench). */
    private volatile long syscalls;
    /** Held around the look at {@link #closed} and the {@code recvmmsg} after it, and by {@link #close()}. */
    private final Object callLock = new Object();
    /** Set by {@link #close()} under {@link #callLock}: no {@code recvmmsg} starts after it. */
    private boolean closed;

    private UdpRxBatch(jnr.ffi.Runtime rt, LibC libc, String name, int fd, boolean gro) {
        this.libc = libc;
        this.name = name;
        this.fd = fd;
        slots = Memory.allocateDirect(rt, (long) BATCH * SLOT, false);
        addrs = Memory.allocateDirect(rt, BATCH * SIN_SIZE, true);
        Pointer iov = Memory.allocateDirect(rt, BATCH * IOV_SIZE, true);
        msgs = Memory.allocateDirect(rt, BATCH * MMSG_SIZE, true);
        for (int i = 0; i < BATCH; i++) {
            iov.putAddress((long) i * IOV_SIZE, slots.address() + (long) i * SLOT);
            iov.putLong((long) i * IOV_SIZE + 8, SLOT);
            long m = (long) i * MMSG_SIZE;
            msgs.putAddress(m, addrs.address() + (long) i * SIN_SIZE);
            msgs.putAddress(m + MSG_IOV, iov.address() + (long) i * IOV_SIZE);
            msgs.putLong(m + MSG_IOVLEN, 1);
        }
        this.ctrl = gro ? Memory.allocateDirect(rt, BATCH * CMSG_SPACE_INT, true) : null;
        if (gro) {
            for (int i = 0; i < BATCH; i++) {
                msgs.putAddress((long) i * MMSG_SIZE + MSG_CONTROL, ctrl.address() + (long) i * CMSG_SPACE_INT);
            }
        }
        this.iov = iov; // referenced from msgs by address only: held here so it is not freed
    }

    /**
     * The receive batch of the IPv4 socket bound to {@code bound} in the calling thread's network namespace, or null
     * when the bearer reads each datagram with {@code DatagramChannel.receive}: IPv6, more than one socket (multicast
     * mode: {@code sockets} 2), system property {@code jtipc.udpRecvBatch=false}, or the descriptor or libc not found
     * (logged at DEBUG). {@code gro}: the socket takes runs of datagrams whole ({@code UDP_GRO}, set here; when the
     * kernel refuses it, logged at DEBUG, each datagram comes on its own as before).
     */
    static UdpRxBatch open(String bearerName, InetSocketAddress bound, int sockets, boolean gro) {
        if (!(bound.getAddress() instanceof Inet4Address) || sockets != 1) {
            return null;
        }
        if (!Boolean.parseBoolean(System.getProperty("jtipc.udpRecvBatch", "true"))) {
            return null;
        }
        try {
            int fd = UdpNoCheck.fdOf(bound);
            if (fd < 0) {
                LOG.debug("bearer " + bearerName + ": no descriptor for " + bound
                        + " in procfs; each datagram is read on its own");
                return null;
            }
            return new UdpRxBatch(LibC.Native.runtime(), LibC.Native.libc(), bearerName, fd, gro && enableGro(bearerName, fd));
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.debug("bearer " + bearerName + ": no receive batch (" + e
                    + "); each datagram is read on its own");
            return null;
        }
    }

    /** A receive batch on descriptor {@code fd} (tests: an invalid one shows the error path). */
    static UdpRxBatch onDescriptor(String bearerName, int fd) {
        return new UdpRxBatch(LibC.Native.runtime(), LibC.Native.libc(), bearerName, fd, false);
    }

    /** Sets UDP_GRO on {@code fd} (net/ipv4/udp.c udp_lib_setsockopt); false, logged at DEBUG, when refused. */
    private static boolean enableGro(String bearerName, int fd) {
        Pointer v = Memory.allocateDirect(LibC.Native.runtime(), 4);
        v.putInt(0, 1);
        if (LibC.Native.libc().setsockopt(fd, SOL_UDP, UDP_GRO, v, 4) == 0) {
            return true;
        }
        LOG.debug("bearer " + bearerName + ": UDP_GRO refused ("
                + SyscallException.describe(LibC.Native.errno()) + "); each datagram is read on its own");
        return false;
    }

    /** Whether the socket hands over runs of datagrams whole (UDP_GRO set). */
    boolean gro() {
        return ctrl != null;
    }

    /** Slots that held a run of several datagrams, split by this batch (count). */
    long coalesced() {
        return coalesced;
    }

    /**
     * The next datagram's slot: from the last batch, else read a new batch with one {@code recvmmsg} (EINTR retried).
     *
     * @return the slot index (read it with {@link #length}, {@link #copy}, {@link #ip}, {@link #port} before the next
     *         call), or -1 when nothing is queued (EAGAIN)
     * @throws SyscallException ("recvmmsg", errno) for any other error; the batch is empty then
     * @throws ClosedChannelException after {@link #close()} (datagrams of the last batch are still handed out)
     */
    int next() throws IOException {
        if (cur >= 0 && curOff + curLen < slotLen) {
            curOff += curLen;
            curLen = Math.min(segSize, slotLen - curOff);
            return cur;
        }
        if (next < count) {
            return select(next++);
        }
        next = 0;
        count = 0;
        cur = -1;
        for (;;) {
            for (int i = 0; i < BATCH; i++) {
                msgs.putInt((long) i * MMSG_SIZE + MSG_NAMELEN, SIN_SIZE); // value-result: reset before every call
                if (ctrl != null) {
                    msgs.putLong((long) i * MMSG_SIZE + MSG_CONTROLLEN, CMSG_SPACE_INT);
                }
            }
            int n;
            synchronized (callLock) { // close waits for this call, which never blocks (MSG_DONTWAIT)
                if (closed) {
                    throw new ClosedChannelException(); // as DatagramChannel.receive on a closed channel
                }
                n = libc.recvmmsg(fd, msgs, BATCH, LibC.MSG_DONTWAIT, null);
            }
            syscalls++;
            if (n > 0) {
                count = n;
                next = 1;
                return select(0);
            }
            if (n == 0) {
                return -1;
            }
            int err = LibC.Native.errno();
            if (err == SyscallException.EINTR || err == ECONNREFUSED) {
                continue; // ECONNREFUSED: a pending ICMP error, cleared by this call; the JDK retries too (unconnected)
            }
            if (err == SyscallException.EAGAIN) {
                return -1;
            }
            throw new SyscallException("recvmmsg", err, SyscallException.describe(err) + " (recvmmsg on bearer "
                    + name + ")");
        }
    }

    /** Makes slot {@code i} current: its first datagram (all of it unless the kernel coalesced several, UDP_GRO). */
    private int select(int i) {
        cur = i;
        curOff = 0;
        slotLen = msgs.getInt((long) i * MMSG_SIZE + MSG_LEN);
        segSize = slotLen;
        if (ctrl != null && msgs.getLong((long) i * MMSG_SIZE + MSG_CONTROLLEN) >= 20) {
            long c = (long) i * CMSG_SPACE_INT;
            if (ctrl.getInt(c + 8) == SOL_UDP && ctrl.getInt(c + 12) == UDP_GRO) {
                int g = ctrl.getInt(c + 16);
                if (g > 0 && g < slotLen) {
                    segSize = g;
                    coalesced++;
                }
            }
        }
        curLen = Math.min(segSize, slotLen);
        return i;
    }

    /**
     * The bearer closes (before it closes the channel): no {@code recvmmsg} starts from now on; waits for one under
     * way (it never blocks: it ends within microseconds, however long its thread was descheduled before it). Idempotent.
     */
    void close() {
        synchronized (callLock) {
            closed = true;
        }
    }

    /** True while the last batch holds datagrams not handed out yet. */
    boolean left() {
        return next < count || cur >= 0 && curOff + curLen < slotLen;
    }

    /** Payload length of the datagram {@link #next()} returned slot {@code i} for, bytes (at most {@value #SLOT}). */
    int length(int i) {
        return curLen;
    }

    /** Copies the first {@code len} payload bytes of the datagram {@link #next()} returned slot {@code i} for to {@code dst[off..]}. */
    void copy(int i, byte[] dst, int off, int len) {
        slots.get((long) i * SLOT + curOff, dst, off, len);
    }

    /** Source IPv4 address of slot {@code i}, big-endian in the int (a.b.c.d is a &lt;&lt; 24 | ... | d). */
    int ip(int i) {
        long a = (long) i * SIN_SIZE + 4;
        return (addrs.getByte(a) & 0xFF) << 24 | (addrs.getByte(a + 1) & 0xFF) << 16
                | (addrs.getByte(a + 2) & 0xFF) << 8 | addrs.getByte(a + 3) & 0xFF;
    }

    /** Source UDP port of slot {@code i} (0-65535). */
    int port(int i) {
        long a = (long) i * SIN_SIZE + 2;
        return (addrs.getByte(a) & 0xFF) << 8 | addrs.getByte(a + 1) & 0xFF;
    }

    /** {@code recvmmsg} calls made since open (count). */
    long syscalls() {
        return syscalls;
    }
}
