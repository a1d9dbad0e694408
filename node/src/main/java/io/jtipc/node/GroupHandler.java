package io.jtipc.node;

/**
 * Notifications of one group socket ({@link NodeGroups}); both run after the core call that caused them and may call
 * back into the core.
 */
public interface GroupHandler {
    /** Messages or member events are waiting: read them with {@link NodeGroups#recv}. */
    default void readable(int port) {}

    /**
     * A send that returned {@link Errno#EAGAIN} may succeed now: a member advertised window (GRP_ADV), our replicast
     * was acknowledged by all (GRP_ACK), a member came or went, or a congested link drained (the kernel wakes the
     * socket's waiting sender in the same cases, group.c {@code *usr_wakeup}).
     */
    default void writable(int port) {}
}
