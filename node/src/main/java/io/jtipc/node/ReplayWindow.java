package io.jtipc.node;

import io.jtipc.wire.Tipc;

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
     * jtipc's replay check of a frame authenticated by key slot {@code k} of RX context {@code r} (D bit
     * {@code destined}). Counters restart legitimately in two cases, accepted on evidence a replay cannot carry: a
     * discovery frame far below the window from a new incarnation of the peer ({@code newIncarnation}: it rebooted,
     * with a new node signature, and its key counter starts at 1 again) resets that slot's windows; the first destined
     * frame of a per-node key at or below the newest after the RX active key we report to the peer changed
     * ({@link Crypto#restartExpected}: the kernel then restarts its per-peer counter, crypto.c tipc_crypto_key_synch)
     * resets that window, once per change.
     *
     * @return true if the frame is fresh (recorded), false for a replay, a duplicate or one older than the window
     */
    static boolean fresh(Crypto r, int k, boolean destined, boolean newIncarnation, long seqno, Aead a) {
        ReplayWindow w = r.window(k, destined);
        if (newIncarnation && w.belowWindow(seqno)) {
            r.window(k, false).reset();
            r.window(k, true).reset();
        } else if (destined && a.mode == Tipc.PER_NODE_KEY && r.restartExpected
                && Long.compareUnsigned(seqno, w.newest) <= 0) {
            r.restartExpected = false;
            w.reset();
        }
        boolean ok = w.accept(seqno);
        if (ok && destined && seqno == 1) r.restartExpected = false; // the count (re)started from 1: seen, done
        return ok;
    }

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
