package io.jtipc.bearer;

import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.slf4j.Logger;

/**
 * Pacing of a bearer receive loop that keeps failing (an interface gone, a socket error that does not clear): the
 * pause before the next try doubles from {@value #FIRST_PAUSE_MS} ms to {@value #MAX_PAUSE_MS} ms, and errors are
 * reported (to the error handler, or as a WARNING) at most once per {@value #REPORT_INTERVAL_MS} ms: the first at
 * once, later ones as a summary carrying the count of errors not reported. A successful receive restarts the pauses
 * at {@value #FIRST_PAUSE_MS} ms. Used by the receive thread only (not thread-safe).
 */
public final class ReceiveErrorBackoff {
    /** Pause after the first error of a run, ms. */
    public static final long FIRST_PAUSE_MS = 20;
    /** Longest pause, ms. */
    public static final long MAX_PAUSE_MS = 1000;
    /** Shortest time between two reports, ms. */
    public static final long REPORT_INTERVAL_MS = 10_000;

    private final String bearer;
    private final Logger log;
    private final LongSupplier clockMs;
    private long pause;
    private long lastReport = Long.MIN_VALUE;
    private long unreported;
    private long reports;

    /** @param bearer bearer name for messages; @param log where to warn when there is no error handler */
    public ReceiveErrorBackoff(String bearer, Logger log) {
        this(bearer, log, () -> System.nanoTime() / 1_000_000L);
    }

    ReceiveErrorBackoff(String bearer, Logger log, LongSupplier clockMs) {
        this.bearer = bearer;
        this.log = log;
        this.clockMs = clockMs;
    }

    /**
     * Records a failed receive and reports it if a report is due.
     *
     * @param onError the bearer user's error handler, or null to log a WARNING instead
     * @return the pause before the next receive, ms
     */
    public long failed(IOException e, Consumer<IOException> onError) {
        pause = pause == 0 ? FIRST_PAUSE_MS : Math.min(MAX_PAUSE_MS, pause * 2);
        long now = clockMs.getAsLong();
        if (lastReport != Long.MIN_VALUE && now - lastReport < REPORT_INTERVAL_MS) {
            unreported++;
            return pause;
        }
        IOException r = e;
        if (unreported > 0) {
            r = new IOException(e.getMessage() + " (" + unreported + " more receive errors since the last report, "
                    + "now retrying every " + pause + " ms)", e);
        }
        lastReport = now;
        unreported = 0;
        reports++;
        if (onError != null) {
            try {
                onError.accept(r);
            } catch (RuntimeException re) {
                log.warn("error handler of " + bearer + " failed", re);
            }
        } else {
            log.warn(bearer + ": receive failed: " + r.getMessage());
        }
        return pause;
    }

    /** Records a successful receive: the next error pauses {@value #FIRST_PAUSE_MS} ms again. */
    public void succeeded() {
        if (pause != 0) pause = 0;
    }

    /** Errors reported so far (first errors and summaries). */
    public long reports() {
        return reports;
    }

    /** Errors counted but not reported yet (they go into the next summary). */
    public long unreported() {
        return unreported;
    }
}
