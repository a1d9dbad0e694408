package io.jtipc.bearer;

import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.slf4j.Logger;

/**
 * What a leading application thread ({@link Leadable#lead}) does with a failure, as the receive thread
 * ({@link ReceiveLoop}) does, so a lead never turns leading off for good over a failure the receive thread would
 * survive:
 * <ul>
 * <li>a handler (the core) throwing a RuntimeException on a frame: counted ({@link #handlerFailures()}), logged at
 *     WARNING at most once per {@value #LOG_INTERVAL_MS} ms with the count since the last line (not per frame), and
 *     the lead goes on with the next frame;</li>
 * <li>a receive error the kernel returned (ENETDOWN after an interface flap, ...): counted
 *     ({@link #receiveErrors()}), reported to the bearer's error handler and paced by a {@link ReceiveErrorBackoff}
 *     of its own (the first at once, then at most once per {@value ReceiveErrorBackoff#REPORT_INTERVAL_MS} ms), and
 *     leading pauses for the backoff's pause (20 ms doubling to 1 s; the receive thread reads meanwhile, so a lasting
 *     error is not retried in a spin by receive calls), then resumes by itself.</li>
 * </ul>
 * Used under the bearer's lead lock only (one thread at a time); the counters are read from any thread.
 */
public final class LeadFaults {
    /** Shortest time between two WARNING lines about handler failures on led frames, ms. */
    public static final long LOG_INTERVAL_MS = 10_000;

    private final String bearer;
    private final Logger log;
    private final ReceiveErrorBackoff errors;
    private final LongSupplier clockNanos;
    private volatile long handlerFailures;
    private volatile long receiveErrors;
    /** System.nanoTime() before which leading stays paused after a receive error; valid while {@link #paused}. */
    private long pausedUntil;
    private volatile boolean paused;
    private long lastLog;
    private boolean logged;
    private long unlogged;

    /** @param bearer bearer name for messages ("eth:eth1", "udp:u1"); @param log where failures are logged */
    public LeadFaults(String bearer, Logger log) {
        this(bearer, log, System::nanoTime);
    }

    /** With the clock {@code clockNanos} (System.nanoTime; tests). */
    LeadFaults(String bearer, Logger log, LongSupplier clockNanos) {
        this.bearer = bearer;
        this.log = log;
        this.clockNanos = clockNanos;
        this.errors = new ReceiveErrorBackoff(bearer, log, () -> clockNanos.getAsLong() / 1_000_000L);
    }

    /** True while leading pauses after a receive error (the lead returns -1: the caller waits on its queue). */
    public boolean paused() {
        if (!paused) {
            return false;
        }
        if (clockNanos.getAsLong() - pausedUntil < 0) {
            return true;
        }
        paused = false;
        return false;
    }

    /** A frame was read: the next receive error pauses leading for the shortest pause again. */
    public void readOk() {
        errors.succeeded();
    }

    /**
     * A receive error the kernel returned to the leader: counted, reported to {@code onError} (null: logged) when a
     * report is due, and leading pauses.
     */
    public void receiveFailed(IOException e, Consumer<IOException> onError) {
        receiveErrors++; // one writer: the thread holding the lead lock
        long pauseMs = errors.failed(e, onError);
        pausedUntil = clockNanos.getAsLong() + pauseMs * 1_000_000L;
        paused = true;
    }

    /** The handler threw on a led frame: counted, logged when a line is due; the lead goes on. */
    public void handlerFailed(RuntimeException e) {
        handlerFailures++; // one writer: the thread holding the lead lock
        long now = clockNanos.getAsLong();
        if (logged && now - lastLog < LOG_INTERVAL_MS * 1_000_000L) {
            unlogged++;
            return;
        }
        String more = unlogged == 0 ? "" : " (" + unlogged + " more since the last line)";
        logged = true;
        lastLog = now;
        unlogged = 0;
        log.warn("frame handler of " + bearer + " failed on a led frame" + more, e);
    }

    /** Handler calls on led frames that threw. */
    public long handlerFailures() {
        return handlerFailures;
    }

    /** Receive errors met by leaders. */
    public long receiveErrors() {
        return receiveErrors;
    }
}
