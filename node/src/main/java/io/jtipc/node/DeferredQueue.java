package io.jtipc.node;

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
 *
 * <p>Cost: a ring of slots indexed by seqno (at most {@link #MAX_RING}, the receive window) with a two-level bitmap,
 * so add, duplicate check, first packet and poll are O(1) per packet, and the gap-ACK blocks of a STATE are built in
 * O(blocks) (at most {@link Link#MAX_GAP_ACK_BLKS} / 2), where the kernel's sorted list costs O(queue) for each.
 */
final class DeferredQueue {
    /** {@link #add} results. */
    static final int ADDED = 0;
    static final int DUPLICATE = 1;
    static final int NO_ROOM = 2;

    /**
     * Slots of the ring: packets indexed by {@code seqno & (ring.length - 1)}. The ring grows by powers of two from
     * {@link #MIN_RING} to {@link #MAX_RING} as the span between the lowest and the highest seqno held needs, and is
     * let go when the queue drains, so an idle link holds none. At most 32 KiB + 1 KiB of slots and bitmap per link.
     */
    private Pkt[] ring;
    /** Bitmap of the occupied slots (a bit per slot) and its summary (a bit per non-empty word), for O(1) scans. */
    private long[] used;
    private final long[] usedSummary = new long[2];
    /** Words of {@link #used} that are full (every slot occupied), for the run ends of the gap-ACK blocks. */
    private final long[] fullSummary = new long[2];
    /** Packets held, the lowest and the highest seqno held (valid when size &gt; 0). */
    private int size;
    private int first;
    private int last;
    private final HoldBudget budget;
    /** Smallest ring, in slots. */
    static final int MIN_RING = 64;
    /**
     * Largest ring: 8192 slots, one per seqno of the receive window (link.c TIPC_MAX_LINK_WIN 8191, plus the packet at
     * rcv_nxt): held seqnos span less than this, so no two share a slot. A packet that would make the span reach it
     * is not kept ({@link #NO_ROOM}); the link's window check keeps that from happening.
     */
    static final int MAX_RING = 8192;
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
        this(total, reserveBytes, reservePackets, null);
    }

    /** @param reservePool what the reserves of all links together may hold ({@link Net#deferredReserve}), or null */
    DeferredQueue(HoldBudget total, long reserveBytes, int reservePackets, HoldBudget reservePool) {
        this.budget = new HoldBudget(HoldBudget.DEFERRED_LINK_BYTES, HoldBudget.DEFERRED_LINK_PACKETS, total,
            reserveBytes, reservePackets, reservePool);
    }

    /**
     * A link's queue: the link budget, with the per-link reserve outside {@code net}'s shared total and inside its
     * reserve pool ({@link HoldBudget#DEFERRED_RESERVE_TOTAL_BYTES}).
     */
    static DeferredQueue ofLink(Net net) {
        return new DeferredQueue(net.deferredTotal, HoldBudget.DEFERRED_LINK_RESERVE_BYTES,
            HoldBudget.DEFERRED_LINK_RESERVE_PACKETS, net.deferredReserve);
    }

    /**
     * Keeps a copy of the packet {@code buf[off, off + len)} in seqno order.
     *
     * @return {@link #ADDED}, {@link #DUPLICATE} (a packet with that seqno is already held) or {@link #NO_ROOM} (the
     *         link's or the node's deferred budget is full: not kept, counted in {@link #dropped})
     */
    int add(byte[] buf, int off, int len) {
        int s = ((buf[off + 10] & 0xff) << 8) | (buf[off + 11] & 0xff);
        if (contains(s)) return DUPLICATE;
        if (!fitsRing(s) || !budget.take(len, 1)) {
            dropped++;
            return NO_ROOM;
        }
        added();
        put(s, Pkt.copyOf(buf, off, len));
        return ADDED;
    }

    /** {@link #add} for a packet already copied. */
    int add(Pkt p) {
        int s = p.seqno();
        if (contains(s)) return DUPLICATE;
        if (!fitsRing(s) || !budget.take(p.len, 1)) {
            dropped++;
            return NO_ROOM;
        }
        added();
        put(s, p);
        return ADDED;
    }

    /** Whether a packet with seqno {@code s} is held: O(1). */
    boolean contains(int s) {
        if (size == 0) return false;
        Pkt p = ring[s & (ring.length - 1)];
        return p != null && p.seqno() == s;
    }

    /** Whether seqno {@code s} keeps the span of the held seqnos under {@link #MAX_RING}. */
    private boolean fitsRing(int s) {
        if (size == 0) return true;
        int lo = Seqno.less(s, first) ? s : first;
        int hi = Seqno.more(s, last) ? s : last;
        return ((hi - lo) & 0xffff) < MAX_RING;
    }

    /** Places a packet not held yet, growing the ring if the span needs it: O(1), amortized over a growth. */
    private void put(int s, Pkt p) {
        if (size == 0) {
            first = s;
            last = s;
        } else {
            if (Seqno.less(s, first)) first = s;
            if (Seqno.more(s, last)) last = s;
        }
        int span = ((last - first) & 0xffff) + 1;
        if (ring == null || span > ring.length) grow(span);
        int i = s & (ring.length - 1);
        ring[i] = p;
        mark(i);
        size++;
    }

    private void grow(int span) {
        int cap = ring == null ? MIN_RING : ring.length;
        while (cap < span) cap <<= 1;
        Pkt[] old = ring;
        ring = new Pkt[cap];
        used = new long[cap >> 6];
        usedSummary[0] = usedSummary[1] = fullSummary[0] = fullSummary[1] = 0;
        if (old == null) return;
        for (Pkt p : old) {
            if (p == null) continue;
            int i = p.seqno() & (cap - 1);
            ring[i] = p;
            mark(i);
        }
    }

    private void mark(int i) {
        int w = i >> 6;
        used[w] |= 1L << i;
        usedSummary[w >> 6] |= 1L << w;
        if (used[w] == -1L) fullSummary[w >> 6] |= 1L << w;
    }

    private void unmark(int i) {
        int w = i >> 6;
        used[w] &= ~(1L << i);
        fullSummary[w >> 6] &= ~(1L << w);
        if (used[w] == 0) usedSummary[w >> 6] &= ~(1L << w);
    }

    /** First slot at or after {@code i}, going round the ring, that is occupied ({@code set}) or free; -1 if none. */
    private int next(int i, boolean set) {
        int r = nextFrom(i, set);
        return r >= 0 || i == 0 ? r : nextFrom(0, set);
    }

    /** {@link #next} without wrapping: at most two summary words and two bitmap words looked at. */
    private int nextFrom(int i, boolean set) {
        int words = used.length;
        int w = i >> 6;
        if (w >= words) return -1;
        long x = (set ? used[w] : ~used[w]) & (-1L << i);
        if (x != 0) return (w << 6) + Long.numberOfTrailingZeros(x);
        for (int sw = (w + 1) >> 6, from = w + 1; sw < 2 && from < words; sw++, from = sw << 6) {
            long y = set ? usedSummary[sw] : ~fullSummary[sw];
            y &= -1L << from;
            if (words - (sw << 6) < 64) y &= (1L << (words - (sw << 6))) - 1;
            if (y == 0) continue;
            int ww = (sw << 6) + Long.numberOfTrailingZeros(y);
            long z = set ? used[ww] : ~used[ww];
            return (ww << 6) + Long.numberOfTrailingZeros(z);
        }
        return -1;
    }

    /**
     * A packet was kept: an overflow episode ends once the link holds at most half its own byte bound again (the
     * node total had room for it), so a later overflow is logged even if this queue never drains; a queue
     * oscillating at its own bound (an honest full window) stays in one episode.
     */
    private void added() {
        if (overflowing && budget.bytes() <= budget.maxBytes / 2) overflowing = false;
    }

    /**
     * After {@link #NO_ROOM} for {@code seqno}: the line to log at the first drop of an overflow episode (until the
     * queue drains or keeps a packet while at most half full, {@link #overflowing}), else null. The link NACKs the first drop and every 16th after ({@code dropped & 15 == 1}), so a
     * flood is not answered packet for packet while an honest sender still learns what to retransmit.
     */
    String noRoom(int seqno, HoldBudget total) {
        if (overflowing) return null;
        overflowing = true;
        return "deferred queue full (" + size + " packets, " + budget.bytes() + " bytes held; node total "
            + total.bytes() + " bytes), dropping out-of-order packets from seqno " + seqno + " (deferred dropped "
            + dropped + ")";
    }

    boolean isEmpty() { return size == 0; }

    int size() { return size; }

    /** Seqno of the first (lowest) packet; the queue must not be empty. */
    int firstSeqno() {
        if (size == 0) throw new java.util.NoSuchElementException("deferred queue empty");
        return first;
    }

    /** Removes and returns the first packet, or null; its bytes go back to the budgets. O(1). */
    Pkt pollFirst() {
        if (size == 0) return null;
        int i = first & (ring.length - 1);
        Pkt p = ring[i];
        ring[i] = null;
        unmark(i);
        size--;
        budget.give(p.len, 1);
        if (size == 0) {
            overflowing = false;
            ring = null; // an idle link holds no ring
            used = null;
            usedSummary[0] = usedSummary[1] = fullSummary[0] = fullSummary[1] = 0;
        } else {
            first = ring[next(i, true)].seqno();
        }
        return p;
    }

    /** Drops every packet (link reset). */
    void clear() {
        size = 0;
        ring = null;
        used = null;
        usedSummary[0] = usedSummary[1] = fullSummary[0] = fullSummary[1] = 0;
        budget.giveAll();
        overflowing = false;
    }

    /** Bytes held. */
    long bytes() { return budget.bytes(); }

    /**
     * link.c __tipc_build_gap_ack_blks: writes the gap-ACK blocks of this queue into {@code ga} from block
     * {@code start} on (at most {@link Link#MAX_GAP_ACK_BLKS} / 2), run by run through the bitmap: O(blocks), not
     * O(packets).
     *
     * @return the number of blocks written
     */
    int gapAckBlocks(GapAckBlocks ga, int start) {
        if (size == 0) return 0;
        int mask = ring.length - 1;
        int base = first & mask;
        int lastOff = (last - first) & 0xffff;
        int n = 0;
        int runOff = 0; // offset from first of the run being looked at (held)
        while (true) {
            // end of the run: the slot before the next free one (the ring always has one past last, or is full)
            int free = next((base + runOff) & mask, false);
            int freeOff = (free - base) & mask;
            int endOff = free < 0 || freeOff < runOff ? lastOff : Math.min(lastOff, freeOff - 1);
            if (endOff >= lastOff) {
                ga.setAck(start + n, last);
                ga.setGap(start + n, 0);
                return n + 1;
            }
            int nextOff = (next((base + endOff + 1) & mask, true) - base) & mask;
            ga.setAck(start + n, (first + endOff) & 0xffff);
            ga.setGap(start + n, nextOff - endOff - 1);
            if (++n >= Link.MAX_GAP_ACK_BLKS / 2) return n;
            runOff = nextOff;
        }
    }

    /**
     * link.c tipc_build_gap_ack_blks: the gap-ACK record at {@code b[off..]}: the broadcast blocks of {@code bc} (the
     * peer's broadcast receive link) first, then the unicast blocks of {@code uc} (null: none).
     *
     * @param max most blocks the record may hold (link.c MAX_GAP_ACK_BLKS)
     * @return the record's length, bytes (4 + 4 per block)
     */
    /** The flyweight {@link #buildGapAckBlocks} writes with (called on the broadcast receive link's queue; core thread only). */
    private final GapAckBlocks gaView = new GapAckBlocks();
    /** The flyweight the owning link reads a received STATE's gap-ACK record with (issue 14; core thread only). */
    final GapAckBlocks rcvView = new GapAckBlocks();

    static int buildGapAckBlocks(DeferredQueue bc, DeferredQueue uc, byte[] b, int off, int max) {
        GapAckBlocks ga = bc.gaView.wrap(b, off, 4 + 4 * max); // reused: nothing allocated per STATE (issue 14)
        int nbc = bc.gapAckBlocks(ga, 0);
        int nuc = uc != null ? uc.gapAckBlocks(ga, nbc) : 0;
        int len = 4 + 4 * (nbc + nuc);
        ga.setLen(len).setUgackCnt(nuc).setBgackCnt(nbc);
        return len;
    }
}
