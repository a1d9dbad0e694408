package io.jtipc.bearer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Runs code inside a Linux network namespace, so a JVM in the host namespace can own an
 * interface that lives in a lab namespace without {@code ip netns exec}.
 *
 * <h2>The thread rule</h2>
 * {@code setns(2)} moves only the calling OS thread into the namespace. A Java platform thread is
 * one OS thread, so {@link #runIn} starts a fresh thread, calls {@code setns(fd, CLONE_NEWNET)} on
 * it, runs the task there and lets the thread end; no other thread of the JVM changes namespace
 * and no pooled thread is left behind in the lab namespace. Never call {@code setns} on a
 * thread you do not own (executor, common pool, virtual-thread carrier).
 *
 * <p>A socket belongs for its whole life to the namespace of the thread that created it. After
 * {@code runIn} returns, the socket it created may be used from any thread: sends go out of the
 * namespace's interface, and ioctls on the socket (interface index, MAC, MTU, flags) are resolved
 * in the socket's namespace. That is why the Ethernet bearer's {@code AfPacketSocket} looks
 * interfaces up through its own descriptor instead of {@code if_nametoindex(3)}, which would open
 * a new socket in the caller's namespace. Code that creates a new socket later must be run through {@code runIn} again.
 */
public final class NetNs {
    private NetNs() {
    }

    /** Where {@code ip netns add NAME} puts the namespace handle (iproute2's NETNS_RUN_DIR). */
    public static final String NETNS_RUN_DIR = "/var/run/netns";

    /**
     * The file naming a namespace: {@code /var/run/netns/NAME} for a bare name as {@code ip netns}
     * uses; a value containing '/' (for example {@code /proc/1234/ns/net}) is taken as a path.
     */
    public static Path pathOf(String netns) {
        Objects.requireNonNull(netns, "netns");
        if (netns.isEmpty() || netns.equals(".") || netns.equals("..")) {
            throw new IllegalArgumentException("bad network namespace name: '" + netns + "'");
        }
        return netns.indexOf('/') >= 0 ? Path.of(netns) : Path.of(NETNS_RUN_DIR, netns);
    }

    /**
     * Runs {@code task} on a new thread that has entered network namespace {@code netns}, waits for
     * it and returns its result. A null {@code netns} runs the task on the calling thread, in the
     * caller's namespace.
     *
     * @param netns a name under {@value #NETNS_RUN_DIR} or a path to a namespace file, or null
     * @return what {@code task} returned
     * @throws SyscallException  with a clear message if the namespace does not exist, is not a
     *         network namespace, or entering it is not permitted (needs CAP_SYS_ADMIN)
     * @throws IOException       an IOException thrown by the task, as it was thrown; another checked
     *         exception of the task wrapped in an IOException; an interrupt while waiting as
     *         {@link InterruptedIOException} (the interrupt flag is set again; the task runs on, and what it
     *         returns is closed if it is {@link AutoCloseable}: a socket opened for nobody does not leak)
     * @throws RuntimeException  a RuntimeException or Error thrown by the task, as it was thrown
     */
    public static <T> T runIn(String netns, Callable<T> task) throws IOException {
        Objects.requireNonNull(task, "task");
        if (netns == null) {
            return callRethrowing(task);
        }
        String path = pathOf(netns).toString();
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        boolean[] abandoned = new boolean[1]; // guarded by result: the caller was interrupted and returned
        Thread t = new Thread(() -> {
            try {
                enter(netns, path);
                T r = task.call();
                synchronized (result) {
                    if (abandoned[0]) closeQuietly(r); // nobody will take it: a socket must not leak
                    else result[0] = r;
                }
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "jtipc-netns-" + netns);
        t.setDaemon(true);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            synchronized (result) {
                abandoned[0] = true;
                closeQuietly(result[0]); // finished meanwhile: its result is closed here instead
                result[0] = null;
            }
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running a task in network namespace " + netns
                + " (what it opened is closed when it finishes)");
        }
        Throwable f = failure[0];
        if (f == null) {
            @SuppressWarnings("unchecked")
            T r = (T) result[0];
            return r;
        }
        if (f instanceof IOException) {
            throw (IOException) f;
        }
        if (f instanceof RuntimeException) {
            throw (RuntimeException) f;
        }
        if (f instanceof Error) {
            throw (Error) f;
        }
        throw new IOException("task in network namespace " + netns + " failed: " + f, f);
    }

    /** Closes {@code o} if it is {@link AutoCloseable}, ignoring what the close throws. */
    private static void closeQuietly(Object o) {
        if (o instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // the result of an abandoned task: nobody to tell
            }
        }
    }

    /** Moves the calling thread into the namespace; only for the thread {@link #runIn} created. */
    private static void enter(String netns, String path) throws SyscallException {
        LibC libc = LibC.Native.libc();
        int fd = libc.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw error("open", LibC.Native.errno(), netns, path);
        }
        try {
            if (libc.setns(fd, LibC.CLONE_NEWNET) != 0) {
                throw error("setns", LibC.Native.errno(), netns, path);
            }
        } finally {
            libc.close(fd);
        }
    }

    /** Maps an errno of opening or entering a network namespace to an exception with a clear message. */
    static SyscallException error(String operation, int errno, String netns, String path) {
        String msg;
        switch (errno) {
            case SyscallException.ENOENT:
                msg = "no such network namespace " + netns + " (" + path
                        + " not found; create it with `ip netns add " + netns + "`)";
                break;
            case SyscallException.EPERM:
            case SyscallException.EACCES:
                msg = "entering network namespace " + netns + " needs CAP_SYS_ADMIN: run as root ("
                        + operation + " " + path + " failed: " + SyscallException.errnoName(errno) + ")";
                break;
            case SyscallException.EINVAL:
                msg = path + " is not a network namespace (" + operation + " failed: EINVAL)";
                break;
            default:
                msg = operation + " " + path + " failed: " + SyscallException.describe(errno);
        }
        return new SyscallException(operation, errno, msg);
    }

    private static <T> T callRethrowing(Callable<T> task) throws IOException {
        try {
            return task.call();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("task failed: " + e, e);
        }
    }
}
