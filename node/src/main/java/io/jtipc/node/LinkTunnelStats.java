package io.jtipc.node;

/**
 * The tunnel counters of one link (issue 12): TUNNEL_PROTOCOL messages (msg.h user 10) this link sent and received as
 * the tunnel of a parallel link. Linux counts none of these ({@code struct tipc_stats} in 6.1 link.c has no tunnel
 * field, so {@code tipc link stat show} prints none); jtipc counts them so a test or an operator can see which link
 * carried a failover or a synchronisation.
 *
 * @param synchSent          SYNCH_MSG tunnel messages sent on this link (link.c tipc_link_tnl_prepare with
 *                           SYNCH_MSG: the one enhanced SYNCH, or one per tunnelled duplicate for a legacy peer)
 * @param synchReceived      SYNCH_MSG tunnel messages received in sequence on this link
 * @param failoverSent       FAILOVER_MSG tunnel messages sent on this link, fragments and the dummy included
 *                           (tipc_link_tnl_prepare / tipc_link_create_dummy_tnl_msg)
 * @param failoverReceived   FAILOVER_MSG tunnel messages received in sequence on this link, fragments included
 * @param failoverFragments  FAILOVER fragments sent (of failed-link packets larger than this link's MTU - 40 bytes)
 * @param tunnelledDelivered packets of a failed parallel link delivered from this link's FAILOVER tunnel
 */
public record LinkTunnelStats(long synchSent, long synchReceived, long failoverSent, long failoverReceived,
                              long failoverFragments, long tunnelledDelivered) {
    /** A snapshot of {@code l}'s counters (call on the thread that owns the core). */
    public static LinkTunnelStats of(Link l) {
        LinkTunnel t = l.tunnel;
        return new LinkTunnelStats(t.sentSynch, t.recvSynch, t.sentFailover, t.recvFailover, t.sentFailoverFragments,
            t.tunnelledDelivered);
    }
}
