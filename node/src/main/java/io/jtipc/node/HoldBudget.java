package io.jtipc.node;

/**
 * A bound on memory the node holds because of what a peer sent it: bytes and a count (packets or messages), for one
 * link and, through its parent, in total across all links of the node. {@link #take} succeeds only if this budget
 * and its parent both have room, so neither is ever exceeded. Not thread safe (core thread only).
 *
 * <p>The defaults below are jtipc's: the kernel bounds none of these queues in bytes (link.c keeps any packet inside
 * the 8191-packet receive window, {@code tipc_link_rcv}; the reassembly buffer only by the message size,
 * {@code tipc_buf_append}). An honest peer never needs more than a fraction of them; what a hostile peer can make the
 * node hold is at most the per-link value per link, and the total over all its peers.
 */
final class HoldBudget {
    /**
     * Deferred (out-of-order) packets one link (unicast, or a peer's broadcast receive link) may hold: 8 MiB. An
     * honest link on a 1500-byte MTU with the largest window (8191 packets) that loses one packet defers up to ~12 MB,
     * so a loss at full Ethernet window costs extra retransmissions, nothing more; the UDP media (window 50, MTU
     * 14000) defers at most 700 KB.
     */
    static final long DEFERRED_LINK_BYTES = 8L << 20;
    /** Deferred packets one link may hold: the receive window (link.c TIPC_MAX_LINK_WIN, the kernel's only bound). */
    static final int DEFERRED_LINK_PACKETS = Link.MAX_LINK_WIN;
    /** Deferred bytes held by all links of the node together: 64 MiB. */
    static final long DEFERRED_TOTAL_BYTES = 64L << 20;
    /** Deferred packets held by all links of the node together. */
    static final int DEFERRED_TOTAL_PACKETS = 65536;
    /**
     * Deferred bytes every link may hold outside {@link #DEFERRED_TOTAL_BYTES}: 1 MiB (at least the UDP media's
     * default window of 50 packets × 14000-byte MTU). Links that fill the shared total (8 behind never-filled gaps
     * suffice) cannot starve the others: an honest link still keeps up to this much out of order. The reserves of
     * all links together draw on {@link #DEFERRED_RESERVE_TOTAL_BYTES}, so the node's deferred memory stays bounded
     * by the two totals whatever the number of links. jtipc's rule (the kernel has no bound).
     */
    static final long DEFERRED_LINK_RESERVE_BYTES = 1L << 20;
    /** Deferred packets every link may hold outside {@link #DEFERRED_TOTAL_PACKETS}: 1024. */
    static final int DEFERRED_LINK_RESERVE_PACKETS = 1024;
    /**
     * Reserve bytes held by all links together: 16 MiB, so sixteen links use their whole reserve at once. Past it a
     * link has only what is left of the shared {@link #DEFERRED_TOTAL_BYTES}: more than 16 flooding peers can then
     * push an honest link back to go-back-N retransmission (slower, nothing lost), never the node out of memory.
     */
    static final long DEFERRED_RESERVE_TOTAL_BYTES = 16L << 20;
    /** Reserve packets held by all links together. */
    static final int DEFERRED_RESERVE_TOTAL_PACKETS = 16384;

    /**
     * Reassembly buffer of one link (unicast or broadcast receive link): one message at a time, as the kernel's
     * {@code l->reasm_buf}, of at most {@code Tipc.MAX_MSG_SIZE} (66000) bytes; beyond, the reassembly fails and the
     * link is reset (link.c tipc_link_input).
     */
    static final long REASM_LINK_BYTES = io.jtipc.wire.Tipc.MAX_MSG_SIZE;
    /** Messages in reassembly per link (the kernel's single reasm_buf). */
    static final int REASM_LINK_MESSAGES = 1;
    /** Reassembly bytes of all links together: 32 MiB (about 500 links with a 64 KB message half received). */
    static final long REASM_TOTAL_BYTES = 32L << 20;
    /** Messages in reassembly on all links together. */
    static final int REASM_TOTAL_MESSAGES = 4096;

