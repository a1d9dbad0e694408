package io.jtipc.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A host process running inside the lab's network namespace (e.g. a jtipc node's JVM using a
 * {@link Veth}), stdout and stderr merged, line by line. Made by {@link Lab#startInNetns} or
 * {@link Lab#startJava}; killed by {@link #close()} and by {@link Lab#close()}.
 */
public final class NetnsProcess implements AutoCloseable {
    private static final String END = new String("\u0000end");

    private final List<String> command;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final LinkedBlockingQueue<String> unread = new LinkedBlockingQueue<>();

    NetnsProcess(List<String> command) {
        this.command = List.copyOf(command);
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new LabException(LabException.Stage.NETWORK, "cannot start " + String.join(" ", command) + ": "
                    + e.getMessage(), "");
        }
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(l);
                    }
                    unread.add(l);
                }
            } catch (IOException ignored) {
                // the process ended
            }
            unread.add(END);
        }, "jtipc-lab-netns-process");
        t.setDaemon(true);
        t.start();
    }

    public List<String> command() {
        return command;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Its standard input (for a process that takes commands). */
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    /** Every line so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /**
     * Takes lines until one matches; returns it.
     *
     * @throws LabException (stage EXEC) with the output so far when the process ends or the timeout passes first
     */
    public String awaitLine(Predicate<String> match, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                String l = left <= 0 ? null : unread.poll(left, TimeUnit.NANOSECONDS);
                if (l == END) {
                    unread.add(END);
                    throw failure("ended before " + what);
                }
                if (l == null) {
                    throw failure("printed no " + what + " within " + timeout.toMillis() + " ms");
                }
                if (match.test(l)) {
                    return l;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for " + what);
        }
    }

    /**
     * Waits for the end and returns the exit status.
     *
     * @throws LabException (stage EXEC) when it runs past the timeout (it is left running)
     */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw failure("did not end within " + timeout.toMillis() + " ms");
            }
            // let the reader take the last lines
            for (int i = 0; i < 50 && !unread.contains(END); i++) {
                Thread.sleep(10);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted");
        }
    }

    /** SIGTERM, then SIGKILL after 3 s. Idempotent. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private LabException failure(String what) {
        return new LabException(LabException.Stage.EXEC, "`" + String.join(" ", command) + "` " + what,
                "output so far:\n" + String.join("\n", lines()));
    }

    @Override
    public String toString() {
        return "NetnsProcess[" + pid() + " " + String.join(" ", command) + "]";
    }
}
