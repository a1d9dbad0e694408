package io.jtipc.api;

/**
 * Link events. Called on the node's event-loop thread: return quickly, never block, never call blocking
 * {@link TipcNode}/{@link TipcSocket} methods from here (they would wait for the very thread that calls you).
 */
public interface LinkListener {
    /** A link came up. */
    default void linkUp(LinkInfo link) {}

    /** A link went down (the peer's bindings reached over it are withdrawn when it was the last one). */
    default void linkDown(LinkInfo link) {}
}
