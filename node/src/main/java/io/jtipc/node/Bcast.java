package io.jtipc.node;

import java.util.ArrayDeque;

import io.jtipc.wire.GapAckBlocks;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * This node's own broadcast link, its base: Linux 6.1 net/tipc/bcast.c ({@code struct tipc_bc_base}). It owns the
 * broadcast send link ({@link BcastSendLink}, link.c's part: sequencing, acknowledgements, retransmission, window and
 * backlog) and puts what that link hands down on the bearers:
 * <ul>
 *   <li>each packet is sent once per bearer with destinations, to the bearer's broadcast address (Ethernet
 *       broadcast, UDP multicast; a UDP bearer without multicast copies it to each replicast peer, udp_media.c),
 *       or only on the primary bearer when one reaches every peer ({@code tipc_bcbase_xmit},
 *       {@code tipc_bcbase_select_primary}, {@code tipc_bcast_inc_bearer_dst_cnt} / {@code _dec_});</li>
 *   <li>peers join and leave the stream ({@code tipc_bcast_add_peer}, {@code tipc_bcast_remove_peer}); a new peer
 *       starts at the current {@link #sndNxt}: our bc-init (BCAST_PROTOCOL on its unicast link) and every STATE carry
 *       last_bcast = snd_nxt - 1;</li>
 *   <li>acknowledgements from the unicast links ({@code tipc_bcast_ack_rcv} for w1 of any packet,
 *       {@code tipc_bcast_sync_rcv} for a STATE's w1, bc gap and broadcast gap-ACK blocks);</li>
 *   <li>the multicast method choice ({@code tipc_bcast_select_xmit_method}, {@code tipc_mcast_xmit}): broadcast when
 *       the destinations are more than {@link #threshold()} = 1 + peers × ratio / 100 ({@link #DEF_RC_RATIO} %), else
 *       replicast, unless forced by {@link #setMode} ({@code tipc link set broadcast}) or a socket's
 *       TIPC_MCAST_BROADCAST / TIPC_MCAST_REPLICAST; the broadcast link's settings ({@code tipc_nl_bc_link_set}).</li>
 * </ul>
 * Memory: see {@link BcastSendLink}; here a few ints per bearer. Single-threaded, times in ms; owned by {@link Net}.
 */
public final class Bcast {
    /** bcast.c BCLINK_WIN_DEFAULT: the send link's minimum window, and its maximum until {@code set(0, w)}, packets. */
    static final int WIN_DEFAULT = 50;
    /** bcast.c BCLINK_WIN_MIN: the smallest window {@code tipc link set window} accepts for it, packets. */
    static final int WIN_MIN = 32;
    /** link.h FB_MTU: the broadcast link's MTU before any bearer lowers it, bytes. */
    static final int FB_MTU = 3744;
    /** bcast.c tipc_bcast_init rc_ratio: destinations, as % of the peers, up to which multicast is replicast. */
    public static final int DEF_RC_RATIO = 10;
    /** bcast.h TIPC_METHOD_EXPIRE: a socket's chosen method holds this long without MCAST_RBCTL, ms. */
    static final long METHOD_EXPIRE_MS = 5000;

    /** bcast.h BCLINK_MODE_BCAST: multicast always by broadcast ({@code tipc link set broadcast BROADCAST}). */
    public static final int MODE_BCAST = 0x1;
    /** bcast.h BCLINK_MODE_RCAST: multicast (and binding updates) always by replicast. */
    public static final int MODE_RCAST = 0x2;
    /** bcast.h BCLINK_MODE_SEL: by the number of destinations (the default). */
    public static final int MODE_SEL = 0x4;

    /**
     * A socket's multicast method ({@code struct tipc_mc_method}, bcast.h): the method its last multicast used and
     * whether the socket fixed it (TIPC_MCAST_BROADCAST / TIPC_MCAST_REPLICAST).
     */
    static final class Method {
        boolean rcast;
        /** The socket's fixed method (true = replicast), null = chosen per send. */
        Boolean forced;
        /**
         * tipc_mc_method.mandatory as group sockets use it: {@link #rcast} is kept for the next send whatever the
         * destinations (set after a group unicast or JOIN, cleared by the next group broadcast). Plain sockets never set it.
         */
        boolean mandatory;
        long expires;
    }

    private final Net net;
    NodeTable nodes;
    /** The broadcast send link (bcast.c bb->link / tn->bcl). */
    final BcastSendLink snd;
    /** What the send link hands down to send on the bearers (the kernel's local xmitq); empty between calls. */
    private final ArrayDeque<Pkt> xmitq = new ArrayDeque<>();
    /** Retransmissions for one peer's unicast link (node.c tipc_node_bc_sync_rcv's xmitq); empty between calls. */
    private final ArrayDeque<Pkt> retrq = new ArrayDeque<>();
    /** sysctl net.tipc.bc_retruni (bcast.c sysctl_tipc_bc_retruni): see {@link #setRetransmitUnicast}. */
    private boolean retransmitUnicast;
    /** bc_base dests[]: links up per bearer. */
    final int[] dests = new int[Bearer.MAX_BEARERS];
    private final int[] bearerMtu = new int[Bearer.MAX_BEARERS];
    /** Whether each bearer's broadcast address reaches all its peers at once (false: the kernel's replicast bearer). */
    private final boolean[] bearerBcast = {true, true, true};
    int primaryBearer = -1;
    boolean bcastSupport = true;
    int mode = MODE_SEL;
    int rcRatio = DEF_RC_RATIO;
    int bcThreshold = 1;
    private final TipcMsg h = new TipcMsg();

    Bcast(Net net) {
        this.net = net;
        this.snd = new BcastSendLink(net);
    }

    // ------------------------------------------------------------------ inspection and knobs

    /** Next broadcast seqno (16 bits). */
    public int sndNxt() { return snd.sndNxt; }
    /** Peers the stream waits for. */
    public int peers() { return snd.ackers; }
    /** Broadcast link MTU (lowest bearer MTU, at most {@link #FB_MTU}), bytes. */
    public int mtu() { return snd.mtu; }
    /** Maximum message size on the broadcast link (tipc_bcast_get_mtu: mtu - 40 - crypto overhead), bytes. */
    public int mss() { return snd.mss(); }
    public int transmitQueueLength() { return snd.transmq.size(); }
    /** The send link's congestion window now (link.c l->window), packets. */
    public int window() { return snd.window; }
    /** Its maximum (l->max_win: {@link #WIN_DEFAULT} until {@code set(0, w)}), packets. */
    public int maxWindow() { return snd.maxWin; }
    public int backlogLength() { return snd.backlogq.size(); }
    /** Bytes held in the backlog. */
    public long backlogBytes() { return snd.backlogBytes(); }
    public long sentPackets() { return snd.sentPkts; }
    /**
     * Messages and fragments the link took (sent, queued or bundled; jtipc, not a kernel counter): each multicast
     * on the broadcast link counts once however many peers and whatever the bundling.
     */
    public long sentMessages() { return snd.sentMsgs; }
    /** Bundles made in the backlog (link.c sent_bundles). */
    public long sentBundles() { return snd.sentBundles; }
    /** Messages sent inside a bundle (link.c sent_bundled: a new bundle counts its first two). */
    public long sentBundled() { return snd.sentBundled; }
    public long retransmitted() { return snd.retransmitted; }
    public long receivedNacks() { return snd.recvNacks; }
    /** Sends that got ELINKCONG (backlog at its importance's limit) or ENOBUFS (byte bound). */
    public long congestions() { return snd.congestions; }
    /** Peers reset for holding the stream {@link BcastSendLink#STALL_FACTOR} × tolerance without acknowledging. */
    public long stallResets() { return snd.stallResets; }
    /**
     * Acknowledgements ignored (jtipc, stricter than the kernel): a w1 ack beyond snd_nxt - 1, or broadcast gap-ACK
     * blocks not ascending or beyond snd_nxt - 1 (then only the blocks are ignored).
     */
    public long invalidAcks() { return snd.invalidAcks; }
    /** The replication mode ({@link #MODE_SEL} default, {@link #MODE_BCAST}, {@link #MODE_RCAST}). */
    public int mode() { return mode; }
    /** The broadcast ratio, % (1-100). */
    public int ratio() { return rcRatio; }
    /** bc_threshold: multicasts to more destinations than this go by broadcast (1 + peers × ratio / 100). */
    public int threshold() { return bcThreshold; }

    /**
     * bcast.c tipc_bc_link_set_broadcast_mode ({@code tipc link set broadcast}): {@link #MODE_BCAST},
     * {@link #MODE_RCAST} or {@link #MODE_SEL}. In {@link #MODE_RCAST} binding updates are replicated too
     * (name_distr.c tipc_node_broadcast).
     *
     * @return 0, {@link Errno#EINVAL} (unknown mode), or {@link Errno#ENOPROTOOPT} (broadcast forced while a bearer
     *         cannot broadcast, or replicast forced while a peer lacks TIPC_BCAST_RCAST)
     */
    public int setMode(int m) {
        if (m != MODE_BCAST && m != MODE_RCAST && m != MODE_SEL) return Errno.EINVAL;
        if (m != MODE_RCAST && !bcastSupport) return Errno.ENOPROTOOPT;
        if (m != MODE_BCAST && !rcastSupport()) return Errno.ENOPROTOOPT;
        mode = m;
        return 0;
    }

    /**
     * bcast.c tipc_bc_link_set_broadcast_ratio ({@code tipc link set broadcast-ratio}).
     *
     * @param ratio destinations as % of the peers (1-100) up to which multicast is replicast
     * @return 0, {@link Errno#ENOPROTOOPT} (a bearer cannot broadcast or a peer cannot take replicast: there is no
     *         choice to make) or {@link Errno#EINVAL}
     */
    public int setRatio(int ratio) {
        if (!bcastSupport || !rcastSupport()) return Errno.ENOPROTOOPT;
        if (ratio <= 0 || ratio > 100) return Errno.EINVAL;
        rcRatio = ratio;
        calcThreshold();
        return 0;
    }

    /**
     * bcast.c tipc_nl_bc_link_set for one property: 0 window (packets, 50-8191 as tipc_nl_parse_link_prop checks it,
     * so {@link #WIN_MIN}, to which tipc_bc_link_set_queue_limits raises smaller ones, is never reached: the maximum
     * window; the window itself restarts at and stays at the minimum,
     * {@link #WIN_DEFAULT}, as in the kernel), 1 mode ({@link #setMode}), 2 ratio ({@link #setRatio}).
     *
     * @return 0, {@link Errno#EINVAL} or {@link Errno#ENOPROTOOPT}
     */
    public int set(int property, int value) {
        switch (property) {
            case 0:
                // link.c tipc_nl_parse_link_prop refuses outside 50-8191 (tipc_bc_link_set_queue_limits raises to 32)
                if (value < LinkSettings.MIN_WINDOW || value > Link.MAX_LINK_WIN) return Errno.EINVAL;
                snd.setWindow(Math.max(value, WIN_MIN));
                return 0;
            case 1:
                return setMode(value);
            case 2:
                return setRatio(value);
            default:
                return Errno.EINVAL;
        }
    }

    /**
     * sysctl {@code net.tipc.bc_retruni} (bcast.c {@code sysctl_tipc_bc_retruni}, Linux 5.8 on): when true, the
     * packets a peer's STATE reports missing (bc gap, broadcast gap-ACK blocks) are retransmitted by unicast to that
     * peer only, on the link the STATE came in on, to its media address ({@code tipc_bcast_sync_rcv} passes the unicast
     * link's queue as {@code retrq}); when false (the kernel's default, 0) they go on the broadcast bearers to every
     * peer. The per-packet limit ({@link BcastSendLink#RETR_LIM_MS}) and the retransmission failure rule apply
     * either way.
     */
    public void setRetransmitUnicast(boolean unicast) { retransmitUnicast = unicast; }

    /** Whether broadcast retransmissions go by unicast to the peer that asked ({@link #setRetransmitUnicast}). */
    public boolean retransmitUnicast() { return retransmitUnicast; }

    /**
     * Whether bearer {@code bearerId}'s broadcast address reaches all its peers in one send (default true; false for
     * a UDP bearer in replicast mode, whose shell copies each broadcast frame to every peer: bearer.c
     * tipc_bearer_bcast_support). Without broadcast support multicast always goes by replicast.
     */
    public void setBearerBroadcast(int bearerId, boolean supported) {
        bearerBcast[bearerId] = supported;
        selectPrimary();
    }

    /**
     * socket.c tipc_setsockopt TIPC_MCAST_BROADCAST ({@code rcast} false) / TIPC_MCAST_REPLICAST (true) for the socket
     * {@code port}: its multicasts keep that method (mandatory) from its next send on, with the SYN twin if that is a
     * switch (see {@link #selectMethod}); null frees the choice again.
     *
     * @throws IllegalArgumentException if no socket has that port
     */
    public void setSocketMethod(int port, Boolean rcast) {
        nodes.sockets.setMcastMethod(port, rcast);
    }

    /** True if a multicast of {@code importance} (0-3) would get {@link Errno#ELINKCONG} on the broadcast link. */
    public boolean congested(int importance) { return snd.congested(importance); }

    /**
     * bc_base rcast_support, as tipc_node_create sets it through tipc_bcast_toggle_rcast: every known peer (up or not)
     * accepts replicast, TIPC_BCAST_RCAST in the cluster's capabilities (cached there: read per multicast).
     */
    boolean rcastSupport() {
        return nodes == null || (nodes.clusterCapabilities() & Tipc.TIPC_BCAST_RCAST) != 0;
    }

    // ------------------------------------------------------------------ peers and bearers

    /** tipc_bcast_add_peer: tipc_link_add_bc_peer, then the primary bearer and threshold again. */
    void addPeer(Node p) {
        if (!snd.addPeer(p.bcRcv)) return;
        selectPrimary();
        calcThreshold();
    }

    /**
     * tipc_bcast_remove_peer: tipc_link_remove_bc_peer (the lost peer's share of every packet is released; with no
     * peer left the link is reset), what it freed is sent, then the primary bearer and threshold again.
     */
    void removePeer(Node p, long now, Outbox out) {
        if (!snd.removePeer(p.bcRcv, now, xmitq)) return;
        flush(out);
        selectPrimary();
        calcThreshold();
    }

    /** tipc_bcast_inc_bearer_dst_cnt / _dec_: a link on bearer {@code b} came up (+1) or went down (-1). */
    void bearerDest(Bearer b, int delta) {
        dests[b.id] += delta;
        bearerMtu[b.id] = b.config.mtu();
        selectPrimary();
    }

    /** tipc_bcbase_select_primary: a bearer reaching every peer, if any; the MTU falls to the lowest bearer's. */
    private void selectPrimary() {
        primaryBearer = -1;
        bcastSupport = true;
        int ackers = snd.ackers;
        if (ackers == 0) return;
        for (int i = 0; i < dests.length; i++) {
            if (dests[i] <= 0) continue;
            int bm = bearerMtu[i];
            if (bm < snd.mtu) snd.setMtu(bm);
            bcastSupport &= bearerBcast[i];
            if (dests[i] < ackers) continue;
            primaryBearer = i;
            if (((i ^ net.ownAddr) & 1) != 0) break; // reduce the risk that all nodes pick the same primary
        }
        if (primaryBearer >= 0) bcastSupport = bearerBcast[primaryBearer];
    }

    /** tipc_bcbase_calc_bc_threshold. */
    private void calcThreshold() {
        bcThreshold = 1 + snd.ackers * rcRatio / 100;
    }

    // ------------------------------------------------------------------ sending

    /**
     * tipc_bcast_xmit: one message (built by the caller, any destination node field) to every peer on the broadcast
     * link, fragmented to {@link #mss()}. Nothing is sent without peers (as the kernel).
     *
     * @return 0, {@link Errno#ELINKCONG} (queued; the backlog of the message's importance is at its limit), or
     *         {@link Errno#ENOBUFS} (not queued: the backlog's byte/packet bound or a SYSTEM overflow)
     */
    int xmit(byte[] msg, long now, Outbox out) {
        if (snd.ackers == 0) return 0;
        int mss = mss();
        int rc = msg.length <= mss ? snd.xmit(msg, now, xmitq, true)
            : snd.xmit(Msg.fragment(msg, mss, net.ownAddr, 0), now, xmitq);
        flush(out);
        return rc;
    }

    /**
     * Whether {@link #xmit} would accept {@code msg} now (not {@link Errno#ENOBUFS}); nothing is queued. Used before
     * a method switch's SYN twin, so that the twin never goes without its message (bcast.c tipc_mcast_xmit).
     */
    boolean accepts(byte[] msg) {
        if (snd.ackers == 0) return true;
        int imp = h.wrap(msg, 0, msg.length).importance();
        int mss = mss();
        return snd.accepts(msg.length <= mss ? new byte[][] {msg} : Msg.fragment(msg, mss, net.ownAddr, 0), imp);
    }

    /** Sends what the send link handed down (tipc_bcbase_xmit), then wakes senders if it has room again. */
    private void flush(Outbox out) {
        for (Pkt p; (p = xmitq.pollFirst()) != null; ) bearerXmit(p, out);
        if (snd.takeWakeup()) wakeUp();
    }

    /** tipc_bcbase_xmit: on the primary bearer, else on every bearer with destinations, to its broadcast address. */
    private void bearerXmit(Pkt p, Outbox out) {
        if (primaryBearer >= 0) {
            net.xmit(out, primaryBearer, null, p.buf, 0, p.len, null);
            return;
        }
        for (int i = 0; i < dests.length; i++) {
            if (dests[i] > 0) net.xmit(out, i, null, p.buf, 0, p.len, null);
        }
    }

    /**
     * The broadcast link has room again: every peer's active link reports "uncongested" (the API's wake-up), and the
     * sockets are told the broadcast link itself drained (tipc_link_reset / wakeup on the bc link: SOCK_WAKEUP with
     * orignode 0), so a group sender waiting on it is woken even when no peer is left up.
     */
    private void wakeUp() {
        if (nodes == null) return;
        for (Node p : nodes.all()) if (p.isUp() && p.link != null) nodes.linkUncongested(p.link);
        if (nodes.sockets != null) nodes.sockets.linkUncongested(GroupSocket.BCAST_LINK);
    }

    // ------------------------------------------------------------------ acknowledgements

    /**
     * tipc_bcast_ack_rcv / tipc_bcast_sync_rcv: peer {@code r}'s acknowledgement to the send link
     * ({@link BcastSendLink#ackRcv}); retransmissions and packets freed from the backlog go on the bearers.
     *
     * @return {@link Link#LINK_DOWN_EVT} if the peer's links are to be reset (retransmission failure, stall), else 0
     */
    int ackRcv(BroadcastLink r, int acked, int gap, GapAckBlocks ga, long now, Outbox out) {
        int rc = snd.ackRcv(r, acked, gap, ga, now, xmitq, xmitq);
        flush(out);
        return rc;
    }

    /**
     * As {@link #ackRcv}, for a STATE that came in on {@code l}: with {@link #setRetransmitUnicast} the
     * retransmissions go to {@code l}'s peer media address on its bearer only (node.c tipc_node_bc_sync_rcv →
     * tipc_bearer_xmit(bearer_id, maddr)), else on the broadcast bearers.
     */
    private int syncAckRcv(BroadcastLink r, Link l, int acked, int gap, GapAckBlocks ga, long now, Outbox out) {
        if (!retransmitUnicast || l == null) return ackRcv(r, acked, gap, ga, now, out);
        int rc = snd.ackRcv(r, acked, gap, ga, now, xmitq, retrq);
        for (Pkt p; (p = retrq.pollFirst()) != null; ) net.xmit(out, l.bearer.id, l.maddr, p.buf, 0, p.len, r.node);
        flush(out);
        return rc;
    }

    /**
     * jtipc: the stall rule ({@link BcastSendLink} class doc) for peer {@code r} from its node's timer, whatever it
     * acknowledges: {@link #ackRcv} looks at none of the acknowledgements of a peer whose STATEs all carry
     * bc_ack_invalid or that never sent its bc-init (as tipc_link_bc_ack_rcv), while our packets wait for it.
     *
     * @return {@link Link#LINK_DOWN_EVT} if the peer's links are to be reset, else 0
     */
    int stallCheck(BroadcastLink r, long now) {
        return r.counted ? snd.stalled(r, now) : 0;
    }

    /** The gap-ACK view of the STATE being handled by {@link #stateRcv}, reused (no object per STATE, issue 14). */
    private final GapAckBlocks stateGa = new GapAckBlocks();

    /**
     * The acknowledgement part of bcast.c tipc_bcast_sync_rcv for a STATE from peer {@code r} on its link {@code l}:
     * w1 bcast ack, w8 bc gap and the broadcast gap-ACK blocks (link.c tipc_get_gap_ack_blks with uc = false: only the
     * current layout with bc blocks counts). {@code h} is re-wrapped by the caller afterwards.
     *
     * @return {@link Link#LINK_DOWN_EVT} if the peer's links are to be reset, else 0
     */
    int stateRcv(BroadcastLink r, Link l, TipcMsg h, long now, Outbox out) {
        if (bcAckInvalid(h)) return 0;
        GapAckBlocks ga = null;
        int dlen = h.dataSize();
        if ((r.node.caps & Tipc.TIPC_GAP_ACK_BLOCK) != 0 && dlen >= GapAckBlocks.HEADER) {
            GapAckBlocks g = stateGa.wrap(h.buffer(), h.dataOffset(), dlen); // reused per STATE (issue 14)
            if (g.isCurrentLayout() && g.len() <= dlen && g.bgackCnt() > 0 && g.validate().isOk()) ga = g;
        }
        return syncAckRcv(r, l, h.bcastAck(), h.bcGap(), ga, now, out);
    }

    /** msg.h msg_bc_ack_invalid: w5 bit 14, meaningful only for BCAST_PROTOCOL, NAME_DISTRIBUTOR and LINK_PROTOCOL. */
    static boolean bcAckInvalid(TipcMsg h) {
        int u = h.user();
        if (u != Tipc.BCAST_PROTOCOL && u != Tipc.NAME_DISTRIBUTOR && u != Tipc.LINK_PROTOCOL) return false;
        return h.bcAckInvalid() != 0;
    }

    // ------------------------------------------------------------------ multicast method

    /**
     * tipc_bcast_select_xmit_method for {@code dests} remote destination nodes: replicast without bearer broadcast
     * support, broadcast if a peer lacks replicast support; otherwise, unless the socket fixed it, or the cluster
     * lacks TIPC_MCAST_RBCTL and the method was chosen less than {@link #METHOD_EXPIRE_MS} ago: the forced mode, or
     * replicast for at most {@link #threshold()} destinations. A {@link Method#mandatory} method is kept.
     *
     * @param clusterCaps the AND of our and every known peer's capabilities (node.c tn->capabilities)
     */
    void selectMethod(int dests, Method m, int clusterCaps, long now) {
        long exp = m.expires;
        if (!bcastSupport) {
            m.rcast = true;
            return;
        }
        if (!rcastSupport()) {
            m.rcast = false;
            return;
        }
        m.expires = now + METHOD_EXPIRE_MS;
        if (m.mandatory) return;
        if (m.forced != null) {
            // socket.c sets mc_method.rcast in setsockopt, so the kernel's next send sees no switch and sends no SYN
            // twin; jtipc applies the forced method here, so a forced switch is synchronised like any other
            m.rcast = m.forced;
            return;
        }
        if ((clusterCaps & Tipc.TIPC_MCAST_RBCTL) == 0 && now < exp) return;
        if (mode == MODE_BCAST) {
            m.rcast = false;
            return;
        }
        if (mode == MODE_RCAST) {
            m.rcast = true;
            return;
        }
        m.rcast = dests <= bcThreshold;
    }
}
