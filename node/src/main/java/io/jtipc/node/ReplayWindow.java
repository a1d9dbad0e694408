package io.jtipc.node;

/**
 * Rejection of replayed or duplicated encrypted frames: a sliding window over the 64-bit sequence numbers of the
 * encryption header (struct tipc_ehdr w1-w2), one per peer, key slot and stream. Linux 6.1 has no such check
 * (crypto.c decrypts whatever authenticates); jtipc adds it as IPsec does (RFC 4303 §3.4.3): a frame is accepted
 * once, if newer than the newest seen or within {@link #SIZE} below it and not seen yet. Checked only after the
 * tag verified, so a forged seqno cannot move the window.
 */
final class ReplayWindow {
    /** Window width: how far behind the newest a frame may arrive out of order, in sequence numbers. */
    static final int SIZE = 1024;

    private final long[] bits = new long[SIZE / 64];
    /** Newest sequence number accepted, 0 = none yet (the kernel's seqnos start at 1). */
    long newest;

    /**
     * Accepts {@code seqno} (unsigned 64-bit) if it is fresh and records it.
     *
     * @return true if fresh, false for a replay, a duplicate, or a frame older than the window
     */
    boolean accept(long seqno) {
        if (Long.compareUnsigned(seqno, newest) > 0) {
            long shift = seqno - newest;
            if (newest == 0 || Long.compareUnsigned(shift, SIZE) >= 0) {
                java.util.Arrays.fill(bits, 0);
            } else {
                for (long s = newest + 1; s != seqno; s++) clear(s);
            }
            newest = seqno;
            set(seqno);
            return true;
        }
        if (Long.compareUnsigned(newest - seqno, SIZE) >= 0) return false;
        if (isSet(seqno)) return false;
        set(seqno);
        return true;
    }

    /** Whether {@code seqno} lies below the window (older than {@link #SIZE} behind the newest). */
    boolean belowWindow(long seqno) {
        return Long.compareUnsigned(seqno, newest) <= 0 && Long.compareUnsigned(newest - seqno, SIZE) >= 0;
    }

    /** Forgets everything (the sender's counter restarted). */
    void reset() {
        newest = 0;
        java.util.Arrays.fill(bits, 0);
    }

    private int idx(long s) { return (int) ((s & (SIZE - 1)) >>> 6); }
    private long bit(long s) { return 1L << (s & 63); }
    private boolean isSet(long s) { return (bits[idx(s)] & bit(s)) != 0; }
    private void set(long s) { bits[idx(s)] |= bit(s); }
    private void clear(long s) { bits[idx(s)] &= ~bit(s); }
}
