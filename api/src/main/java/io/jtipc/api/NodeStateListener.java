package io.jtipc.api;

/**
 * Told when a {@link TipcNode} becomes {@link NodeState#DEGRADED} or {@link NodeState#FAILED} (not on a normal start or
 * close). Called once per change on the thread that found the failure (a bearer's receive thread, or the event loop
 * as it dies): return quickly, never block, never call blocking {@link TipcNode}/{@link TipcSocket} methods from here.
 * An exception thrown here is logged and ignored.
 */
@FunctionalInterface
public interface NodeStateListener {
    /**
     * @param state the new state
     * @param cause what caused it: the {@link Throwable} that ended a receive thread or the event loop
     */
    void stateChanged(NodeState state, Throwable cause);
}
