package io.jtipc.api;

/**
 * The life of a {@link TipcNode}, as {@link TipcNode#state()} reports it and {@link TipcNodeStateListener} announces it.
 * The kernel has no such state: a kernel bearer whose receive path fails is simply gone; jtipc runs in a JVM where an
 * {@link OutOfMemoryError} or a bug can end a thread, and says so instead of running deaf.
 */
public enum TipcNodeState {
    /** Built, not started. */
    NEW,
    /** Started: the event loop and every bearer's receive thread run. */
    RUNNING,
    /**
     * Running on fewer bearers: a bearer's receive thread died (see {@link TipcNode#failure()}), the bearer was
     * disabled (its links reset, peers told with a peer-stopping RESET) and closed; the other bearers work on.
     */
    DEGRADED,
    /**
     * Stopped by an error: the event loop died, or the last bearer's receive thread did. The node is closed (as by
     * {@link TipcNode#close()}, but no RESET could be sent); every blocked and later call throws a
     * {@link TipcException} naming {@link TipcNode#failure()}.
     */
    FAILED,
    /** Closed by {@link TipcNode#close()}. */
    CLOSED
}
