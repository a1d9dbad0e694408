package io.jtipc.api;

/**
 * Link events. Called under the node's core lock, on the thread that ran the core when the link changed (a bearer's
 * receive thread, the node's timer thread, or an API caller): return quickly, never block, never wait for another
 * thread that uses the node (it would wait for the lock you hold). Calling {@link TipcNode} methods from here is
 * allowed (the lock is reentrant); sends made here never wait, since no frame or timer runs while you hold the lock: a
 * {@link TipcSocket} send that finds its link congested returns with its message queued, and a
 * {@link TipcConnection#write} or {@link TipcGroup} send that would wait for a window throws EAGAIN instead. An
 * exception or error thrown here is logged and the node goes on. Closing the node from here works but takes up to 5 s
 * per bearer (each receive thread is joined while it may wait for the lock): close it from another thread.
 */
public interface LinkListener {
    /** A link came up. */
    default void linkUp(LinkInfo link) {}

    /** A link went down (the peer's bindings reached over it are withdrawn when it was the last one). */
    default void linkDown(LinkInfo link) {}
}
