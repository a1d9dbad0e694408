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
 * ({@code msg_size}, at most the frame). A link's queue has a reserve outside the node total
 * ({@link HoldBudget#DEFERRED_LINK_RESERVE_BYTES}), so links that fill the total cannot starve it.
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
    /**
     * Packets are being dropped for lack of room, and since then the queue has neither drained nor kept a packet
     * while at most half full (one log line per episode).
     */
    boolean overflowing;

    /** @param total the node-wide deferred budget ({@link Net#deferredTotal}); no reserve outside it */
    DeferredQueue(HoldBudget total) {
        this(total, 0, 0);
    }

    /**
     * @param total         the node-wide deferred budget ({@link Net#deferredTotal})
     * @param reserveBytes  bytes this queue may hold without charging {@code total}
     *                      ({@link HoldBudget#DEFERRED_LINK_RESERVE_BYTES} for a link)
     * @param reservePackets packets likewise ({@link HoldBudget#DEFERRED_LINK_RESERVE_PACKETS})
     */
    DeferredQueue(HoldBudget total, long reserveBytes, int reservePackets) {
        this.budget = new HoldBudget(HoldBudget.DEFERRED_LINK_BYTES, HoldBudget.DEFERRED_LINK_PACKETS, total,
            reserveBytes, reservePackets);
    }

    /** A link's queue: the link budget, with the per-link reserve outside {@code total}. */
    static DeferredQueue ofLink(HoldBudget total) {
        return new DeferredQueue(total, HoldBudget.DEFERRED_LINK_RESERVE_BYTES, HoldBudget.DEFERRED_LINK_RESERVE_PACKETS);
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
        added();
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
        added();
        q.add(i, p);
        return ADDED;
    }

    /**
     * A packet was kept: an overflow episode ends once the link holds at most half its own byte bound again (the
     * node total had room for it), so a later overflow is logged even if this queue never drains; a queue
     * oscillating at its own bound (an honest full window) stays in one episode.
     */
    private void added() {
        if (overflowing && budget.bytes() <= budget.maxBytes / 2) overflowing = false;
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
     * queue drains or keeps a packet while at most half full, {@link #overflowing}), else null. The link NACKs the first drop and every 16th after ({@code dropped & 15 == 1}), so a
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
}
