package io.jtipc.api;

/**
 * Link events. Called under the node's core lock, on the thread that ran the core when the link changed (a bearer's
 * receive thread, the node's timer thread, or an API caller): return quickly, never block, never wait for another
 * thread that uses the node (it would wait for the lock you hold). Calling {@link TipcNode} methods from here is
 * allowed (the lock is reentrant).
 */
public interface LinkListener {
    /** A link came up. */
    default void linkUp(LinkInfo link) {}

    /** A link went down (the peer's bindings reached over it are withdrawn when it was the last one). */
    default void linkDown(LinkInfo link) {}
}
