package io.jtipc.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A command running in a guest (in the background, or an {@code exec} in progress): its output
 * line by line as it comes, its end, and signals. Thread-safe.
 */
public final class GuestJob implements AutoCloseable {
    private static final String END = new String("\u0000end");

    private final KernelNode node;
    private final String id;
    private final String command;
    private final List<String> lines = new ArrayList<>();
    private final LinkedBlockingQueue<String> unread = new LinkedBlockingQueue<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean timedOut;
    private volatile Integer exitCode;
    private volatile String failure;
    private final Object endLock = new Object();

    GuestJob(KernelNode node, String id, String command) {
        this.node = node;
        this.id = id;
        this.command = command;
    }

    public String id() {
        return id;
    }

    public String command() {
        return command;
    }

    public KernelNode node() {
        return node;
    }

    /** Calls {@code listener} for every line from now on (on the channel's reader thread: be quick). */
    public void onLine(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** Every line so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The output so far, joined with newlines. */
    public String output() {
        return String.join("\n", lines());
    }

    /**
     * The next line not yet taken by {@code nextLine}/{@code awaitLine}, or null when none came
     * within the timeout or the job has ended and every line was taken.
     */
    public String nextLine(Duration timeout) throws InterruptedException {
        String l = unread.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (l == END) {
            unread.add(END);
            return null;
        }
        return l;
    }

    /**
     * Takes lines until one matches; returns it.
     *
     * @throws LabException (stage AGENT) with the output so far, when the job ends or the timeout
     *                      passes first, or an {@code ERROR} line of the agent comes
     */
    public String awaitLine(Predicate<String> match, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                String l = left <= 0 ? null : unread.poll(left, TimeUnit.NANOSECONDS);
                if (l == END) {
                    unread.add(END);
                    throw failure("ended (" + describeEnd() + ") before " + what);
                }
                if (l == null) {
                    throw failure("printed no " + what + " within " + timeout.toMillis() + " ms");
                }
                if (match.test(l)) {
                    return l;
                }
                if (l.startsWith("ERROR ")) {
                    throw failure("failed before " + what + ": " + l);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for " + what);
        }
    }

    /** Waits for the agent's {@code READY} line (its socket is bound / joined / subscribed). */
    public GuestJob awaitReady(Duration timeout) {
        awaitLine(l -> l.startsWith("READY"), timeout, "READY line");
        return this;
    }

    /** Exit status once ended (128 + signal when killed), else empty. */
    public OptionalInt exitCode() {
        Integer c = exitCode;
        return c == null ? OptionalInt.empty() : OptionalInt.of(c);
    }

    public boolean isDone() {
        return exitCode != null;
    }

    public boolean timedOut() {
        return timedOut;
    }

    /**
     * Waits for the end.
     *
     * @return the result (output and exit status)
     * @throws LabException (stage EXEC) when it has not ended within the timeout
     */
    public ExecResult await(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (endLock) {
            while (exitCode == null) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new LabException(LabException.Stage.EXEC, node.name() + ": `" + command
                            + "` did not end within " + timeout.toMillis() + " ms", "output so far:\n" + output()
                            + "\n--- console tail of " + node.name() + ":\n" + node.consoleTail(30));
                }
                try {
                    endLock.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LabException(LabException.Stage.EXEC, "interrupted waiting for `" + command + "`", output());
                }
            }
        }
        if (failure != null) {
            throw new LabException(LabException.Stage.CONTROL, node.name() + ": `" + command + "`: " + failure,
                    "output so far:\n" + output() + "\n--- console tail of " + node.name() + ":\n" + node.consoleTail(40));
        }
        return new ExecResult(node.name(), command, exitCode, timedOut, lines());
    }

    /** Sends a signal to the job's process group (e.g. 15 = SIGTERM, 9 = SIGKILL). */
    public void signal(int signal) {
        if (!isDone()) {
            node.signalJob(id, signal);
        }
    }

    /** Stops the job: SIGTERM, then SIGKILL after 2 s; waits up to 5 s for its end. Idempotent. */
    public void stop() {
        if (isDone() || !node.isRunning()) {
            return;
        }
        signal(15);
        synchronized (endLock) {
            long deadline = System.currentTimeMillis() + 2000;
            while (exitCode == null && System.currentTimeMillis() < deadline) {
                try {
                    endLock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (!isDone()) {
            signal(9);
            try {
                await(Duration.ofSeconds(3));
            } catch (LabException ignored) {
                // the node may be going down: nothing more to do
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    // ---- fed by the control channel ----------------------------------------------------------
    void line(String l) {
        synchronized (lines) {
            lines.add(l);
        }
        unread.add(l);
        for (Consumer<String> c : listeners) {
            try {
                c.accept(l);
            } catch (RuntimeException ignored) {
                // a listener's failure must not break the channel
            }
        }
    }

    void markTimedOut() {
        timedOut = true;
    }

    void end(int rc, String failureMessage) {
        synchronized (endLock) {
            if (exitCode != null) {
                return;
            }
            failure = failureMessage;
            exitCode = rc;
            unread.add(END);
            endLock.notifyAll();
        }
    }

    private String describeEnd() {
        return failure != null ? failure : timedOut ? "timed out" : "exit " + exitCode;
    }

    private LabException failure(String what) {
        return new LabException(LabException.Stage.AGENT, node.name() + ": `" + command + "` " + what,
                "output so far:\n" + output());
    }

    @Override
    public String toString() {
        return node.name() + "#" + id + " `" + command + "`" + (isDone() ? " (" + describeEnd() + ")" : " (running)");
    }
}
