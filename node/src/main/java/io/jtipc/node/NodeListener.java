package io.jtipc.node;

/** Node events, called on the core's thread after the frame or timer that caused them was processed. */
public interface NodeListener {
    /** The trial period ended and this node's 32-bit address is now fixed (node.c tipc_net_finalize). */
    default void addressCommitted(int addr) {}

    /** A link came up (node.c __tipc_node_link_up). */
    default void linkUp(Link link) {}

    /** A link went down (node.c __tipc_node_link_down). */
    default void linkDown(Link link) {}

    /** Contact with a peer was lost: its bindings were withdrawn (node.c node_lost_contact). */
    default void nodeDown(Node node) {}

    /** A peer became reachable (first link up). */
    default void nodeUp(Node node) {}

    /**
     * A link whose backlog made a send return {@link Errno#ELINKCONG} has room again for every importance
     * (link.c link_prepare_wakeup), or was reset: blocked senders may retry.
     */
    default void linkUncongested(Link link) {}
}
