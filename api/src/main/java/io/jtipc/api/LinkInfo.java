package io.jtipc.api;

/**
 * A snapshot of one link (what {@code tipc link list} and {@code tipc link stat show} print for it).
 *
 * @param name          the kernel's link name "own-id:own-if-peer-id:peer-if" (link.c tipc_link_create)
 * @param state         link FSM state: RESETTING, RESET, PEER_RESET, ESTABLISHING or ESTABLISHED
 * @param up            true when ESTABLISHED
 * @param peerNode      the peer's 32-bit node address
 * @param peerId        the peer's node identity string
 * @param bearer        the bearer name, e.g. "eth:veth0"
 * @param mtu           negotiated link MTU, bytes
 * @param tolerance     link tolerance, ms
 * @param window        current congestion window, packets
 * @param sndNxt        next sequence number to send (16 bits)
 * @param rcvNxt        next sequence number expected (16 bits)
 * @param transmitQueue packets sent and not yet acknowledged
 * @param backlog       packets waiting for the window
 * @param deferred      out-of-order packets held
 * @param retransmitted packets retransmitted
 * @param duplicates    duplicate packets received
 * @param statesSent    STATE messages sent
 * @param packetsSent   sequenced packets sent (link.c stats sent_pkts)
 * @param packetsReceived sequenced packets received (recv_pkts)
 * @param nacksSent     STATE messages sent reporting a gap
 * @param deferredBytes bytes of the out-of-order packets held (jtipc bounds them: 8 MiB per link, 64 MiB per node)
 * @param deferredDropped out-of-order packets not kept because that bound was reached (asked for again by NACK)
 * @param reassemblyErrors fragment reassembly failures (malformed, too large, or the node's 32 MiB reassembly
 *                      bound reached); each reset the link
 * @param backlogOverflows messages refused because the backlog was full (SYSTEM importance limit, or the byte
 *                      bound: 16 MiB per link, more on a large MTU; 128 MiB per node); each reset the link
 * @param resets        times the link went down after being up, for any reason (each reason is logged once)
 * @param lastResetReason why it last went down, "" if never (text from the core; may quote peer-supplied names)
 * @param socketOverloads messages from the peer node refused with TIPC_ERR_OVERLOAD because a socket's receive
 *                      queue was full (per peer node, the same on each of its links)
 */
public record LinkInfo(String name, String state, boolean up, int peerNode, String peerId, String bearer, int mtu,
                       int tolerance, int window, int sndNxt, int rcvNxt, int transmitQueue, int backlog, int deferred,
                       long retransmitted, long duplicates, long statesSent, long packetsSent,
                       long packetsReceived, long nacksSent, long deferredBytes, long deferredDropped,
                       long reassemblyErrors, long backlogOverflows, long resets, String lastResetReason,
                       long socketOverloads, long synchSent, long synchReceived, long failoverSent,
                       long failoverReceived) {
    /**
     * The link's statistics in the layout of {@code tipc link stat show} (the kernel's subset jtipc counts), plus a
     * line of the hostile-input counters and one of the tunnel counters (failover, synch), each line ending in a newline:
     * <pre>
     * Link &lt;NAME&gt;
     *   ACTIVE  MTU:1500  Tolerance:1500 ms  Window:50 packets
     *   RX packets:0 dups:0
     *   TX packets:0 states:0 naks:0 retrans:0
     *   Queues transmit:0 backlog:0 deferred:0 (0 bytes)
     *   Limits deferred-dropped:0 reassembly-errors:0 backlog-overflows:0 peer-socket-overloads:0 resets:0
     *   Tunnel synch-sent:0 synch-rcvd:0 failover-sent:0 failover-rcvd:0
     * </pre>
     * and {@code   Last reset: REASON} when the link was reset.
     */
    public String statShow() {
        StringBuilder sb = new StringBuilder();
        sb.append("Link <").append(name).append(">\n");
        sb.append("  ").append(up ? "ACTIVE" : "DEFUNCT").append("  MTU:").append(mtu).append("  Tolerance:")
                .append(tolerance).append(" ms  Window:").append(window).append(" packets\n");
        sb.append("  RX packets:").append(packetsReceived).append(" dups:").append(duplicates).append('\n');
        sb.append("  TX packets:").append(packetsSent).append(" states:").append(statesSent).append(" naks:")
                .append(nacksSent).append(" retrans:").append(retransmitted).append('\n');
        sb.append("  Queues transmit:").append(transmitQueue).append(" backlog:").append(backlog).append(" deferred:")
                .append(deferred).append(" (").append(deferredBytes).append(" bytes)\n");
        sb.append("  Limits deferred-dropped:").append(deferredDropped).append(" reassembly-errors:")
                .append(reassemblyErrors).append(" backlog-overflows:").append(backlogOverflows)
                .append(" peer-socket-overloads:").append(socketOverloads).append(" resets:").append(resets).append('\n');
        sb.append("  Tunnel synch-sent:").append(synchSent).append(" synch-rcvd:").append(synchReceived)
                .append(" failover-sent:").append(failoverSent).append(" failover-rcvd:").append(failoverReceived)
                .append('\n');
        if (!lastResetReason.isEmpty()) sb.append("  Last reset: ").append(lastResetReason).append('\n');
        return sb.toString();
    }

    /** {@code NAME: up} / {@code NAME: down}, as {@code tipc link list} prints a link. */
    @Override
    public String toString() {
        return name + ": " + (up ? "up" : "down");
    }
}
