package io.jtipc.node;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Iterator;

import io.jtipc.wire.GapAckBlocks;
import io.jtipc.wire.Seqno;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * This node's broadcast send link: the parts of Linux 6.1 net/tipc/link.c that run on {@code tn->bcl}
 * ({@code link_is_bc_sndlink}): {@code tipc_link_bc_create}, {@code tipc_link_xmit} on it,
 * {@code tipc_link_advance_backlog}, {@code tipc_link_add_bc_peer} / {@code tipc_link_remove_bc_peer},
 * {@code tipc_link_bc_ack_rcv} with {@code tipc_link_advance_transmq} for {@code r != l} (acks, bc gap, broadcast
 * gap-ACK blocks, retransmission limited by {@code TIPC_BC_RETR_LIM}), {@code link_retransmit_failure},
 * {@code tipc_link_set_queue_limits}, {@code tipc_link_reset}. One sequenced stream (16-bit {@link #sndNxt}, starting
 * at 1) to every peer that is up:
 * <ul>
 *   <li>a packet stays in {@link #transmq} until every peer that was up when it was sent acknowledged it
 *       ({@code ackers}, and jtipc's per-peer acker slots {@link Pkt#owed}: a peer releases a packet at most
 *       once);</li>
 *   <li>a gap reported by a peer is retransmitted at most once every {@link #RETR_LIM_MS} ms per packet (the kernel's
 *       {@code nxt_retr} lives in the packet's control block: the limit is per packet, whichever peer asks); the
 *       retransmission failure rule (first retransmission more than tolerance × 10 ms ago) resets that peer's
 *       links;</li>
 *   <li>flow control: {@link #window} packets in flight, then a backlog with the kernel's per-importance limits (from
 *       the minimum window). The window is fixed at the minimum, {@link Bcast#WIN_DEFAULT}: bcast.c creates the link
 *       with min = max = BCLINK_WIN_DEFAULT, and since Linux 5.8 link.c calls {@code tipc_link_update_cwin} only for
 *       unicast links ({@code tipc_link_rcv}, {@code tipc_link_proto_rcv}), never from {@code tipc_link_bc_ack_rcv};
 *       {@code tipc link set window} stores a maximum that the broadcast link reports and does not use;
 *       beyond a limit a send gets {@link Errno#ELINKCONG} (queued anyway, as the kernel); beyond
 *       {@link HoldBudget#BACKLOG_LINK_BYTES} / {@link HoldBudget#BACKLOG_LINK_PACKETS} (and the node's backlog
 *       total) {@link Errno#ENOBUFS} (not queued).</li>
 * </ul>
 * Better than the kernel: a peer that never acknowledges (and never NACKs, so the retransmission failure never
 * fires) cannot hold the stream forever: once the oldest packet it owes is {@link #STALL_FACTOR} × its link tolerance
 * old, its links are reset as on a retransmission failure (logged); checked on each of its acknowledgements and from
 * its node's timer ({@link Bcast#stallCheck}: a peer whose STATEs all carry bc_ack_invalid, or that never sends its
 * bc-init, has no acknowledgement looked at). Acknowledgements beyond snd_nxt - 1 and gap-ACK
 * blocks that are not ascending or reach beyond it are ignored and counted ({@link #invalidAcks}).
 *
 * <p>Sans-IO: packets to send go into the caller's transmit queue, retransmissions into its retransmit queue;
 * {@link Bcast} (bcast.c) owns this link and puts them on the bearers. Memory: at most {@link #window} packets of at
 * most {@link #mtu} bytes in {@link #transmq}, each with one bit per peer; per peer 16 bytes in its
 * {@link BroadcastLink}. Single-threaded, times in ms.
 */
final class BcastSendLink {
    /** link.c TIPC_BC_RETR_LIM: minimum time between two (re)transmissions of one broadcast packet, ms. */
    static final int RETR_LIM_MS = 10;
    /** jtipc: a peer's unacknowledged head older than this × its link tolerance resets its links (see class doc). */
    static final int STALL_FACTOR = 10;

    private final Net net;
    /** Next seqno to send (16 bits); 1 when no peer is up. */
    int sndNxt = 1;
    /** The link MTU (tipc_link_mtu), bytes. */
    int mtu = Bcast.FB_MTU;
    /** The window (l->window): packets in flight at most; always {@link #minWin} on the broadcast link. */
    int window = Bcast.WIN_DEFAULT;
    /** l->min_win: tipc_bcast_init's BCLINK_WIN_DEFAULT, kept by {@code tipc link set window}, packets. */
    int minWin = Bcast.WIN_DEFAULT;
    /**
     * l->max_win: BCLINK_WIN_DEFAULT until {@code tipc link set window} (tipc_bc_link_set_queue_limits) stores
     * another, packets; reported, not used (the window does not grow on the broadcast link, see the class comment).
     */
    int maxWin = Bcast.WIN_DEFAULT;
    /** Peers that are up: each packet waits for this many acknowledgements (link.c ackers). */
    int ackers;
    /** Acker slots in use (one per counted peer, {@link BroadcastLink#slot}); a new packet owes all of them. */
    private final BitSet slots = new BitSet();
    final ArrayDeque<Pkt> transmq = new ArrayDeque<>();
    final ArrayDeque<Pkt> backlogq = new ArrayDeque<>();
    final int[] backlogLen = new int[5];
    final int[] backlogLimit = new int[5];
    private final HoldBudget backlogBudget;
    private boolean congestedUsers;
    /** Senders are to be told that the link has room again (link_prepare_wakeup); taken by {@link #takeWakeup}. */
    private boolean wakeupPending;
    /** Time the current head of {@link #transmq} was sent (for the stall rule), ms. */
    private long headSince;
    /**
     * Per importance, the backlog's last packet while it may take more small messages (link.c
     * {@code l->backlog[imp].target_bskb}); jtipc bundles only into the backlog's tail, as {@link Link}.
     */
    private final Pkt[] target = new Pkt[5];
    long sentPkts, retransmitted, recvNacks, sentFragmented, sentBundles, sentBundled, congestions, stallResets,
        invalidAcks;
    /** jtipc: messages and fragments taken by the link (sent, queued or bundled), once each. */
    long sentMsgs;
    private final TipcMsg h = new TipcMsg();

    BcastSendLink(Net net) {
        this.net = net;
        this.backlogBudget = HoldBudget.backlogOfLink(net.backlogTotal, net.backlogReserve);
        setQueueLimits();
    }

    /**
     * link.c tipc_link_set_queue_limits(l, min_win, max_win) with the current {@link #minWin} / {@link #maxWin}: the
     * window back to the minimum, the backlog limits per importance from the minimum window (2, 4, 6, 8 × it; SYSTEM
     * from the MTU).
     */
    private void setQueueLimits() {
        window = minWin;
        for (int i = 0; i < 4; i++) backlogLimit[i] = minWin * 2 * (i + 1);
        backlogLimit[4] = 65535 / (mtu / Tipc.ITEM_SIZE);
        backlogBudget.backlogLimits(backlogLimit, mtu);
    }

    /** tipc_link_set_mtu followed by tipc_link_set_queue_limits (bcast.c tipc_bcbase_select_primary). */
    void setMtu(int bytes) {
        mtu = bytes;
        setQueueLimits();
    }

    /**
     * bcast.c tipc_bc_link_set_queue_limits ({@code tipc link set window} on the broadcast link): the maximum window
     * becomes {@code packets}, the minimum stays, and the window restarts at the minimum (where it stays). The caller
     * checked the range.
     */
    void setWindow(int packets) {
        maxWin = packets;
        setQueueLimits();
    }

    /**
     * Maximum message size on this link (link.c {@code tipc_link_mss}): {@link #mtu} - 40 - the encryption overhead,
     * bytes; larger messages are fragmented, smaller ones may share a bundle.
     */
    int mss() { return mtu - Tipc.INT_H_SIZE - net.crypto.mssOverhead(); }

    /** Bytes held in the backlog. */
    long backlogBytes() { return backlogBudget.bytes(); }

    /** True if a send of {@code importance} (0-4) would get {@link Errno#ELINKCONG}. */
    boolean congested(int importance) { return backlogLen[importance] >= backlogLimit[importance]; }

    /** Whether senders are to be told that the link has room again; clears the flag. */
    boolean takeWakeup() {
        boolean w = wakeupPending;
        wakeupPending = false;
        return w;
    }

    // ------------------------------------------------------------------ peers

    /**
     * tipc_link_add_bc_peer: the peer acknowledges from our current snd_nxt on.
     *
     * @return false if it was counted already
     */
    boolean addPeer(BroadcastLink r) {
        if (r.counted) return false;
        r.counted = true;
        ackers++;
        r.slot = slots.nextClearBit(0);
        slots.set(r.slot);
        r.acked = (sndNxt - 1) & 0xffff;
        return true;
    }

    /**
     * tipc_link_remove_bc_peer: the lost peer's share of every packet is released, the backlog advances into
     * {@code xmitq}; with no peer left the link is reset (queues purged, snd_nxt back to 1).
     *
     * @return false if it was not counted
     */
    boolean removePeer(BroadcastLink r, long now, ArrayDeque<Pkt> xmitq) {
        if (!r.counted) return false;
        r.counted = false;
        ackers--;
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
        advanceBacklog(now, xmitq);
        if (ackers == 0) { // link.c tipc_link_remove_bc_peer: reset, and nothing left to send (__skb_queue_purge)
            reset();
            xmitq.clear();
        }
        return true;
    }

    /** tipc_link_reset on the broadcast send link (its MTU back to the advertised one, l->advertised_mtu). */
    private void reset() {
        mtu = Bcast.FB_MTU;
        transmq.clear();
        backlogq.clear();
        java.util.Arrays.fill(target, null);
        slots.clear();
        backlogBudget.giveAll();
        java.util.Arrays.fill(backlogLen, 0);
        sndNxt = 1;
        if (congestedUsers) {
            congestedUsers = false;
            wakeupPending = true;
        }
    }

    // ------------------------------------------------------------------ sending

    /**
     * tipc_link_xmit for a fragment list: the whole list is accepted or refused against the backlog budget, then each
     * fragment is sent (into {@code xmitq}) or queued.
     *
     * @return the first fragment's result: 0, {@link Errno#ELINKCONG} (queued), or {@link Errno#ENOBUFS} (not queued)
     */
    int xmit(byte[][] frags, long now, ArrayDeque<Pkt> xmitq) {
        if (!fits(frags)) {
            congestions++;
            congestedUsers = true;
            return Errno.ENOBUFS;
        }
        int rc = 0;
        for (int i = 0; i < frags.length; i++) {
            int r = xmit(frags[i], now, xmitq, i == 0);
            if (i == 0) rc = r;
            if (r == Errno.ENOBUFS) return r;
            sentFragmented++;
        }
        return rc;
    }

    /**
     * Whether {@link #xmit} would accept these packets now (not {@link Errno#ENOBUFS}); nothing is queued.
     *
     * @param imp the message's importance (0-4)
     */
    boolean accepts(byte[][] frags, int imp) {
        if (imp == Tipc.SYSTEM_IMPORTANCE && congested(imp)) return false;
        return fits(frags);
    }

    /** The packets that will not fit the window must all fit the backlog budget (tipc_link_xmit checks a list once). */
    private boolean fits(byte[][] frags) {
        int direct = backlogq.isEmpty() ? Math.max(0, window - transmq.size()) : 0;
        long bytes = 0;
        int queued = 0;
        for (int i = direct; i < frags.length; i++, queued++) bytes += frags[i].length;
        return queued == 0 || backlogBudget.fits(bytes, queued);
    }

    /**
     * tipc_link_xmit for one packet: sent into {@code xmitq} if the window has room and the backlog is empty, else
     * queued in the backlog.
     *
     * @param checkLimit whether the importance's backlog limit applies (the first packet of a message)
     * @return 0, {@link Errno#ELINKCONG} (queued) or {@link Errno#ENOBUFS} (not queued)
     */
    int xmit(byte[] msg, long now, ArrayDeque<Pkt> xmitq, boolean checkLimit) {
        int imp = h.wrap(msg, 0, msg.length).importance();
        int rc = 0;
        if (checkLimit && congested(imp)) {
            congestions++;
            if (imp == Tipc.SYSTEM_IMPORTANCE) return Errno.ENOBUFS;
            rc = Errno.ELINKCONG;
            congestedUsers = true;
        }
        if (transmq.size() < window && backlogq.isEmpty()) {
            sentMsgs++;
            sendNew(new Pkt(msg, msg.length), now, xmitq);
            return rc;
        }
        if (tryBundle(imp, msg)) {
            sentMsgs++;
            return rc;
        }
        if (!backlogBudget.take(msg.length, 1)) {
            congestions++;
            congestedUsers = true;
            return Errno.ENOBUFS;
        }
        sentMsgs++;
        Pkt p = new Pkt(msg, msg.length);
        backlogq.addLast(p);
        backlogLen[imp]++;
        target[imp] = Msg.bundleable(h.wrap(msg, 0, msg.length), mss()) ? p : null;
        return rc;
    }

    /**
     * link.c tipc_link_xmit's {@code tipc_msg_try_bundle} on the broadcast link: {@code msg} appended to this
     * importance's backlog target ({@link Msg#bundle}, destination node 0: the link's {@code l->addr}), so a burst of
     * small multicasts waits in a few packets of up to {@link #mss()} bytes instead of one packet each.
     *
     * @return true if {@code msg} went into a bundle (the backlog's packet count unchanged)
     */
    private boolean tryBundle(int imp, byte[] msg) {
        int mss = mss();
        if (!Msg.bundleable(h.wrap(msg, 0, msg.length), mss)) {
            target[imp] = null;
            return false;
        }
        Pkt t = target[imp];
        if (t == null || t != backlogq.peekLast()) return false;
        // a bundle grows to the MSS: charge that much first, give back what its length did not take
        int before = t.len;
        int grow = Math.max(0, mss - before);
        if (!backlogBudget.take(grow, 0)) return false;
        int r = Msg.bundle(h, t, msg, msg.length, mss, 0, null);
        backlogBudget.giveTail(grow - (t.len - before));
        if (r == Msg.BUNDLE_NONE) return false;
        if (r == Msg.BUNDLE_NEW) { // link.c counts the target's message and the new one
            sentBundles++;
            sentBundled++;
        }
        sentBundled++;
        return true;
    }

    /** Seqno, w0 non-seq and w5 network id (tipc_bearer_bc_xmit), one acker slot per peer; into the transmit queue. */
    private void sendNew(Pkt p, long now, ArrayDeque<Pkt> xmitq) {
        h.wrap(p.buf, 0, p.len);
        h.setSeqno(sndNxt);
        h.setAck(0);
        h.setBcastAck(0);
        h.setNonSeq(1);
        h.setMcNetid(net.config.netId());
        sndNxt = (sndNxt + 1) & 0xffff;
        p.ackers = ackers;
        p.owed = (BitSet) slots.clone();
        p.nxtRetr = now + RETR_LIM_MS;
        if (transmq.isEmpty()) headSince = now;
        transmq.addLast(p);
        sentPkts++;
        xmitq.addLast(p);
    }

    /** tipc_link_advance_backlog; senders told once no importance is at its limit (link_prepare_wakeup). */
    private void advanceBacklog(long now, ArrayDeque<Pkt> xmitq) {
        while (!backlogq.isEmpty() && transmq.size() < window) {
            Pkt p = backlogq.pollFirst();
            backlogBudget.give(p.len, 1);
            int imp = h.wrap(p.buf, 0, p.len).importance();
            backlogLen[imp]--;
            if (target[imp] == p) target[imp] = null;
            sendNew(p, now, xmitq);
        }
        if (congestedUsers) {
            for (int i = 0; i <= Tipc.SYSTEM_IMPORTANCE; i++) if (congested(i)) return;
            congestedUsers = false;
            wakeupPending = true;
        }
    }

    // ------------------------------------------------------------------ acknowledgements

    /**
     * tipc_link_bc_ack_rcv from peer {@code r}: its w1 bcast ack {@code acked}, bc gap {@code gap} and broadcast
     * gap-ACK blocks {@code ga} (null if none); new packets from the backlog go into {@code xmitq}, retransmissions
     * into {@code retrq} (bcast.c tipc_bcast_sync_rcv: the broadcast transmit queue, or the peer's unicast link's
     * queue with net.tipc.bc_retruni set).
     *
     * @return {@link Link#LINK_DOWN_EVT} if the peer's links are to be reset (retransmission failure, stall), else 0
     */
    int ackRcv(BroadcastLink r, int acked, int gap, GapAckBlocks ga, long now, ArrayDeque<Pkt> xmitq,
               ArrayDeque<Pkt> retrq) {
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
            rc = advanceTransmq(r, acked, gap, ga, now, retrq);
            advanceBacklog(now, xmitq);
        }
        if (rc == 0) rc = stalled(r, now);
        return rc;
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
    int stalled(BroadcastLink r, long now) {
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
     * (acked, acked + gap] and the blocks' gaps go into {@code retrq} (at most every {@link #RETR_LIM_MS} ms per
     * packet).
     */
    private int advanceTransmq(BroadcastLink r, int acked, int gap, GapAckBlocks ga, long now, ArrayDeque<Pkt> retrq) {
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
        int nacked = acked, ngap = gap, n = 0, released = 0;
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
                        released++;
                    }
                    continue outer;
                } else if (Seqno.lessEq(seqno, (nacked + ngap) & 0xffff)) {
                    if (seqno == ((acked + 1) & 0xffff) && retransmitFailure(r, now)) {
                        rc = Link.LINK_DOWN_EVT;
                        break outer;
                    }
                    if (now < p.nxtRetr) continue outer;
                    p.nxtRetr = now + RETR_LIM_MS;
                    retrq.addLast(p);
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
        if (released > 0) headSince = now;
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
}
