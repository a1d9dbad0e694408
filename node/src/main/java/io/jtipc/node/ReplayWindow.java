package io.jtipc.node;

import io.jtipc.wire.Tipc;

/**
 * Rejection of replayed or duplicated encrypted frames: a sliding window over the 64-bit sequence numbers of the
 * encryption header (struct tipc_ehdr w1-w2), one per peer, key slot and stream. Linux 6.1 has no such check
 * (crypto.c decrypts whatever authenticates); jtipc adds it as IPsec does (RFC 4303 §3.4.3): a frame is accepted
 * once, if newer than the newest seen or within {@link #SIZE} below it and not seen yet. Checked only after the
 * tag verified, so a forged seqno cannot move the window.
 *
 * <p>Limit: a sender whose count starts again under the same key (a kernel peer resets its per-peer counter, crypto.c
 * tipc_crypto_key_synch, and so reuses sequence numbers and IVs) makes old frames valid again for the new count: after
 * a {@link #restart()}, an old frame whose seqno the new count has not reached yet cannot be told from the new count's
 * frame of that number. It can be accepted once, and one far above the new count moves the window there (the sender's
 * next frames are then refused until its count catches up). Frames near the old count's newest are checked against the
 * old window; any other jump is taken as the new count's, so that a loss right after a restart does not stall it.
 */
final class ReplayWindow {
    /**
     * Window width: how far behind the newest a frame may arrive out of order, in sequence numbers (a power of two).
     * Wide because a kernel sender may reorder its own frames by more than a link window: it numbers a frame when it
     * encrypts it, and a frame whose encryption went asynchronous (cryptd, when SIMD is not usable in softirq) leaves
     * after later ones encrypted in place; in cluster-key mode one count serves every destination. 4096 bits = 512 B.
     */
    static final int SIZE = 4096;

    private final long[] bits = new long[SIZE / 64];
    /** Newest sequence number accepted, 0 = none yet (the kernel's seqnos start at 1). */
    long newest;
    /** The window of the sender's previous count after a {@link #restart()}, while frames of it may still come. */
    private ReplayWindow prev;

    /**
     * jtipc's replay check of a frame authenticated by key slot {@code k} of RX context {@code r} (D bit
     * {@code destined}). A sender's count starts again legitimately; a window starts again only on evidence (the last
     * case below is one a replay can use, once per period):
     * <ul>
     *   <li>a discovery frame of a new incarnation of the peer ({@code newIncarnation}: a node signature, w1 bits 15-0,
     *       that is not the node's and was never seen from this peer) at or below the newest: it rebooted and its key
     *       counter starts at 1 again; both windows of the slot start afresh;</li>
     *   <li>a destined per-node-key frame at or below the newest after the RX active key we report to the peer changed
     *       ({@link Crypto#restartExpected}: the kernel then restarts its per-peer counter, crypto.c
     *       tipc_crypto_key_synch), or once the peer has had no link up for nearly as long as the kernel keeps a
     *       lost node ({@code peerGone}, once per such period, {@link NodeCrypto#PEER_GONE_MARGIN}: its side may have
     *       deleted its node, node.c NODE_CLEANUP_AFTER, and made it again with a new counter,
     *       tipc_crypto_key_flush). The window starts again keeping the old one for frames of the old count still in
     *       flight ({@link #restart()}). Only for a seqno below {@link #SIZE}: a restarted count begins at 1, and a
     *       replayed frame of the old count far above that would otherwise become the new window's newest and refuse
     *       the real new count until it caught up.</li>
     * </ul>
     * The last case is replayable: a replayed frame then restarts the window once, as the fresh windows made when we
     * delete the node ourselves (a little later) would accept it too; a peer down for a short while gives no opening.
     *
     * @return true if the frame is fresh (recorded), false for a replay, a duplicate or one older than the window
     */
    static boolean fresh(Crypto r, int k, boolean destined, boolean newIncarnation, boolean peerGone, long seqno,
                         Aead a) {
        ReplayWindow w = r.window(k, destined);
        boolean atOrBelow = Long.compareUnsigned(seqno, w.newest) <= 0;
        if (newIncarnation && atOrBelow) {
            r.window(k, false).reset();
            r.window(k, true).reset();
        } else if (destined && a.mode == Tipc.PER_NODE_KEY && atOrBelow && Long.compareUnsigned(seqno, SIZE) < 0
                && (r.restartExpected || (peerGone && !r.downRestartUsed))) {
            r.restartExpected = false;
            if (peerGone) r.downRestartUsed = true;
            w.restart();
        }
        if (!peerGone) r.downRestartUsed = false;
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
        if (prev != null) {
            // after a restart: a frame far above the new count and within SIZE of the old count's newest is one of the
            // old count still in flight; one far from both is the new count's (after a loss): the new window takes it
            if (Long.compareUnsigned(newest, 2L * SIZE) > 0) prev = null;
            else if (Long.compareUnsigned(seqno, newest + SIZE) > 0 && near(seqno, prev.newest)) return prev.accept(seqno);
        }
        if (Long.compareUnsigned(seqno, newest) > 0) {
            long shift = seqno - newest;
            if (newest == 0 || Long.compareUnsigned(shift, SIZE) >= 0) {
                java.util.Arrays.fill(bits, 0);
            } else {
                clearRange(newest + 1, shift - 1);
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

    /** Forgets everything (the sender rebooted). */
    void reset() {
        newest = 0;
        prev = null;
        java.util.Arrays.fill(bits, 0);
    }

    /**
     * The sender's count starts again: the window starts afresh, and the old one is kept for frames of the old count
     * still in flight (on another bearer, say): a frame more than {@link #SIZE} above the new newest and less than
     * {@link #SIZE} from the old newest is checked against it, without moving the new window, until the new count
     * passes 2 × {@link #SIZE}; any other goes to the new window (a jump of the new count after a loss does not
     * stall it).
     */
    void restart() {
        ReplayWindow old = new ReplayWindow();
        old.newest = newest;
        System.arraycopy(bits, 0, old.bits, 0, bits.length);
        reset();
        prev = old;
    }

    /** Whether {@code a} and {@code b} (unsigned) are less than {@link #SIZE} apart. */
    private static boolean near(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? Long.compareUnsigned(a - b, SIZE) < 0 : Long.compareUnsigned(b - a, SIZE) < 0;
    }

    private int idx(long s) { return (int) ((s & (SIZE - 1)) >>> 6); }
    private long bit(long s) { return 1L << (s & 63); }
    private boolean isSet(long s) { return (bits[idx(s)] & bit(s)) != 0; }
    private void set(long s) { bits[idx(s)] |= bit(s); }
    /** Clears {@code n} (< SIZE) bits from {@code from} on, a 64-bit word at a time: at most SIZE / 64 + 1 steps. */
    private void clearRange(long from, long n) {
        while (n > 0) {
            int pos = (int) (from & (SIZE - 1));
            int off = pos & 63;
            int take = (int) Math.min(n, 64 - off);
            long mask = take == 64 ? -1L : ((1L << take) - 1) << off;
            bits[pos >>> 6] &= ~mask;
            from += take;
            n -= take;
        }
    }
}
