package io.jtipc.bearer.eth;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jtipc.bearer.LibC;
import io.jtipc.bearer.Media;
import io.jtipc.bearer.NetNs;
import io.jtipc.bearer.SyscallException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A Linux {@code AF_PACKET} socket bound to one interface and one ethertype (by default
 * {@link EthMedia#ETH_P_TIPC} 0x88CA), through jnr-ffi.
 *
 * <h2>Why SOCK_DGRAM and not SOCK_RAW</h2>
 * The kernel's TIPC Ethernet bearer ({@code tipc_l2_send_msg}, net/tipc/bearer.c) hands the TIPC
 * message to {@code dev_hard_header(skb, dev, ETH_P_TIPC, dest, dev->dev_addr, len)}, which writes
 * the 14-byte Ethernet header (destination, the device's own MAC, ethertype); it never pads, the
 * driver/NIC pads short frames. An AF_PACKET socket of type {@code SOCK_DGRAM} sends through the
 * very same {@code dev_hard_header} call with the destination and protocol taken from
 * {@code struct sockaddr_ll}, so frames are built exactly as the kernel bearer builds them, and
 * the MTU check ({@code EMSGSIZE}) applies to the TIPC message as it does for the kernel bearer.
 * On receive the header is stripped and the source MAC and packet type arrive in
 * {@code sockaddr_ll}. The TIPC message therefore starts at offset 0 of the caller's buffer both
 * ways: no 14-byte headroom to reserve, no header to write or skip, and no way to send with a
 * wrong source MAC. {@code SOCK_RAW} would only add the header handling.
 *
 * <h2>Socket life</h2>
 * {@code socket(AF_PACKET, SOCK_DGRAM, 0)}: protocol 0 receives nothing, so no frame from another
 * interface is queued before the socket is bound; then {@code SIOCGIFINDEX} on this socket finds
 * the interface (in the socket's own network namespace, see {@link NetNs}), and {@code bind} with
 * {@code sockaddr_ll{AF_PACKET, htons(ethertype), ifindex}} starts reception of that ethertype on
 * that interface only. A socket bound to a down interface opens fine; the kernel reports ENETDOWN
 * once on the next receive and delivers frames again once the interface is up.
 *
 * <h2>Receiving</h2>
 * {@link #receive} reads up to {@link #RX_BATCH} queued frames with one {@code recvmmsg(MSG_DONTWAIT | MSG_TRUNC)}
 * and hands them out one by one; only when nothing is queued it waits with {@code poll(2)} on the socket and on an
 * eventfd used by {@link #wakeup()} (issue 14). Each frame is copied once, to the caller's array. Like {@code tipc_l2_rcv_msg} it keeps only packet types PACKET_HOST, PACKET_BROADCAST and
 * PACKET_MULTICAST; frames for other hosts (PACKET_OTHERHOST, seen on a shared medium or in
 * promiscuous mode), our own outgoing frames (PACKET_OUTGOING) and looped-back frames are skipped
 * and counted ({@link #droppedNotForUs()}). The length returned is the Ethernet payload as
 * received: on a real NIC a short TIPC message arrives padded to 46 bytes, so the message length
 * is the TIPC header's size field (w0 bits 16-0, net/tipc/msg.h), not this length.
 *
 * <h2>Sending in batches</h2>
 * {@link #send} sends one frame with one {@code sendto}. {@link #queue} instead copies the frame and its destination
 * into native slots allocated once at open (up to {@link #TX_BATCH} frames, {@link #TX_AREA_BYTES} bytes) and
 * {@link #flush} sends every queued frame with one {@code sendmmsg(MSG_DONTWAIT)}, the same frames in the same order
 * (issue 14); a full batch is sent by the {@code queue} call that finds no room.
 *
 * <h2>Threads</h2>
 * {@link #send}, {@link #queue} and {@link #flush} may be called from any thread: sends and flushes are serialised
 * on one lock, queuing on another (held only to copy the frame); a {@code send} sends what is queued first, so frames
 * leave in the order of the calls. {@link #receive}
 * may be called from any thread, one at a time (a second concurrent caller waits for the first).
 * {@link #wakeup()} may be called from any thread at any time. {@link #close()} wakes a blocked
 * receiver, waits for every call using the descriptors to leave and only then closes them, so a descriptor number
 * is never reused under a running call.
 *
 * <h2>Structure</h2>
 * This class owns the descriptors (the socket and two eventfds: their opening, the count of calls using them, their
 * close), the interface ioctls and the socket options. The send side is {@code AfPacketTx}; the receive side is
 * {@code AfPacketRx}: the {@code recvmmsg} batch, the waits, the wakeups, and the receive lock with which the
 * bearer's receive thread and a leading application thread take turns (leader receive, issue 14; EthBearer).
 */
public final class AfPacketSocket implements AutoCloseable {
    /** {@link #receive} result: the timeout passed with no frame ({@link Media#TIMEOUT}). */
    public static final int TIMEOUT = Media.TIMEOUT;
    /** {@link #receive} result: {@link #wakeup()} or {@link #close()} interrupted the wait ({@link Media#WAKEUP}). */
    public static final int WAKEUP = Media.WAKEUP;

    /** Largest frame payload received: 65535 bytes (covers any MTU an Ethernet device may have). */
    public static final int MAX_FRAME = 65535;

    /**
     * Frames read per {@code recvmmsg} call (count): 16 slots of {@link #MAX_FRAME} bytes, about 1 MiB of native
     * memory per socket, allocated once at open.
     */
    public static final int RX_BATCH = 16;

    /**
     * Frames {@link #queue} holds for one {@code sendmmsg} at most (count): 64, the C reference blaster's batch; a
     * 65th frame sends the 64 first. Native memory per socket, two batches: 2 × 64 × (64-byte mmsghdr + 16-byte
     * iovec + 32-byte sockaddr_ll slot) = 14 KiB besides 2 × {@link #TX_AREA_BYTES}.
     */
    public static final int TX_BATCH = 64;

    /**
     * Bytes of native memory holding the frames of one batch {@link #queue} fills (bytes): 256 KiB, two batches per
     * socket (512 KiB), allocated once at open; 64 frames of a 1 500-byte MTU take 96 000 of them, jumbo frames of 9 000 bytes fill it at 29 frames (the
     * batch is then sent before the next frame is queued), one frame of {@link #MAX_FRAME} always fits.
     */
    public static final int TX_AREA_BYTES = 256 << 10;

    /** sockaddr_ll.sll_pkttype values, include/uapi/linux/if_packet.h. */
    public static final int PACKET_HOST = 0;
    public static final int PACKET_BROADCAST = 1;
    public static final int PACKET_MULTICAST = 2;
    public static final int PACKET_OTHERHOST = 3;
    public static final int PACKET_OUTGOING = 4;

    /** Interface flag bits (ifr_flags, include/uapi/linux/if.h). */
    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_RUNNING = 0x40;

    /** ARPHRD_ETHER (include/uapi/linux/if_arp.h): hardware type of Ethernet-like devices, veth included. */
    public static final int ARPHRD_ETHER = 1;

    /** Longest interface name, IFNAMSIZ - 1 (include/uapi/linux/if.h). */
    public static final int MAX_IFNAME = 15;

    private static final Logger LOG = LoggerFactory.getLogger(AfPacketSocket.class);

    // <linux/socket.h>, <linux/if_packet.h>: the AF_PACKET family and its socket options
    static final int AF_PACKET = 17;
    private static final int SOL_PACKET = 263;
    private static final int PACKET_STATISTICS = 6;

    // struct sockaddr_ll (20 bytes): family u16, protocol be16, ifindex s32, hatype u16,
    // pkttype u8, halen u8, addr[8]
    static final int SLL_SIZE = 20;
    static final int SLL_PROTOCOL = 2;
    static final int SLL_IFINDEX = 4;
    private static final int SLL_HATYPE = 8;
    static final int SLL_PKTTYPE = 10;
    static final int SLL_HALEN = 11;
    static final int SLL_ADDR = 12;
    // struct ifreq (40 bytes on LP64): name[16], then a union at 16
    private static final int IFREQ_SIZE = 40;
    private static final int IFR_UNION = 16;

    private final LibC libc = LibC.Native.libc();
    private final String ifname;
    private final int ethertype;
    private final int fd;
    private final int wakeFd;
    /** The leader's eventfd (AfPacketRx): its wakeLeader, an interrupt of the leading thread, {@link #close()}. */
    private final int leadWakeFd;
    private final int ifindex;

    private final Object ioctlLock = new Object();
    private volatile boolean closed;
    /** Calls using the descriptors now ({@link #enter}); {@link #close()} closes them once none is left. */
    private final AtomicInteger fdUsers = new AtomicInteger();
    /** How long {@link #close()} waits for calls still using the descriptors, ms; then it leaves them open. */
    static final long CLOSE_WAIT_MS = 5_000;

    /** The transmit side: {@link #send}, {@link #queue}, {@link #flush} (AfPacketTx). */
    private final AfPacketTx tx;
    /**
     * The receive side: {@link #receive}, {@link #wakeup()}, the receive counters, and the waits, reads and receive
     * lock of leader receive (AfPacketRx).
     */
    private final AfPacketRx rx;
    private final Pointer ifreq;

    private long kernelDrops;
    private long kernelPackets;

    private AfPacketSocket(String ifname, int ethertype) throws IOException {
        this.ifname = ifname;
        this.ethertype = ethertype;
        jnr.ffi.Runtime rt = LibC.Native.runtime();
        rx = new AfPacketRx(rt, libc, ifname, this); // its native memory before any descriptor is open
        ifreq = Memory.allocateDirect(rt, IFREQ_SIZE, true);

        int s = libc.socket(AF_PACKET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (s < 0) {
            throw AfPacketException.forSocket("socket", LibC.Native.errno(), ifname);
        }
        int w = -1;
        int lw = -1;
        AfPacketTx t;
        try {
            int index = ifreqInt(s, LibC.SIOCGIFINDEX, "SIOCGIFINDEX");
            Pointer bindAddr = Memory.allocateDirect(rt, 32, true);
            fillSll(bindAddr, index);
            if (libc.bind(s, bindAddr, SLL_SIZE) != 0) {
                throw AfPacketException.forSocket("bind", LibC.Native.errno(), ifname);
            }
            w = libc.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
            if (w < 0) {
                throw AfPacketException.forSocket("eventfd", LibC.Native.errno(), ifname);
            }
            lw = libc.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
            if (lw < 0) {
                throw AfPacketException.forSocket("eventfd", LibC.Native.errno(), ifname);
            }
            this.ifindex = index;
            t = new AfPacketTx(rt, libc, ifname, ethertype, index, this); // native memory: may fail, closes all below
        } catch (Throwable e) { // an Error too (OutOfMemoryError from the native allocation): no descriptor leaks
            libc.close(s);
            if (w >= 0) {
                libc.close(w);
            }
            if (lw >= 0) {
                libc.close(lw);
            }
            throw e;
        }
        this.fd = s;
        this.wakeFd = w;
        this.leadWakeFd = lw;
        this.tx = t;
        rx.attach(fd, wakeFd, leadWakeFd);
    }

    /**
     * Opens a TIPC (ethertype 0x88CA) socket on interface {@code ifname} of the calling thread's
     * network namespace.
     *
     * @throws AfPacketException "AF_PACKET needs CAP_NET_RAW ..." without the capability,
     *         "no such interface X" for an unknown or invalid name
     */
    public static AfPacketSocket open(String ifname) throws IOException {
        return open(ifname, EthMedia.ETH_P_TIPC);
    }

    /**
     * Opens a socket for {@code ethertype} (0x0600-0xFFFF) on interface {@code ifname} of the
     * calling thread's network namespace.
     *
     * @throws AfPacketException as {@link #open(String)}
     * @throws IllegalArgumentException if {@code ethertype} is not an Ethernet II type
     */
    public static AfPacketSocket open(String ifname, int ethertype) throws IOException {
        Objects.requireNonNull(ifname, "ifname");
        if (ethertype < 0x0600 || ethertype > 0xFFFF) {
            throw new IllegalArgumentException("ethertype must be 0x0600..0xffff, got 0x" + Integer.toHexString(ethertype));
        }
        return new AfPacketSocket(ifname, ethertype);
    }

    /**
     * Opens a socket inside network namespace {@code netns} (a name under /var/run/netns, or a path;
     * null = the caller's namespace) through {@link NetNs#runIn}. The socket stays in that
     * namespace and may then be used from any thread.
     *
     * @throws AfPacketException as {@link #open(String)}, or if the namespace cannot be entered
     */
    public static AfPacketSocket open(String netns, String ifname, int ethertype) throws IOException {
        Objects.requireNonNull(ifname, "ifname");
        if (ethertype < 0x0600 || ethertype > 0xFFFF) {
            throw new IllegalArgumentException("ethertype must be 0x0600..0xffff, got 0x" + Integer.toHexString(ethertype));
        }
        try {
            return NetNs.runIn(netns, () -> new AfPacketSocket(ifname, ethertype));
        } catch (AfPacketException e) {
            throw e;
        } catch (SyscallException e) {
            throw new AfPacketException(e); // the namespace could not be entered
        }
    }

    /** Interface name given at open. */
    public String interfaceName() {
        return ifname;
    }

    /** Interface index found at open (SIOCGIFINDEX), the sll_ifindex of every send. */
    public int interfaceIndex() {
        return ifindex;
    }

    /**
     * Index of the interface now carrying this socket's interface name (SIOCGIFINDEX, read now). It differs from
     * {@link #interfaceIndex()} once the interface was deleted and another made under the same name: this socket is
     * then unhooked for good (af_packet.c packet_notifier, NETDEV_UNREGISTER).
     *
     * @throws AfPacketException ENODEV if no interface has the name any more
     */
    public int currentInterfaceIndex() throws IOException {
        return ifreqInt(-1, LibC.SIOCGIFINDEX, "SIOCGIFINDEX");
    }

    /** Ethertype this socket sends and receives. */
    public int ethertype() {
        return ethertype;
    }

    /** Current MTU of the interface in bytes (SIOCGIFMTU, read now): the largest payload {@link #send} accepts. */
    public int mtu() throws IOException {
        return ifreqInt(-1, LibC.SIOCGIFMTU, "SIOCGIFMTU");
    }

    /** Current interface flags (SIOCGIFFLAGS, low 16 bits of {@code net_device.flags}): IFF_UP, IFF_RUNNING, ... */
    public int flags() throws IOException {
        return ifreqInt(-1, LibC.SIOCGIFFLAGS, "SIOCGIFFLAGS") & 0xFFFF;
    }

    /** True when the interface is administratively up (IFF_UP). */
    public boolean isUp() throws IOException {
        return (flags() & IFF_UP) != 0;
    }

    /** True when the interface is up with carrier (IFF_RUNNING). */
    public boolean isRunning() throws IOException {
        return (flags() & IFF_RUNNING) != 0;
    }

    /** Hardware type of the interface (SIOCGIFHWADDR sa_family): {@link #ARPHRD_ETHER} for Ethernet and veth. */
    public int hardwareType() throws IOException {
        synchronized (ioctlLock) {
            ifreqCall(-1, LibC.SIOCGIFHWADDR, "SIOCGIFHWADDR");
            return ifreq.getShort(IFR_UNION) & 0xFFFF;
        }
    }

    /** The interface's current MAC (SIOCGIFHWADDR) as a new 6-byte array. */
    public byte[] macAddress() throws IOException {
        byte[] mac = new byte[EthMedia.MAC_LENGTH];
        macAddress(mac, 0);
        return mac;
    }

    /** Writes the interface's current MAC (SIOCGIFHWADDR) to {@code dst[off..off+5]}. */
    public void macAddress(byte[] dst, int off) throws IOException {
        Objects.checkFromIndexSize(off, EthMedia.MAC_LENGTH, dst.length);
        synchronized (ioctlLock) {
            ifreqCall(-1, LibC.SIOCGIFHWADDR, "SIOCGIFHWADDR");
            ifreq.get(IFR_UNION + 2, dst, off, EthMedia.MAC_LENGTH);
        }
    }

    /**
     * Sends one frame: {@code frame[off..off+len)} becomes the Ethernet payload, sent to
     * {@code destMac[destOff..destOff+5]} (ff:ff:ff:ff:ff:ff for discovery and the broadcast link, a
     * peer's MAC for a unicast link) with this socket's ethertype; the kernel adds the header with
     * the interface's own MAC as source. Never blocks ({@code MSG_DONTWAIT}); allocates nothing.
     *
     * @return true if the kernel took the frame, false if it was dropped because the socket's send
     *         queue is full (EAGAIN/ENOBUFS): like a lost frame, the link layer retransmits
     * <p>Frames {@link #queue} holds are sent first (in order). If one of them fails, this frame is sent all the same
     * and the earlier frame's error is thrown afterwards, with "(an earlier queued frame)" in its message: the caller
     * cannot tell whether this frame left, as when {@link #queue} reports an earlier frame's error.
     *
     * @throws AfPacketException "frame larger than the MTU ..." (EMSGSIZE), "interface X is down"
     *         (ENETDOWN), "no such interface X" (ENXIO/ENODEV, interface deleted), other errno; or the error of an
     *         earlier queued frame (see above)
     * @throws ClosedChannelException if the socket is closed
     * @throws IllegalArgumentException if {@code len} exceeds {@link #MAX_FRAME}
     */
    public boolean send(byte[] destMac, int destOff, byte[] frame, int off, int len) throws IOException {
        return tx.send(destMac, destOff, frame, off, len);
    }

    /**
     * Queues one frame for the next {@link #flush}: {@code frame[off..off+len)} to {@code destMac[destOff..destOff+5]}
     * as {@link #send} would send it, copied into the socket's native send batch (the arrays may be reused as soon as
     * this returns). When the batch is full ({@link #TX_BATCH} frames or {@link #TX_AREA_BYTES} bytes) the queued
     * frames are sent first. Never blocks; allocates nothing.
     *
     * @throws AfPacketException the error of an earlier queued frame, when a full batch was sent by this call (see
     *         {@link #flush}); this frame is queued all the same
     * @throws ClosedChannelException if the socket is closed
     * @throws IllegalArgumentException if {@code len} exceeds {@link #MAX_FRAME}
     */
    public void queue(byte[] destMac, int destOff, byte[] frame, int off, int len) throws IOException {
        tx.queue(destMac, destOff, frame, off, len);
    }

    /**
     * Sends every frame {@link #queue} holds with one {@code sendmmsg(MSG_DONTWAIT)} (more only when the kernel stops
     * part-way: the call is repeated from the first unsent frame, through a slice of the batch made at open). When the
     * kernel refuses a frame because the send queue is full (EAGAIN/ENOBUFS), that frame and the rest of the batch are
     * dropped at once and counted ({@link #sendDropped()}), as {@link #send} returning false: the link retransmits them.
     * Trying each remaining frame again would cost up to {@link #TX_BATCH} system calls per batch exactly when the
     * device is congested, and the queue that refused one frame is still full a microsecond later (the kernel's own
     * tipc_l2_send_msg likewise drops what dev_queue_xmit refuses). Frames queued while this call sends go to the socket's second batch, so a
     * {@code queue} never waits for a system call; two flushes run one after the other, so frames leave in the order
     * queued. Returns at once when nothing is queued, also when the socket is closed. Never blocks in the kernel;
     * allocates nothing unless a frame fails.
     *
     * @return frames the kernel took since the last flush that returned normally: those of this call and those sent
     *         meanwhile by a {@link #queue} that found its batch full, by {@link #send} or by a flush that threw (each
     *         frame counted by one flush only, whichever thread)
     * @throws AfPacketException "frame larger than the MTU ..." (EMSGSIZE: that frame is dropped, the others are sent),
     *         "interface X is down" (ENETDOWN), "no such interface X" (ENXIO/ENODEV) or another errno (that frame and
     *         those after it are dropped); the first such error when several frames fail
     * @throws ClosedChannelException if the socket is closed while frames are queued (they are dropped)
     */
    public int flush() throws IOException {
        return tx.flush();
    }

    /** Frames {@link #queue} holds now, not yet handed to a {@code sendmmsg} (count). */
    public int queued() {
        return tx.queued();
    }

    /**
     * Frames sent with {@link #send} or {@link #flush} since open (count).
     */
    public long framesSent() {
        return tx.framesSent();
    }

    /** System calls {@link #send} and {@link #flush} made since open ({@code sendto}, {@code sendmmsg}; count). */
    public long sendSyscalls() {
        return tx.sendSyscalls();
    }

    /**
     * Frames {@link #flush} dropped because the kernel refused them (full send queue: that frame and the rest of its
     * batch; EMSGSIZE: that frame; interface down or gone: that frame and the rest of its batch).
     */
    public long sendDropped() {
        return tx.sendDropped();
    }

    /** {@link #send(byte[], int, byte[], int, int)} with a 6-byte destination array. */
    public boolean send(byte[] destMac, byte[] frame, int off, int len) throws IOException {
        return send(destMac, 0, frame, off, len);
    }

    /**
     * Receives one frame for this host into {@code buf[off..off+len)} and its source MAC into
     * {@code srcMac[srcOff..srcOff+5]}. Allocates nothing.
     *
     * <p>Frames longer than {@code len} are dropped and counted ({@link #droppedOversize()}); give
     * a buffer of at least {@link #mtu()} bytes. Skipped frames (see the class comment) do not end
     * the wait.
     *
     * @param timeoutMs how long to wait in ms: 0 = do not wait (event-loop polling), negative =
     *                  wait until a frame arrives or {@link #wakeup()}
     * @return the payload length (0..len), {@link #TIMEOUT} if the time passed without a frame, or
     *         {@link #WAKEUP} if {@link #wakeup()} or {@link #close()} was called (a wakeup that
     *         happens while no receive is waiting ends the next receive)
     * @throws AfPacketException "interface X is down" (ENETDOWN, reported once when the interface
     *         goes down, or after binding to a down interface) or another errno
     * @throws ClosedChannelException if the socket was closed before the call
     */
    public int receive(byte[] buf, int off, int len, byte[] srcMac, int srcOff, int timeoutMs) throws IOException {
        return rx.receive(buf, off, len, srcMac, srcOff, timeoutMs);
    }

    /** {@link #receive(byte[], int, int, byte[], int, int)} into the whole of {@code buf} and a 6-byte {@code srcMac}. */
    public int receive(byte[] buf, byte[] srcMac, int timeoutMs) throws IOException {
        return receive(buf, 0, buf.length, srcMac, 0, timeoutMs);
    }

    /**
     * Makes a {@link #receive} that is waiting now, or else the next one, return {@link #WAKEUP}.
     * Safe from any thread, allocates nothing; a no-op after {@link #close()}.
     */
    public void wakeup() {
        rx.wakeup(); // under this socket's monitor, as close() marks it closed
    }

    /**
     * sll_pkttype of the last frame {@link #receive} returned: {@link #PACKET_HOST} (sent to our
     * MAC), {@link #PACKET_BROADCAST} or {@link #PACKET_MULTICAST}; -1 before the first frame.
     * Read it on the receiving thread.
     */
    public int lastPacketType() {
        return rx.lastPacketType();
    }

    /** Frames skipped because they were not for this host (PACKET_OTHERHOST, PACKET_OUTGOING, loopback). */
    public long droppedNotForUs() {
        return rx.droppedNotForUs();
    }

    /**
     * System calls made to receive since open ({@code recvmmsg} and {@code poll}, by {@link #receive}, a receive
     * thread and a leader alike; count): with frames queued, about one per {@link #RX_BATCH} frames.
     */
    public long receiveSyscalls() {
        return rx.receiveSyscalls();
    }

    /** Frames skipped because they were longer than the buffer given to {@link #receive}. */
    public long droppedOversize() {
        return rx.droppedOversize();
    }

    /**
     * Sets the socket's receive buffer (SO_RCVBUF) to {@code bytes}; the kernel doubles the value
     * for its bookkeeping. Tries SO_RCVBUFFORCE first (allowed with CAP_NET_ADMIN, passes the
     * net.core.rmem_max limit), then SO_RCVBUF (capped at rmem_max). A TIPC link with a large
     * window can send bursts larger than the default buffer; frames that do not fit are dropped by
     * the kernel (see {@link #kernelDrops()}) and retransmitted by the link.
     *
     * @return the size now in effect, as {@link #receiveBufferSize()} reports it
     */
    public int setReceiveBufferSize(int bytes) throws IOException {
        if (bytes <= 0) {
            throw new IllegalArgumentException("receive buffer size must be positive, got " + bytes);
        }
        setBufferSize(LibC.SO_RCVBUFFORCE, LibC.SO_RCVBUF, bytes, "setsockopt(SO_RCVBUF)");
        return receiveBufferSize();
    }

    /** The socket's receive buffer size in bytes (SO_RCVBUF as the kernel reports it, i.e. doubled). */
    public int receiveBufferSize() throws IOException {
        return intOption(LibC.SO_RCVBUF, "getsockopt(SO_RCVBUF)");
    }

    /**
     * Sets the socket's send buffer (SO_SNDBUF) to {@code bytes}; the kernel doubles the value for its
     * bookkeeping. Tries SO_SNDBUFFORCE first (CAP_NET_ADMIN, passes net.core.wmem_max), then SO_SNDBUF
     * (capped at wmem_max). Sends never wait ({@code MSG_DONTWAIT}): a frame that finds the send buffer full is
     * refused with EAGAIN (packet_snd, sock_alloc_send_pskb) and dropped ({@link #send} returns false,
     * {@link #flush} counts it in {@link #sendDropped()}), so the buffer must hold a link window's burst.
     *
     * @return the size now in effect, as {@link #sendBufferSize()} reports it
     * @throws IllegalArgumentException if {@code bytes <= 0}
     * @throws AfPacketException if both setsockopt calls fail or the socket is closed
     */
    public int setSendBufferSize(int bytes) throws IOException {
        if (bytes <= 0) {
            throw new IllegalArgumentException("send buffer size must be positive, got " + bytes);
        }
        setBufferSize(LibC.SO_SNDBUFFORCE, LibC.SO_SNDBUF, bytes, "setsockopt(SO_SNDBUF)");
        return sendBufferSize();
    }

    /** The socket's send buffer size in bytes (SO_SNDBUF as the kernel reports it, i.e. doubled). */
    public int sendBufferSize() throws IOException {
        return intOption(LibC.SO_SNDBUF, "getsockopt(SO_SNDBUF)");
    }

    /** setsockopt(SOL_SOCKET) of {@code force} to {@code bytes}, else of {@code option}; {@code name} for the error. */
    private void setBufferSize(int force, int option, int bytes, String name) throws IOException {
        synchronized (ioctlLock) {
            int s = checkOpen();
            ifreq.putInt(0, bytes);
            if (libc.setsockopt(s, LibC.SOL_SOCKET, force, ifreq, 4) != 0
                    && libc.setsockopt(s, LibC.SOL_SOCKET, option, ifreq, 4) != 0) {
                throw AfPacketException.forSocket(name, LibC.Native.errno(), ifname);
            }
        }
    }

    /** getsockopt(SOL_SOCKET, {@code option}) of an int; {@code name} for the error. */
    private int intOption(int option, String name) throws IOException {
        synchronized (ioctlLock) {
            int s = checkOpen();
            ifreq.putInt(0, 0);
            ifreq.putInt(8, 4);
            if (libc.getsockopt(s, LibC.SOL_SOCKET, option, ifreq, ifreq.slice(8)) != 0) {
                throw AfPacketException.forSocket(name, LibC.Native.errno(), ifname);
            }
            return ifreq.getInt(0);
        }
    }

    /**
     * Frames the kernel dropped for this socket since it was opened because its receive buffer was
     * full (PACKET_STATISTICS tp_drops, summed here because reading resets the kernel's counter).
     */
    public long kernelDrops() throws IOException {
        readPacketStatistics();
        return kernelDrops;
    }

    /** Frames the kernel queued or dropped for this socket since it was opened (PACKET_STATISTICS tp_packets, summed). */
    public long kernelPackets() throws IOException {
        readPacketStatistics();
        return kernelPackets;
    }

    private void readPacketStatistics() throws IOException {
        synchronized (ioctlLock) {
            int s = checkOpen();
            ifreq.setMemory(0, 16, (byte) 0);
            ifreq.putInt(8, 8);
            if (libc.getsockopt(s, SOL_PACKET, PACKET_STATISTICS, ifreq, ifreq.slice(8)) != 0) {
                throw AfPacketException.forSocket("getsockopt(PACKET_STATISTICS)", LibC.Native.errno(), ifname);
            }
            // struct tpacket_stats {unsigned tp_packets; unsigned tp_drops;}
            kernelPackets += ifreq.getInt(0) & 0xFFFF_FFFFL;
            kernelDrops += ifreq.getInt(4) & 0xFFFF_FFFFL;
        }
    }

    /** False once {@link #close()} was called. */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Closes the socket: wakes a blocked {@link #receive} (it returns {@link #WAKEUP}) and a waiting leader, waits
     * for every call using the descriptors to leave (receive, wait, read; at most {@link #CLOSE_WAIT_MS}, else they
     * are left open and a warning logged) and for a running {@link #send} to finish, then closes the descriptors.
     * Does not take the receive lock: a leader's or the receive thread's handler may hold it while it waits for the
     * caller. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true; // before the look at fdUsers (see enter)
            rx.closing(); // wakes a receive and a leader; wakeups take this monitor and write no more
        }
        long end = System.nanoTime() + CLOSE_WAIT_MS * 1_000_000;
        boolean idle = true;
        while (fdUsers.get() > 0) {
            if (System.nanoTime() - end > 0) {
                LOG.warn("AF_PACKET socket " + ifname + " still in use after " + CLOSE_WAIT_MS
                        + " ms: its descriptors are left open");
                idle = false;
                break;
            }
            Thread.yield(); // users leave within a system call: each wait is woken by rx.closing() above
        }
        boolean closeFds = idle;
        // what was queued before close goes out (a peer-stopping RESET, ...), then the descriptors close while no
        // send runs
        tx.closing(fd, () -> {
            if (!closeFds) {
                return;
            }
            synchronized (ioctlLock) {
                synchronized (this) {
                    libc.close(fd);
                    libc.close(wakeFd);
                    libc.close(leadWakeFd);
                }
            }
        });
    }

    /**
     * Enters a call that uses the descriptors (the receive side's calls, AfPacketRx); false once closed (then nothing
     * to undo), else {@link #leave()} must follow.
     */
    boolean enter() {
        fdUsers.incrementAndGet();
        if (closed) { // closed is set before close looks at fdUsers: it waits for this call or this call sees it
            fdUsers.decrementAndGet();
            return false;
        }
        return true;
    }

    void leave() {
        fdUsers.decrementAndGet();
    }

    /** The receive side (EthBearer's receive thread and leader, tests). */
    AfPacketRx rx() {
        return rx;
    }

    @Override
    public String toString() {
        return "AfPacketSocket[" + ifname + " #" + ifindex + " ethertype 0x" + Integer.toHexString(ethertype)
                + (closed ? " closed" : "") + "]";
    }

    /** The open descriptor (the socket's own calls and the send side), or ClosedChannelException once closed. */
    int checkOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
        return fd;
    }

    private void fillSll(Pointer sll, int index) {
        fillSll(sll, 0, ethertype, index);
    }

    /** Writes a sockaddr_ll for {@code ethertype} and interface {@code index} at {@code sll[at..at+20)}. */
    static void fillSll(Pointer sll, long at, int ethertype, int index) {
        sll.setMemory(at, SLL_SIZE, (byte) 0);
        sll.putShort(at, (short) AF_PACKET);
        // sll_protocol is in network byte order (htons)
        sll.putByte(at + SLL_PROTOCOL, (byte) (ethertype >> 8));
        sll.putByte(at + SLL_PROTOCOL + 1, (byte) ethertype);
        sll.putInt(at + SLL_IFINDEX, index);
    }

    /**
     * An ifreq ioctl returning the int at the start of the union (ifindex, mtu, flags). {@code s} is
     * the descriptor during construction, -1 afterwards (then the open socket's own descriptor).
     */
    private int ifreqInt(int s, long request, String name) throws IOException {
        synchronized (ioctlLock) {
            ifreqCall(s, request, name);
            return request == LibC.SIOCGIFFLAGS ? ifreq.getShort(IFR_UNION) : ifreq.getInt(IFR_UNION);
        }
    }

    /** Caller holds ioctlLock, which close() also takes, so the descriptor stays valid. */
    private void ifreqCall(int s, long request, String name) throws IOException {
        if (s < 0) {
            s = checkOpen();
        }
        byte[] n = ifname.getBytes(StandardCharsets.UTF_8);
        if (n.length == 0 || n.length > MAX_IFNAME || ifname.indexOf('/') >= 0 || ifname.indexOf(':') >= 0
                || ifname.chars().anyMatch(Character::isWhitespace) || ifname.equals(".") || ifname.equals("..")) {
            throw new AfPacketException(name, SyscallException.ENODEV, "no such interface " + ifname
                    + " (a Linux interface name has 1-15 bytes and no '/', ':' or white space)");
        }
        ifreq.setMemory(0, IFREQ_SIZE, (byte) 0);
        ifreq.put(0, n, 0, n.length);
        if (libc.ioctl(s, request, ifreq) != 0) {
            throw AfPacketException.forSocket(name, LibC.Native.errno(), ifname);
        }
    }
}
