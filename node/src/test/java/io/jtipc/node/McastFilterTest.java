package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/** {@link McastFilter} (bcast.c tipc_mcast_filter_msg): order across a sender's method switch, and its bounds. */
class McastFilterTest {
    static final int OWN = 0x1001;
    static final int PEER = 0x2002;

    static byte[] mc(int node, int port, boolean syn, boolean rcast, String text) {
        byte[] d = text == null ? new byte[0] : text.getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[Tipc.MCAST_H_SIZE + d.length];
        TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
        h.setVersion(2);
        h.setUser(0);
        h.setHdrSize(Tipc.MCAST_H_SIZE);
        h.setSize(b.length);
        h.setType(Tipc.TIPC_MCAST_MSG);
        h.setOrignode(node);
        h.setOrigport(port);
        h.setSyn(syn ? 1 : 0);
        h.setIsRcast(rcast ? 1 : 0);
        if (text == null) h.setErrcode(Tipc.TIPC_ERR_NO_PORT);
        System.arraycopy(d, 0, b, Tipc.MCAST_H_SIZE, d.length);
        return b;
    }

    static String text(byte[] b) {
        return new String(b, Tipc.MCAST_H_SIZE, b.length - Tipc.MCAST_H_SIZE, StandardCharsets.US_ASCII);
    }

    @Test
    void newMethodWaitsForTheSynTwinOfTheOldOne() {
        McastFilter f = new McastFilter();
        assertThat(f.filter(mc(PEER, 7, false, false, "b1"), OWN)).extracting(McastFilterTest::text).containsExactly("b1");
        // switch to replicast: the SYN-marked message and the next one overtake the broadcast stream
        assertThat(f.filter(mc(PEER, 7, true, true, "r1"), OWN)).isEmpty();
        assertThat(f.filter(mc(PEER, 7, false, true, "r2"), OWN)).isEmpty();
        // another sender is not held back
        assertThat(f.filter(mc(PEER, 8, false, true, "x"), OWN)).extracting(McastFilterTest::text).containsExactly("x");
        // the old method's stream goes on until its twin
        assertThat(f.filter(mc(PEER, 7, false, false, "b2"), OWN)).extracting(McastFilterTest::text).containsExactly("b2");
        List<byte[]> dl = f.filter(mc(PEER, 7, true, false, null), OWN);
        assertThat(dl).extracting(McastFilterTest::text).containsExactly("r1", "r2");
        assertThat(f.held()).isZero();
        // the twin first, the data message second: the data message is delivered, the twin never
        assertThat(f.filter(mc(PEER, 7, true, true, null), OWN)).isEmpty();
        assertThat(f.filter(mc(PEER, 7, true, false, "b3"), OWN)).extracting(McastFilterTest::text).containsExactly("b3");
        assertThat(f.held()).isZero();
        // own messages are never held
        assertThat(f.filter(mc(OWN, 7, true, true, "own"), OWN)).hasSize(1);
    }

    /**
     * Two senders switching at once, their held messages interleaved: each twin releases its own sender's held
     * messages (found through the per-sender index), in order; the other sender's stay held.
     */
    @Test
    void interleavedSendersAreReleasedEachByItsOwnTwin() {
        McastFilter f = new McastFilter();
        assertThat(f.filter(mc(PEER, 7, true, true, "a1"), OWN)).isEmpty();
        assertThat(f.filter(mc(PEER, 9, true, false, "c1"), OWN)).isEmpty();
        assertThat(f.filter(mc(PEER, 7, false, true, "a2"), OWN)).isEmpty();
        assertThat(f.filter(mc(PEER, 9, false, false, "c2"), OWN)).isEmpty();
        assertThat(f.filter(mc(PEER, 7, false, true, "a3"), OWN)).isEmpty();
        // each old-method stream goes on meanwhile
        assertThat(f.filter(mc(PEER, 7, false, false, "b"), OWN)).extracting(McastFilterTest::text).containsExactly("b");
        assertThat(f.filter(mc(PEER, 9, false, true, "d"), OWN)).extracting(McastFilterTest::text).containsExactly("d");
        assertThat(f.held()).isEqualTo(5);
        assertThat(f.filter(mc(PEER, 9, true, true, null), OWN)).extracting(McastFilterTest::text)
            .containsExactly("c1", "c2");
        assertThat(f.held()).isEqualTo(3);
        assertThat(f.filter(mc(PEER, 7, true, false, null), OWN)).extracting(McastFilterTest::text)
            .containsExactly("a1", "a2", "a3");
        assertThat(f.held()).isZero();
    }