    /**
     * Backlog bytes of one link (messages waiting for the send window), at most 16 MiB, or twice the kernel's
     * packet limits times the link MTU if more ({@link #backlogLimits}). Each importance is limited in packets as the
     * kernel does (tipc_link_set_queue_limits: 2, 4, 6, 8 × the minimum window, and the binding-table bulk for
     * SYSTEM), but a sender may queue beyond them (one message per sender at congestion, link.c tipc_link_xmit, and
     * nothing stops a sender that ignores ELINKCONG); this bounds the whole in bytes. A message that does not fit is
     * refused with ENOBUFS and the link is reset, as node.c tipc_node_xmit does on ENOBUFS. Bytes are the packets'
     * lengths, as before pooling (not their pooled arrays, {@link PktPool#capacity}, which would charge a 1500-byte
     * packet 2048 and a 9000-byte one 16384): the pool's idle arrays are bounded on their own ({@link
     * PktPool#MAX_IDLE_BYTES}).
     */
    static final long BACKLOG_LINK_BYTES = 16L << 20;
    /** Backlog packets of one link, all importances together, at least (or twice the kernel's limits if more). */
    static final int BACKLOG_LINK_PACKETS = 8192;
    /**
     * Backlog bytes every link may hold outside {@link #BACKLOG_TOTAL_BYTES}: 1 MiB, drawn on {@link
     * #BACKLOG_RESERVE_TOTAL_BYTES}. Links whose peers never acknowledge (8 near their own bound suffice) cannot take
     * the whole total from the others: an honest link still queues this much before ENOBUFS resets it. jtipc's rule,
     * as {@link #DEFERRED_LINK_RESERVE_BYTES}.
     */
    static final long BACKLOG_LINK_RESERVE_BYTES = 1L << 20;
    /** Backlog packets every link may hold outside {@link #BACKLOG_TOTAL_PACKETS}. */
    static final int BACKLOG_LINK_RESERVE_PACKETS = 1024;
    /** Backlog reserve bytes of all links together: 16 MiB (sixteen links using their whole reserve at once). */
    static final long BACKLOG_RESERVE_TOTAL_BYTES = 16L << 20;
    /** Backlog reserve packets of all links together. */
    static final int BACKLOG_RESERVE_TOTAL_PACKETS = 16384;
    /** Backlog bytes of all links together: 128 MiB. */
    static final long BACKLOG_TOTAL_BYTES = 128L << 20;
    /** Backlog packets of all links together. */
    static final int BACKLOG_TOTAL_PACKETS = 262144;

    private final HoldBudget parent;
    /** Bounds: bytes and count. */
    long maxBytes;
    int maxCount;
    /** What this budget holds without charging its parent (a reserve outside the shared total). */
    private final long reserveBytes;
    private final int reserveCount;
    /** The node-wide bound the reserves of all budgets draw on, or null (reserve unbounded in total: tests only). */
    private final HoldBudget reservePool;
    private long bytes;
    private int count;
    /**
     * What {@link #forceOver} put here past the bounds and is not given back yet ({@code over*}), and what was held
     * ahead of it when it began ({@code ahead*}, given back first: a FIFO queue's older packets). {@link #take} and
     * {@link #fits} add {@code over*} to the bounds.
     */
    private long overBytes, aheadBytes;
    private int overCount, aheadCount;
    /** See {@link #overGives()}. */
    private long overGives;

    /** @param parent the node-wide total this budget also charges, or null for a total itself */
    HoldBudget(long maxBytes, int maxCount, HoldBudget parent) {
        this(maxBytes, maxCount, parent, 0, 0);
    }

    /**
     * @param parent       the node-wide total this budget also charges, or null for a total itself
     * @param reserveBytes bytes held without charging {@code parent}: taken first, while the reserve pool (if any)
     *                     has room for them, else charged to the parent like the rest; given back last
     * @param reserveCount likewise, of the count
     */
    HoldBudget(long maxBytes, int maxCount, HoldBudget parent, long reserveBytes, int reserveCount) {
        this(maxBytes, maxCount, parent, reserveBytes, reserveCount, null);
    }

    /**
     * @param reservePool the node-wide bound what is held within the reserve is charged to (e.g. {@link
     *                    Net#deferredReserve}), or null
     */
    HoldBudget(long maxBytes, int maxCount, HoldBudget parent, long reserveBytes, int reserveCount,
               HoldBudget reservePool) {
        this.maxBytes = maxBytes;
        this.maxCount = maxCount;
        this.parent = parent;
        this.reserveBytes = reserveBytes;
        this.reserveCount = reserveCount;
        this.reservePool = reservePool;
    }

    /**
     * What this budget holds within its reserve: charged to the reserve pool (or to nothing without one), never to the
     * parent; at most the reserve. The rest ({@code bytes - poolBytes}) is charged to the parent.
     */
    private long poolBytes;
    private int poolCount;

