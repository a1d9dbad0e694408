package io.jtipc.bearer;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.slf4j.Logger;

/**
 * The leader receive (issue 14, {@link Leadable#lead}) of both bearers, over a {@link LeadSource} that reads, waits
 * and takes the receive lock: an application thread reads the bearer's frames itself and hands each to a handler,
 * taking turns with the receive thread under the bearer's receive lock (held from reading a frame until its handler
 * returned: no frame overtakes another). One per bearer; a bearer's {@code lead} delegates here.
 *
 * <p><b>Threads and locks.</b> One thread leads at a time: {@link #lead} takes the lead lock without waiting (another
 * leader: -1). The receive lock is the bearer's ({@link LeadSource#tryLockReceive}); the leader holds it for a whole
 * drain, not per frame, and waits for readiness without it. Counters and {@link #leading()} are read from any thread.
 * The driver allocates nothing per lead or per frame (the frame and source buffers are allocated by the first lead);
 * a source may (the Ethernet one renews its interrupt hook after an interrupted lead).
 *
 * <p><b>One lead.</b> Hands over what is queued; when nothing was and {@code done} is still false waits once
 * ({@link LeadSource#awaitLead}) up to {@code timeoutMs} ms (0: no wait; negative: no limit; the deadline is kept in
 * {@link System#nanoTime()} ns from the call) or until the bearer's wakeLeader, an interrupt or close, then hands over
 * what came. Stops reading as soon as {@code done}, and, once it handed over a frame, when the deadline passed or the
 * thread is interrupted (the flag stays set): a stream of other frames does not hold a timed receive past its time.
 * What happens to a {@code recvmmsg} batch then is the source's ({@link LeadSource#handsOverBatch()}); frames left in
 * it wake the receive thread ({@link LeadSource#wakeReceiveThread()}). The receive lock is taken in attempts of
 * {@link #LEAD_LOCK_WAIT_MS} ms, between which close, {@code done}, an interrupt and the deadline are looked at.
 *
 * <p><b>Failures</b>, as the receive thread's ({@link LeadFaults}): a handler exception on a frame is counted
 * ({@link #handlerFailures()}), logged (not per frame) and the next frame handed over; a receive error the kernel
 * returned is logged at DEBUG, reported to the error handler ({@link #errorHandler}, as
 * {@link LeadSource#receiveError}), counted ({@link #receiveErrors()}) and pauses leading for 20 ms doubling to 1 s;
 * only an unexpected RuntimeException turns leading off for good (logged once at WARNING). A closed bearer
 * ({@link ClosedChannelException}, {@link ClosedSelectorException}, or any IOException once closed) ends the lead
 * with -1.
 */
public final class LeadDriver {
    /**
     * How long a leader waits for the receive lock in one attempt, in ms (1), before it looks at close, {@code done},
     * its deadline and an interrupt again: the lock is not fair, and the receive thread may take it back after each
     * frame while a stream lasts.
     */
    public static final long LEAD_LOCK_WAIT_MS = 1;

    private final LeadSource source;
    /** Start of the log lines ("eth:eth1", "bearer udp:u1"). */
    private final String logName;
    private final Logger log;
    private final int frameBytes, addressBytes;
    /** Held by the one application thread that leads ({@link #lead}); others do not lead. */
    private final ReentrantLock leadLock = new ReentrantLock();
    /** The leader's frame and source buffers (allocated by the first lead; under {@link #leadLock}). */
    private byte[] leadBuf, leadSrc;
    /**
     * Set when a lead failed on an unexpected RuntimeException (a bug below the lead): leading is off for good (the
     * receive thread goes on). A receive error the kernel returned does not set it ({@link #leadFaults}).
     */
    private volatile boolean leadBroken;
    /** A leader's handler failures and receive errors, handled as the receive thread does (see {@link LeadFaults}). */
    private final LeadFaults leadFaults;
    /** The receive thread's error handler (the bearer's start): a receive error a leader met goes there too. */
    private volatile Consumer<IOException> onError;
    /** Frames handed over by leaders (written under the receive lock). */
    private volatile long framesLed;

