package io.jtipc.bearer.udp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.jtipc.bearer.LibC;
import jnr.ffi.Pointer;

/**
 * Turns off UDP checksums on the IPv4 socket a bearer sends from ({@code SO_NO_CHECK}), as the kernel's UDP
 * bearer does: {@code net/tipc/udp_media.c} creates its tunnel socket with {@code use_udp_checksums = false}
 * and sends through {@code udp_tunnel_xmit_skb(..., nocheck = true)}, so every IPv4 TIPC datagram a kernel
 * node sends carries UDP checksum 0 (IPv6 keeps checksums: {@code use_udp6_tx_checksums = true}).
 *
 * <p><b>Finding the descriptor.</b> {@code java.nio} gives no public access to a channel's file descriptor
 * (the field lives in {@code sun.nio.ch}, which would need {@code --add-opens}). The bound socket is found
 * instead through procfs, which works for any program without JVM flags:
 * <ol>
 *   <li>{@code /proc/thread-self/net/udp} (the calling thread's network namespace, so a bearer opened
 *       inside a lab namespace reads that namespace's table) gives the socket inode bound to the
 *       channel's local IPv4 address and port. A unicast bind is exclusive per namespace, so at most one
 *       socket has it;</li>
 *   <li>{@code /proc/self/fd/N} links read {@code socket:[INODE]}; the one with that inode is the channel's
 *       descriptor (inodes are unique across namespaces);</li>
 *   <li>{@code setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, 1)} through jnr-ffi, read back with getsockopt.</li>
 * </ol>
 * Called right after bind, before the bearer is returned, on the thread that opened the socket.
 * If any step fails (no procfs, jnr-ffi unavailable) the bearer still works, with checksums computed
 * (the kernel accepts both); {@link UdpBearer#udpChecksumsOff()} tells which.
 */
final class UdpNoCheck {
    /** SO_NO_CHECK, include/uapi/asm-generic/socket.h. */
    static final int SO_NO_CHECK = 11;
    /** IPPROTO_IP, IP_MTU_DISCOVER and its IP_PMTUDISC_DONT / IP_PMTUDISC_WANT values, include/uapi/linux/in.h. */
    static final int IPPROTO_IP = 0, IP_MTU_DISCOVER = 10, IP_PMTUDISC_DONT = 0, IP_PMTUDISC_WANT = 1;

    private UdpNoCheck() {
    }

    /**
     * Sets SO_NO_CHECK on the IPv4 UDP socket bound to {@code bound} in the calling thread's namespace.
     *
     * @return null on success, else why not (for the log)
     */
    static String apply(InetSocketAddress bound) {
        if (!(bound.getAddress() instanceof Inet4Address)) return "not IPv4";
        try {
            long inode = inodeOf(Files.readAllLines(Path.of("/proc/thread-self/net/udp")), bound);
            if (inode <= 0) return "no socket bound to " + bound + " in /proc/thread-self/net/udp";
            int fd = fdOfInode(inode);
            if (fd < 0) return "no descriptor of socket inode " + inode + " in /proc/self/fd";
            return set(fd);
        } catch (IOException | RuntimeException | LinkageError e) {
            return e.toString();
        }
    }