    /**
     * A link's backlog budget ({@link #BACKLOG_LINK_BYTES}, {@link #BACKLOG_LINK_PACKETS}) charging {@code total} beyond
     * its reserve ({@link #BACKLOG_LINK_RESERVE_BYTES}), which {@code reservePool} bounds for all links.
     */
    static HoldBudget backlogOfLink(HoldBudget total, HoldBudget reservePool) {
        return new HoldBudget(BACKLOG_LINK_BYTES, BACKLOG_LINK_PACKETS, total, BACKLOG_LINK_RESERVE_BYTES,
            BACKLOG_LINK_RESERVE_PACKETS, reservePool);
    }

    /**
     * Sets a link's backlog bounds for its current limits: {@link #BACKLOG_LINK_BYTES} and
     * {@link #BACKLOG_LINK_PACKETS}, or twice the sum of the per-importance packet limits (× the MTU for bytes) when
     * that is more, so that a sender within the kernel's limits never meets the byte bound.
     */
    void backlogLimits(int[] limits, int mtu) {
        long sum = 0;
        for (int l : limits) sum += l;
        maxBytes = Math.max(BACKLOG_LINK_BYTES, 2 * sum * mtu);
        maxCount = (int) Math.max(BACKLOG_LINK_PACKETS, 2 * sum);
    }

    /** "B bytes in N (link), B bytes in N (node total)": what is held, for log lines. */
    String describe() {
        return bytes + " bytes in " + count + (parent == null ? "" : " (link), " + parent.describe() + " (node total)");
    }

    /** Bytes held now. */
    long bytes() { return bytes; }

    /** Count (packets or messages) held now. */
    int count() { return count; }

    /**
     * Takes {@code n} bytes and {@code c} more items if both this budget and its parent have room for them (the
     * parent is charged only for what goes beyond this budget's reserve, or also for the reserve's part when the
     * reserve pool is full).
     *
     * @return false (nothing taken) if either would be exceeded
     */
    boolean take(long n, int c) {
        if (bytes + n > maxBytes + overBytes || count + c > maxCount + overCount) return false;
        long rn = reserveBytesFor(n, c);
        int rc = rn < 0 ? 0 : reserveCountFor(c);
        if (rn < 0) rn = 0;
        if (parent != null && !parent.take(n - rn, c - rc)) return false;
        if (reservePool != null && !reservePool.take(rn, rc)) { // it fits (reserveBytesFor): cannot fail
            if (parent != null) parent.give(n - rn, c - rc);
            return false;
        }
        poolBytes += rn;
        poolCount += rc;
        bytes += n;
        count += c;
        return true;
    }

    /**
     * The bytes of {@code n} more (with {@code c} more items) that go into the reserve: what is left of it, or -1 if
     * the reserve pool has no room for that part, which then goes to the parent with the rest (a full pool never
     * refuses what the parent has room for: 16 links with a full reserve must not reset the 17th).
     */
    private long reserveBytesFor(long n, int c) {
        long rn = Math.min(n, Math.max(0, reserveBytes - poolBytes));
        int rc = reserveCountFor(c);
        if (reservePool != null && (rn > 0 || rc > 0) && !reservePool.fits(rn, rc)) return -1;
        return rn;
    }

    /** The items of {@code c} more that go into the reserve: what is left of it. */
    private int reserveCountFor(int c) {
        return Math.min(c, Math.max(0, reserveCount - poolCount));
    }

    /**
     * Takes {@code n} bytes and {@code c} items here and in the parent whatever the bounds: for what the node itself
     * creates and must not lose (a group member event), so that {@link #give} stays symmetric (what the parent holds
     * is given back first). The reserve pool is not charged.
     */
    void force(long n, int c) {
        if (parent != null) parent.force(n, c);
        bytes += n;
        count += c;
    }

    /**
     * Takes {@code n} bytes and {@code c} items whatever the bounds, and widens the bounds by as much until they are
     * given back (after what was held before): for the packets of a failover tunnel, which link.c
     * tipc_link_tnl_prepare queues on the tunnel link whatever its backlog holds. They only move what the failed link
     * held under its own bounds (its send window and backlog), so this stays bounded, and the messages queued behind
     * them still meet this link's usual bounds instead of overflowing it. Here and in the parent (widened too), never
     * in the reserve pool.
     */
    void forceOver(long n, int c) {
        if (overBytes == 0 && overCount == 0) {
            aheadBytes = bytes;
            aheadCount = count;
        }
        if (parent != null) parent.forceOver(n, c);
        bytes += n;
        count += c;
        overBytes += n;
        overCount += c;
    }