    @Test
    void heldMessagesAreBoundedInCountAndBytes() {
        McastFilter f = new McastFilter();
        for (int i = 0; i < McastFilter.MAX_HELD; i++) assertThat(f.filter(mc(PEER, 100 + i, true, true, "s"), OWN)).isEmpty();
        assertThat(f.held()).isEqualTo(McastFilter.MAX_HELD);
        List<byte[]> dl = f.filter(mc(PEER, 5000, true, true, "last"), OWN);
        assertThat(dl).hasSize(McastFilter.MAX_HELD + 1);
        assertThat(text(dl.get(dl.size() - 1))).isEqualTo("last");
        assertThat(f.held()).isZero();
        assertThat(f.overflows).isOne();
        String big = "y".repeat(60_000);
        // bounded: the byte cap must release the held messages within MAX_HELD_BYTES / 60 000 + 1 sends
        int limit = (int) (McastFilter.MAX_HELD_BYTES / big.length()) + 2;
        int n = 0;
        while (f.filter(mc(PEER, 9000 + n, true, true, big), OWN).isEmpty()) {
            n++;
            assertThat(n).as("held messages released by the byte cap").isLessThan(limit);
        }
        assertThat((long) n * (Tipc.MCAST_H_SIZE + big.length())).isLessThanOrEqualTo(McastFilter.MAX_HELD_BYTES);
        assertThat(f.overflows).isEqualTo(2);
    }

    /** The node-wide bound: many sockets each below their own bound together stay within the node's total. */
    @Test
    void allSocketsOfANodeTogetherAreBounded() {
        McastFilter.Total total = new McastFilter.Total();
        int per = McastFilter.MAX_HELD - 1;
        int sockets = McastFilter.TOTAL_HELD / per + 2;
        long releases = 0;
        McastFilter last = null;
        for (int s = 0; s < sockets; s++) {
            McastFilter f = new McastFilter(total);
            for (int i = 0; i < per; i++) {
                if (!f.filter(mc(PEER, 10_000 * s + i, true, true, "s"), OWN).isEmpty()) releases++;
                assertThat(total.count).isLessThanOrEqualTo(McastFilter.TOTAL_HELD);
            }
            last = f;
        }
        assertThat(releases).as("the node's total released some socket's held messages").isPositive();
        // a closing socket gives back what it held
        int before = total.count;
        int held = last.held();
        last.release();
        assertThat(total.count).isEqualTo(before - held);
    }

    /** Review bug 4c: after an overflow released a sender's held messages, its late twin is dropped, not held. */
    @Test
    void aLateTwinAfterAnOverflowReleaseIsDroppedAndTheNextSwitchPairsRight() {
        McastFilter f = new McastFilter();
        // switch to replicast: held until the broadcast twin, which is late; the bound releases everything
        assertThat(f.filter(mc(PEER, 7, true, true, "r0"), OWN)).isEmpty();
        int released = 0;
        for (int i = 1; released == 0 && i <= McastFilter.MAX_HELD + 1; i++) {
            released = f.filter(mc(PEER, 7, false, true, "r" + i), OWN).size();
        }
        assertThat(released).isEqualTo(McastFilter.MAX_HELD + 1);
        assertThat(f.held()).isZero();
        // the late twin: nothing to pair with any more
        assertThat(f.filter(mc(PEER, 7, true, false, null), OWN)).isEmpty();
        assertThat(f.held()).isZero();
        // the next switch (back to broadcast) pairs its own twin
        assertThat(f.filter(mc(PEER, 7, true, false, "b1"), OWN)).isEmpty();
        assertThat(f.filter(mc(PEER, 7, true, true, null), OWN)).extracting(McastFilterTest::text).containsExactly("b1");
        assertThat(f.held()).isZero();
    }

    /** Issue 16: a sender node going down never sends its twin: what is held of it is released at once, in order. */
    @Test
    void heldMessagesOfANodeThatGoesDownAreReleasedInOrderAndItsNextSwitchPairsAfresh() {
        McastFilter.Total total = new McastFilter.Total();
        McastFilter f = new McastFilter(total);
        int other = 0x3003;
        assertThat(f.filter(mc(PEER, 7, true, true, "r1"), OWN)).isEmpty();
        assertThat(f.filter(mc(other, 9, true, true, "o1"), OWN)).isEmpty();
        assertThat(f.filter(mc(PEER, 7, false, true, "r2"), OWN)).isEmpty();
        assertThat(f.filter(mc(PEER, 8, true, false, "s1"), OWN)).isEmpty();
        assertThat(f.held()).isEqualTo(4);
        // PEER goes down: its three held messages come out in arrival order, the other node's stays held
        assertThat(f.nodeDown(PEER)).extracting(McastFilterTest::text).containsExactly("r1", "r2", "s1");
        assertThat(f.held()).isOne();
        assertThat(total.count).isOne();
        assertThat(total.bytes).isEqualTo(Tipc.MCAST_H_SIZE + 2);
        assertThat(f.nodeDown(PEER)).isEmpty();
        // PEER back: its socket's next switch is held until its own twin, not paired with anything stale
        assertThat(f.filter(mc(PEER, 7, true, false, "b1"), OWN)).isEmpty();
        assertThat(f.filter(mc(PEER, 7, false, false, "b2"), OWN)).isEmpty();
        assertThat(f.filter(mc(PEER, 7, true, true, null), OWN)).extracting(McastFilterTest::text).containsExactly("b1", "b2");
        // the other node's message still waits for its twin
        assertThat(f.filter(mc(other, 9, true, false, null), OWN)).extracting(McastFilterTest::text).containsExactly("o1");
        assertThat(f.held()).isZero();
        assertThat(total.count).isZero();
        assertThat(total.bytes).isZero();
    }
}
