package io.jtipc.node;

import java.util.ArrayDeque;

/**
 * Recycled packet buffers of one node core (issue 14: no allocation per message on the data path). The kernel
 * allocates an skb per packet and frees it when the link's transmit queue releases it ({@code tipc_link_advance_transmq}
 * → {@code kfree_skb}); jtipc takes the {@link Pkt} and its array from here and gives them back at the same point, so
 * a steady stream of messages reuses the same few arrays instead of producing garbage.
 *
 * <p>Arrays come in power-of-two size classes from {@link #MIN_CLASS_BYTES} to {@link #MAX_CLASS_BYTES}; an array of
 * any other length (or a larger one) is never pooled. What is kept idle is bounded per node core: at most
 * {@link #MAX_IDLE_BYTES} bytes and {@link #MAX_IDLE_PER_CLASS} arrays per class; beyond that a released array is left to the garbage collector. The kernel keeps no such free list (its slab
 * allocator plays the part).
 *
 * <p>Ownership rule: only the holder of a packet gives it back, once nothing refers to it any more: the link when a
 * packet leaves its transmit queue acknowledged, when a bundle outgrows its array, or when it refuses a packet built
 * for it ({@link #take}: a fragment). A packet given back has
 * {@code buf == null} until it is handed out again (a stale reference fails fast in between). {@link Pkt} objects are
 * recycled too ({@link #MAX_IDLE_PKTS}), every field reset: the link gives a packet back only after removing it from
 * its transmit queue, and the bundle target and retransmission state refer only to queued packets. Frames handed to the
 * {@link Outbox} are valid for the call only (its contract), so recycling after the acknowledgement is safe.
 * Single-threaded, like every core class.
 */
final class PktPool {
    /** Smallest size class, bytes (2^7: a 64-byte message with its 24-40 byte header fits). */
    static final int MIN_CLASS_BYTES = 128;
    /** Largest size class, bytes (2^17: a whole 66 000-byte message with any header; a UDP bearer's MSS is below it). */
    static final int MAX_CLASS_BYTES = 1 << 17;
    /** Idle bytes kept per node core at most, in all classes together (default 8 MiB). */
    static final long MAX_IDLE_BYTES = 8L << 20;
    /** Idle arrays kept per size class at most (default 8 192: a full link window of the largest kernel window). */
    static final int MAX_IDLE_PER_CLASS = 8192;

    /** Idle {@link Pkt} objects kept per node core at most (default 8 192, about 400 KiB: a full link window). */
    static final int MAX_IDLE_PKTS = 8192;

    private static final int MIN_SHIFT = 7;
    private final ArrayDeque<Pkt> idlePkts = new ArrayDeque<>();
    private static final int CLASSES = 17 - MIN_SHIFT + 1;

    @SuppressWarnings("unchecked")
    private final ArrayDeque<byte[]>[] idle = new ArrayDeque[CLASSES];
    private long idleBytes;
    /** Arrays handed out from the pool ({@link #reused}) or newly allocated ({@link #allocated}), count. */
    long reused, allocated;

    PktPool() {
        for (int i = 0; i < CLASSES; i++) idle[i] = new ArrayDeque<>();
    }

    /** The size class (array length) for {@code len} bytes: the next power of two, at least {@link #MIN_CLASS_BYTES}. */
    static int classBytes(int len) {
        if (len <= MIN_CLASS_BYTES) return MIN_CLASS_BYTES;
        return Integer.highestOneBit(len - 1) << 1;
    }

    /** Length of the array {@link #buffer}{@code (len)} returns: what a held packet of {@code len} bytes costs. */
    static int capacity(int len) {
        return len > MAX_CLASS_BYTES ? len : classBytes(len);
    }

    private static int classIndex(int bytes) {
        return Integer.numberOfTrailingZeros(bytes) - MIN_SHIFT;
    }

    /**
     * An array of at least {@code len} bytes: of length {@link #classBytes}{@code (len)} up to
     * {@link #MAX_CLASS_BYTES}, else exactly {@code len} (not pooled). Its content is undefined.
     */
    byte[] buffer(int len) {
        if (len > MAX_CLASS_BYTES) {
            allocated++;
            return new byte[len];
        }
        int cb = classBytes(len);
        byte[] b = idle[classIndex(cb)].pollLast();
        if (b == null) {
            allocated++;
            return new byte[cb];
        }
        idleBytes -= cb;
        reused++;
        return b;
    }

    /** Gives an array back; kept if it has a class length and the bounds allow, else left to the GC. */
    void giveBuffer(byte[] b) {
        if (b == null) return;
        int n = b.length;
        if (n < MIN_CLASS_BYTES || n > MAX_CLASS_BYTES || Integer.bitCount(n) != 1) return;
        ArrayDeque<byte[]> q = idle[classIndex(n)];
        if (q.size() >= MAX_IDLE_PER_CLASS || idleBytes + n > MAX_IDLE_BYTES) return;
        q.addLast(b);
        idleBytes += n;
    }

    /**
     * A packet holding a copy of {@code src[off, off + len)} in a pooled array: a recycled {@link Pkt} (issue 14: none
     * allocated per packet in steady state) with every field (retransmission state, broadcast {@code ackers}) reset.
     */
    Pkt copyOf(byte[] src, int off, int len) {
        Pkt p = take(len);
        System.arraycopy(src, off, p.buf, 0, len);
        return p;
    }

    /**
     * A packet of {@code len} bytes in a pooled array whose content is undefined, for the caller to fill (a fragment
     * built straight into it: one copy less than building it elsewhere and {@link #copyOf copying} it); every other
     * field reset as by {@link #copyOf}.
     */
    Pkt take(int len) {
        byte[] b = buffer(len);
        Pkt p = idlePkts.pollLast();
        if (p == null) return new Pkt(b, len);
        p.buf = b;
        p.len = len;
        p.nxtRetr = 0;
        p.retrCnt = 0;
        p.retrStamp = 0;
        p.ackers = 0;
        p.owed = null;
        return p;
    }

    /**
     * Gives back a packet and its array; the caller must hold no reference to it any more ({@code buf} is null until
     * {@link #take} or {@link #copyOf} hands the object out again).
     */
    void give(Pkt p) {
        giveBuffer(p.buf);
        p.buf = null;
        p.len = 0;
        if (idlePkts.size() < MAX_IDLE_PKTS) idlePkts.addLast(p);
    }

    /**
     * Releases the acknowledged prefix of a unicast transmit queue: every packet up to {@code acked} (16-bit seqno) from
     * the head, given back; what {@code Link.advanceTransmq} does for a plain ACK (no gap, no gap-ACK blocks) without an
     * iterator (issue 14).
     *
     * @return the packets released
     */
    int releaseAcked(ArrayDeque<Pkt> transmq, int acked) {
        int n = 0;
        for (Pkt p; (p = transmq.peekFirst()) != null && io.jtipc.wire.Seqno.lessEq(p.seqno(), acked); n++) {
            give(transmq.pollFirst());
        }
        return n;
    }

    /** Idle {@link Pkt} objects held, for tests and diagnostics. */
    int idlePackets() {
        return idlePkts.size();
    }

    /** Idle bytes held, for tests and diagnostics. */
    long idleBytes() {
        return idleBytes;
    }
}
