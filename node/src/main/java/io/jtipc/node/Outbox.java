package io.jtipc.node;

/**
 * Where the sans-IO core puts the frames it wants transmitted. Supplied by the caller on every call
 * into {@link NodeCore}; the core never keeps a reference to it.
 *
 * <p>The bytes passed to {@link #send} are a complete TIPC message (header + data, no link-layer
 * header) and are only valid for the duration of the call: the core may reuse or retain the array
 * (e.g. a packet kept for retransmission), so an implementation that queues frames must copy them.
 */
@FunctionalInterface
public interface Outbox {
    /**
     * One frame to transmit.
     *
     * @param bearerId  bearer slot (0-2) the frame goes out on, as given to {@link NodeCore#enableBearer}
     * @param dest      destination media address (raw, e.g. 6-byte MAC for Ethernet, see {@link MediaType}),
     *                  or {@code null} for the bearer's broadcast address (discovery, our broadcast link: {@link Bcast})
     * @param buf       array holding the frame
     * @param off       offset of the first byte of the TIPC header
     * @param len       frame length in bytes (= TIPC msg_size)
     */
    void send(int bearerId, byte[] dest, byte[] buf, int off, int len);

    /**
     * A message delivered node-locally (destination = this node), handed in just before the local socket layer
     * receives it: the kernel's loopback tracking (Linux 6.1 bearer.h {@code tipc_loopback_trace}, called by node.c
     * {@code tipc_node_xmit} for an own-node destination and by bcast.c {@code tipc_mcast_xmit} for the local copy of
     * a multicast) clones exactly these messages to the loopback device so capture tools see them. Nothing is sent:
     * a shell that records traffic (a capture tap) copies the bytes, the default ignores them.
     *
     * @param buf the complete TIPC message (header + data, no link-layer header), valid for the call only
     * @param off offset of the first header byte
     * @param len message length in bytes (= msg_size)
     */
    default void loopback(byte[] buf, int off, int len) {
    }

    /**
     * After a run of the core: the frames {@link #send} was given may have been held so that they leave together (one
     * {@code sendmmsg} per bearer, issue 14); send them now, in the order given. Called by whoever runs the core (the
     * api module's runner, once it let go of the core, so that no other thread waits for the core during the system
     * call), never by the core itself: an implementation that holds frames must therefore be safe to flush from
     * several threads at once, and while another run queues more. The default holds nothing and does nothing.
     */
    default void flush() {
    }
}
