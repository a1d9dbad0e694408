package io.jtipc.cli;

import java.nio.charset.StandardCharsets;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * systemd's readiness protocol ({@code sd_notify(3)}) for {@code jtipc node} in a unit of {@code Type=notify}: when
 * the environment holds {@code NOTIFY_SOCKET}, each state ({@code READY=1}, {@code STOPPING=1}, {@code STATUS=...})
 * is sent as one datagram on an {@code AF_UNIX SOCK_DGRAM} socket to that address: a path ("/run/systemd/notify") or,
 * with a leading '@', an abstract name. The JDK has no Unix datagram socket, so the three libc calls go through
 * jnr-ffi (as the bearers' do). Without {@code NOTIFY_SOCKET} nothing is sent; a failure (another address form such
 * as systemd's "vsock:", a send error) is reported once on the error stream and the node runs on.
 *
 * <p>The watchdog's pings ({@code WATCHDOG=1}) are {@link SdWatchdog}'s. Not here: the file descriptor store,
 * {@code sd_notify} credentials passing.
 */
final class SdNotify {
    /** The libc calls used, bound through jnr-ffi; byte arrays are copied in for the call. */
    public interface Lib {
        int socket(int domain, int type, int protocol);

        @ssize_t long sendto(int fd, byte[] buf, @size_t long len, int flags, byte[] destAddr, int addrlen);

        int close(int fd);
    }

    /** {@code <linux/socket.h>}: AF_UNIX, SOCK_DGRAM, SOCK_CLOEXEC; MSG_NOSIGNAL. */
    static final int AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int MSG_NOSIGNAL = 0x4000;
    /** {@code struct sockaddr_un}: a 2-byte family then {@code sun_path[108]}. */
    static final int SUN_PATH = 108;

    private final byte[] address; // struct sockaddr_un, or null when not usable
    private final int addressLength;
    private final String problem; // why address is null while NOTIFY_SOCKET is set
    private boolean reported;
    private boolean stopping;

    private SdNotify(byte[] address, int addressLength, String problem) {
        this.address = address;
        this.addressLength = addressLength;
        this.problem = problem;
    }

    /** For {@code notifySocket}, the value of {@code NOTIFY_SOCKET} (null or empty: not run by systemd, a no-op). */
    static SdNotify of(String notifySocket) {
        if (notifySocket == null || notifySocket.isEmpty()) return new SdNotify(null, 0, null);
        boolean abstractName = notifySocket.charAt(0) == '@';
        if (!abstractName && notifySocket.charAt(0) != '/') {
            return new SdNotify(null, 0, "NOTIFY_SOCKET is not a path or @name (only those are supported)");
        }
        byte[] name = notifySocket.getBytes(StandardCharsets.UTF_8);
        // a path needs its NUL inside sun_path; an abstract name is its bytes, the '@' becoming the leading NUL
        if (name.length > (abstractName ? SUN_PATH : SUN_PATH - 1)) {
            return new SdNotify(null, 0, "NOTIFY_SOCKET is longer than sun_path");
        }
        byte[] sa = new byte[2 + SUN_PATH];
        java.nio.ByteBuffer.wrap(sa).order(java.nio.ByteOrder.nativeOrder()).putShort((short) AF_UNIX); // sa_family_t
        System.arraycopy(name, 0, sa, 2, name.length);
        if (abstractName) sa[2] = 0;
        return new SdNotify(sa, 2 + name.length + (abstractName ? 0 : 1), null);
    }

    /** {@link #of} the process's {@code NOTIFY_SOCKET}. */
    static SdNotify fromEnvironment() {
        return of(System.getenv("NOTIFY_SOCKET"));
    }

    /** Whether a supervisor asked for notifications ({@code NOTIFY_SOCKET} set, usable or not). */
    boolean enabled() {
        return address != null || problem != null;
    }

    /**
     * Sends {@code state} (newline-separated assignments, e.g. {@code "READY=1\nSTATUS=..."}); a no-op without
     * {@code NOTIFY_SOCKET}. A failure is written to {@code err} the first time only.
     *
     * @return true if sent, false if not (nothing to send to, or a failure)
     */
    boolean send(String state, java.io.PrintWriter err) {
        if (address == null) {
            if (problem != null) report(err, problem);
            return false;
        }
        String failure;
        try {
            Lib lib = Holder.LIB;
            int fd = lib.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                failure = "socket(AF_UNIX) failed, errno " + jnr.ffi.Runtime.getRuntime(lib).getLastError();
            } else {
                byte[] b = state.getBytes(StandardCharsets.UTF_8);
                long n = lib.sendto(fd, b, b.length, MSG_NOSIGNAL, address, addressLength);
                int errno = jnr.ffi.Runtime.getRuntime(lib).getLastError();
                lib.close(fd);
                if (n == b.length) return true;
                failure = "sendto NOTIFY_SOCKET failed, errno " + errno;
            }
        } catch (LinkageError | RuntimeException e) {
            failure = "libc not reachable through jnr-ffi (" + e + ")";
        }
        report(err, failure);
        return false;
    }

    /** {@code STOPPING=1}, sent once whoever asks first (the signal handler, the end of the run, a failure path). */
    void stopping(java.io.PrintWriter err) {
        synchronized (this) {
            if (stopping) return;
            stopping = true;
        }
        send("STOPPING=1", err);
    }

    private synchronized void report(java.io.PrintWriter err, String why) {
        if (reported) return;
        reported = true;
        synchronized (err) {
            err.println("jtipc node: sd_notify: " + why + "; the node runs on without telling systemd");
            err.flush();
        }
    }

    private static final class Holder {
        static final Lib LIB = LibraryLoader.create(Lib.class).option(LibraryOption.SaveError, Boolean.TRUE).load("c");
    }
}
