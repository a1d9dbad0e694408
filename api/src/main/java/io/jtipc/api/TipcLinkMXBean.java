package io.jtipc.api;

/**
 * JMX view of one link ({@code io.jtipc:type=Link,node=IDENTITY,link="NAME"}), registered by {@link TipcNode} while
 * the link exists (see {@link NodeMBeans}). Attribute names follow the counters iproute2's {@code tipc link stat show}
 * prints, which come from the link's netlink attributes (Linux 6.1 link.c __tipc_nl_add_link, __tipc_nl_add_stats;
 * uapi tipc_netlink.h TIPC_NLA_LINK_*, TIPC_NLA_STATS_*). jtipc counts the subset listed here; kernel counters jtipc
 * does not keep (fragments, bundles, probes, message profile, queue averages) are not offered rather than shown as 0.
 * Counters count from the last {@link #resetStats()} ({@code tipc link stat reset}), as {@link TipcNode#links()}
 * reports them. A link that has gone away reads as its last snapshot until its MBean is unregistered.
 */
public interface TipcLinkMXBean {
    /** The kernel's link name "own-id:own-if-peer-id:peer-if" (TIPC_NLA_LINK_NAME); peer-supplied parts included. */
    String getName();

    /** Link FSM state: RESETTING, RESET, PEER_RESET, ESTABLISHING or ESTABLISHED (link.c l->state). */
    String getState();

    /** True when the link is up (TIPC_NLA_LINK_UP). */
    boolean isUp();

    /** The bearer the link runs on, e.g. "udp:b1" (the link name's own-if part). */
    String getBearer();

    /** The peer's 32-bit node address, as 8 hex digits. */
    String getPeerAddress();

    /** The peer's node identity. */
    String getPeerId();

    /** Link MTU, bytes (TIPC_NLA_LINK_MTU). */
    int getMtu();

    /** Link tolerance, ms (TIPC_NLA_PROP_TOL). */
    int getTolerance();

    /** Link priority 0-31 (TIPC_NLA_PROP_PRIO). */
    int getPriority();

    /** Current congestion window, packets (TIPC_NLA_PROP_WIN shows the window as {@code Window:N packets}). */
    int getWindow();

    /** Sequenced packets received: {@code RX packets} (TIPC_NLA_LINK_RX minus TIPC_NLA_STATS_RX_INFO). */
    long getRxPackets();

    /** Sequenced packets sent: {@code TX packets} (TIPC_NLA_LINK_TX minus TIPC_NLA_STATS_TX_INFO). */
    long getTxPackets();

    /** Duplicate packets received: {@code RX dups} (TIPC_NLA_STATS_DUPLICATES). */
    long getDuplicates();

    /** STATE messages sent: {@code TX states} (TIPC_NLA_STATS_TX_STATES). */
    long getTxStates();

    /** STATE messages sent reporting a gap: {@code TX naks} (TIPC_NLA_STATS_TX_NACKS). */
    long getTxNacks();

    /** Packets retransmitted: {@code TX retrans} (TIPC_NLA_STATS_RETRANSMITTED). */
    long getRetransmitted();

    /** Packets sent and not yet acknowledged (the transmit queue), count. */
    int getTransmitQueue();

    /** Packets waiting for the window (the backlog), count. */
    int getBacklog();

    /** Out-of-order packets held (the deferred queue), count. */
    int getDeferred();

    /** Bytes of the out-of-order packets held (jtipc's bound: 8 MiB per link). */
    long getDeferredBytes();

    /** Out-of-order packets not kept because the deferred bound was reached (jtipc; asked for again by NACK). */
    long getDeferredDropped();

    /** Fragment reassembly failures, each of which reset the link (jtipc). */
    long getReassemblyErrors();

    /** Messages refused because the backlog was full, each of which reset the link (jtipc). */
    long getBacklogOverflows();

    /** Times the link went down after being up (jtipc). */
    long getResets();

    /** Why the link last went down, "" if never (text from the core; may quote peer-supplied names). */
    String getLastResetReason();

    /** Messages from the peer node refused with TIPC_ERR_OVERLOAD (a full socket receive queue). */
    long getPeerSocketOverloads();

    /** SYNCH tunnel packets sent (link.c tunnel counters). */
    long getSynchSent();

    /** SYNCH tunnel packets received (link.c tunnel counters). */
    long getSynchReceived();

    /** FAILOVER tunnel packets sent (link.c tunnel counters). */
    long getFailoverSent();

    /** FAILOVER tunnel packets received (link.c tunnel counters). */
    long getFailoverReceived();

    /**
     * {@code tipc link stat reset link NAME} (link.c tipc_link_reset_stats): zeroes this link's counters.
     *
     * @throws TipcException if the link is gone or the node is not running
     */
    void resetStats() throws TipcException;
}
