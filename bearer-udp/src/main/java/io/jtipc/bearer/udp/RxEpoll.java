package io.jtipc.bearer.udp;

import java.net.Inet4Address;
import java.net.InetSocketAddress;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jtipc.bearer.LibC;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * An epoll instance of its own over the UDP bearer's socket and an eventfd (issue 14, the leader receive), in one of
 * two modes chosen at {@link #open}:
 * <ul>
 * <li><b>exclusive</b> ({@code -Djtipc.udpRxEpoll=exclusive}, see {@link UdpRx}): the socket is added with
 * {@code EPOLLEXCLUSIVE}, once to the leader's instance and then to the receive thread's. A datagram wakes one waiting
 * thread only
 * (fs/eventpoll.c ep_poll_callback: an exclusive entry counts as woken only when its instance has a waiter;
 * kernel/sched/wait.c __wake_up_common stops after the first such entry; exclusive entries are queued in the order they
 * were added), so the leader, added first, is woken when it waits and the receive thread otherwise. Nothing is switched
 * per lead; since a datagram that woke the leader does not reach the receive thread's ready list, a lead that waited
 * looks at the socket's queue when it ends ({@link #readable}) and wakes the receive thread for what it left.</li>
 * <li><b>pause</b> ({@code -Djtipc.udpRxEpoll=pause}, the receive thread's instance only, the leader waits in a JDK
 * selector): while a thread leads the socket's interest is switched off ({@link #pause}, one {@code epoll_ctl}) and back
 * on at its end ({@link #resume}; {@code EPOLL_CTL_MOD} on a socket with datagrams queued wakes the receive thread at
 * once, fs/eventpoll.c ep_modify).</li>
 * </ul>
 * The socket's descriptor is found through procfs as {@link UdpNoCheck} finds it (java.nio does not give it); IPv4
 * with one socket only (replicast mode), else the bearer keeps the JDK selectors (also its default: both modes cost
 * one-way rates, bench/RESULTS.md). Through jnr-ffi, no JNI code; memory allocated once.
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
    /** Wake one of the exclusive waiters of the file (Linux 4.5+); only with EPOLL_CTL_ADD. */
    static final int EPOLLEXCLUSIVE = 1 << 28;
    /** struct pollfd: int fd, short events, short revents. */
    private static final int POLLFD_SIZE = 8;
    /** Consecutive failed {@code epoll_wait} calls (EINTR: a JVM or profiler signal) {@link #await} retries. */
    static final int MAX_RETRIES = 16;
    private static final Logger LOG = LoggerFactory.getLogger(RxEpoll.class);
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
    /** {@link #readable}'s pollfd over the socket. */
    private final Pointer pollFd;
    private final boolean exclusive;
    private volatile boolean closed;
    /**
     * Threads inside {@link #await}, {@link #wakeup}, {@link #readable} or {@link #clearWakeup} (their native call on
     * {@link #epfd}, {@link #wakeFd} or the socket):
     * {@link #close} waits for them, so a descriptor number is never used after it was closed (and maybe reused).
     */
    private final java.util.concurrent.atomic.AtomicInteger users = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * How long {@link #close} waits for {@link #users} to leave, in ms (1000: the receive thread returns from its
     * {@code epoll_wait} as soon as close wrote the eventfd); past it the descriptors are left open (leaked, logged)
     * rather than closed under a thread still using them.
     */
    static final long CLOSE_WAIT_MS = 1000;

    private RxEpoll(Calls ep, LibC libc, Runtime rt, int epfd, int wakeFd, int sockFd, boolean exclusive) {
        this.exclusive = exclusive;
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
        this.pollFd = Memory.allocateDirect(rt, POLLFD_SIZE, true);
        this.pollFd.putInt(0, sockFd);
        this.pollFd.putShort(4, LibC.POLLIN);
    }

    /**
     * Opens an epoll over the IPv4 socket bound to {@code bound} (called right after bind, in the socket's namespace).
     * In exclusive mode the order of the calls is the order of the wake-ups: the leader's first.
     *
     * @param exclusive the socket is added with {@code EPOLLEXCLUSIVE} (then {@link #pause}/{@link #resume} must not
     *                  be used: the kernel refuses EPOLL_CTL_MOD on such an entry)
     * @return null when it cannot be done here (IPv6, no procfs, jnr-ffi unavailable, a system call failed): the
     *         bearer then waits in its JDK selector (and its receive thread is woken during leads too)
     */
    static RxEpoll open(InetSocketAddress bound, boolean exclusive) {
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
            RxEpoll e = new RxEpoll(ep, libc, rt, epfd, wakeFd, sock, exclusive);
            if (!e.ctl(EPOLL_CTL_ADD, wakeFd, EPOLLIN)
                    || !e.ctl(EPOLL_CTL_ADD, sock, exclusive ? EPOLLIN | EPOLLEXCLUSIVE : EPOLLIN)) {
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

    /** {@link #await(int)} without a time limit. */
    void await() {
        await(-1);
    }

    /**
     * Waits until the socket is readable (while not paused; in exclusive mode: and this wait is the one the kernel
     * wakes), {@link #wakeup()}, close, or {@code timeoutMs} ms (negative: no limit); an {@code epoll_wait} that failed
     * (EINTR) is called again for the time left, up to {@value #MAX_RETRIES} times.
     */
    void await(int timeoutMs) {
        users.incrementAndGet(); // before the look at closed: close either sees this user or is seen here
        try {
            long deadline = timeoutMs > 0 ? System.nanoTime() + timeoutMs * 1_000_000L : 0;
            int wait = timeoutMs;
            for (int tries = 0; ; tries++) {
                if (closed) return;
                int n = ep.epoll_wait(epfd, events, 2, wait);
                for (int i = 0; i < n; i++) {
                    if (events.getLong(i * EVENT_SIZE + DATA_OFFSET) == wakeFd) {
                        libc.read(wakeFd, scratch, 8); // resets the counter
                    }
                }
                if (n >= 0 || tries >= MAX_RETRIES || timeoutMs == 0) {
                    return;
                }
                // -1: EINTR (errno is not kept: IgnoreError), a signal to the thread (the JVM's, a profiler's); the
                // descriptor is open (close waits for users), so the wait goes on for the time left, a bounded number
                // of times
                if (timeoutMs > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return;
                    wait = (int) Math.max(1, (left + 999_999) / 1_000_000);
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

    /**
     * True when the socket has something to read, or when that cannot be told (a failed call): one {@code poll} with
     * timeout 0 on it (a datagram of any length, as the receive thread's own wait sees it; FIONREAD would give only the
     * first datagram's length, 0 for an empty one with others behind it). False once closed. Any thread (one at a
     * time: the lead lock); allocates nothing.
     */
    boolean readable() {
        users.incrementAndGet(); // close waits: never a call on a descriptor closed meanwhile
        try {
            if (closed) return false;
            synchronized (pollFd) {
                pollFd.putShort(6, (short) 0);
                int r = libc.poll(pollFd, 1, 0);
                return r != 0; // r < 0: not known, a spare wake-up costs one eventfd write
            }
        } finally {
            users.decrementAndGet();
        }
    }

    /**
     * Drops a {@link #wakeup()} nobody waited for (the eventfd read without waiting), so the next {@link #await} waits.
     * Any thread; allocates nothing.
     */
    void clearWakeup() {
        users.incrementAndGet();
        try {
            if (closed) return;
            libc.read(wakeFd, scratch, 8); // EFD_NONBLOCK: EAGAIN when none is pending
        } finally {
            users.decrementAndGet();
        }
    }

    /** True when the socket was added with {@code EPOLLEXCLUSIVE}. */
    boolean exclusive() {
        return exclusive;
    }

    /** A thread leads: the socket no longer wakes the receive thread (pause mode only). */
    void pause() {
        if (exclusive) return; // the kernel refuses EPOLL_CTL_MOD on an exclusive entry
        ctl(EPOLL_CTL_MOD, sockFd, 0);
    }

    /** The lead ended: the socket wakes the receive thread again (at once if datagrams are queued). */
    void resume() {
        if (exclusive) return;
        ctl(EPOLL_CTL_MOD, sockFd, EPOLLIN);
    }

    /**
     * Closes the epoll instance and the eventfd (the socket is the channel's): marks it closed, wakes a waiting thread
     * (receive thread or leader), waits up to {@link #CLOSE_WAIT_MS} until no thread is in a native call here
     * ({@link #users}), then closes
     * both descriptors (left open if one still is: a leak, never a call on a reused number).
     */
    @Override
    public void close() {
        synchronized (ctlEvent) {
            if (closed) return;
            closed = true; // before the look at users (see await)
            libc.write(wakeFd, wakeOne, 8); // a thread in epoll_wait returns
            long end = System.nanoTime() + CLOSE_WAIT_MS * 1_000_000;
            while (users.get() > 0) {
                if (System.nanoTime() - end > 0) {
                    LOG.warn("epoll " + epfd + " still in use after " + CLOSE_WAIT_MS + " ms: left open");
                    return;
                }
                Thread.yield();
            }
            libc.close(epfd);
            libc.close(wakeFd);
        }
    }

    /** Threads inside a native call here now ({@link #users}; tests). */
    int users() {
        return users.get();
    }
}
