package io.jtipc.node;

import java.util.ArrayDeque;
import java.util.Iterator;

import io.jtipc.wire.GapAckBlocks;
import io.jtipc.wire.Seqno;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * This node's own broadcast link: the sending side of Linux 6.1 net/tipc/bcast.c ({@code struct tipc_bc_base}) and
 * the broadcast send link of link.c ({@code tipc_link_bc_create}, {@code tipc_link_xmit} on it,
 * {@code tipc_link_bc_ack_rcv}, {@code tipc_link_advance_transmq} with {@code r != l}, {@code tipc_link_add_bc_peer},
 * {@code tipc_link_remove_bc_peer}). One sequenced stream (16-bit {@link #sndNxt}, starting at 1) to every peer that
 * is up:
 * <ul>
 *   <li>each packet is sent once per bearer with destinations, to the bearer's broadcast address (Ethernet
 *       broadcast, UDP multicast; a UDP bearer without multicast copies it to each replicast peer, udp_media.c),
 *       or only on the primary bearer when one reaches every peer ({@code tipc_bcbase_xmit},
 *       {@code tipc_bcbase_select_primary}); w0 non-seq set, w5 = network id ({@code tipc_bearer_bc_xmit});</li>
 *   <li>a packet stays in the transmit queue until every peer that was up when it was sent acknowledged it
 *       ({@code ackers}): by the w1 bcast ack of any unicast packet or STATE, the STATE's bc gap (w8) and its
 *       broadcast gap-ACK blocks; a gap is retransmitted on the broadcast bearers, at most every
 *       {@link #RETR_LIM_MS} ms per packet ({@code TIPC_BC_RETR_LIM}); the retransmission failure rule
 *       (tolerance × 10) resets the links to the failing peer;</li>
 *   <li>flow control: a fixed window of {@link #WIN_DEFAULT} packets in flight, then a backlog with the kernel's
 *       per-importance limits; beyond the limit a send gets {@link Errno#ELINKCONG} (queued anyway, as the kernel);
 *       beyond {@link HoldBudget#BACKLOG_LINK_BYTES} / {@link HoldBudget#BACKLOG_LINK_PACKETS} (and the node's
 *       backlog total) {@link Errno#ENOBUFS} (not queued);</li>
 *   <li>a new peer starts at the current {@link #sndNxt}: our bc-init (BCAST_PROTOCOL on its unicast link) and every
 *       STATE carry last_bcast = snd_nxt - 1.</li>
 * </ul>
 * Also the multicast method choice ({@code tipc_bcast_select_xmit_method}): broadcast when the destinations are more
 * than {@link #threshold()} = 1 + peers × ratio / 100 ({@link #DEF_RC_RATIO} %), else replicast, unless forced by
 * {@link #setMode} ({@code tipc link set broadcast}) or a socket's TIPC_MCAST_BROADCAST / TIPC_MCAST_REPLICAST.
 *
 * <p>Better than the kernel: a peer that never acknowledges (and never NACKs, so the retransmission failure never
 * fires) cannot hold the stream forever: once the oldest packet it has not acknowledged is {@link #STALL_FACTOR} ×
 * its link tolerance old, its links are reset as on a retransmission failure (logged), releasing its share.
 *
 * <p>Memory: the transmit queue holds at most {@link #WIN_DEFAULT} packets of at most {@link #mtu()} bytes (the
 * lowest bearer MTU, at most {@link #FB_MTU}), each with one bit per peer ({@link Pkt#owed}: a peer releases a packet
 * at most once, unlike the kernel's counter); per peer 16 bytes of state. Acknowledgements beyond snd_nxt - 1 and
 * gap-ACK blocks that are not ascending or reach beyond it are ignored and counted ({@link #invalidAcks()}).
 * Single-threaded, times in ms; owned by {@link Net}.
 */
public final class Bcast {
    /** bcast.c BCLINK_WIN_DEFAULT: the broadcast send link's window (minimum = maximum), packets. */
    static final int WIN_DEFAULT = 50;
    /** bcast.c BCLINK_WIN_MIN: the smallest window {@code tipc link set window} accepts for it, packets. */
    static final int WIN_MIN = 32;
    /** link.h FB_MTU: the broadcast link's MTU before any bearer lowers it, bytes. */
    static final int FB_MTU = 3744;
    /** link.c TIPC_BC_RETR_LIM: minimum time between two (re)transmissions of one broadcast packet, ms. */
    static final int RETR_LIM_MS = 10;
    /** bcast.c tipc_bcast_init rc_ratio: destinations, as % of the peers, up to which multicast is replicast. */
    public static final int DEF_RC_RATIO = 10;
    /** bcast.h TIPC_METHOD_EXPIRE: a socket's chosen method holds this long without MCAST_RBCTL, ms. */
    static final long METHOD_EXPIRE_MS = 5000;
    /** jtipc: a peer's unacknowledged head older than this × its link tolerance resets its links (see class doc). */
    static final int STALL_FACTOR = 10;

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
    /** Next seqno to send (16 bits); 1 when no peer is up. */
    int sndNxt = 1;
    int mtu = FB_MTU;
    int window = WIN_DEFAULT;
    /** Peers that are up: each packet waits for this many acknowledgements (link.c ackers). */
    int ackers;
    /** Acker slots in use (one per counted peer, {@link BroadcastLink#slot}); a new packet owes all of them. */
    private final java.util.BitSet slots = new java.util.BitSet();
    final ArrayDeque<Pkt> transmq = new ArrayDeque<>();
    final ArrayDeque<Pkt> backlogq = new ArrayDeque<>();
    final int[] backlogLen = new int[5];
    final int[] backlogLimit = new int[5];
    private final HoldBudget backlogBudget;
    private boolean congestedUsers;
    /** Time the current head of {@link #transmq} was sent (for the stall rule), ms. */
    private long headSince;
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
    long sentPkts, retransmitted, recvNacks, sentFragmented, congestions, stallResets, invalidAcks;
    private final TipcMsg h = new TipcMsg();

    Bcast(Net net) {
        this.net = net;
        this.backlogBudget = HoldBudget.backlogOfLink(net.backlogTotal);
        setQueueLimits();
    }

    private void setQueueLimits() {
        // link.c tipc_link_set_queue_limits(l, min_win, max_win) with min_win = BCLINK_WIN_DEFAULT
        for (int i = 0; i < 4; i++) backlogLimit[i] = window * 2 * (i + 1);
        backlogLimit[4] = 65535 / (mtu / Tipc.ITEM_SIZE);
        backlogBudget.backlogLimits(backlogLimit, mtu);
    }

    // ------------------------------------------------------------------ inspection and knobs

    /** Next broadcast seqno (16 bits). */
    public int sndNxt() { return sndNxt; }
    /** Peers the stream waits for. */
    public int peers() { return ackers; }
    /** Broadcast link MTU (lowest bearer MTU, at most {@link #FB_MTU}), bytes. */
    public int mtu() { return mtu; }
    /** Maximum message size on the broadcast link (tipc_bcast_get_mtu: mtu - 40 - crypto overhead), bytes. */
    public int mss() { return mtu - Tipc.INT_H_SIZE - net.crypto.mssOverhead(); }
    public int transmitQueueLength() { return transmq.size(); }
    public int backlogLength() { return backlogq.size(); }
    /** Bytes held in the backlog. */
    public long backlogBytes() { return backlogBudget.bytes(); }
    public long sentPackets() { return sentPkts; }
    public long retransmitted() { return retransmitted; }
    public long receivedNacks() { return recvNacks; }
    /** Sends that got ELINKCONG (backlog at its importance's limit) or ENOBUFS (byte bound). */
    public long congestions() { return congestions; }
    /** Peers reset because they held the stream for {@link #STALL_FACTOR} × tolerance without acknowledging. */
    public long stallResets() { return stallResets; }
    /**
     * Acknowledgements ignored (jtipc, stricter than the kernel): a w1 ack beyond snd_nxt - 1, or broadcast gap-ACK
     * blocks not ascending or beyond snd_nxt - 1 (then only the blocks are ignored).
     */
    public long invalidAcks() { return invalidAcks; }
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
     * bcast.c tipc_nl_bc_link_set for one property: 0 window (packets, {@link #WIN_MIN}-8191: fixed window; the
     * kernel's starts at 32 and grows to it), 1 mode ({@link #setMode}), 2 ratio ({@link #setRatio}).
     *
     * @return 0, {@link Errno#EINVAL} or {@link Errno#ENOPROTOOPT}
     */
    public int set(int property, int value) {
        switch (property) {
            case 0:
                if (value < WIN_MIN || value > Link.MAX_LINK_WIN) return Errno.EINVAL;
                window = value;
                setQueueLimits();
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
    public boolean congested(int importance) { return backlogLen[importance] >= backlogLimit[importance]; }

    /** bc_base rcast_support: every peer that is up accepts replicast (TIPC_BCAST_RCAST). */
    boolean rcastSupport() {
        if (nodes == null) return true;
        for (Node p : nodes.all()) if (p.isUp() && (p.caps & Tipc.TIPC_BCAST_RCAST) == 0) return false;
        return true;
    }

    // ------------------------------------------------------------------ peers and bearers

    /** tipc_bcast_add_peer → tipc_link_add_bc_peer: the peer acknowledges from our current snd_nxt on. */
    void addPeer(Node p) {
        BroadcastLink r = p.bcRcv;
        if (r.counted) return;
        r.counted = true;
        ackers++;
        r.slot = slots.nextClearBit(0);
        slots.set(r.slot);
        r.acked = (sndNxt - 1) & 0xffff;
        selectPrimary();
        calcThreshold();
    }

    /**
     * tipc_bcast_remove_peer → tipc_link_remove_bc_peer: the lost peer's share of every packet is released; with no
     * peer left the link is reset (queues purged, snd_nxt back to 1).
     */
    void removePeer(Node p, long now, Outbox out) {
        BroadcastLink r = p.bcRcv;
        if (!r.counted) return;
        r.counted = false;
        ackers--;
        // its share of every packet still in flight is released
        boolean released = false;
        for (Iterator<Pkt> it = transmq.iterator(); it.hasNext(); ) {
            if (release(it.next(), r)) {
                it.remove();
                released = true;
            }
        }
        if (released) headSince = now;
        slots.clear(r.slot);
        r.slot = -1;
        advanceBacklog(now, out);
        if (ackers == 0) reset();
        selectPrimary();
        calcThreshold();
    }

    /** tipc_link_reset on the broadcast send link. */
    private void reset() {
        transmq.clear();
        backlogq.clear();
        slots.clear();
        backlogBudget.giveAll();
        java.util.Arrays.fill(backlogLen, 0);
        sndNxt = 1;
        wakeUp();
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
        if (ackers == 0) return;
        for (int i = 0; i < dests.length; i++) {
            if (dests[i] <= 0) continue;
            int bm = bearerMtu[i];
            if (bm < mtu) {
                mtu = bm;
                setQueueLimits();
            }
            bcastSupport &= bearerBcast[i];
            if (dests[i] < ackers) continue;
            primaryBearer = i;
            if (((i ^ net.ownAddr) & 1) != 0) break; // reduce the risk that all nodes pick the same primary
        }
        if (primaryBearer >= 0) bcastSupport = bearerBcast[primaryBearer];
    }

    /** tipc_bcbase_calc_bc_threshold. */
    private void calcThreshold() {
        bcThreshold = 1 + ackers * rcRatio / 100;
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
        if (ackers == 0) return 0;
        int mss = mss();
        if (msg.length <= mss) return xmitOne(msg, now, out, true);
        byte[][] frags = Msg.fragment(msg, mss, net.ownAddr, 0);
        if (!fits(frags)) {
            congestions++;
            congestedUsers = true;
            return Errno.ENOBUFS;
        }
        int rc = 0;
        for (int i = 0; i < frags.length; i++) {
            int r = xmitOne(frags[i], now, out, i == 0);
            if (i == 0) rc = r;
            if (r == Errno.ENOBUFS) return r;
            sentFragmented++;
        }
        return rc;
    }

    /**
     * Whether {@link #xmit} would accept {@code msg} now (not {@link Errno#ENOBUFS}); nothing is queued. Used before
     * a method switch's SYN twin, so that the twin never goes without its message (bcast.c tipc_mcast_xmit).
     */
    boolean accepts(byte[] msg) {
        if (ackers == 0) return true;
        int imp = h.wrap(msg, 0, msg.length).importance();
        if (imp == Tipc.SYSTEM_IMPORTANCE && backlogLen[imp] >= backlogLimit[imp]) return false;
        int mss = mss();
        return fits(msg.length <= mss ? new byte[][] {msg} : Msg.fragment(msg, mss, net.ownAddr, 0));
    }

    /**
     * The whole fragment list is accepted or refused (link.c tipc_link_xmit checks the backlog once for the list):
     * the packets that will not fit the window must all fit the backlog budget.
     */
    private boolean fits(byte[][] frags) {
        int direct = backlogq.isEmpty() ? Math.max(0, window - transmq.size()) : 0;
        long bytes = 0;
        int queued = 0;
        for (int i = direct; i < frags.length; i++, queued++) bytes += frags[i].length;
        return queued == 0 || backlogBudget.fits(bytes, queued);
    }

    private int xmitOne(byte[] msg, long now, Outbox out, boolean checkLimit) {
        int imp = h.wrap(msg, 0, msg.length).importance();
        int rc = 0;
        if (checkLimit && backlogLen[imp] >= backlogLimit[imp]) {
            congestions++;
            if (imp == Tipc.SYSTEM_IMPORTANCE) return Errno.ENOBUFS;
            rc = Errno.ELINKCONG;
            congestedUsers = true;
        }
        Pkt p = new Pkt(msg, msg.length);
        if (transmq.size() < window && backlogq.isEmpty()) {
            sendNew(p, now, out);
            return rc;
        }
        if (!backlogBudget.take(msg.length, 1)) {
            congestions++;
            congestedUsers = true;
            return Errno.ENOBUFS;
        }
        backlogq.addLast(p);
        backlogLen[imp]++;
        return rc;
    }

    private void sendNew(Pkt p, long now, Outbox out) {
        h.wrap(p.buf, 0, p.len);
        h.setSeqno(sndNxt);
        h.setAck(0);
        h.setBcastAck(0);
        h.setNonSeq(1);
        h.setMcNetid(net.config.netId());
        sndNxt = (sndNxt + 1) & 0xffff;
        p.ackers = ackers;
        p.owed = (java.util.BitSet) slots.clone();
        p.nxtRetr = now + RETR_LIM_MS;
        if (transmq.isEmpty()) headSince = now;
        transmq.addLast(p);
        sentPkts++;
        bearerXmit(p, out);
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

    /** tipc_link_advance_backlog; senders told once no importance is at its limit (link_prepare_wakeup). */
    private void advanceBacklog(long now, Outbox out) {
        while (!backlogq.isEmpty() && transmq.size() < window) {
            Pkt p = backlogq.pollFirst();
            backlogBudget.give(p.len, 1);
            backlogLen[h.wrap(p.buf, 0, p.len).importance()]--;
            sendNew(p, now, out);
        }
        if (congestedUsers) {
            for (int i = 0; i <= Tipc.SYSTEM_IMPORTANCE; i++) if (congested(i)) return;
            wakeUp();
        }
    }

    /**
     * The broadcast link has room again: every peer's active link reports "uncongested" (the API's wake-up), and the
     * sockets are told the broadcast link itself drained (tipc_link_reset / wakeup on the bc link: SOCK_WAKEUP with
     * orignode 0), so a group sender waiting on it is woken even when no peer is left up.
     */
    private void wakeUp() {
        if (!congestedUsers || nodes == null) return;
        congestedUsers = false;
        for (Node p : nodes.all()) if (p.isUp() && p.link != null) nodes.linkUncongested(p.link);
        if (nodes.sockets != null) nodes.sockets.linkUncongested(GroupSocket.BCAST_LINK);
    }

    // ------------------------------------------------------------------ acknowledgements

    /**
     * tipc_link_bc_ack_rcv from peer {@code r} (tipc_bcast_ack_rcv for a unicast packet's w1, tipc_bcast_sync_rcv for
     * a STATE's w1 + bc gap + broadcast gap-ACK blocks).
     *
     * @return {@link Link#LINK_DOWN_EVT} if the peer's links are to be reset (retransmission failure, stall), else 0
     */
    int ackRcv(BroadcastLink r, int acked, int gap, GapAckBlocks ga, long now, Outbox out) {
        if (!r.up || !r.bcPeerIsUp || !r.counted) return 0;
        if (gap != 0) {
            recvNacks++;
            r.recvNacks++;
        }
        int last = (sndNxt - 1) & 0xffff;
        if (Seqno.more(acked, last) || Seqno.more((acked + gap) & 0xffff, last)) {
            // jtipc, stricter than tipc_link_bc_ack_rcv: an ack of what we never sent (a hostile peer, or a reordered
            // packet with a w1 from before bc-init) is ignored, counted
            invalidAcks++;
            r.invalidAcks++;
            return stalled(r, now);
        }
        if (ga != null && !blocksValid(acked, gap, ga, last)) {
            invalidAcks++;
            r.invalidAcks++;
            ga = null;
        }
        int rc = 0;
        if (!(Seqno.less(acked, r.acked) || (acked == r.acked && gap == 0 && ga == null))) {
            rc = advanceTransmq(r, acked, gap, ga, now, out);
            advanceBacklog(now, out);
        }
        if (rc == 0) rc = stalled(r, now);
        return rc;
    }

    /**
     * The acknowledgement part of bcast.c tipc_bcast_sync_rcv for a STATE from peer {@code r}: w1 bcast ack, w8 bc
     * gap and the broadcast gap-ACK blocks (link.c tipc_get_gap_ack_blks with uc = false: only the current layout
     * with bc blocks counts). {@code h} is re-wrapped by the caller afterwards.
     *
     * @return {@link Link#LINK_DOWN_EVT} if the peer's links are to be reset, else 0
     */
    private final GapAckBlocks stateGa = new GapAckBlocks();

    int stateRcv(BroadcastLink r, TipcMsg h, long now, Outbox out) {
        if (bcAckInvalid(h)) return 0;
        GapAckBlocks ga = null;
        int dlen = h.dataSize();
        if ((r.node.caps & Tipc.TIPC_GAP_ACK_BLOCK) != 0 && dlen >= GapAckBlocks.HEADER) {
            GapAckBlocks g = stateGa.wrap(h.buffer(), h.dataOffset(), dlen); // reused per STATE (issue 14)
            if (g.isCurrentLayout() && g.len() <= dlen && g.bgackCnt() > 0 && g.validate().isOk()) ga = g;
        }
        return ackRcv(r, h.bcastAck(), h.bcGap(), ga, now, out);
    }

    /** msg.h msg_bc_ack_invalid: w5 bit 14, meaningful only for BCAST_PROTOCOL, NAME_DISTRIBUTOR and LINK_PROTOCOL. */
    static boolean bcAckInvalid(TipcMsg h) {
        int u = h.user();
        if (u != Tipc.BCAST_PROTOCOL && u != Tipc.NAME_DISTRIBUTOR && u != Tipc.LINK_PROTOCOL) return false;
        return h.bcAckInvalid() != 0;
    }

    /**
     * Whether the broadcast gap-ACK blocks follow (acked, gap) in ascending order and stay within what we sent: each
     * block's ack after the previous block's gap, at most {@code last} = snd_nxt - 1 (jtipc; the kernel trusts them).
     */
    private static boolean blocksValid(int acked, int gap, GapAckBlocks ga, int last) {
        int prevEnd = (acked + gap) & 0xffff;
        int n = Math.min(ga.bcBlocks(), Link.MAX_GAP_ACK_BLKS);
        for (int i = 0; i < n; i++) {
            int a = ga.ack(i);
            int end = (a + ga.gap(i)) & 0xffff;
            if (Seqno.less(a, prevEnd) || Seqno.more(a, last) || Seqno.more(end, last) || Seqno.less(end, a)) return false;
            prevEnd = end;
        }
        return true;
    }

    /** Releases {@code r}'s share of {@code p} once; true if no peer owes it any more (to be removed). */
    private static boolean release(Pkt p, BroadcastLink r) {
        if (r.slot < 0 || !p.owed.get(r.slot)) return false;
        p.owed.clear(r.slot);
        p.ackers--;
        return p.owed.isEmpty();
    }

    /**
     * The stall rule (class doc): the head still waits for {@code r}'s acknowledgement (its slot, not its last ack,
     * which a peer could have pushed ahead) and has for STALL_FACTOR × its tolerance.
     */
    private int stalled(BroadcastLink r, long now) {
        Pkt head = transmq.peekFirst();
        if (head == null || r.slot < 0 || !head.owed.get(r.slot)) return 0;
        if (now - headSince <= (long) STALL_FACTOR * r.tolerance) return 0;
        stallResets++;
        net.log("broadcast link peer " + Integer.toHexString(r.node.addr) + ": reset: broadcast seqno " + head.seqno()
            + " unacknowledged for " + (now - headSince) + " ms (acked " + r.acked + ")");
        return Link.LINK_DOWN_EVT;
    }

    /**
     * tipc_link_advance_transmq for the broadcast send link and peer {@code r}: its share of packets up to
     * {@code acked} and of those its gap-ACK blocks cover is released (each packet only once: {@link Pkt#owed}),
     * (acked, acked + gap] and the blocks' gaps are retransmitted.
     */
    private int advanceTransmq(BroadcastLink r, int acked, int gap, GapAckBlocks ga, long now, Outbox out) {
        int[] thisGa = null;
        int gackCnt = 0;
        if (ga != null && ga.bcBlocks() > 0) {
            gackCnt = Math.min(ga.bcBlocks(), Link.MAX_GAP_ACK_BLKS);
            thisGa = new int[2 * gackCnt];
            for (int i = 0; i < gackCnt; i++) {
                thisGa[2 * i] = ga.ack(i);
                thisGa[2 * i + 1] = ga.gap(i);
            }
        }
        int nacked = acked, ngap = gap, n = 0;
        boolean released = false;
        int rc = 0;
        Iterator<Pkt> it = transmq.iterator();
        outer:
        while (it.hasNext()) {
            Pkt p = it.next();
            int seqno = p.seqno();
            while (true) {
                if (Seqno.lessEq(seqno, nacked)) {
                    // jtipc: the peer's share is released at most once (its acker slot, Pkt.owed), whatever its acks
                    // and blocks repeat; the kernel's r->acked / r->last_ga bookkeeping can count a peer twice
                    if (release(p, r)) {
                        it.remove();
                        released = true;
                    }
                    continue outer;
                } else if (Seqno.lessEq(seqno, (nacked + ngap) & 0xffff)) {
                    if (seqno == ((acked + 1) & 0xffff) && retransmitFailure(r, now)) {
                        rc = Link.LINK_DOWN_EVT;
                        break outer;
                    }
                    if (now < p.nxtRetr) continue outer;
                    p.nxtRetr = now + RETR_LIM_MS;
                    bearerXmit(p, out);
                    retransmitted++;
                    r.retransmitted++;
                    if (p.retrCnt++ == 0) p.retrStamp = now;
                    continue outer;
                } else {
                    if (n >= gackCnt) break outer;
                    nacked = thisGa[2 * n];
                    ngap = thisGa[2 * n + 1];
                    n++;
                }
            }
        }
        if (Seqno.more(acked, r.acked)) r.acked = acked;
        if (released) headSince = now;
        return rc;
    }

    /**
     * link.c link_retransmit_failure for the broadcast link: the head was first retransmitted more than the peer's
     * tolerance × 10 ms ago and the peer has not acknowledged it: the peer's links are reset (logged).
     */
    private boolean retransmitFailure(BroadcastLink r, long now) {
        Pkt p = transmq.peekFirst();
        if (p == null || p.retrCnt == 0) return false;
        if (now <= p.retrStamp + r.tolerance * 10L) return false;
        if (r.slot < 0 || !p.owed.get(r.slot)) return false;
        net.log("broadcast link peer " + Integer.toHexString(r.node.addr) + ": retransmission failure: seqno "
            + p.seqno() + " after " + p.retrCnt + " retransmissions in " + (now - p.retrStamp) + " ms");
        return true;
    }

    // ------------------------------------------------------------------ multicast method

    /**
     * tipc_bcast_select_xmit_method for {@code dests} remote destination nodes: replicast without bearer broadcast
     * support, broadcast if a peer lacks replicast support; otherwise, unless the socket fixed it, or the cluster
     * lacks TIPC_MCAST_RBCTL and the method was chosen less than {@link #METHOD_EXPIRE_MS} ago: the forced mode, or
     * replicast for at most {@link #threshold()} destinations. A {@link Method#mandatory} method is kept.
     *
     * @param clusterCaps the AND of our and every up peer's capabilities (node.c tn->capabilities)
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
