package io.jtipc.nametable;

import static io.jtipc.wire.Tipc.PUBLICATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Held-back (out-of-turn) name distributor messages: byte and count budgets per peer and in total, and the
 * seqno-keyed queue compared with the kernel's linear {@code tipc_named_dequeue} scan.
 */
class NameDistributorHeldBackTest {
    static final int SELF = 0x01001000;
    static final int A = 0x01001001;
    static final int B = 0x01001002;
    /** Items of a reassembled 66 000-byte NAME_DISTRIBUTOR message: (66000 - 40) / 20. */
    static final int BIG = 3298;

    static List<PublicationItem> items(int type, int n) {
        List<PublicationItem> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(new PublicationItem(type, i, i, 100, 200 + i));
        }
        return List.copyOf(l);
    }

    static DistrMessage upd(int orig, int seqno, List<PublicationItem> items) {
        return new DistrMessage(PUBLICATION, orig, 0, false, false, true, seqno, false, items);
    }

    static DistrMessage lastBulk(int orig, int seqno) {
        return new DistrMessage(PUBLICATION, orig, SELF, true, true, true, seqno, true, List.of());
    }

    @Test
    void floodOfBigOutOfTurnMessagesStaysUnderTheByteBudget() {
        List<String> log = new ArrayList<>();
        NameDistributor d = new NameDistributor(new BindingTable(SELF), log::add);
        List<PublicationItem> big = items(5000, BIG); // shared by every message: the test itself stays small
        // no last bulk yet: every update is held back; 1000 of them would be 1000 * 3298 items (~130 MB)
        for (int i = 1; i <= 1000; i++) {
            d.receive(A, upd(A, i, big));
        }
        long perMessage = NameDistributor.HELD_MESSAGE_BYTES + (long) BIG * NameDistributor.HELD_ITEM_BYTES;
        long held = d.deferred(A);
        assertThat(held * perMessage).isLessThanOrEqualTo(NameDistributor.DEFAULT_MAX_DEFERRED_BYTES);
        assertThat(held).isEqualTo(NameDistributor.DEFAULT_MAX_DEFERRED_BYTES / perMessage);
        assertThat(d.deferredBytes(A)).isEqualTo(held * perMessage);
        assertThat(d.droppedOverflow()).isEqualTo(1000 - held);
        assertThat(d.droppedOverflow(A)).isEqualTo(1000 - held);
        assertThat(log).singleElement().asString().contains("peer 1001001", "4194304 bytes");
        // the last bulk releases the held ones in order (seqno 1..held), the rest is a gap
        assertThat(d.receive(A, lastBulk(A, 1))).isEqualTo(1 + (int) held);
        assertThat(d.deferred(A)).isZero();
        assertThat(d.deferredBytes(A)).isZero();
        assertThat(d.deferredBytesTotal()).isZero();
        assertThat(d.rcvNxt(A)).isEqualTo(1 + (int) held);
    }

    /**
     * The total is shared: a peer that finds it full makes room by dropping what the largest holder holds (marked
     * broken: its links are reset for a new bulk), unless it holds as much itself; node down refunds.
     */
    @Test
    void totalBudgetBoundsAllPeersTogetherTheLargestHolderMakesRoomAndNodeDownRefunds() {
        List<String> log = new ArrayList<>();
        NameDistributor d = new NameDistributor(new BindingTable(SELF), log::add);
        long one = NameDistributor.HELD_MESSAGE_BYTES + NameDistributor.HELD_ITEM_BYTES;
        d.setDeferredLimits(10, 10 * one, 15, 100 * one);
        List<PublicationItem> it = items(5000, 1);
        for (int i = 1; i <= 20; i++) {
            d.receive(A, upd(A, i, it));
        }
        assertThat(d.deferred(A)).isEqualTo(10);
        assertThat(d.droppedOverflow(A)).isEqualTo(10);
        assertThat(d.broken(A)).isTrue();
        for (int i = 1; i <= 20; i++) {
            d.receive(B, upd(B, i, it));
        }
        // B's 6th found the total full (A 10 + B 5): A's 10 were dropped for it; B then held up to its own budget
        assertThat(d.deferred(A)).isZero();
        assertThat(d.deferred(B)).isEqualTo(10);
        assertThat(d.deferredTotal()).isEqualTo(10);
        assertThat(d.deferredBytesTotal()).isEqualTo(10 * one);
        assertThat(d.droppedOverflow(A)).isEqualTo(20);
        assertThat(d.droppedOverflow(B)).isEqualTo(10);
        assertThat(d.heldEvictions()).isEqualTo(1);
        assertThat(d.broken(B)).isTrue();
        assertThat(log).hasSize(3);
        assertThat(log.get(0)).contains("peer 1001001", "limit of 10 messages");
        assertThat(log.get(1)).contains("all peers", "15 messages", "held for 1001001, the largest holder",
            "room for 1001002");
        assertThat(log.get(2)).contains("peer 1001002", "limit of 10 messages");
        d.nodeDown(B, 0xFFFF);
        assertThat(d.deferredTotal()).isZero();
        assertThat(d.deferredBytesTotal()).isZero();
        assertThatThrownBy(() -> d.setDeferredLimits(0, 1000, 1, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.setDeferredLimits(1, 10, 1, 1000)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A peer that holds as much as any other finds the full total refused, not made room for. */
    @Test
    void theFullTotalIsRefusedToAPeerHoldingAsMuchAsTheOthers() {
        List<String> log = new ArrayList<>();
        NameDistributor d = new NameDistributor(new BindingTable(SELF), log::add);
        long one = NameDistributor.HELD_MESSAGE_BYTES + NameDistributor.HELD_ITEM_BYTES;
        d.setDeferredLimits(10, 10 * one, 15, 100 * one);
        List<PublicationItem> it = items(5000, 1);
        for (int i = 1; i <= 8; i++) {
            d.receive(A, upd(A, i, it));
        }
        for (int i = 1; i <= 10; i++) {
            d.receive(B, upd(B, i, it));
        }
        assertThat(d.deferred(A)).isEqualTo(8);
        assertThat(d.deferred(B)).isEqualTo(7);
        assertThat(d.droppedOverflow(B)).isEqualTo(3);
        assertThat(d.droppedOverflow(A)).isZero();
        assertThat(d.heldEvictions()).isZero();
        assertThat(log).singleElement().asString().contains("all peers", "15 messages", "peer 1001002");
        d.nodeDown(A, 0xFFFF);
        assertThat(d.deferredTotal()).isEqualTo(7);
        assertThat(d.deferredBytesTotal()).isEqualTo(7 * one);
    }

    /** The kernel's namedq and tipc_named_dequeue, verbatim: the reference the keyed queue is compared with. */
    static final class KernelNamedq {
        final LinkedList<DistrMessage> q = new LinkedList<>();
        int rcvNxt;
        boolean open;
        long stale;

        List<DistrMessage> rcv(DistrMessage m) {
            q.addLast(m);
            List<DistrMessage> out = new ArrayList<>();
            DistrMessage n;
            while ((n = dequeue()) != null) {
                out.add(n);
            }
            return out;
        }

        DistrMessage dequeue() {
            for (Iterator<DistrMessage> it = q.iterator(); it.hasNext(); ) {
                DistrMessage m = it.next();
                int seqno = m.namedSeqno();
                if (m.lastBulk()) {
                    rcvNxt = seqno;
                    open = true;
                }
                if (m.bulk() || !m.nonLegacy()) {
                    it.remove();
                    return m;
                }
                if (open && rcvNxt == seqno) {
                    rcvNxt = (rcvNxt + 1) & 0xFFFF;
                    it.remove();
                    return m;
                }
                if (NameDistributor.less(seqno, rcvNxt)) {
                    it.remove();
                    stale++;
                }
            }
            return null;
        }
    }

    @Test
    void sameOrderAsTheKernelScanOnRandomStreams() {
        for (long seed = 1; seed <= 200; seed++) {
            Random r = new Random(seed);
            BindingTable t = new BindingTable(SELF);
            NameDistributor d = new NameDistributor(t);
            KernelNamedq k = new KernelNamedq();
            // seqnos near a random base, some near the 16-bit wrap; duplicates, gaps, bulks, legacy, resets
            int base = r.nextBoolean() ? 65500 : r.nextInt(65536);
            List<DistrMessage> applied = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                int seqno = (base + r.nextInt(40) - 5) & 0xFFFF;
                int kind = r.nextInt(20);
                DistrMessage m = new DistrMessage(PUBLICATION, A, 0, kind == 0 || kind == 1, kind == 0 || kind == 2,
                        kind != 3, seqno, false, List.of(new PublicationItem(7000, i, i, 1, i)));
                if (r.nextInt(30) == 0) {
                    base = (base + r.nextInt(60)) & 0xFFFF;
                }
                List<DistrMessage> want = k.rcv(m);
                int before = t.size(A);
                assertThat(d.receive(A, m)).as("seed %d message %d", seed, i).isEqualTo(want.size());
                applied.addAll(want);
                assertThat(t.size(A) - before).as("seed %d message %d", seed, i).isEqualTo(want.size());
                assertThat(d.deferred(A)).as("seed %d message %d", seed, i).isEqualTo(k.q.size());
                assertThat(d.rcvNxt(A)).isEqualTo(k.rcvNxt);
                assertThat(d.streamOpen(A)).isEqualTo(k.open);
                assertThat(d.droppedStale()).as("seed %d message %d", seed, i).isEqualTo(k.stale);
            }
            // the same messages were applied: one binding each, instance = message index
            List<Integer> want = applied.stream().map(m -> m.items().get(0).lower()).sorted().toList();
            List<Integer> got = t.publicationsOfNode(A).stream().map(Publication::lower).sorted().toList();
            assertThat(got).as("seed %d", seed).isEqualTo(want);
        }
    }
}
