package io.jtipc.cli;

import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * systemd's service watchdog ({@code sd_watchdog_enabled(3)}, {@code WatchdogSec=} in the unit) for {@code jtipc
 * node}: when the environment holds {@code WATCHDOG_USEC} (and {@code WATCHDOG_PID} is unset or this process's id),
 * a daemon thread sends {@code WATCHDOG=1} through {@link SdNotify} every half of that interval, as the manual page
 * recommends, but only after a health probe passed: for the node, that it is neither failed nor closed and that its
 * protocol core answers a call under its lock. A node whose core is wedged therefore stops the pings and systemd
 * restarts it (with {@code Restart=on-watchdog} or {@code on-failure}) once {@code WatchdogSec} has passed.
 *
 * <p>A withheld ping is reported once per episode on the error stream (with the probe's reason), and once more when
 * the pings resume; a bad {@code WATCHDOG_USEC} or {@code WATCHDOG_PID} is reported once and no watchdog runs.
 */
final class SdWatchdog implements AutoCloseable {
    /** The least interval taken (µs): below 2 ms the pings would only load the host; systemd's own floor is 1 s. */
    static final long MIN_USEC = 2_000;
    /** The most taken (µs, ~11.6 days): a larger interval is pinged at this one's half (more often is harmless). */
    static final long MAX_USEC = 1_000_000_000_000L;

    private final SdNotify notify;
    private final long periodNanos;
    private final Supplier<String> probe;
    private final PrintWriter err;
    private final Thread thread;
    private volatile boolean closed; // written under this monitor
    private long pings; // under this monitor

    private SdWatchdog(SdNotify notify, long usec, Supplier<String> probe, PrintWriter err) {
        this.notify = notify;
        this.periodNanos = usec * 1000 / 2;
        this.probe = probe;
        this.err = err;
        this.thread = new Thread(this::run, "jtipc-sd-watchdog");
        thread.setDaemon(true);
    }

    /**
     * The watchdog interval asked for, as {@code sd_watchdog_enabled(3)} reads it.
     *
     * @param usec   {@code WATCHDOG_USEC}: a positive decimal count of µs, or null (no watchdog)
     * @param pid    {@code WATCHDOG_PID}: the process the watchdog is meant for, or null (this one)
     * @param ownPid this process's id
     * @return the interval in µs, 0 when none is asked of this process
     * @throws IllegalArgumentException a value that is not a positive decimal number (names the variable)
     */
    static long intervalMicros(String usec, String pid, long ownPid) {
        if (usec == null) return 0;
        long u = positive("WATCHDOG_USEC", usec);
        if (pid != null && positive("WATCHDOG_PID", pid) != ownPid) return 0; // meant for another process
        return Math.min(Math.max(u, MIN_USEC), MAX_USEC);
    }

    private static long positive(String name, String value) {
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            v = 0;
        }
        if (v <= 0 || !value.trim().chars().allMatch(Character::isDigit)) {
            // the value comes from the environment: shown escaped and short
            throw new IllegalArgumentException(name + " is not a positive number: '"
                + io.jtipc.cli.control.ControlServer.escape(value.length() > 24 ? value.substring(0, 24) + "..." : value, false)
                + "'");
        }
        return v;
    }

    /**
     * Starts the pings for the process's environment ({@code WATCHDOG_USEC}, {@code WATCHDOG_PID}), or returns null
     * when no watchdog is asked for, NOTIFY_SOCKET is unset, or a variable is bad (reported on {@code err}).
     *
     * @param probe null when healthy, else why not (runs on the watchdog's thread; may block)
     */
    static SdWatchdog fromEnvironment(SdNotify notify, Supplier<String> probe, PrintWriter err) {
        long usec;
        try {
            usec = intervalMicros(System.getenv("WATCHDOG_USEC"), System.getenv("WATCHDOG_PID"),
                ProcessHandle.current().pid());
        } catch (IllegalArgumentException e) {
            say(err, "jtipc node: sd_notify: " + e.getMessage() + "; no watchdog pings");
            return null;
        }
        return usec == 0 || !notify.enabled() ? null : start(notify, usec, probe, err);
    }

    /** Starts pinging every {@code usec / 2} µs (at least {@link #MIN_USEC}) while {@code probe} returns null. */
    static SdWatchdog start(SdNotify notify, long usec, Supplier<String> probe, PrintWriter err) {
        SdWatchdog w = new SdWatchdog(notify, Math.min(Math.max(usec, MIN_USEC), MAX_USEC), probe, err);
        w.thread.start();
        return w;
    }

    /**
     * The node's health for the watchdog: null while it is running (or degraded: it serves on its other bearers) and
     * its protocol core answers a call under the core lock, else why not (the call's own error after the core was busy
     * for 30 s, the node failed or closed). Blocks while the core lock is held.
     */
    static String nodeHealth(io.jtipc.api.TipcNode node) {
        io.jtipc.api.TipcNodeState s = node.state();
        if (s != io.jtipc.api.TipcNodeState.RUNNING && s != io.jtipc.api.TipcNodeState.DEGRADED) {
            return "the node is " + s.name().toLowerCase(java.util.Locale.ROOT);
        }
        try {
            node.droppedFrames(); // any call into the core: it runs under the core lock
            return null;
        } catch (io.jtipc.api.TipcException e) {
            return e.getMessage();
        }
    }

    /** The pings sent so far. */
    synchronized long pings() {
        return pings;
    }

    private void run() {
        boolean withheld = false;
        long next = System.nanoTime() + periodNanos;
        while (!closed) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(this, wait);
                continue; // woken early (close, spurious): look again
            }
            next += periodNanos;
            if (next - System.nanoTime() < 0) next = System.nanoTime() + periodNanos; // a long probe: no burst after
            String why;
            try {
                why = probe.get();
            } catch (RuntimeException e) {
                why = e.toString();
            }
            if (why != null) {
                if (closed) break; // the probe failed because the node stops: nothing to report
                if (!withheld) say(err, "jtipc node: watchdog: WATCHDOG=1 withheld: " + why);
                withheld = true;
            } else {
                if (withheld) say(err, "jtipc node: watchdog: the node answers again, WATCHDOG=1 resumed");
                withheld = false;
                synchronized (this) { // against close(): no ping after it returned (STOPPING=1 follows)
                    if (closed) break;
                    if (notify.send("WATCHDOG=1", err)) pings++;
                }
            }
        }
    }

    private static void say(PrintWriter err, String line) {
        synchronized (err) {
            err.println(line);
            err.flush();
        }
    }

    /**
     * Stops the pings (before {@code STOPPING=1}: a stopping service is not watched): none is sent after this returns.
     * Does not wait for a probe in progress (the signal handler calls this before it closes the node).
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        java.util.concurrent.locks.LockSupport.unpark(thread);
    }
}
