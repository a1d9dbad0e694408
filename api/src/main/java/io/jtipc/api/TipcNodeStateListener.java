package io.jtipc.api;

/**
 * Told when a {@link TipcNode} becomes {@link TipcNodeState#DEGRADED} or {@link TipcNodeState#FAILED} (not on a normal start or
 * close). Called once per change (DEGRADED once per bearer lost, so a node with three bearers may report it twice
 * before FAILED) on the thread that found the failure (a bearer's receive thread, or the event loop
 * as it dies), or on a thread that was telling an earlier change meanwhile: changes are told one at a time, in the
 * order they happened (RUNNING, DEGRADED, then FAILED, never backwards; a node closed by {@link TipcNode#close()}
 * tells nothing more). Return quickly, never block, never call blocking {@link TipcNode}/{@link TipcSocket} methods from here.
 * An exception thrown here is logged and ignored.
 */
@FunctionalInterface
public interface TipcNodeStateListener {
    /**
     * @param state the new state
     * @param cause what caused it: the {@link Throwable} that ended a receive thread or the event loop
     */
    void stateChanged(TipcNodeState state, Throwable cause);
}
