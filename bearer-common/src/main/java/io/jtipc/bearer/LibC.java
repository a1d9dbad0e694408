package io.jtipc.bearer;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few libc calls the bearers need, bound through jnr-ffi (no JNI code of ours): the Ethernet
 * bearer's AF_PACKET socket, {@link NetNs}, the UDP bearer's {@code SO_NO_CHECK}, test fixtures.
 *
 * <p>Every buffer argument is a {@link Pointer} to native memory the caller allocated once, so a
 * call allocates nothing on the Java heap. errno is saved after each call and read with
 * {@link Native#errno()}. Shared by the bearer modules, not an application API (public because
 * they live in other packages and jnr-ffi generates the implementation in another class loader).
 * Constants are the Linux x86_64/aarch64 values from the uapi headers named next to each one;
 * those of one socket family stay with their user (AF_PACKET's in {@code AfPacketSocket}).
 */
public interface LibC {
    // <linux/socket.h>, <asm-generic/socket.h>
    int SOCK_DGRAM = 2;
    int SOCK_CLOEXEC = 0x80000;
    int MSG_DONTWAIT = 0x40;
    int MSG_TRUNC = 0x20;
    int SOL_SOCKET = 1;
    int SO_SNDBUF = 7;
    int SO_RCVBUF = 8;
    int SO_SNDBUFFORCE = 32;
    int SO_RCVBUFFORCE = 33;

    // <linux/sockios.h>: ioctls on any socket, resolved in the socket's network namespace
    long SIOCGIFFLAGS = 0x8913;
    long SIOCGIFMTU = 0x8921;
    long SIOCGIFHWADDR = 0x8927;
    long SIOCGIFINDEX = 0x8933;

    // <asm-generic/poll.h>
    short POLLIN = 0x1;
    short POLLERR = 0x8;
    short POLLHUP = 0x10;
    short POLLNVAL = 0x20;

    // <asm-generic/fcntl.h>, <sys/eventfd.h>, <sched.h>
    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int EFD_NONBLOCK = 0x800;
    int EFD_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;

    int socket(int domain, int type, int protocol);

    int bind(int fd, Pointer addr, int addrlen);

    /** ioctl(2) with a pointer argument (variadic in C; a pointer passes the same way on x86_64 and aarch64). */
    int ioctl(int fd, long request, Pointer arg);

    int setsockopt(int fd, int level, int optname, Pointer optval, int optlen);

    int getsockopt(int fd, int level, int optname, Pointer optval, Pointer optlen);

    @ssize_t long sendto(int fd, Pointer buf, @size_t long len, int flags, Pointer destAddr, int addrlen);

    @ssize_t long recvfrom(int fd, Pointer buf, @size_t long len, int flags, Pointer srcAddr, Pointer addrlen);

    int poll(Pointer fds, long nfds, int timeoutMs);

    /**
     * recvmmsg(2): up to {@code vlen} datagrams in one call into an array of {@code struct mmsghdr} (64 bytes each on
     * LP64); {@code timeout} may be null. Returns the number received, or -1 with errno (EAGAIN with MSG_DONTWAIT).
     */
    int recvmmsg(int fd, Pointer msgvec, int vlen, int flags, Pointer timeout);

    /**
     * sendmmsg(2): up to {@code vlen} datagrams of an array of {@code struct mmsghdr} (64 bytes each on LP64) in one
     * call. Returns the number sent (fewer than {@code vlen} when a later one failed: its error is lost, retry from the
     * first unsent), or -1 with errno when the first one failed.
     */
    int sendmmsg(int fd, Pointer msgvec, int vlen, int flags);

    int eventfd(int initval, int flags);

    @ssize_t long read(int fd, Pointer buf, @size_t long count);

    @ssize_t long write(int fd, Pointer buf, @size_t long count);

    int close(int fd);

    int open(String path, int flags);

    int setns(int fd, int nstype);

    String strerror(int errnum);

    int geteuid();

    /** capget(2)/capset(2): used by tests to drop CAP_NET_RAW from one thread. */
    int capget(Pointer header, Pointer data);

    int capset(Pointer header, Pointer data);

    /** The loaded library and its runtime, created on first use. */
    public final class Native {
        private Native() {
        }

        private static final class Holder {
            static final LibC LIBC;
            static final Runtime RUNTIME;
            static final Throwable FAILURE;

            static {
                LibC libc = null;
                Runtime runtime = null;
                Throwable failure = null;
                try {
                    libc = LibraryLoader.create(LibC.class)
                            .option(LibraryOption.SaveError, Boolean.TRUE)
                            .load("c");
                    runtime = Runtime.getRuntime(libc);
                } catch (LinkageError | RuntimeException e) {
                    failure = e;
                }
                LIBC = libc;
                RUNTIME = runtime;
                FAILURE = failure;
            }

            static void check() {
                if (FAILURE != null) {
                    UnsatisfiedLinkError e = new UnsatisfiedLinkError("cannot bind libc through jnr-ffi (" + FAILURE
                            + "); note that jffi unpacks its native stub into java.io.tmpdir ("
                            + System.getProperty("java.io.tmpdir") + "), which must be writable and not mounted noexec");
                    e.initCause(FAILURE);
                    throw e;
                }
            }
        }

        /** The bound libc. @throws UnsatisfiedLinkError explaining why if jnr-ffi could not bind it */
        public static LibC libc() {
            Holder.check();
            return Holder.LIBC;
        }

        /** The jnr-ffi runtime of {@link #libc()}, for native memory. */
        public static Runtime runtime() {
            Holder.check();
            return Holder.RUNTIME;
        }

        /** errno saved by the last call on this thread. */
        public static int errno() {
            return Holder.RUNTIME.getLastError();
        }
    }
}
