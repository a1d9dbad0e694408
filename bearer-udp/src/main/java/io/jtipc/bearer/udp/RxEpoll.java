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
    /**
     * Threads inside {@link #await} or {@link #wakeup} (their native call on {@link #epfd} / {@link #wakeFd}):
     * {@link #close} waits for them, so a descriptor number is never used after it was closed (and maybe reused).
     */
    private final java.util.concurrent.atomic.AtomicInteger users = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * How long {@link #close} waits for {@link #users} to leave, in ms (1000: the receive thread returns from its
     * {@code epoll_wait} as soon as close wrote the eventfd); past it the descriptors are left open (leaked, logged)
     * rather than closed under a thread still using them.
     */
    static final long CLOSE_WAIT_MS = 1000;

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
        users.incrementAndGet(); // before the look at closed: close either sees this user or is seen here
        try {
            if (closed) return;
            int n = ep.epoll_wait(epfd, events, 2, -1);
            for (int i = 0; i < n; i++) {
                if (events.getLong(i * EVENT_SIZE + DATA_OFFSET) == wakeFd) {
                    libc.read(wakeFd, scratch, 8); // resets the counter
                }
            }
        } finally {
            users.decrementAndGet();
        }
    }

    /** Ends a wait in {@link #await} (or the next one). */
    void wakeup() {
        users.incrementAndGet();
        try {
            if (closed) return;
            libc.write(wakeFd, wakeOne, 8);
        } finally {
            users.decrementAndGet();
        }
    }

    /** A thread leads: the socket no longer wakes the receive thread. */
    void pause() {
        ctl(EPOLL_CTL_MOD, sockFd, 0);
    }

    /** The lead ended: the socket wakes the receive thread again (at once if datagrams are queued). */
    void resume() {
        ctl(EPOLL_CTL_MOD, sockFd, EPOLLIN);
    }

    /**
     * Closes the epoll instance and the eventfd (the socket is the channel's): marks it closed, wakes a waiting receive
     * thread, waits up to {@link #CLOSE_WAIT_MS} until no thread is in {@link #await} or {@link #wakeup}, then closes
     * both descriptors (left open if one still is: a leak, never a call on a reused number).
     */
    @Override
    public void close() {
        synchronized (ctlEvent) {
            if (closed) return;
            closed = true; // before the look at users (see await)
            libc.write(wakeFd, wakeOne, 8); // a receive thread in epoll_wait returns
            long end = System.nanoTime() + CLOSE_WAIT_MS * 1_000_000;
            while (users.get() > 0) {
                if (System.nanoTime() - end > 0) {
                    System.getLogger(RxEpoll.class.getName()).log(System.Logger.Level.WARNING,
                        "epoll " + epfd + " still in use after " + CLOSE_WAIT_MS + " ms: left open");
                    return;
                }
                Thread.yield();
            }
            libc.close(epfd);
            libc.close(wakeFd);
        }
    }

    /** Threads inside {@link #await} or {@link #wakeup} now (tests). */
    int users() {
        return users.get();
    }
}
