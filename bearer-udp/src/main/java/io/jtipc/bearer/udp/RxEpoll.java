package io.jtipc.bearer.udp;

import java.net.Inet4Address;
import java.net.InetSocketAddress;

import io.jtipc.bearer.LibC;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The UDP bearer's receive thread waits here, in an epoll instance of its own over the bearer's socket and an eventfd
 * (issue 14, the leader receive), instead of in the JDK selector: while an application thread leads
 * ({@link UdpBearer#lead}) the socket's interest is switched off in this instance ({@link #pause}, one
 * {@code epoll_ctl}), so an arrival wakes the leader only, not the receive thread as well; {@link #resume} switches it
 * back on, and {@code EPOLL_CTL_MOD} on a socket with datagrams queued wakes the receive thread at once (fs/eventpoll.c
 * ep_modify), so nothing waits unread after a lead. The socket's descriptor is found through procfs as
 * {@link UdpNoCheck} finds it (java.nio does not give it); IPv4 with one socket only (replicast mode), else the
 * bearer keeps the JDK selector. Through jnr-ffi, no JNI code; memory allocated once. Opt-in
 * ({@code -Djtipc.udpRxEpoll=true}, see {@link UdpBearer}): it shortens the round trip but costs one-way rates. A lead
 * pauses the receive thread only when it found nothing queued (a quiet link awaiting an answer).
 */
final class RxEpoll implements AutoCloseable {
    /** epoll(7) calls; public for jnr-ffi's generated implementation. */
    public interface Calls {
        int epoll_create1(int flags);

        int epoll_ctl(int epfd, int op, int fd, Pointer event);

        int epoll_wait(int epfd, Pointer events, int maxevents, int timeoutMs);
    }

    /** The bound calls, loaded once (errno is not read: a failed call only means no epoll). */
    private static final class Lib {
        static final Calls CALLS = LibraryLoader.create(Calls.class).option(LibraryOption.IgnoreError, Boolean.TRUE)
                .load("c");
    }

    // <sys/epoll.h>
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_MOD = 3;
    static final int EPOLLIN = 0x1;
    /** struct epoll_event is packed on x86_64 (12 bytes: u32 events, u64 data), 16 bytes elsewhere. */
    private static final boolean PACKED = System.getProperty("os.arch", "").matches("amd64|x86_64");
    private static final int EVENT_SIZE = PACKED ? 12 : 16;
    private static final int DATA_OFFSET = PACKED ? 4 : 8;

    private final Calls ep;
    private final LibC libc;
    private final int epfd;
    private final int wakeFd;
    private final int sockFd;
    private final Pointer ctlEvent;
    private final Pointer events;
    private final Pointer wakeOne;
    private final Pointer scratch;
    private volatile boolean closed;

    private RxEpoll(Calls ep, LibC libc, Runtime rt, int epfd, int wakeFd, int sockFd) {
        this.ep = ep;
        this.libc = libc;
        this.epfd = epfd;
        this.wakeFd = wakeFd;
        this.sockFd = sockFd;
        this.ctlEvent = Memory.allocateDirect(rt, EVENT_SIZE, true);
        this.events = Memory.allocateDirect(rt, 2 * EVENT_SIZE, true);
        this.wakeOne = Memory.allocateDirect(rt, 8, true);
        this.wakeOne.putLong(0, 1);
        this.scratch = Memory.allocateDirect(rt, 8, true);
    }

    /**
     * Opens the receive thread's epoll over the IPv4 socket bound to {@code bound} (called right after bind, in the
     * socket's namespace).
     *
     * @return null when it cannot be done here (IPv6, no procfs, jnr-ffi unavailable, a system call failed): the
     *         bearer then waits in its JDK selector (and its receive thread is woken during leads too)
     */
    static RxEpoll open(InetSocketAddress bound) {
        if (!(bound.getAddress() instanceof Inet4Address)) return null;
        int epfd = -1, wakeFd = -1;
        try {
            int sock = UdpNoCheck.fdOf(bound);
            if (sock < 0) return null;
            Calls ep = Lib.CALLS;
            LibC libc = LibC.Native.libc();
            Runtime rt = Runtime.getRuntime(ep);
            epfd = ep.epoll_create1(EPOLL_CLOEXEC);
            wakeFd = libc.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
            if (epfd < 0 || wakeFd < 0) throw new IllegalStateException("epoll_create1/eventfd failed");
            RxEpoll e = new RxEpoll(ep, libc, rt, epfd, wakeFd, sock);
            if (!e.ctl(EPOLL_CTL_ADD, wakeFd, EPOLLIN) || !e.ctl(EPOLL_CTL_ADD, sock, EPOLLIN)) {
                throw new IllegalStateException("epoll_ctl ADD failed");
            }
            return e;
        } catch (Exception | LinkageError e) {
            if (epfd >= 0) LibC.Native.libc().close(epfd);
            if (wakeFd >= 0) LibC.Native.libc().close(wakeFd);
            return null;
        }
    }

    private boolean ctl(int op, int fd, int ev) {
        synchronized (ctlEvent) { // with close: never on a closed (maybe reused) descriptor number
            if (closed) return false;
            ctlEvent.putInt(0, ev);
            ctlEvent.putLong(DATA_OFFSET, fd);
            return ep.epoll_ctl(epfd, op, fd, ctlEvent) == 0;
        }
    }

    /** The receive thread waits until the socket is readable (while not paused) or {@link #wakeup()}. */
    void await() {
        if (closed) return;
        int n = ep.epoll_wait(epfd, events, 2, -1);
        for (int i = 0; i < n; i++) {
            if (events.getLong(i * EVENT_SIZE + DATA_OFFSET) == wakeFd) {
                libc.read(wakeFd, scratch, 8); // resets the counter
            }
        }
    }

    /** Ends a wait in {@link #await} (or the next one). */
    void wakeup() {
        if (closed) return;
        libc.write(wakeFd, wakeOne, 8);
    }

    /** A thread leads: the socket no longer wakes the receive thread. */
    void pause() {
        ctl(EPOLL_CTL_MOD, sockFd, 0);
    }

    /** The lead ended: the socket wakes the receive thread again (at once if datagrams are queued). */
    void resume() {
        ctl(EPOLL_CTL_MOD, sockFd, EPOLLIN);
    }

    /** Closes the epoll instance and the eventfd (the socket is the channel's); wakes a waiting receive thread first. */
    @Override
    public void close() {
        synchronized (ctlEvent) {
            if (closed) return;
            wakeup();
            closed = true;
            libc.close(epfd);
            libc.close(wakeFd);
        }
    }
}
