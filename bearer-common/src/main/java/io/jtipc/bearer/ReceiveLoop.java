package io.jtipc.bearer;

import java.io.IOException;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.slf4j.Logger;

/**
 * The receive thread of a {@link Media}: waits for frames without a timeout, hands each with its
 * source address to the {@link Media.FrameHandler}, and keeps going through handler exceptions
 * (logged, counted) and receive errors (reported and paced by {@link ReceiveErrorBackoff}). Both
 * bearers run the same loop; each gives it its own blocking receive.
 *
 * <p>Any other {@link Throwable} (an {@link OutOfMemoryError} while a frame is copied, a
 * {@link StackOverflowError}, ...) is never swallowed and never leaves the thread silently dead: it
 * is recorded ({@link #failure()}) and reported once, at once (not paced): to the error handler
 * as a {@link ReceiveThreadDiedException}, or logged at ERROR when there is no handler or it
 * fails. Then the thread ends, since the state of what threw is unknown; the bearer's user closes
 * the bearer.
 *
 * <p>Buffers are allocated once per thread, so a frame costs no allocation; the handler must copy
 * what it keeps. {@link #stop} wakes the thread through the media's wakeup and waits up to 5 s for
 * it to end (not when called from the handler itself, which would wait for itself).
 */
public final class ReceiveLoop {
    /** The media's blocking receive: {@link Media#poll} without the started-thread check. */
    @FunctionalInterface
    public interface Receiver {
        /** @return bytes received, {@link Media#TIMEOUT} or {@link Media#WAKEUP} */
        int receive(byte[] buf, int off, int len, byte[] src, int srcOff, int timeoutMs) throws IOException;
    }

    private final String bearer;
    private final String threadName;
    private final int maxFrame;
    private final int addressLength;
    private final Receiver receiver;
    private final BooleanSupplier open;
    private final Logger log;

    private volatile Thread thread;
    private volatile boolean running;
    private volatile long handlerFailures;
    private volatile long receiveErrors;
    private volatile Throwable failure;

    /**
     * @param bearer        bearer name for messages ("eth:eth1", "udp:u1")
     * @param threadName    name of the receive thread
     * @param maxFrame      receive buffer size, bytes (the largest frame the media delivers)
     * @param addressLength bytes of a raw media address ({@link Media#addressLength()})
     * @param receiver      the media's blocking receive
     * @param open          false once the media is closed: a receive error then ends the loop
     * @param log           where handler failures and unhandled receive errors are logged
     */
    public ReceiveLoop(String bearer, String threadName, int maxFrame, int addressLength, Receiver receiver,
            BooleanSupplier open, Logger log) {
        this.bearer = Objects.requireNonNull(bearer, "bearer");
        this.threadName = Objects.requireNonNull(threadName, "threadName");
        this.maxFrame = maxFrame;
        this.addressLength = addressLength;
        this.receiver = Objects.requireNonNull(receiver, "receiver");
        this.open = Objects.requireNonNull(open, "open");
        this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * Starts the receive thread (a daemon) with this handler; see {@link Media#start}.
     *
     * @throws IllegalStateException "bearer X already started", or "bearer X is closed"
     */
    public synchronized void start(Media.FrameHandler handler, Consumer<IOException> onError) {
        Objects.requireNonNull(handler, "handler");
        if (thread != null) {
            throw new IllegalStateException("bearer " + bearer + " already started");
        }
        if (!open.getAsBoolean()) {
            throw new IllegalStateException("bearer " + bearer + " is closed");
        }
        running = true;
        Thread t = new Thread(() -> run(handler, onError), threadName);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * For the media's event-loop receive: a media with a receive thread must not be polled.
     *
     * @throws IllegalStateException "bearer X has a receive thread; poll() is for event loops"
     */
    public void checkNotStarted() {
        if (thread != null) {
            throw new IllegalStateException("bearer " + bearer + " has a receive thread; poll() is for event loops");
        }
    }

    /** True while the receive thread runs. */
    public boolean isAlive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /**
     * Ends the loop: clears the running flag, calls {@code wakeup} (the media's, so a blocked
     * receive returns) and waits up to 5 s for the thread, unless called on that thread. The caller
     * closes the sockets afterwards. Idempotent; a no-op when never started (but {@code wakeup} runs).
     */
    public void stop(Runnable wakeup) {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        wakeup.run();
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Handler calls that threw. */
    public long handlerFailures() {
        return handlerFailures;
    }

    /** Receive errors seen by the thread. */
    public long receiveErrors() {
        return receiveErrors;
    }

    /** What ended the receive thread (see the class comment), or null while it runs or after a normal stop. */
    public Throwable failure() {
        return failure;
    }

    private void run(Media.FrameHandler handler, Consumer<IOException> onError) {
        try {
            loop(handler, onError);
        } catch (Throwable e) {
            // thrown from inside a catch block below (an OutOfMemoryError building the report, in onError or in a log
            // line): the thread must not end without telling its owner
            died(e, onError);
        }
    }

    private void loop(Media.FrameHandler handler, Consumer<IOException> onError) {
        ReceiveErrorBackoff errors = new ReceiveErrorBackoff(bearer, log);
        byte[] buf = new byte[maxFrame];
        byte[] src = new byte[addressLength];
        while (running) {
            int n;
            try {
                n = receiver.receive(buf, 0, buf.length, src, 0, -1);
            } catch (IOException | RuntimeException e) {
                // a RuntimeException is a bug below us (or in an injected LossGenerator): the thread must not die
                // deaf over it; it is counted, reported and paced like an I/O error
                if (!running || !open.getAsBoolean()) {
                    break;
                }
                receiveErrors++;
                IOException io = e instanceof IOException x ? x : new IOException("receive failed: " + e, e);
                try {
                    Thread.sleep(errors.failed(io, onError));
                } catch (InterruptedException ie) {
                    break;
                }
                continue;
            } catch (Throwable e) {
                died(e, onError);
                return;
            }
            errors.succeeded();
            if (n < 0) {
                continue; // WAKEUP (stop clears running first) or TIMEOUT
            }
            try {
                handler.onFrame(src, buf, n);
            } catch (RuntimeException e) {
                // logged at powers of two of the count: a peer's malformed frames must not write a line each
                if (Long.bitCount(++handlerFailures) == 1) {
                    log.warn("frame handler of " + bearer + " failed (" + handlerFailures + " so far)", e);
                }
            } catch (Throwable e) {
                died(e, onError);
                return;
            }
        }
    }

    /**
     * The thread ends over {@code e}: recorded, then reported once: to {@code onError} as a
     * {@link ReceiveThreadDiedException} (whose owner logs it), or logged here at ERROR when there is no handler or
     * the handler itself fails. Each step on its own guard: after an OutOfMemoryError the handler or the logger may
     * fail too, and the next step must still run.
     */
    private void died(Throwable e, Consumer<IOException> onError) {
        failure = e;
        running = false;
        Throwable handlerFailed = null;
        if (onError != null) {
            try {
                onError.accept(new ReceiveThreadDiedException(bearer, e));
                return;
            } catch (Throwable t) {
                handlerFailed = t;
            }
        }
        try {
            log.error("receive thread of " + bearer + " died; the bearer receives nothing more", e);
            if (handlerFailed != null) {
                log.error("error handler of " + bearer + " failed", handlerFailed);
            }
        } catch (Throwable ignored) {
            // nothing left to tell it with
        }
    }
}