    /**
     * @param source       the bearer's socket side, one object for the bearer's life
     * @param bearer       bearer name for {@link LeadFaults} messages ("eth:eth1", "udp:u1")
     * @param logName      start of this driver's log lines ("eth:eth1", "bearer udp:u1")
     * @param log          the bearer's logger
     * @param frameBytes   the largest frame read, bytes (the leader's frame buffer)
     * @param addressBytes media address length, bytes (the leader's source buffer)
     */
    public LeadDriver(LeadSource source, String bearer, String logName, Logger log, int frameBytes,
            int addressBytes) {
        this.source = source;
        this.logName = logName;
        this.log = log;
        this.frameBytes = frameBytes;
        this.addressBytes = addressBytes;
        this.leadFaults = new LeadFaults(bearer, log);
    }

    /** Where a leader's receive errors are reported (the receive thread's handler; null: logged). Any thread. */
    public void errorHandler(Consumer<IOException> onError) {
        this.onError = onError;
    }

    /**
     * Leads once (see the class comment and {@link Leadable#lead}): {@code started} runs once this thread holds the
     * lead lock, before the first look at {@code done}; {@code ended} runs before the lead lock is given up, only if
     * {@code started} ran. Either may be null.
     *
     * @param timeoutMs longest wait, ms (0: none; negative: no limit)
     * @return frames handed to {@code handler} (0 if none came in time, {@code done} held already, the receive-lock
     *         attempts ended without the lock, or a receive error came before any; after a receive error, the frames
     *         handed over in this lead before it), or -1 when this
     *         thread cannot lead: another thread leads, the receive thread is not running, the source says a lead
     *         would not help now ({@link LeadSource#leadUseful()}), the bearer is closed (a
     *         lead its close ended returns the frames it handed over, if any),
     *         leading pauses after a receive error, or an earlier lead failed on an unexpected exception
     */
    public int lead(Media.FrameHandler handler, BooleanSupplier done, long timeoutMs, Runnable started,
            Runnable ended) {
        if (source.isClosed() || leadBroken || !source.receiveThreadAlive() || !source.leadUseful()
                || !leadLock.tryLock()) {
            return -1;
        }
        boolean paused = false;
        boolean told = false;
        long ledBefore = framesLed; // written only by the leader, under the lead lock: framesLed - ledBefore is ours
        try {
            if (leadFaults.paused()) {
                return -1; // the receive thread reads meanwhile; the caller waits on its queue
            }
            if (started != null) {
                started.run();
                told = true;
            }
            if (leadBuf == null) {
                leadBuf = new byte[frameBytes];
                leadSrc = new byte[addressBytes];
            }
            boolean timed = timeoutMs >= 0;
            long deadline = timed ? System.nanoTime() + Math.min(timeoutMs, Long.MAX_VALUE / 2_000_000L) * 1_000_000L
                    : 0;
            source.openLead();
            int got = drain(handler, done, timed, deadline);
            if (got > 0 || done.getAsBoolean() || timeoutMs == 0 && !source.zeroTimeoutDrainsAgain()) {
                return got;
            }
            if (source.pauseReceiveThread()) {
                // nothing queued (a request's answer awaited on a quiet link): an arrival now wakes this thread only
                paused = true;
                got = drain(handler, done, timed, deadline); // what came before the pause took effect
                if (got > 0 || done.getAsBoolean()) {
                    return got;
                }
            }
            if (timeoutMs != 0) {
                long waitMs = -1;
                if (timed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return 0;
                    }
                    waitMs = (left + 999_999) / 1_000_000;
                }
                if (source.awaitLead(done, waitMs) == Media.WAKEUP && source.isClosed()) {
                    return -1;
                }
            }
            return done.getAsBoolean() ? 0 : drain(handler, done, timed, deadline);
        } catch (ClosedChannelException | ClosedSelectorException e) {
            return closedAfter(ledBefore);
        } catch (IOException e) {
            if (source.isClosed()) {
                return closedAfter(ledBefore);
            }
            // the kernel's error (ENETDOWN on a flap, ...): reported as the receive thread would have; leading goes on
            // after a pause, on this same bearer object, which the node enables again when the interface comes back
            log.debug(logName + ": leader receive failed: " + e);
            leadFaults.receiveFailed(source.receiveError(e), onError);
            return (int) (framesLed - ledBefore); // frames the failed drain handed over before the error still count
        } catch (RuntimeException e) {
            leadBroken = true;
            log.warn(logName + ": leader receive off after an unexpected failure", e);
            return -1;
        } finally {
            try {
                try {
                    source.endLead();
                } finally {
                    if (paused) {
                        source.resumeReceiveThread(); // what this thread left unread wakes the receive thread now
                    }
                }
            } finally {
                try {
                    if (told && ended != null) {
                        ended.run(); // even if resume threw: the caller must not count a leader that left
                    }
                } finally {
                    leadLock.unlock();
                }
            }
        }
    }

    /** A lead the bearer's close ended: the frames it handed over before, else -1 (this thread cannot lead). */
    private int closedAfter(long ledBefore) {
        long got = framesLed - ledBefore;
        return got > 0 ? (int) got : -1;
    }

    /**
     * Hands over queued frames until none is left, or {@code done}, or (once one was handed over) the deadline
     * passed or the thread is interrupted; an Eth batch ({@link LeadSource#handsOverBatch()}) to its end first. Under
     * {@link #leadLock}. Holds the receive lock for the whole drain, not per frame: a receive thread waiting in it is
     * woken once per drain. Looks at the clock only once a frame was handed over: per frame, or per batch when the
     * batch is handed over whole.
     *
     * @return frames handed over; 0 also when the receive lock could not be taken before close, {@code done}, the
     *         deadline or an interrupt (the receive thread holds it: it hands over what is queued)
     */
    private int drain(Media.FrameHandler handler, BooleanSupplier done, boolean timed, long deadline)
            throws IOException {
        if (!lockReceive(done, timed, deadline)) {
            return 0;
        }
        int got = 0;
        boolean wholeBatch = source.handsOverBatch();
        try {
            for (;;) {
                if (!(wholeBatch && source.batchLeft()) && (done.getAsBoolean() || got > 0 && stop(timed, deadline))) {
                    break;
                }
                int n = source.readQueued(leadBuf, 0, leadBuf.length, leadSrc, 0);
                if (n < 0) {
                    break;
                }
                got++;
                framesLed++; // under the receive lock
                try {
                    handler.onFrame(leadSrc, leadBuf, n);
                } catch (RuntimeException e) {
                    leadFaults.handlerFailed(e); // counted, logged (not per frame); the next frame goes on
                }
            }
            if (got > 0) {
                leadFaults.readOk();
            }
        } finally {
            boolean left = source.batchLeft();
            source.unlockReceive();
            if (left) {
                // read but not handed over (stopped, or an Error or a receive error): no readiness of the socket
                // would wake the receive thread for them
                source.wakeReceiveThread();
            }
        }
        return got;
    }

    /**
     * Takes the receive lock in attempts of {@link #LEAD_LOCK_WAIT_MS}, looking at close, {@code done}, the deadline
     * and an interrupt (kept set) between them.
     *
     * @return false when one of those ended the wait without the lock
     */
    private boolean lockReceive(BooleanSupplier done, boolean timed, long deadline) {
        if (source.tryLockReceive()) {
            return true;
        }
        for (;;) {
            if (source.isClosed() || done.getAsBoolean() || stop(timed, deadline)) {
                return false;
            }
            try {
                if (source.tryLockReceive(LEAD_LOCK_WAIT_MS)) {
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the caller's receive sees it
                return false;
            }
        }
    }

    /** True when the lead's deadline passed ({@code timed}) or the leading thread is interrupted. */
    private static boolean stop(boolean timed, long deadline) {
        return Thread.currentThread().isInterrupted() || timed && System.nanoTime() - deadline >= 0;
    }

    /**
     * True while a thread leads (any thread; a snapshot: a bearer's wakeLeader uses it to skip a wake-up nobody waits
     * for, which is safe because a leader looks at {@code done} after taking the lead lock, before it waits).
     */
    public boolean leading() {
        return leadLock.isLocked();
    }

    /** Frames handed over by leading threads. */
    public long framesLed() {
        return framesLed;
    }

    /** Handler calls on led frames that threw. */
    public long handlerFailures() {
        return leadFaults.handlerFailures();
    }

    /** Receive errors met by leaders. */
    public long receiveErrors() {
        return leadFaults.receiveErrors();
    }
}
