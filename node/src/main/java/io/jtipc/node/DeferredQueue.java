package io.jtipc.node;

import java.util.ArrayList;

import io.jtipc.wire.GapAckBlocks;
import io.jtipc.wire.Seqno;

/**
 * A link's deferred queue ({@code l->deferdq}, net/tipc/link.c): packets received after a gap, kept in ascending 16-bit
 * seqno order without duplicates ({@code __tipc_skb_queue_sorted}) until the gap is filled. Used by the unicast
 * {@link Link} and the peer's {@link BroadcastLink}.
 *
 * <p>Unlike the kernel's, the queue is bounded in bytes and packets, per link and for the whole node
 * ({@link HoldBudget#DEFERRED_LINK_BYTES}, {@link HoldBudget#DEFERRED_TOTAL_BYTES}, ...): a packet that does not fit is
 * not kept ({@link #NO_ROOM}); the link then asks for it again with a NACK, as the kernel does for a packet it could
 * not hold, and the sender retransmits it once the gap before it is filled. A packet counts its message bytes
 * ({@code msg_size}, at most the frame).
 */
final class DeferredQueue {
    /** {@link #add} results. */
    static final int ADDED = 0;
    static final int DUPLICATE = 1;
    static final int NO_ROOM = 2;

    private final ArrayList<Pkt> q = new ArrayList<>();
    private final HoldBudget budget;
    /** Packets not kept for lack of room, since the link was created. */
    long dropped;
    /** Packets are being dropped for lack of room and the queue has not drained since (one log line per episode). */
    boolean overflowing;

    /** @param total the node-wide deferred budget ({@link Net#deferredTotal}) */
    DeferredQueue(HoldBudget total) {
        this.budget = new HoldBudget(HoldBudget.DEFERRED_LINK_BYTES, HoldBudget.DEFERRED_LINK_PACKETS, total);
    }

    /**
     * Keeps a copy of the packet {@code buf[off, off + len)} in seqno order.
     *
     * @return {@link #ADDED}, {@link #DUPLICATE} (a packet with that seqno is already held) or {@link #NO_ROOM} (the
     *         link's or the node's deferred budget is full: not kept, counted in {@link #dropped})
     */
    int add(byte[] buf, int off, int len) {
        int s = ((buf[off + 10] & 0xff) << 8) | (buf[off + 11] & 0xff);
        int i = slot(s);
        if (i < 0) return DUPLICATE;
        if (!budget.take(len, 1)) {
            dropped++;
            return NO_ROOM;
        }
        q.add(i, Pkt.copyOf(buf, off, len));
        return ADDED;
    }

    /** {@link #add} for a packet already copied. */
    int add(Pkt p) {
        int i = slot(p.seqno());
        if (i < 0) return DUPLICATE;
        if (!budget.take(p.len, 1)) {
            dropped++;
            return NO_ROOM;
        }
        q.add(i, p);
        return ADDED;
    }

    /** Insertion index for seqno {@code s}, searching from the tail where late packets usually belong; -1 if held. */
    private int slot(int s) {
        int i = q.size();
        while (i > 0) {
            int other = q.get(i - 1).seqno();
            if (other == s) return -1;
            if (Seqno.less(other, s)) break;
            i--;
        }
        return i;
    }

    /**
     * After {@link #NO_ROOM} for {@code seqno}: the line to log at the first drop of an overflow episode (until the
     * queue drains), else null. The link NACKs the first drop and every 16th after ({@code dropped & 15 == 1}), so a
     * flood is not answered packet for packet while an honest sender still learns what to retransmit.
     */
    String noRoom(int seqno, HoldBudget total) {
        if (overflowing) return null;
        overflowing = true;
        return "deferred queue full (" + q.size() + " packets, " + budget.bytes() + " bytes held; node total "
            + total.bytes() + " bytes), dropping out-of-order packets from seqno " + seqno + " (deferred dropped "
            + dropped + ")";
    }

    boolean isEmpty() { return q.isEmpty(); }

    int size() { return q.size(); }

    /** Seqno of the first (lowest) packet; the queue must not be empty. */
    int firstSeqno() { return q.get(0).seqno(); }

    /** Removes and returns the first packet, or null; its bytes go back to the budgets. */
    Pkt pollFirst() {
        if (q.isEmpty()) return null;
        Pkt p = q.remove(0);
        budget.give(p.len, 1);
        if (q.isEmpty()) overflowing = false;
        return p;
    }

    /** Drops every packet (link reset). */
    void clear() {
        q.clear();
        budget.giveAll();
        overflowing = false;
    }

    /** Bytes held. */
    long bytes() { return budget.bytes(); }

    /**
     * link.c __tipc_build_gap_ack_blks: writes the gap-ACK blocks of this queue into {@code ga} from block
     * {@code start} on (at most {@link Link#MAX_GAP_ACK_BLKS} / 2).
     *
     * @return the number of blocks written
     */
    int gapAckBlocks(GapAckBlocks ga, int start) {
        if (q.isEmpty()) return 0;
        int n = 0;
        int expect = q.get(0).seqno();
        int seqno = 0;
        for (Pkt p : q) {
            seqno = p.seqno();
            if (Seqno.more(seqno, expect)) {
                ga.setAck(start + n, (expect - 1) & 0xffff);
                ga.setGap(start + n, (seqno - expect) & 0xffff);
                if (++n >= Link.MAX_GAP_ACK_BLKS / 2) return n;
            } else if (Seqno.less(seqno, expect)) {
                continue;
            }
            expect = (seqno + 1) & 0xffff;
        }
        ga.setAck(start + n, seqno);
        ga.setGap(start + n, 0);
        return n + 1;
    }

    /**
     * link.c tipc_build_gap_ack_blks: the gap-ACK record at {@code b[off..]}: the broadcast blocks of {@code bc} (the
     * peer's broadcast receive link) first, then the unicast blocks of {@code uc} (null: none).
     *
     * @param max most blocks the record may hold (link.c MAX_GAP_ACK_BLKS)
     * @return the record's length, bytes (4 + 4 per block)
     */
    static int buildGapAckBlocks(DeferredQueue bc, DeferredQueue uc, byte[] b, int off, int max) {
        GapAckBlocks ga = new GapAckBlocks().wrap(b, off, 4 + 4 * max);
        int nbc = bc.gapAckBlocks(ga, 0);
        int nuc = uc != null ? uc.gapAckBlocks(ga, nbc) : 0;
        int len = 4 + 4 * (nbc + nuc);
        ga.setLen(len).setUgackCnt(nuc).setBgackCnt(nbc);
        return len;
    }
}
