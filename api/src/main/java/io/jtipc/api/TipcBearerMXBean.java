package io.jtipc.api;

/**
 * JMX view of one enabled bearer ({@code io.jtipc:type=Bearer,node=IDENTITY,bearer="NAME"}), registered by
 * {@link TipcNode} while the bearer is enabled (see {@link NodeMBeans}); what {@code tipc bearer get} shows
 * (Linux 6.1 bearer.c __tipc_nl_add_bearer: TIPC_NLA_BEARER_NAME, TIPC_NLA_PROP_PRIO/_TOL/_WIN/_MTU).
 */
public interface TipcBearerMXBean {
    /** The bearer's name, e.g. "eth:eth0" or "udp:b1" (TIPC_NLA_BEARER_NAME). */
    String getName();

    /** Media MTU, bytes (TIPC_NLA_PROP_MTU). */
    int getMtu();

    /** Priority given to links created on it, 0-31 (TIPC_NLA_PROP_PRIO). */
    int getPriority();

    /** Tolerance of links created on it, ms (TIPC_NLA_PROP_TOL). */
    int getTolerance();

    /** Maximum send window of links created on it, packets (TIPC_NLA_PROP_WIN). */
    int getWindow();

    /** Links on this bearer now, up or not (count). */
    int getLinks();

    /** Links on this bearer that are up (count). */
    int getUpLinks();

    /**
     * Frames the bearer's socket did not get onto the wire since the bearer was enabled (count): a full send queue or
     * a send error; dropped, the links retransmit them (the kernel's bearers drop them too, uncounted). Not reset by
     * {@link #resetStats}.
     */
    long getFramesNotSent();

    /** Errors the bearer's receive met since it was enabled (count; each logged, the receive goes on after a pause). */
    long getReceiveErrors();

    /** Received frames whose handling threw since the bearer was enabled (count; logged, the frame is lost). */
    long getHandlerFailures();

    /**
     * Zeroes the counters of every link on this bearer ({@code tipc link stat reset} for each).
     *
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    void resetStats() throws TipcException;
}
