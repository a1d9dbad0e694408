package io.jtipc.testcontainers;

import java.time.Duration;

import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/**
 * Waits for the kernel node's console line {@code JTIPC-LAB: ready} (docker/peer/init; the native entrypoint prints
 * it too) and fails at once, with the console's tail, when the container exits or the guest kernel panics
 * ({@code Kernel panic}) or a module fails to load ({@code JTIPC-LAB: module-failed}), rather than waiting out the
 * startup timeout. Polls the container's log every {@value #POLL_MS} ms.
 */
final class KernelReadyWait extends AbstractWaitStrategy {
    static final String READY = "JTIPC-LAB: ready";
    /** Poll interval, ms. */
    static final long POLL_MS = 250;
    /** Console lines quoted in a failure. */
    static final int TAIL_LINES = 40;

    KernelReadyWait(Duration timeout) {
        withStartupTimeout(timeout);
    }

    @Override
    protected void waitUntilReady() {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        while (true) {
            String logs = waitStrategyTarget.getLogs();
            if (logs.contains(READY)) return;
            String failure = logs.contains("Kernel panic") ? "the guest kernel panicked"
                    : logs.contains("JTIPC-LAB: module-failed") ? "a kernel module failed to load"
                    : !waitStrategyTarget.isRunning() ? "the container exited" : null;
            if (failure == null && System.nanoTime() > deadline) failure = "not ready within " + startupTimeout;
            if (failure != null) {
                throw new ContainerLaunchException("kernel TIPC node did not come up: " + failure + "; console tail:\n" + tail(logs));
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerLaunchException("interrupted while waiting for the kernel node", e);
            }
        }
    }

    static String tail(String logs) {
        String[] lines = logs.split("\n");
        int from = Math.max(0, lines.length - TAIL_LINES);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