    /** Whether {@link #take}{@code (n, c)} would succeed now (nothing is taken). */
    boolean fits(long n, int c) {
        if (bytes + n > maxBytes + overBytes || count + c > maxCount + overCount) return false;
        long rn = reserveBytesFor(n, c);
        int rc = rn < 0 ? 0 : reserveCountFor(c);
        if (rn < 0) rn = 0;
        return parent == null || parent.fits(n - rn, c - rc);
    }

    /**
     * Gives back {@code n} bytes and {@code c} items taken earlier: what the parent holds first, then the reserve's
     * part (so the reserve is what is held last).
     */
    void give(long n, int c) {
        release(n, c, false);
    }

    /**
     * Gives back {@code n} bytes of the packet at the queue's tail, adjusted in place (a bundle that took less than
     * was taken for it): neither ahead of a forced part nor forced itself, so the widened bounds stay as they are.
     */
    void giveTail(long n) {
        release(n, 0, true);
    }

    private void release(long n, int c, boolean tail) {
        if (n > bytes || c > count || n < 0 || c < 0) {
            // no caller does this; were one to, the bounds would widen by what went below zero: give what is held
            overGives++;
            n = Math.max(0, Math.min(n, bytes));
            c = Math.max(0, Math.min(c, count));
        }
        long pn = Math.min(n, bytes - poolBytes);
        int pc = Math.min(c, count - poolCount);
        long rn = n - pn;
        int rc = c - pc;
        bytes -= n;
        count -= c;
        poolBytes -= rn;
        poolCount -= rc;
        if (tail) {
            overBytes = Math.min(overBytes, bytes);
        } else if (overBytes > 0 || overCount > 0) { // what was held ahead of the forced part leaves first
            long ab = Math.min(aheadBytes, n);
            int ac = Math.min(aheadCount, c);
            aheadBytes -= ab;
            aheadCount -= ac;
            overBytes = Math.max(0, Math.min(overBytes - (n - ab), bytes));
            overCount = Math.max(0, Math.min(overCount - (c - ac), count));
        }
        // the parent is told whether this was a tail adjustment, not left to guess from the count: a link whose
        // packets all sit in its reserve gives the total bytes without a count
        if (parent != null) parent.release(pn, pc, tail);
        if (reservePool != null) reservePool.release(rn, rc, tail);
    }

    /** Gives that asked to give back more than was held (or a negative amount), clamped to what was held; 0 expected. */
    long overGives() { return overGives; }

    /** Gives back everything this budget holds. */
    void giveAll() {
        give(bytes, count);
    }

    /**
     * Budgets per peer node under one node-wide total, for what is held outside the links (the group sockets'
     * deferred messages, {@link Group}): a node's budget exists only while it holds something, so the map never
     * outgrows the nodes that have messages held. Not thread safe (core thread only).
     */
    static final class PerNode {
        private final HoldBudget total;
        private final long nodeBytes;
        private final int nodeCount;
        private final java.util.HashMap<Integer, HoldBudget> byNode = new java.util.HashMap<>();

        PerNode(long nodeBytes, int nodeCount, long totalBytes, int totalCount) {
            this.total = new HoldBudget(totalBytes, totalCount, null);
            this.nodeBytes = nodeBytes;
            this.nodeCount = nodeCount;
        }

        /** Takes {@code n} bytes and one item for {@code node}; false (nothing taken) over its or the total bound. */
        boolean take(int node, long n) {
            HoldBudget b = byNode.get(node);
            if (b == null) b = new HoldBudget(nodeBytes, nodeCount, total);
            if (!b.take(n, 1)) return false;
            byNode.putIfAbsent(node, b);
            return true;
        }

        /** Takes {@code n} bytes and one item for {@code node} whatever the bounds ({@link HoldBudget#force}). */
        void force(int node, long n) {
            byNode.computeIfAbsent(node, k -> new HoldBudget(nodeBytes, nodeCount, total)).force(n, 1);
        }

        /** Gives back {@code n} bytes and {@code c} items taken for {@code node}. */
        void give(int node, long n, int c) {
            HoldBudget b = byNode.get(node);
            if (b == null) return;
            b.give(n, c);
            if (b.count() == 0) byNode.remove(node);
        }

        /** What {@code node} and all nodes hold, for log lines. */
        String describe(int node) {
            HoldBudget b = byNode.get(node);
            return (b == null ? "0 bytes in 0" : b.bytes() + " bytes in " + b.count()) + " (node), " + total.bytes()
                + " bytes in " + total.count() + " (all nodes)";
        }

        /** Bytes held for all nodes. */
        long bytes() { return total.bytes(); }

        /** Items held for all nodes. */
        int count() { return total.count(); }
    }
}
