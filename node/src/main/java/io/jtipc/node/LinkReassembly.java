package io.jtipc.node;

import java.util.Iterator;
import java.util.NoSuchElementException;

import io.jtipc.wire.FragmentAssembler;
import io.jtipc.wire.Malformation;
import io.jtipc.wire.ReassemblySpares;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * A link's fragment reassembly ({@code l->reasm_buf}, msg.c {@code tipc_buf_append}) with its memory charged to a
 * per-link and a node-wide budget ({@link HoldBudget#REASM_LINK_BYTES}, {@link HoldBudget#REASM_TOTAL_BYTES}). The
 * bytes charged are the reassembly buffer's size. A fragment that would take the link's own budget past its bound fails
 * the reassembly like any other reassembly error: the buffer is freed and the caller resets the link (link.c
 * tipc_link_input: "Unable to build fragment list", LINK_FAILURE_EVT). A fragment for which only the node-wide total
 * has no room is not this peer's fault: the link asks {@link #roomFor} before it accepts an in-sequence fragment and,
 * if refused, treats the packet as not received (rcv_nxt not advanced, not acked), so the sender retransmits it once
 * other links have freed their buffers; a refused fragment taken from the deferred queue after it was reported in a
 * gap-ACK block (the sender may have released it) resets a unicast link and is dropped with its message on the
 * broadcast link. The kernel has no node-wide bound, so it never refuses.
 */
final class LinkReassembly {
    private final FragmentAssembler<LinkReassembly> asm;

    /**
     * Bytes of reassembly arrays kept for reuse by all links of a node together ({@link Net#reasmSpares}): 1 MiB,
     * fifteen 66 060-byte arrays (a message sized at its first fragment leaves its one array once read; one whose first
     * fragment was too small to size it, FragmentAssembler.PLAUSIBLE_SHARE, leaves its doubling steps too, ~128 KiB
     * from 2 KiB to 66 060 B), so every link of a few busy peers finds its size again. Outside {@link
     * HoldBudget#REASM_TOTAL_BYTES}, but bounded once per node whatever the number of links or peers. jtipc's rule
     * (issue 14): the kernel keeps no arrays, it chains the fragments' buffers (msg.c tipc_buf_append).
     */
    static final long SPARE_TOTAL_BYTES = 1L << 20;
    /** Reassembly arrays kept for reuse by all links of a node together, count: 32. */
    static final int SPARE_TOTAL_ARRAYS = 32;
    private final HoldBudget budget;
    /** Bytes and messages currently charged to {@link #budget}. */
    private long charged;
    /** Reassembly errors (each reset the link), since the link was created. */
    long errors;
    /** In-sequence fragments refused because the node-wide total had no room ({@link #roomFor}), since creation. */
    long refused;
    /** What the last error was. */
    String lastError = "";

    /** The node's reassemblies holding a buffer ({@link Net#reasmActive}), for eviction; null: none evicted. */
    private final Active active;
    /** Neighbours in {@link #active} (older, newer progress); {@code inActive}: whether this is in it. */
    private LinkReassembly prev, next;
    private boolean inActive;

    /**
     * A node's reassemblies holding a buffer, oldest progress first: an intrusive doubly linked list (the links are
     * fields of {@link LinkReassembly}), so joining, leaving and moving to the newest end cost O(1) and allocate
     * nothing, per fragment (issue 14: no allocation per message on the data path). Not thread-safe: the core's.
     */
    static final class Active implements Iterable<LinkReassembly> {
        private LinkReassembly head, tail;
        private int size;

        /** Appends {@code r} at the newest end, or moves it there if in the list. */
        void touch(LinkReassembly r) {
            if (r.inActive) {
                if (tail == r) return;
                unlink(r);
            }
            r.prev = tail;
            r.next = null;
            if (tail != null) tail.next = r;
            else head = r;
            tail = r;
            r.inActive = true;
            size++;
        }

        /** Takes {@code r} out of the list if it is in it. */
        void remove(LinkReassembly r) {
            if (r.inActive) unlink(r);
        }

        private void unlink(LinkReassembly r) {
            if (r.prev != null) r.prev.next = r.next;
            else head = r.next;
            if (r.next != null) r.next.prev = r.prev;
            else tail = r.prev;
            r.prev = r.next = null;
            r.inActive = false;
            size--;
        }

        /** The reassembly with the oldest progress, or null if none. */
        LinkReassembly oldest() { return head; }

        /** Number of reassemblies in the list. */
        int size() { return size; }

        /** Oldest progress first (for tests and inspection; the data path walks {@link #oldest} and the links). */
        @Override
        public Iterator<LinkReassembly> iterator() {
            return new Iterator<>() {
                private LinkReassembly at = head;

                @Override
                public boolean hasNext() { return at != null; }

                @Override
                public LinkReassembly next() {
                    if (at == null) throw new NoSuchElementException();
                    LinkReassembly r = at;
                    at = r.next;
                    return r;
                }
            };
        }
    }
    /** Time (ms) this link's reassembly last took a fragment. */
    private long progress;

    /**
     * A reassembly without progress for this long (ms) may be evicted when an in-sequence fragment of another link
     * finds the node-wide total full: 1 s, under the default link tolerance (1.5 s, link.c), so that a link whose
     * fragment was refused gets room before its sender gives up retransmitting it. jtipc's rule (no kernel bound).
     */
    static final long STALL_EVICT_MS = 1000;

    /** @param total the node-wide reassembly budget ({@link Net#reasmTotal}) */
    LinkReassembly(HoldBudget total) {
        this(total, null);
    }

    /**
     * @param total  the node-wide reassembly budget ({@link Net#reasmTotal})
     * @param active the node's reassemblies holding a buffer ({@link Net#reasmActive}), shared by all links
     */
    LinkReassembly(HoldBudget total, Active active) {
        this(total, active, new ReassemblySpares(0, 0));
    }

    /**
     * @param total  the node-wide reassembly budget ({@link Net#reasmTotal})
     * @param active the node's reassemblies holding a buffer ({@link Net#reasmActive}), or null
     * @param spares the node's arrays kept for reuse ({@link Net#reasmSpares}), shared by all links
     */
    LinkReassembly(HoldBudget total, Active active, ReassemblySpares spares) {
        this.asm = new FragmentAssembler<>(1, spares);
        this.budget = new HoldBudget(HoldBudget.REASM_LINK_BYTES, HoldBudget.REASM_LINK_MESSAGES, total);
        this.active = active;
    }

    /**
     * Appends one MSG_FRAGMENTER message (whole, header included).
     *
     * @return the whole message when this fragment completed it, else null; check {@link #failed} after a null
     */
    byte[] append(byte[] buf, int off, int len) {
        failed = false;
        FragmentAssembler.Result r = asm.append(this, buf, off, len);
        if (r.status() == FragmentAssembler.Status.ERROR) {
            fail(describe(r.malformation()));
            return null;
        }
        long held = asm.pendingBytes();
        if (held > charged) {
            if (!budget.take(held - charged, charged == 0 ? 1 : 0)) {
                fail("reassembly budget full (" + (held > budget.maxBytes ? "link: " + budget.maxBytes
                    : "node total: " + HoldBudget.REASM_TOTAL_BYTES) + " bytes)");
                return null;
            }
            if (charged == 0 && active != null) active.touch(this);
            charged = held;
        } else if (held < charged) {
            budget.give(charged - held, held == 0 ? 1 : 0);
            charged = held;
            if (held == 0 && active != null) active.remove(this);
        }
        return r.status() == FragmentAssembler.Status.COMPLETE ? r.message() : null;
    }

    /**
     * Whether the node-wide total has room for what appending this in-sequence packet adds to the reassembly buffer:
     * exactly what the assembler will allocate (a FIRST_FRAGMENT: {@link FragmentAssembler#firstCapacity}; a later
     * fragment: {@link FragmentAssembler#growthFor}, 0 while the array has room, as it has throughout a message sized
     * at its first fragment). True
     * for anything but a MSG_FRAGMENTER packet, for a fragment the assembler will reject anyway (FRAGMENT without
     * FIRST_FRAGMENT, FIRST_FRAGMENT during a reassembly) and when the link's own bound is what would be exceeded:
     * {@link #append} then fails it and the link is reset, a real reassembly error. When only the node total is
     * full, the reassemblies of other links stalled for {@link #STALL_EVICT_MS} or more are evicted, the longest
     * stalled first, until there is room (an evicted link's next fragment finds no FIRST_FRAGMENT: a reassembly error
     * that resets that link, as the kernel would on a lost buffer). False (counted in {@link #refused}) if there is
     * still no room: the caller treats the packet as not received.
     *
     * @param now the time in ms
     */
    boolean roomFor(TipcMsg h, long now) {
        boolean ok = makeRoom(h, now);
        if (!ok) refused++;
        return ok;
    }

    /**
     * {@link #roomFor} without counting a refusal: for a packet that is taken whatever the answer (a failed link's
     * packet from the tunnel, acknowledged already), whose append then fails if there is no room.
     */
    boolean makeRoom(TipcMsg h, long now) {
        boolean ok = roomFor(h);
        while (!ok && evictStalled(now)) ok = roomFor(h);
        if (ok) {
            progress = now;
            // the node's list stays in progress order (oldest first): this one moves to the newest end
            if (charged > 0 && active != null) active.touch(this);
        }
        return ok;
    }

    /**
     * Evicts the other reassembly that has taken no fragment for longest, if for {@link #STALL_EVICT_MS} or more:
     * the first of the node's list other than this one, as the list is kept in progress order (a reassembly joins it
     * at the newest end when it takes its first fragment and moves there at each later one), so the search costs O(1)
     * whatever the number of reassemblies in progress.
     */
    private boolean evictStalled(long now) {
        return evictStalled(active, this, now);
    }

    /**
     * {@link #evictStalled(long)} for a reassembly outside {@code active} as well ({@code self} null: a tunnelled FAILOVER
     * message's, {@link LinkTunnel#roomFor}).
     */
    static boolean evictStalled(Active active, LinkReassembly self, long now) {
        if (active == null) return false;
        LinkReassembly r = active.oldest();
        if (r != null && r == self) r = r.next;
        if (r == null || now - r.progress < STALL_EVICT_MS) return false;
        r.reset();
        r.evicted++;
        return true;
    }

    /** Reassemblies dropped to make room for another link's ({@link #roomFor}), since the link was created. */
    long evicted;

    private boolean roomFor(TipcMsg h) {
        if (h.user() != Tipc.MSG_FRAGMENTER || (charged == 0) != (h.type() == Tipc.FIRST_FRAGMENT)) return true;
        long extra;
        if (charged == 0) {
            extra = FragmentAssembler.firstCapacity(h);
        } else {
            extra = asm.growthFor(this, Math.max(0, h.dataSize()));
            if (extra < 0) return true; // past MAX_MSG_SIZE: append fails it (a reassembly error, the link resets)
        }
        int c = charged == 0 ? 1 : 0;
        if (budget.bytes() + extra > budget.maxBytes || budget.count() + c > budget.maxCount) return true;
        return budget.fits(extra, c);
    }

    /** The last {@link #append} failed: state freed, the link is to be reset. */
    boolean failed;

    private void fail(String why) {
        asm.reset(this);
        release();
        errors++;
        lastError = why;
        failed = true;
    }

    private void release() {
        if (charged > 0) budget.give(charged, 1);
        charged = 0;
        if (active != null) active.remove(this);
    }

    /** Drops the message in reassembly (link reset). */
    void reset() {
        asm.reset(this);
        release();
    }

    /** Bytes held in reassembly. */
    long bytes() { return charged; }

    static String describe(Malformation m) {
        return m.field() + ": " + m.reason();
    }
}