    /**
     * Forces the buffers of the IPv4 UDP socket bound to {@code bound} (found as for {@link #apply}) with
     * SO_RCVBUFFORCE/SO_SNDBUFFORCE (CAP_NET_ADMIN; not capped by net.core.rmem_max/wmem_max). A size of 0 is
     * left alone. Used when plain SO_RCVBUF/SO_SNDBUF was capped.
     *
     * @return null on success, else why not (for the log)
     */
    static String forceBuffers(InetSocketAddress bound, int receiveBytes, int sendBytes) {
        if (!(bound.getAddress() instanceof Inet4Address)) return "not IPv4";
        try {
            long inode = inodeOf(Files.readAllLines(Path.of("/proc/thread-self/net/udp")), bound);
            if (inode <= 0) return "no socket bound to " + bound + " in /proc/thread-self/net/udp";
            int fd = fdOfInode(inode);
            if (fd < 0) return "no descriptor of socket inode " + inode + " in /proc/self/fd";
            LibC libc = LibC.Native.libc();
            Pointer v = jnr.ffi.Memory.allocateDirect(LibC.Native.runtime(), 4);
            if (receiveBytes > 0) {
                v.putInt(0, receiveBytes);
                if (libc.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, v, 4) != 0) {
                    return "setsockopt(SO_RCVBUFFORCE) failed: errno " + LibC.Native.errno();
                }
            }
            if (sendBytes > 0) {
                v.putInt(0, sendBytes);
                if (libc.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUFFORCE, v, 4) != 0) {
                    return "setsockopt(SO_SNDBUFFORCE) failed: errno " + LibC.Native.errno();
                }
            }
            return null;
        } catch (IOException | RuntimeException | LinkageError e) {
            return e.toString();
        }
    }

    /**
     * Sets {@code IP_MTU_DISCOVER} to {@code IP_PMTUDISC_DONT} on the IPv4 UDP socket bound to {@code bound} (found as
     * for {@link #apply}): its datagrams leave without the don't-fragment bit, as the kernel's bearer sends them
     * (udp_media.c tipc_udp_xmit: {@code udp_tunnel_xmit_skb(..., df = 0, ...)}), so a router on a path with a smaller
     * MTU fragments them instead of dropping them. The socket default ({@code IP_PMTUDISC_WANT}) sets DF on every
     * datagram that fits the path MTU.
     *
     * @return null on success, else why not (for the log)
     */
    static String dontFragment(InetSocketAddress bound) {
        if (!(bound.getAddress() instanceof Inet4Address)) return "not IPv4";
        try {
            int fd = fdOf(bound);
            if (fd < 0) return "no descriptor of the socket bound to " + bound;
            Pointer v = jnr.ffi.Memory.allocateDirect(LibC.Native.runtime(), 4);
            v.putInt(0, IP_PMTUDISC_DONT);
            if (LibC.Native.libc().setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, v, 4) != 0) {
                return "setsockopt(IP_MTU_DISCOVER) failed: errno " + LibC.Native.errno();
            }
            return null;
        } catch (IOException | RuntimeException | LinkageError e) {
            return e.toString();
        }
    }

    /** Reads IP_MTU_DISCOVER of descriptor {@code fd} (tests): the IP_PMTUDISC_* value, -errno on failure. */
    static int mtuDiscover(int fd) {
        jnr.ffi.Runtime rt = LibC.Native.runtime();
        Pointer v = jnr.ffi.Memory.allocateDirect(rt, 4);
        Pointer l = jnr.ffi.Memory.allocateDirect(rt, 4);
        l.putInt(0, 4);
        if (LibC.Native.libc().getsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, v, l) != 0) return -LibC.Native.errno();
        return v.getInt(0);
    }

    /** Reads SO_NO_CHECK of descriptor {@code fd} (tests): 1 on, 0 off, -errno on failure. */
    static int get(int fd) {
        LibC libc = LibC.Native.libc();
        jnr.ffi.Runtime rt = LibC.Native.runtime();
        Pointer v = jnr.ffi.Memory.allocateDirect(rt, 4);
        Pointer l = jnr.ffi.Memory.allocateDirect(rt, 4);
        l.putInt(0, 4);
        if (libc.getsockopt(fd, LibC.SOL_SOCKET, SO_NO_CHECK, v, l) != 0) return -LibC.Native.errno();
        return v.getInt(0);
    }

    /**
     * Whether the kernel knows {@code UDP_SEGMENT} on the IPv4 socket bound to {@code bound} (found as for
     * {@link #apply}): {@code getsockopt(SOL_UDP, UDP_SEGMENT)} answers from Linux 4.18 on (net/ipv4/udp.c
     * udp_lib_getsockopt) and fails with ENOPROTOOPT before, where a {@code UDP_SEGMENT} cmsg would be ignored
     * silently and a run would leave as one datagram. False when the socket is not found.
     */
    static boolean segmentationOffered(InetSocketAddress bound) {
        try {
            int fd = fdOf(bound);
            if (fd < 0) return false;
            jnr.ffi.Runtime rt = LibC.Native.runtime();
            Pointer v = jnr.ffi.Memory.allocateDirect(rt, 4);
            Pointer l = jnr.ffi.Memory.allocateDirect(rt, 4);
            l.putInt(0, 4);
            return LibC.Native.libc().getsockopt(fd, UdpTx.SOL_UDP, UdpTx.UDP_SEGMENT, v, l) == 0;
        } catch (IOException | RuntimeException | LinkageError e) {
            return false;
        }
    }

    static String set(int fd) {
        LibC libc = LibC.Native.libc();
        Pointer v = jnr.ffi.Memory.allocateDirect(LibC.Native.runtime(), 4);
        v.putInt(0, 1);
        if (libc.setsockopt(fd, LibC.SOL_SOCKET, SO_NO_CHECK, v, 4) != 0) {
            return "setsockopt(SO_NO_CHECK) failed: errno " + LibC.Native.errno();
        }
        int r = get(fd);
        return r == 1 ? null : "SO_NO_CHECK reads back " + r;
    }

    /**
     * The inode of the socket whose local address is {@code bound} in a /proc/net/udp table
     * ({@code sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode};
     * the address is the 32-bit value in the kernel's byte order, printed as hex, then ":" and the port in hex).
     *
     * @return the inode, or -1
     */
    static long inodeOf(List<String> table, InetSocketAddress bound) {
        byte[] a = bound.getAddress().getAddress();
        int v = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                ? (a[0] & 0xff) | (a[1] & 0xff) << 8 | (a[2] & 0xff) << 16 | (a[3] & 0xff) << 24
                : (a[3] & 0xff) | (a[2] & 0xff) << 8 | (a[1] & 0xff) << 16 | (a[0] & 0xff) << 24;
        String want = String.format("%08X:%04X", v, bound.getPort());
        long found = -1;
        for (String line : table) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[1].equalsIgnoreCase(want)) continue;
            try {
                long ino = Long.parseLong(f[9]);
                if (found >= 0 && found != ino) return -1; // ambiguous (SO_REUSEPORT by someone): leave it
                found = ino;
            } catch (NumberFormatException e) {
                // header or odd line
            }
        }
        return found;
    }

    private static int fdOfInode(long inode) throws IOException {
        String want = "socket:[" + inode + "]";
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : ds) {
                try {
                    if (want.equals(Files.readSymbolicLink(p).toString())) {
                        return Integer.parseInt(p.getFileName().toString());
                    }
                } catch (IOException | NumberFormatException e) {
                    // closed meanwhile or not a number
                }
            }
        }
        return -1;
    }

    /** The descriptor bound to IPv4 {@code bound} in this thread's namespace, or -1 (tests). */
    static int fdOf(InetSocketAddress bound) throws IOException {
        long ino = inodeOf(Files.readAllLines(Path.of("/proc/thread-self/net/udp")), bound);
        return ino <= 0 ? -1 : fdOfInode(ino);
    }
}
