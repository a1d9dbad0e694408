package io.jtipc.bearer;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * The socket side of a {@link LeadDriver}: what a bearer gives the shared leader receive (issue 14) to read its
 * sockets, wait on them and take turns with its receive thread. Implemented once per bearer by a private object
 * passed to the driver at construction (so a lead creates nothing). Where the two bearers differ, the difference is a
 * method here: Eth hands over a whole {@code recvmmsg} batch and returns a zero-timeout lead at once, UDP stops mid
 * batch (and wakes the receive thread for the rest), may pause its receive thread's epoll and drains once more, or
 * waits in an epoll of its own that the socket wakes before the receive thread's ({@code EPOLLEXCLUSIVE}).
 *
 * <p>Threads: {@link #isClosed()} and {@link #receiveThreadAlive()} are called by any thread that calls
 * {@link LeadDriver#lead}, before it takes the lead lock, and must be any-thread safe; every other method is called by
 * the one leading thread, under the driver's lead lock; the read methods ({@link #readQueued},
 * {@link #batchLeft()}) only while it holds the receive lock ({@link #tryLockReceive}).
 */
public interface LeadSource {
    /** True once the bearer closes (no lead starts; a wait for the receive lock ends). */
    boolean isClosed();

    /** True while the bearer's receive thread runs: a thread leads only then. */
    boolean receiveThreadAlive();

    /**
     * True when a lead may start now as far as the receive thread's work goes: false while that thread is busy
     * handing frames over in a mode where a leader would take the next arrivals from it (UDP's exclusive epoll: a
     * one-way receiver that sent an acknowledgement would otherwise take over the stream's datagrams and leave its
     * receive thread asleep); the caller then waits on its queue, which the receive thread fills. Any thread.
     */
    boolean leadUseful();

    /**
     * Called by every lead before its first read: opens what its wait needs on first use (UDP: the leader's selector
     * over the bearer's channels, unless its exclusive epoll was opened with the bearer; Eth: nothing).
     *
     * @throws IOException a failure to open it, handled as a receive error ({@link java.nio.channels.ClosedChannelException}:
     *         the bearer closed, the lead returns -1)
     */
    void openLead() throws IOException;

    /** Takes the receive lock if it is free; never waits. */
    boolean tryLockReceive();

    /** Takes the receive lock, waiting at most {@code ms} milliseconds, allocating nothing. */
    boolean tryLockReceive(long ms) throws InterruptedException;

    /** Releases the receive lock taken by {@link #tryLockReceive}. */
    void unlockReceive();

    /**
     * The next queued frame without waiting, into {@code buf[off..off+len)} with its media source address at
     * {@code src[srcOff..]}; caller holds the receive lock.
     *
     * @return payload length, or -1 when nothing is queued
     * @throws IOException the kernel's receive error; {@link java.nio.channels.ClosedChannelException} once closed
     */
    int readQueued(byte[] buf, int off, int len, byte[] src, int srcOff) throws IOException;

    /** True while a {@code recvmmsg} batch holds frames read from the socket and not handed out; under the receive lock. */
    boolean batchLeft();

    /**
     * True when a drain hands over the rest of the current batch even once {@code done} or its deadline or an
     * interrupt stops it (Eth: a frame read is handed over by the reader that read it); false when it stops at once
     * and leaves the rest to the receive thread, which {@link #wakeReceiveThread()} wakes (UDP).
     */
    boolean handsOverBatch();

    /**
     * Wakes the receive thread's wait for frames a lead left in the batch (no readiness of the socket would); called
     * after the receive lock was released. Any thread; allocates nothing.
     */
    void wakeReceiveThread();

    /**
     * True when a lead with timeout 0 that found nothing goes on as a waiting lead does, without the wait:
     * {@link #pauseReceiveThread()} and one more drain (UDP, except in its exclusive epoll mode); false when it
     * returns 0 at once (Eth, UDP with {@code jtipc.udpRxEpoll=exclusive}).
     */
    boolean zeroTimeoutDrainsAgain();

    /**
     * Called once the first drain handed nothing over, before the wait: keeps arrivals from waking the receive thread
     * (UDP's {@code RxEpoll} in pause mode). The driver then drains once more and calls {@link #resumeReceiveThread()}
     * when the lead ends.
     *
     * @return true when it paused the receive thread's wait, false when it does nothing (Eth, UDP in its other modes)
     */
    boolean pauseReceiveThread();

    /** Undoes {@link #pauseReceiveThread()} (what the lead left unread wakes the receive thread now). */
    void resumeReceiveThread();

    /**
     * The leader's one wait, without the receive lock, until a frame is queued, the bearer's wakeLeader, an interrupt
     * (the flag stays set), close, or {@code waitMs} milliseconds (negative: no limit; else at least 1).
     *
     * @return {@link Media#WAKEUP} when woken without a frame (the driver returns -1 if the bearer is closed), any
     *         other value otherwise; a source whose close ends the wait by an exception (UDP's closed selector) may
     *         never return WAKEUP (UDP's exclusive epoll returns it once closed)
     * @throws IOException the kernel's error; {@link java.nio.channels.ClosedChannelException} once closed
     * @throws java.nio.channels.ClosedSelectorException once closed (UDP): the lead returns -1
     */
    int awaitLead(BooleanSupplier done, long waitMs) throws IOException;

    /**
     * Called first when a lead ends, still under the lead lock, whatever ended it (UDP: closes its selector if the
     * bearer closed meanwhile, since the close may have run before the selector was opened).
     */
    void endLead();

    /** The exception a leader's receive error {@code e} is reported as to the error handler (Eth: {@code e}). */
    IOException receiveError(IOException e);
}
