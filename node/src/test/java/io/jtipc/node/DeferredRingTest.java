package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.GapAckBlocks;
import io.jtipc.wire.Seqno;

/**
 * The ring {@link DeferredQueue} behaves as the sorted list it replaced: same add results, same first packet, same
 * polled order and the same gap-ACK blocks, for random out-of-order traffic inside the receive window, across the
 * 16-bit wrap and ring growth.
 */
class DeferredRingTest {

    /** The former implementation: an ascending list, gap-ACK blocks by walking it (link.c __tipc_build_gap_ack_blks). */
    static int refBlocks(List<Integer> q, int[][] out) {
        if (q.isEmpty()) return 0;
        int n = 0;
        int expect = q.get(0);
        int seqno = 0;
        for (int p : q) {
            seqno = p;
            if (Seqno.more(seqno, expect)) {
                out[n][0] = (expect - 1) & 0xffff;
                out[n][1] = (seqno - expect) & 0xffff;
                if (++n >= Link.MAX_GAP_ACK_BLKS / 2) return n;
            }
            expect = (seqno + 1) & 0xffff;
        }
        out[n][0] = seqno;
        out[n][1] = 0;
        return n + 1;
    }

    static void refAdd(List<Integer> q, int s) {
        int i = q.size();
        while (i > 0 && Seqno.less(s, q.get(i - 1))) i--;
        q.add(i, s);
    }

    @Test
    void randomTrafficMatchesTheSortedListItReplaced() {
        Random rnd = new Random(15);
        for (int round = 0; round < 40; round++) {
            DeferredQueue dq = new DeferredQueue(new HoldBudget(1L << 30, 1 << 20, null));
            List<Integer> ref = new ArrayList<>();
            int rcvNxt = rnd.nextInt(65536);
            int win = round % 4 == 0 ? Link.MAX_LINK_WIN : 1 + rnd.nextInt(300);
            byte[] b = new byte[4 * Link.MAX_GAP_ACK_BLKS + 8];
            GapAckBlocks ga = new GapAckBlocks().wrap(b, 0, b.length);
            int[][] exp = new int[Link.MAX_GAP_ACK_BLKS][2];
            for (int step = 0; step < 3000; step++) {
                if (rnd.nextInt(4) != 0) {
                    int s = (rcvNxt + 1 + rnd.nextInt(win)) & 0xffff;
                    int r = dq.add(LinkTest.pkt(s));
                    assertThat(r).isEqualTo(ref.contains(s) ? DeferredQueue.DUPLICATE : DeferredQueue.ADDED);
                    if (r == DeferredQueue.ADDED) refAdd(ref, s);
                } else {
                    // the packet at rcv_nxt arrives: deliver it and what follows in order
                    rcvNxt = (rcvNxt + 1) & 0xffff;
                    while (!dq.isEmpty() && dq.firstSeqno() == rcvNxt) {
                        assertThat(dq.pollFirst().seqno()).isEqualTo(ref.remove(0));
                        rcvNxt = (rcvNxt + 1) & 0xffff;
                    }
                }
                assertThat(dq.size()).isEqualTo(ref.size());
                if (!ref.isEmpty()) assertThat(dq.firstSeqno()).isEqualTo(ref.get(0));
                if (step % 7 == 0) {
                    int n = dq.gapAckBlocks(ga, 0);
                    assertThat(n).isEqualTo(refBlocks(ref, exp));
                    for (int i = 0; i < n; i++) {
                        assertThat(new int[] {ga.ack(i), ga.gap(i)}).as("block " + i).containsExactly(exp[i]);
                    }
                }
            }
            while (!ref.isEmpty()) assertThat(dq.pollFirst().seqno()).isEqualTo(ref.remove(0));
            assertThat(dq.pollFirst()).isNull();
        }
    }
}
