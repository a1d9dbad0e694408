package io.jtipc.capture.analysis;

import io.jtipc.wire.Seqno;
import java.util.BitSet;

/**
 * The 16-bit sequence numbers (w2 bits 15-0, net/tipc/msg.h) seen in one direction of a link since its
 * sender last reset, used to recognise retransmitted packets. Sequence numbers wrap: when the highest
 * number seen advances, the numbers that move into the "future" half of the circle
 * ({@code highest + 32768 ..}) are forgotten, so a number is a repeat only if it is within 32767
 * packets behind the highest one and was seen. The bitmap grows to the highest number seen (at most 8 KiB): a
 * link direction that saw only low numbers holds a few words, one that saw a number near 65 535 holds 8 KiB.
 */
final class SeqnoSet {
    private final BitSet seen = new BitSet();
    private int highest = -1;
    private long distinct;

    /** Forgets everything (the sender reset its link: its next seqno is 1 again). */
    void clear() {
        seen.clear();
        highest = -1;
    }

    /** Records {@code seqno}; returns true if it had been seen already (a retransmission). */
    boolean add(int seqno) {
        int s = Seqno.mod(seqno);
        if (highest < 0) {
            highest = s;
            seen.set(s);
            distinct++;
            return false;
        }
        if (Seqno.more(s, highest)) {
            // forget the numbers now more than half a circle behind the new highest
            int from = Seqno.add(highest, 0x8000 + 1);
            int to = Seqno.add(s, 0x8000);
            clearCircular(from, to);
            highest = s;
            seen.set(s);
            distinct++;
            return false;
        }
        if (seen.get(s)) {
            return true;
        }
        seen.set(s);
        distinct++;
        return false;
    }

    /** Whether {@code seqno} was recorded and is not forgotten yet; records nothing. */
    boolean contains(int seqno) {
        return highest >= 0 && seen.get(Seqno.mod(seqno));
    }

    /** Number of different sequence numbers recorded since construction (clear() does not reset it). */
    long distinct() {
        return distinct;
    }

    /** Highest seqno seen since the last clear(), or -1. */
    int highest() {
        return highest;
    }

    private void clearCircular(int from, int toInclusive) {
        if (from <= toInclusive) {
            seen.clear(from, toInclusive + 1);
        } else {
            seen.clear(from, Seqno.MODULUS);
            seen.clear(0, toInclusive + 1);
        }
    }
}
