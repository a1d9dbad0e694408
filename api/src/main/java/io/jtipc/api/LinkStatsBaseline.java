package io.jtipc.api;

import io.jtipc.node.Link;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * {@code tipc link stat reset} (link.c tipc_link_reset_stats zeroes {@code l->stats}) without touching the protocol
 * core: the counters of each {@link Link} object at the last reset are kept here and subtracted from what the link
 * reports. Keyed by the Link object (weakly): a link deleted and created again (bearer disabled and enabled, peer
 * removed) starts from zero by itself and needs no baseline. Gauges (queue lengths, held bytes) and the last reset
 * reason are not counters and are shown as they are. Used under the node's core lock only.
 */
final class LinkStatsBaseline {
    private final Map<Link, LinkInfo> base = new WeakHashMap<>();

    /** Remembers {@code now} (the link's unadjusted snapshot) as the zero of its counters. */
    void reset(Link l, LinkInfo now) {
        base.put(l, now);
    }

    /** {@code raw} (the link's unadjusted snapshot) with its counters counted from the last {@link #reset}. */
    LinkInfo apply(Link l, LinkInfo raw) {
        LinkInfo b = base.get(l);
        if (b == null) return raw;
        return new LinkInfo(raw.name(), raw.state(), raw.up(), raw.peerNode(), raw.peerId(), raw.bearer(), raw.mtu(),
            raw.tolerance(), raw.window(), raw.sndNxt(), raw.rcvNxt(), raw.transmitQueue(), raw.backlog(),
            raw.deferred(), raw.retransmitted() - b.retransmitted(), raw.duplicates() - b.duplicates(),
            raw.statesSent() - b.statesSent(), raw.packetsSent() - b.packetsSent(),
            raw.packetsReceived() - b.packetsReceived(), raw.nacksSent() - b.nacksSent(), raw.deferredBytes(),
            raw.deferredDropped() - b.deferredDropped(), raw.reassemblyErrors() - b.reassemblyErrors(),
            raw.backlogOverflows() - b.backlogOverflows(), raw.resets() - b.resets(), raw.lastResetReason(),
            raw.socketOverloads() - b.socketOverloads(), raw.synchSent() - b.synchSent(),
            raw.synchReceived() - b.synchReceived(), raw.failoverSent() - b.failoverSent(),
            raw.failoverReceived() - b.failoverReceived());
    }
}
