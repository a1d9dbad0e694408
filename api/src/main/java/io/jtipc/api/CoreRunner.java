package io.jtipc.api;

import java.util.ArrayDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jtipc.node.NodeCore;
import io.jtipc.node.Outbox;

/**
 * Runs a {@link TipcNode}'s sans-IO core under the node's core lock on the thread that has work for it (issue 14):
 * a bearer's receive thread for a frame ({@link #received}), an API caller for a command ({@link #call}), and the
 * loop thread {@code jtipc-node-ID} for the core's timers ({@link NodeCore#nextDeadline()}) and the work deferred
 * with {@link #later}. After each run it runs the deferred work, forwards the core's log lines
 * ({@link TipcNode#CORE_LOGGER}) and wakes the loop when a timer became due earlier. An {@link Error} in a run makes
 * the node fail ({@link NodeLifecycle#fail}); a {@link RuntimeException} is counted ({@link #internalErrors()}) and logged
 * (at powers of two).
 * Logs to TipcNode's logger, as before the split.
 */
final class CoreRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TipcNode.class);
    /** Wakes the loop to look at the timers again. */
    private static final Runnable WAKE = () -> { };

    private final TipcNode node;
    private final NodeCore core;
    private final Outbox outbox;
    /** Deferred work for the loop thread ({@link #later}) and its wake-ups; never frames nor API calls. */
    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    /**
     * The node's core lock: held by whichever thread runs the core (a bearer's receive thread for a frame, an API
     * caller for a command, the loop for timers and deferred work). Reentrant: a listener called under it may call
     * back into the node. Fair: threads waiting for it get it in arrival order, so a bearer thread or an API caller
     * waits behind at most one run of the core of each other waiting thread, however fast one peer floods (what the
     * per-sender lanes of the earlier frame inbox guaranteed, issue 15).
     */
    private final ReentrantLock coreLock = new ReentrantLock(true);
    /**
     * Work a core run deferred with {@link #later} while holding {@link #coreLock}: run by the same thread right after
     * that run, before the lock is released, so the next holder (another API call, a frame) finds it done, as it did
     * when both were queued on the loop. Under {@link #coreLock}.
     */
    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
    /** When the loop will next look at the core's timers (ms on {@link #now()}); under {@link #coreLock}. */
    private long loopWakeAt = Long.MAX_VALUE;
    /** Frames handed to the core so far (all bearers; tests and the batch accounting of issue 14). */
    private final LongAdder framesHandled = new LongAdder();
    private final long t0 = System.nanoTime();
    private final CoreLogForwarder coreLog = new CoreLogForwarder(LoggerFactory.getLogger(TipcNode.CORE_LOGGER)::info,
            () -> System.nanoTime() / 1_000_000L);
    private long coreLogSeen;
    private volatile Thread loop;
    private volatile boolean running;
    private volatile long internalErrors;
    private long lastDropped;
    private boolean cryptoWarned;

    CoreRunner(TipcNode node, NodeCore core, Outbox outbox) {
        this.node = node;
        this.core = core;
        this.outbox = outbox;
    }

    /** The core's clock: ms since this node was built (monotonic). */
    long now() {
        return (System.nanoTime() - t0) / 1_000_000L;
    }

    /** True between {@link #markRunning()} and the node's close or failure. */
    boolean running() {
        return running;
    }

    /** True once {@link #startLoop} ran and until {@link #forgetLoop()}. */
    boolean loopStarted() {
        return loop != null;
    }

    /** Start: the core may run from now on. */
    void markRunning() {
        running = true;
    }

    /** Start: the loop thread, named {@code name}, daemon. */
    void startLoop(String name) {
        Thread t = new Thread(this::runLoop, name);
        t.setDaemon(true);
        loop = t;
        t.start();
    }

    /** The node stops (failure): no core run starts any more; the loop ends at its next look. */
    void halt() {
        running = false;
    }

    /** Wakes a loop waiting for work (it ends if {@link #halt()} was called). */
    void poke() {
        inbox.offer(() -> { });
    }

    /**
     * Close: runs {@code lastRun} (the core's shutdown) under the core lock as the last run of the core, ends the loop
     * and waits for it (at most 5 s; not from the loop, nor under the core lock: the loop may be waiting for it).
     */
    void shutdown(LongConsumer lastRun) {
        Thread t = loop;
        if (t != null && running) {
            try {
                callForClose(now -> {
                    lastRun.accept(now);
                    // still under the core lock: a receive thread waiting for it must find the node stopped, or a
                    // frame handled after the peer-stopping RESETs could start link set-up again
                    running = false;
                    return null;
                });
            } catch (TipcException e) {
                LOG.debug("shutdown: {}", e.toString());
            }
            running = false;
            poke();
            if (Thread.currentThread() != t && !coreLock.isHeldByCurrentThread()) {
                boolean interrupted = Thread.interrupted(); // an interrupted closer still waits for the loop
                try {
                    t.join(5000);
                } catch (InterruptedException e) {
                    interrupted = true;
                } finally {
                    if (interrupted) Thread.currentThread().interrupt();
                }
            }
        }
        running = false;
    }

    /** Close, last step: the loop is gone. */
    void forgetLoop() {
        loop = null;
    }

    /** Drops the deferred work left for the loop: the node stopped (API callers never wait in the inbox). */
    void clearInbox() {
        inbox.clear();
    }

    /**
     * A frame from a bearer's receive thread (several call this at once): handed to the core on this thread under
     * {@link #coreLock}, which transmits what the core sends and wakes the sockets it delivered to. No queue in
     * between (issue 14): a peer can have no more waiting than the bearer's kernel socket buffer holds
     * ({@link io.jtipc.bearer.SocketBuffers#DEFAULT_RECEIVE_BUFFER_BYTES}); beyond it the kernel drops, as the
     * kernel's own bearer drops beyond {@code net.core.netdev_max_backlog}, and the link retransmits.
     */
    void received(BearerIo.Rx rx) {
        coreLock.lock();
        try {
            if (!running) return;
            handleFrame(rx);
            afterCore();
        } catch (RuntimeException e) {
            internalError("receive: internal error", e);
        } catch (Throwable e) {
            // as in the loop: the core's state is unknown, the node stops (not only this bearer)
            node.life.fail("the event loop (a frame on " + rx.bearer() + ")", e);
        } finally {
            coreLock.unlock();
        }
        flushOutbox();
    }

    /**
     * The loop's thread body. An Error thrown outside a guarded core call (the interface check, a flush of the outbox,
     * a log line in a handler) would otherwise end the thread with the node still RUNNING and nobody running its
     * timers: the node fails instead, as for an Error inside the core.
     */
    private void runLoop() {
        try {
            loopBody();
        } catch (Throwable e) {
            node.life.fail("the event loop", e);
        }
    }

    private void loopBody() {
        while (running) {
            long wait;
            try {
                node.bearerSet.checkInterfaces(now()); // at most once a second, outside the core lock
            } catch (RuntimeException e) {
                internalError("event loop: interface check", e);
            }
            coreLock.lock();
            try {
                if (!running) break;
                long now = now();
                long due = core.nextDeadline();
                if (due <= now) {
                    core.onTimer(now, outbox);
                    runDeferred();
                    forwardCoreLog();
                    continue;
                }
                wait = Math.min(due - now, 1000);
                loopWakeAt = now + wait;
            } catch (RuntimeException e) {
                internalError("event loop: internal error", e);
                continue;
            } catch (Throwable e) {
                // an Error (OutOfMemoryError, StackOverflowError, ...) with the core half-way through a call: its state
                // is unknown, so the node stops rather than run on it (failed under the lock: no call runs on it)
                node.life.fail("the event loop", e);
                return;
            } finally {
                coreLock.unlock();
                flushOutbox();
            }
            Runnable o;
            try {
                o = inbox.poll(wait, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue;
            }
            for (; o != null && running; o = inbox.poll()) {
                if (o == WAKE) continue;
                coreLock.lock();
                try {
                    if (running) handle(o);
                    runDeferred();
                    forwardCoreLog();
                } catch (RuntimeException e) {
                    internalError("event loop: internal error", e);
                } catch (Throwable e) {
                    node.life.fail("the event loop", e);
                    return;
                } finally {
                    coreLock.unlock();
                    flushOutbox();
                }
            }
        }
    }

    /** Hands the core's log lines added since the last call to the rate-limited forwarder (cheap when none). */
    private void forwardCoreLog() {
        coreLogSeen = core.logSince(coreLogSeen, coreLog);
    }

    /** Deferred work and wake-ups only: a received frame never waits here ({@link BearerIo.Rx} views the bearer's
     * own buffer, valid only during {@link #received}). */
    private void handle(Runnable r) {
        r.run();
    }

    /** One received frame into the core. Under {@link #coreLock}. */
    private void handleFrame(BearerIo.Rx rx) {
        framesHandled.increment();
        if (rx.bearer().coreId < 0) return;
        core.onFrame(now(), rx.bearer().coreId, rx.src(), rx.frame(), 0, rx.len(), outbox);
        if (!cryptoWarned && core.crypto().undecryptable() > 0) {
            cryptoWarned = true;
            LOG.warn("node {}: encrypted TIPC frames received that no key of this node decrypts (wrong key, or "
                + "none): they are dropped and counted (undecryptableFrames), no link comes up with their sender",
                node.identity());
        }
        long d = core.droppedFrames();
        if (d != lastDropped) {
            lastDropped = d;
            // guarded: the count's boxing would allocate per dropped frame with DEBUG off too
            if (LOG.isDebugEnabled()) LOG.debug("frame dropped on {} ({} so far)", rx.bearer(), d);
        }
    }

    /**
     * Runs {@code f} on the calling thread under the core lock (at once when the thread holds it already) and returns
     * its result; the core's time is read after the lock is taken, so it never goes back between two runs.
     *
     * @throws TipcException when the node is not running (or failed: names the cause), the core lock was busy for
     *                       {@value TipcNode#CALL_WAIT_MS} ms, or the socket {@code f} names was closed meanwhile
     */
    <T> T call(LongFunction<T> f) throws TipcException {
        try {
            if (coreLock.isHeldByCurrentThread()) return f.apply(now());
            return callLocked(f);
        } catch (io.jtipc.node.NoSuchSocketException e) {
            // closed by another thread after the caller's own open check (close(2) racing a call on its way)
            throw new TipcException(TipcError.NONE, "socket " + Integer.toUnsignedString(e.port()) + " closed");
        }
    }

    /**
     * {@link #call} for a close path: a thread whose interrupt flag is set still closes (an executor's
     * {@code shutdownNow} interrupts its workers, which then close their sockets): the flag is cleared for the wait on
     * the core lock and set again afterwards, so that the core socket, its bindings and the peer's view are released
     * instead of the close silently doing nothing.
     *
     * @throws TipcException as {@link #call}
     */
    <T> T callForClose(LongFunction<T> f) throws TipcException {
        boolean interrupted = Thread.interrupted();
        try {
            return call(f);
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private <T> T callLocked(LongFunction<T> f) throws TipcException {
        if (loop == null || !running) throw node.life.notRunning();
        try {
            if (!coreLock.tryLock(TipcNode.CALL_WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw running ? new TipcException(TipcError.NONE, "the node's core was busy for "
                        + TipcNode.CALL_WAIT_MS / 1000 + " s") : node.life.notRunning();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TipcException("interrupted", e);
        }
        try {
            if (!running) throw node.life.notRunning();
            T r;
            try {
                try {
                    r = f.apply(now());
                } finally {
                    afterCore();
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Throwable e) {
                // an Error with the core half-way through the call: its state is unknown, the node stops
                node.life.fail("the event loop (a command)", e);
                throw node.life.failed();
            }
            return r;
        } finally {
            coreLock.unlock();
            flushOutbox();
        }
    }

    /**
     * After any run of the core outside the loop (under {@link #coreLock}): forwards its log lines and wakes the loop
     * when a timer became due before the loop's planned wake-up (once per change).
     */
    private void afterCore() {
        runDeferred();
        forwardCoreLog();
        long due = core.nextDeadline();
        if (due < loopWakeAt) {
            loopWakeAt = due;
            inbox.offer(WAKE);
        }
    }

    /**
     * Once the core lock is released: sends the frames the run queued ({@link Outbox#flush}: one system call per
     * bearer, issue 14), so no thread waits for the core while this one is in the kernel. Not while the thread still
     * holds the lock (a nested run): the outermost one sends.
     */
    private void flushOutbox() {
        if (!coreLock.isHeldByCurrentThread()) outbox.flush();
    }

    /** Runs the work deferred by the core run that just ended (see {@link #deferred}). Under {@link #coreLock}. */
    private void runDeferred() {
        Runnable r;
        while ((r = deferred.poll()) != null) {
            try {
                r.run();
            } catch (RuntimeException e) {
                internalError("deferred work: internal error", e);
            }
        }
    }

    /**
     * Runs {@code r} after the work in hand, never inline (so safe inside a core callback): called under the core lock,
     * by the same thread right after its core run, before the lock is released; otherwise on the loop thread.
     */
    void later(Runnable r) {
        if (coreLock.isHeldByCurrentThread()) {
            deferred.add(r);
        } else {
            inbox.offer(r);
        }
    }

    /** True when the calling thread holds the core lock. */
    boolean heldByCurrentThread() {
        return coreLock.isHeldByCurrentThread();
    }

    /** API calls and frames waiting for the core lock (tests: a command queued behind a given one). */
    long queuedCommands() {
        return coreLock.getQueueLength();
    }

    /** Frames handed to the core so far, every bearer (tests). */
    long framesHandled() {
        return framesHandled.sum();
    }

    /** Unexpected exceptions caught by the loop. */
    /**
     * Counts an internal error (a {@link RuntimeException} out of the core or deferred work) and logs it with its stack
     * trace at the 1st, 2nd, 4th, 8th, ... occurrence: if a peer's frames trigger one, the log says so without a line
     * per frame.
     */
    private void internalError(String where, RuntimeException e) {
        long n = ++internalErrors;
        if (Long.bitCount(n) == 1) {
            LOG.warn(where + " (the node goes on; internal error " + n + ", logged at powers of two)", e);
        }
    }

    long internalErrors() {
        return internalErrors;
    }
}
