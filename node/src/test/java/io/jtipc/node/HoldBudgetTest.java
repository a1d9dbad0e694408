package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * Issue 15: what a hostile peer that links like any other can make a node hold is bounded in bytes, per link and in
 * total ({@link HoldBudget}), with the kernel's reaction when exceeded (drop and NACK, reset the link, reject with
 * TIPC_ERR_OVERLOAD), counted per link/peer and logged once per event with the peer.
 *
 * <p>Three jtipc nodes link up on a {@link SimNetwork}: alpha (the victim), beta (an honest peer) and mallory. Then
 * frames "from mallory" are built by hand and handed to alpha's {@link NodeCore#onFrame}, the clock standing still.
 */
class HoldBudgetTest {
    static final int SVC = 5150;

    final SimNetwork net = new SimNetwork(15);
    final SimNode a = net.addNode("alpha", 1, 0x11112222);
    final SimNode b = net.addNode("beta", 2, 0x33334444);
    final SimNode m = net.addNode("mallory", 3, 0x55556666);
    /** What alpha sends while frames are fed to it by hand. */
    final LinkInputOrderTest.Capture fromA = new LinkInputOrderTest.Capture();

    HoldBudgetTest() {
        assertThat(net.runUntil(() -> linkedUp(a, b) && linkedUp(a, m) && linkedUp(b, m), 10_000)).isTrue();
        net.runFor(500);
    }

    int mAddr() { return m.core.ownAddr(); }

    Link link() { return a.core.peer(mAddr()).link(); }

    /** A sequenced data message of {@code size} bytes from mallory to alpha with link seqno {@code seqno}. */
    byte[] data(int seqno, int size) {
        byte[] f = new byte[size];
        TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
        Msg.init(h, mAddr(), Tipc.LOW_IMPORTANCE, Tipc.TIPC_DIRECT_MSG, Tipc.BASIC_H_SIZE, a.core.ownAddr());
        h.setSize(size);
        h.setDestDroppable(1); // no rejections back: only the budget matters
        h.setOrigport(77);
        h.setDestport(1);
        stamp(h, seqno);
        return f;
    }

    /** Link seqno and acks as mallory's own link would send them (everything of alpha's acknowledged). */
    void stamp(TipcMsg h, int seqno) {
        Link ml = m.core.peer(a.core.ownAddr()).link();
        h.setSeqno(seqno & 0xffff);
        h.setAck((ml.rcvNxt() - 1) & 0xffff);
        h.setBcastAck((m.core.peer(a.core.ownAddr()).broadcastLink().rcvNxt() - 1) & 0xffff);
    }

    void feed(byte[] f) {
        a.core.onFrame(net.now(), 0, m.mac, f, 0, f.length, fromA);
    }

    List<String> logLines(String part) {
        List<String> r = new ArrayList<>();
        for (String s : a.core.log()) if (s.contains(part)) r.add(s);
        return r;
    }

    // ------------------------------------------------------------------ deferred queue

    @Test
    void outOfOrderFloodIsBoundedNackedLoggedOnceAndTheLinkRecovers() {
        int pa = a.core.openSocket(SocketType.RDM, a.received::add);
        a.core.bind(net.now(), pa, Tipc.TIPC_CLUSTER_SCOPE, SVC, 0, 0, a);
        net.runFor(200);
        Link l = link();
        int r = l.rcvNxt();
        int size = 60_000;
        int flood = 400; // 24 MB behind one gap: three times the link's budget
        long kept = HoldBudget.DEFERRED_LINK_BYTES / size;
        for (int i = 1; i <= kept; i++) feed(data(r + i, size));
        fromA.frames.clear();
        for (int i = (int) kept + 1; i <= flood; i++) {
            feed(data(r + i, size));
            assertThat(link().holdStats().deferredBytes()).isLessThanOrEqualTo(HoldBudget.DEFERRED_LINK_BYTES);
        }

        assertThat((long) l.deferredLength() * size).as("bytes held").isLessThanOrEqualTo(HoldBudget.DEFERRED_LINK_BYTES);
        assertThat(l.deferredLength()).isEqualTo((int) kept);
        LinkHoldStats st = l.holdStats();
        assertThat(st.deferredBytes()).isEqualTo(kept * size);
        assertThat(st.deferredDropped()).isEqualTo(flood - kept);
        assertThat(link().isUp()).isTrue();
        // the drops were NACKed (a STATE asking for what follows rcv_nxt), thinned: the first and every 16th
        assertThat(fromA.states()).hasSize((int) ((flood - kept + 15) / 16))
            .allSatisfy(s -> assertThat(s.seqGap()).isEqualTo(1));
        List<String> full = logLines("deferred queue full");
        assertThat(full).hasSize(1);
        assertThat(full.get(0)).contains("peer " + Integer.toHexString(mAddr())).contains("deferred dropped 1");

        // honest traffic from beta still arrives
        int pb = b.core.openSocket(SocketType.RDM, d -> true);
        assertThat(b.core.sendToName(net.now(), pb, SVC, 0, 0, new byte[] {1, 2, 3}, 0, 3, b)).isZero();
        assertThat(net.runUntil(() -> !a.received.isEmpty(), net.now() + 1000)).isTrue();
        assertThat(a.received.get(0).srcNode()).isEqualTo(b.core.ownAddr());

        // mallory fills the gap: what was kept is delivered and released, the link is up and takes the rest in order
        int rn = link().rcvNxt();
        feed(data(rn, 100));
        assertThat(link().rcvNxt()).isEqualTo((rn + 1 + (int) kept) & 0xffff);
        assertThat(link().holdStats().deferredBytes()).isZero();
        assertThat(link().deferredLength()).isZero();
        int next = link().rcvNxt();
        for (int i = 0; i < 10; i++) feed(data(next + i, 100));
        assertThat(link().rcvNxt()).isEqualTo((next + 10) & 0xffff);
        assertThat(link().isUp()).isTrue();
    }

    @Test
    void theNodeTotalBoundsTheDeferredQueuesOfAllLinksTogether() {
        HoldBudget total = new HoldBudget(3_000, 1000, null);
        DeferredQueue q1 = new DeferredQueue(total);
        DeferredQueue q2 = new DeferredQueue(total);
        byte[] f = new byte[1000];
        for (int s = 2; s < 6; s++) {
            f[10] = 0;
            f[11] = (byte) s;
            q1.add(f, 0, f.length);
        }
        assertThat(q1.size()).isEqualTo(3);
        assertThat(q1.dropped).isEqualTo(1);
        f[11] = 9;
        assertThat(q2.add(f, 0, f.length)).isEqualTo(DeferredQueue.NO_ROOM);
        assertThat(total.bytes()).isEqualTo(3_000);
        assertThat(q1.pollFirst().seqno()).isEqualTo(2);
        assertThat(q2.add(f, 0, f.length)).isEqualTo(DeferredQueue.ADDED);
        assertThat(q2.add(f, 0, f.length)).isEqualTo(DeferredQueue.DUPLICATE);
        q1.clear();
        q2.clear();
        assertThat(total.bytes()).isZero();
        assertThat(total.count()).isZero();
    }

    // ------------------------------------------------------------------ reassembly

    /** A MSG_FRAGMENTER packet of {@code type} carrying {@code payload} zero bytes. */
    byte[] fragment(int seqno, int type, int no, int payload) {
        byte[] f = new byte[Tipc.INT_H_SIZE + payload];
        TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
        Msg.init(h, mAddr(), Tipc.MSG_FRAGMENTER, type, Tipc.INT_H_SIZE, a.core.ownAddr());
        h.setSize(f.length);
        h.setFragmNo(no);
        if (type == Tipc.FIRST_FRAGMENT) {
            // the inner header the reassembled message would start with
            TipcMsg in = new TipcMsg().wrap(f, Tipc.INT_H_SIZE, payload);
            Msg.init(in, mAddr(), Tipc.LOW_IMPORTANCE, Tipc.TIPC_DIRECT_MSG, Tipc.BASIC_H_SIZE, a.core.ownAddr());
            in.setSize(Tipc.MAX_MSG_SIZE);
        }
        stamp(h, seqno);
        return f;
    }

    @Test
    void aReassemblyFloodResetsTheLinkWithALoggedReasonAndFreesTheBuffer() {
        Link l = link();
        int r = l.rcvNxt();
        feed(fragment(r, Tipc.FIRST_FRAGMENT, 1, 1400));
        int s = 1;
        while (link().isUp() && s < 100) {
            if (s == 10) assertThat(link().holdStats().reassemblyBytes()).isGreaterThan(10 * 1400);
            feed(fragment(r + s, Tipc.FRAGMENT, s + 1, 1400));
            s++;
        }
        assertThat(l.isUp()).as("link reset after " + s + " fragments").isFalse();
        assertThat(s).isLessThanOrEqualTo(Tipc.MAX_MSG_SIZE / 1400 + 2);
        LinkHoldStats st = l.holdStats();
        assertThat(st.reassemblyBytes()).isZero();
        assertThat(st.reassemblyErrors()).isEqualTo(1);
        assertThat(st.resets()).isEqualTo(1);
        assertThat(st.lastResetReason()).contains("fragment reassembly error");
        List<String> lines = logLines("fragment reassembly error");
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("peer " + Integer.toHexString(mAddr())).contains(l.name())
            .contains("reassembly errors 1").contains("resets 1");
        assertThat(a.core.peer(b.core.ownAddr()).isUp()).isTrue();
    }

    @Test
    void theNodeTotalBoundsReassemblyAcrossLinks() {
        HoldBudget total = new HoldBudget(100_000, 10, null);
        LinkReassembly r1 = new LinkReassembly(total);
        LinkReassembly r2 = new LinkReassembly(total);
        int s = 0;
        assertThat(r1.append(fragment(s++, Tipc.FIRST_FRAGMENT, 1, 1400), 0, 1440)).isNull();
        for (int i = 0; i < 40; i++) r1.append(fragment(s++, Tipc.FRAGMENT, i + 2, 1400), 0, 1440);
        assertThat(r1.failed).isFalse();
        long held = r1.bytes();
        assertThat(held).isGreaterThan(40 * 1400);
        assertThat(r2.append(fragment(s++, Tipc.FIRST_FRAGMENT, 1, 1400), 0, 1440)).isNull();
        for (int i = 0; i < 40 && !r2.failed; i++) r2.append(fragment(s++, Tipc.FRAGMENT, i + 2, 1400), 0, 1440);
        assertThat(r2.failed).isTrue();
        assertThat(r2.lastError).contains("reassembly budget full");
        assertThat(total.bytes()).isEqualTo(held).isLessThanOrEqualTo(100_000);
        r1.reset();
        assertThat(total.bytes()).isZero();
        assertThat(total.count()).isZero();
    }

    /**
     * Review of issue 14: every link's assembler kept the arrays it outgrew (~189 KiB after one 66 KB message) for the
     * link's life, outside REASM_TOTAL. Links share one bounded spare list: after 100 links each grew a 65 800-byte
     * reassembly and were reset, what is kept is within the node-wide bound and the budget is back to zero.
     */
    @Test
    void reassemblySparesOfManyLinksStayWithinTheNodeWideBound() {
        HoldBudget total = new HoldBudget(HoldBudget.REASM_TOTAL_BYTES, HoldBudget.REASM_TOTAL_MESSAGES, null);
        io.jtipc.wire.ReassemblySpares spares = new io.jtipc.wire.ReassemblySpares(
            LinkReassembly.SPARE_TOTAL_BYTES, LinkReassembly.SPARE_TOTAL_ARRAYS);
        int s = 0;
        for (int link = 0; link < 100; link++) {
            LinkReassembly r = new LinkReassembly(total, null, spares);
            r.append(fragment(s++, Tipc.FIRST_FRAGMENT, 1, 1400), 0, 1440);
            for (int i = 2; i <= 47; i++) r.append(fragment(s++, Tipc.FRAGMENT, i, 1400), 0, 1440);
            assertThat(r.failed).isFalse();
            assertThat(r.bytes()).isEqualTo(Tipc.MAX_MSG_SIZE);
            r.reset();
            assertThat(spares.bytes()).isLessThanOrEqualTo(LinkReassembly.SPARE_TOTAL_BYTES);
            assertThat(spares.count()).isLessThanOrEqualTo(LinkReassembly.SPARE_TOTAL_ARRAYS);
        }
        assertThat(spares.bytes()).isPositive();
        assertThat(total.bytes()).isZero();
        assertThat(total.count()).isZero();
    }

    /**
     * link.c tipc_link_input: a reassembly failure fails a unicast link, never the broadcast receive link (a peer that
     * joins while a fragmented broadcast is under way gets FRAGMENTs without their FIRST_FRAGMENT): the fragment is
     * dropped, counted and logged at powers of two; the links stay up and the next broadcast messages are delivered.
     */
    @Test
    void aBroadcastReassemblyErrorDropsTheFragmentAndKeepsTheLinks() {
        BroadcastLink bl = a.core.peer(mAddr()).broadcastLink();
        assertThat(bl.isUp()).isTrue();
        byte[] f = new byte[Tipc.INT_H_SIZE + 100];
        TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
        Msg.init(h, mAddr(), Tipc.MSG_FRAGMENTER, Tipc.FRAGMENT, Tipc.INT_H_SIZE, 0);
        h.setSize(f.length);
        h.setNonSeq(1);
        h.setMcNetid(a.core.config().netId());
        h.setFragmNo(2);
        int resets = logLines(": reset: ").size();
        for (int i = 0; i < 5; i++) {
            h.setSeqno(bl.rcvNxt());
            feed(f);
        }
        assertThat(a.core.peer(mAddr()).isUp()).isTrue();
        assertThat(bl.isUp()).isTrue();
        assertThat(bl.reassemblyErrors()).isEqualTo(5);
        assertThat(logLines("fragment dropped")).hasSize(3); // errors 1, 2 and 4
        assertThat(logLines(": reset: ")).hasSize(resets);
        assertThat(a.core.peer(b.core.ownAddr()).isUp()).isTrue();
    }

    /**
     * A FIRST_FRAGMENT held out of order on the broadcast receive link, gap-acknowledged, and refused when the gap fills
     * because the node's reassembly total is full, is dropped as a reassembly error: kept back at rcv_nxt it stalled the
     * link for good (no gap left to ask for, the peer may have released it, every later packet held behind it).
     */
    @Test
    void aGapAcknowledgedBroadcastFirstFragmentRefusedForRoomDoesNotStallTheLink() {
        BroadcastLink bl = a.core.peer(mAddr()).broadcastLink();
        int s = bl.rcvNxt();
        HoldBudget total = a.core.net.reasmTotal;
        int freeCount = total.maxCount - total.count();
        assertThat(total.take(0, freeCount)).isTrue(); // no reassembly may start now
        try {
            feed(bcastFragment(s + 1, Tipc.FIRST_FRAGMENT)); // out of order: deferred
            assertThat(bl.deferredLength()).isEqualTo(1);
            long errors = bl.reassemblyErrors();
            feed(bcastFragment(s, Tipc.FRAGMENT)); // fills the gap (a stray fragment: an error, dropped)
            feed(bcastFragment(s + 2, Tipc.FRAGMENT));
            assertThat(bl.rcvNxt()).as("past the refused first fragment").isEqualTo((s + 3) & 0xffff);
            assertThat(bl.deferredLength()).isZero();
            assertThat(bl.reassemblyErrors()).isEqualTo(errors + 3);
            assertThat(logLines("gap-acknowledged fragment")).hasSize(1);
            assertThat(bl.isUp()).isTrue();
            assertThat(a.core.peer(mAddr()).isUp()).isTrue();
        } finally {
            total.give(0, freeCount);
        }
    }

    /**
     * The same with a peer that takes no gap-ACK blocks (TIPC_GAP_ACK_BLOCK off): it still holds the deferred first
     * fragment, which was never acknowledged, so the copy is let go and rcv_nxt stays: the gap asks for it again, and
     * its retransmission is taken once there is room.
     */
    @Test
    void aBroadcastFirstFragmentRefusedForRoomIsAskedForAgainFromAPeerWithoutGapAckBlocks() {
        Node peer = a.core.peer(mAddr());
        peer.caps &= ~Tipc.TIPC_GAP_ACK_BLOCK;
        BroadcastLink bl = peer.broadcastLink();
        int s = bl.rcvNxt();
        HoldBudget total = a.core.net.reasmTotal;
        int freeCount = total.maxCount - total.count();
        assertThat(total.take(0, freeCount)).isTrue();
        try {
            feed(bcastFragment(s + 1, Tipc.FIRST_FRAGMENT));
            feed(bcastFragment(s, Tipc.FRAGMENT));
            assertThat(bl.rcvNxt()).as("the refused first fragment not acknowledged").isEqualTo((s + 1) & 0xffff);
            assertThat(bl.deferredLength()).isZero();
            feed(bcastFragment(s + 2, Tipc.FRAGMENT)); // the next one: held, and the gap below it asked for
            assertThat(bl.rcvGap()).as("asked for again").isEqualTo(1);
        } finally {
            total.give(0, freeCount);
        }
        feed(bcastFragment(s + 1, Tipc.FIRST_FRAGMENT)); // the retransmission, with room now
        assertThat(bl.rcvNxt()).isEqualTo((s + 3) & 0xffff);
        assertThat(logLines("gap-acknowledged fragment")).isEmpty();
    }

    /** A broadcast-link fragment from mallory with broadcast seqno {@code seqno}, 100 bytes of data. */
    byte[] bcastFragment(int seqno, int type) {
        byte[] f = new byte[Tipc.INT_H_SIZE + 100];
        TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
        Msg.init(h, mAddr(), Tipc.MSG_FRAGMENTER, type, Tipc.INT_H_SIZE, 0);
        h.setSize(f.length);
        h.setNonSeq(1);
        h.setMcNetid(a.core.config().netId());
        h.setFragmNo(type == Tipc.FIRST_FRAGMENT ? 1 : 2);
        h.setSeqno(seqno & 0xffff);
        return f;
    }

    // ------------------------------------------------------------------ backlog

    @Test
    void aPeerThatNeverAcknowledgesCannotGrowTheBacklogPastItsBound() {
        m.paused = true; // mallory receives nothing and acknowledges nothing from now on
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        byte[] big = new byte[Tipc.MAX_USER_MSG_SIZE];
        int rc = 0;
        int sent = 0;
        // an application that ignores ELINKCONG (the core still queues each message: one oversubscription per send)
        while (sent < 400 && rc != Errno.ENOBUFS && rc != Errno.EHOSTUNREACH) {
            rc = a.core.sendToPort(net.now(), pa, mAddr(), 1234, big, 0, big.length, a);
            sent++;
            Link l = link();
            assertThat(l.holdStats().backlogBytes()).isLessThanOrEqualTo(HoldBudget.BACKLOG_LINK_BYTES);
            assertThat((long) l.backlogLength() * l.mtu()).isLessThanOrEqualTo(2 * HoldBudget.BACKLOG_LINK_BYTES);
        }
        assertThat(rc).as("after " + sent + " sends").isEqualTo(Errno.ENOBUFS);
        Link l = link();
        assertThat(l.isUp()).isFalse();
        assertThat(l.holdStats().backlogOverflows()).isEqualTo(1);
        assertThat(l.holdStats().backlogBytes()).isZero();
        assertThat(logLines("backlog")).hasSize(1);
        assertThat(logLines("backlog").get(0)).contains("peer " + Integer.toHexString(mAddr()));
    }

    /**
     * Review of issue 14: the backlog was charged each packet's pooled array (a 1500-byte fragment cost 2048), so links
     * hit ENOBUFS sooner. It is charged the packets' lengths, and a reset gives back exactly what was charged.
     */
    @Test
    void theBacklogIsChargedPacketLengthsNotPooledArrays() throws Exception {
        m.paused = true;
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        byte[] big = new byte[60_000];
        for (int i = 0; i < 20; i++) a.core.sendToPort(net.now(), pa, mAddr(), 1234, big, 0, big.length, a);
        Link l = link();
        HoldBudget total = HoldFairnessTest.netOf(a.core).backlogTotal;
        assertThat(l.backlogLength()).isPositive();
        long charged = l.holdStats().backlogBytes();
        assertThat(charged).isLessThanOrEqualTo((long) l.backlogLength() * l.mtu())
            .isGreaterThan((long) l.backlogLength() * (l.mtu() - 200));
        HoldBudget reserve = HoldFairnessTest.netOf(a.core).backlogReserve;
        assertThat(total.bytes() + reserve.bytes()).isEqualTo(charged);
        assertThat(total.count() + reserve.count()).isEqualTo(l.backlogLength());
        l.reset();
        assertThat(l.holdStats().backlogBytes()).isZero();
        assertThat(total.bytes()).isZero();
        assertThat(total.count()).isZero();
        assertThat(reserve.bytes()).isZero();
        assertThat(reserve.count()).isZero();
    }

    /** Giving back more than is held gives back what is held: the bounds never widen by a negative balance. */
    @Test
    void givingBackMoreThanIsHeldNeverWidensTheBounds() {
        HoldBudget total = new HoldBudget(100, 100, null);
        HoldBudget pool = new HoldBudget(10, 10, null);
        HoldBudget a = new HoldBudget(50, 5, total, 10, 1, pool);
        assertThat(a.take(30, 3)).isTrue();
        a.give(45, 4);
        assertThat(a.overGives()).isEqualTo(1);
        assertThat(new long[] {a.bytes(), a.count(), total.bytes(), total.count(), pool.bytes(), pool.count()})
            .containsOnly(0L);
        assertThat(a.take(51, 1)).as("more than the bound").isFalse();
        assertThat(a.take(1, 6)).as("more items than the bound").isFalse();
        assertThat(a.take(50, 5)).isTrue();
        a.give(-1, 0);
        assertThat(a.bytes()).isEqualTo(50);
        assertThat(a.overGives()).isEqualTo(2);
        assertThat(total.overGives()).isZero();
    }

    /**
     * A full reserve pool does not refuse what the parent total has room for: the reserve's part is charged to the
     * total then (review: 16 links each holding their reserve made the 17th link's first backlogged message reset it
     * with ENOBUFS while the 128 MiB total was almost empty). Everything is given back where it was charged, the
     * parent first, also around a forced charge.
     */
    @Test
    void aFullReservePoolFallsBackToTheTotal() {
        HoldBudget total = new HoldBudget(100, 100, null);
        HoldBudget pool = new HoldBudget(10, 10, null);
        HoldBudget a = new HoldBudget(50, 50, total, 10, 10, pool);
        HoldBudget b = new HoldBudget(50, 50, total, 10, 10, pool);
        assertThat(a.take(30, 3)).isTrue(); // 10 in the pool, 20 in the total
        assertThat(pool.bytes()).isEqualTo(10);
        assertThat(total.bytes()).isEqualTo(20);
        assertThat(b.fits(5, 1)).isTrue();
        assertThat(b.take(5, 1)).as("pool full: all to the total").isTrue();
        assertThat(pool.bytes()).isEqualTo(10);
        assertThat(total.bytes()).isEqualTo(25);
        assertThat(total.count()).as("a's 3 items in its reserve, b's 1 in the total").isEqualTo(1);
        b.forceOver(40, 4); // past b's bound and the total's
        assertThat(total.bytes()).isEqualTo(65);
        a.giveAll(); // the total's part first, then the pool's
        assertThat(pool.bytes()).isZero();
        assertThat(total.bytes()).isEqualTo(45);
        b.giveAll();
        assertThat(total.bytes()).isZero();
        assertThat(total.count()).isZero();
        assertThat(pool.count()).isZero();
        assertThat(b.take(8, 1)).isTrue(); // the pool has room again: the reserve takes it
        assertThat(pool.bytes()).isEqualTo(8);
        assertThat(total.bytes()).isZero();
    }

    /**
     * The bound a failover tunnel widened (forceOver) narrows again once its packets and those queued before it are
     * given back, also when a link whose packets all sit in its reserve gives the total bytes without a count (review:
     * the total took that for a tail adjustment, kept the bytes ahead of the tunnel, and stayed widened).
     */
    @Test
    void aWidenedTotalNarrowsAgainWhenReservedLinksGiveBack() {
        HoldBudget total = new HoldBudget(1000, 1000, null);
        HoldBudget pool = new HoldBudget(100, 100, null);
        HoldBudget b = new HoldBudget(500, 500, total, 10, 10, pool); // its 2 packets' count in the reserve
        HoldBudget o = new HoldBudget(900, 900, total);
        HoldBudget t = new HoldBudget(900, 900, total);
        assertThat(b.take(30, 2)).isTrue(); // 20 bytes, no count to the total
        assertThat(o.take(300, 3)).isTrue();
        t.forceOver(200, 2); // a tunnel: the total's bound widened by it
        b.giveAll();
        o.giveAll();
        assertThat(o.take(500, 5)).isTrue(); // the node busy again
        t.giveAll(); // the tunnel has left
        long room = total.maxBytes - total.bytes();
        assertThat(total.fits(room, 0)).isTrue();
        assertThat(total.fits(room + 1, 0)).as("the bound is no longer widened").isFalse();
    }

    /**
     * Links whose peers never acknowledge can fill the node's backlog total; an honest link still has its reserve
     * (1 MiB outside the total) before ENOBUFS resets it. Before, its first message that had to wait reset it.
     */
    @Test
    void aFullBacklogTotalLeavesEveryLinkItsReserve() throws Exception {
        HoldBudget total = HoldFairnessTest.netOf(a.core).backlogTotal;
        assertThat(total.take(total.maxBytes, 0)).as("the total filled by other links").isTrue();
        m.paused = true;
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        byte[] msg = new byte[1000];
        int rc = 0;
        int queued = 0;
        while (rc != Errno.ENOBUFS && queued < 10_000) {
            rc = a.core.sendToPort(net.now(), pa, mAddr(), 1234, msg, 0, msg.length, a);
            if (link().backlogLength() > 0 && rc != Errno.ENOBUFS) queued++;
        }
        assertThat(rc).isEqualTo(Errno.ENOBUFS);
        assertThat((long) queued * msg.length).as("bytes queued in the backlog before ENOBUFS")
            .isGreaterThan(HoldBudget.BACKLOG_LINK_RESERVE_BYTES / 2);
        total.give(total.maxBytes, 0);
        assertThat(total.bytes()).isZero();
        assertThat(HoldFairnessTest.netOf(a.core).backlogReserve.bytes()).as("all given back at the reset").isZero();
    }

    // ------------------------------------------------------------------ socket receive queues

    @Test
    void anRdmSocketWhoseQueueIsFullReturnsOverloadAndCountsItForThePeer() {
        int pa = a.core.openSocket(SocketType.RDM, d -> false); // a queue that is always full
        a.core.bind(net.now(), pa, Tipc.TIPC_CLUSTER_SCOPE, SVC, 0, 0, a);
        net.runFor(200);
        List<Delivery> back = new ArrayList<>();
        int pm = m.core.openSocket(SocketType.RDM, d -> back.add(d));
        m.core.setDestDroppable(pm, false);
        for (int i = 0; i < 12; i++) {
            m.core.sendToName(net.now(), pm, SVC, 0, 0, new byte[] {7}, 0, 1, m);
            net.runFor(5);
        }
        net.runFor(100);
        assertThat(back).hasSize(12).allSatisfy(d -> assertThat(d.errcode()).isEqualTo(Tipc.TIPC_ERR_OVERLOAD));
        assertThat(a.core.peer(mAddr()).socketOverloads()).isEqualTo(12);
        // logged at the 1st and the 10th refusal, not at each
        assertThat(logLines("socket receive queue full")).hasSize(2).allSatisfy(l -> assertThat(l)
            .contains("peer " + Integer.toHexString(mAddr())));
        assertThat(a.core.peer(b.core.ownAddr()).socketOverloads()).isZero();
    }

    /** A connection mallory → alpha whose reader on alpha never reads; returns {alpha's port, mallory's port}. */
    int[] connection(List<Integer> errs) {
        int lp = a.core.openConnSocket(SocketType.SEQPACKET, null);
        a.core.bind(net.now(), lp, Tipc.TIPC_CLUSTER_SCOPE, SVC + 1, 0, 0, a);
        a.core.listen(lp);
        net.runFor(200);
        int cp = m.core.openConnSocket(SocketType.SEQPACKET, new ConnHandler() {
            @Override public void failed(int port, int errno) { errs.add(errno); }
        });
        m.core.connect(net.now(), cp, SVC + 1, 0, 0, 5000, null, 0, 0, m);
        int[] ap = {-1};
        net.runUntil(() -> (ap[0] = a.core.accept(net.now(), lp, null, a)) > 0, net.now() + 1000);
        assertThat(ap[0]).isPositive();
        assertThat(net.runUntil(() -> m.core.connSocket(cp).state() == ConnSocket.State.ESTABLISHED,
            net.now() + 1000)).isTrue();
        return new int[] {ap[0], cp};
    }

    @Test
    void aConnectionPeerThatOverrunsTheWindowIsRejectedWithOverloadAndAbortedOnBothEnds() {
        List<Integer> errs = new ArrayList<>();
        int[] p = connection(errs);
        ConnSocket mine = a.core.connSocket(p[0]);
        ConnSocket theirs = m.core.connSocket(p[1]);
        theirs.sndWin = 1 << 30; // mallory ignores alpha's advertised window
        byte[] msg = new byte[10_000];
        for (int i = 0; i < 400 && theirs.state() == ConnSocket.State.ESTABLISHED; i++) {
            m.core.send(net.now(), p[1], msg, 0, msg.length, m);
            net.runFor(2);
        }
        net.runFor(100);
        // what was accepted stayed under the kernel's sk_rcvbuf; the 24-byte abort marker came on top
        assertThat(mine.queuedBytes() + (long) mine.queuedMessages() * ConnSocket.RCV_MSG_OVERHEAD)
            .isLessThan(ConnSocket.RCVBUF_DEF + Tipc.BASIC_H_SIZE + ConnSocket.RCV_MSG_OVERHEAD);
        assertThat(mine.overloads()).isPositive();
        assertThat(a.core.peer(mAddr()).socketOverloads()).isEqualTo(mine.overloads());
        assertThat(theirs.state()).as("the OVERLOAD rejection ends mallory's end").isEqualTo(ConnSocket.State.DISCONNECTING);
        assertThat(mine.state()).as("and alpha's").isEqualTo(ConnSocket.State.DISCONNECTING);
        // alpha's reader gets the queued data, then ECONNRESET
        byte[] buf = new byte[20_000];
        int n = 0;
        int rc;
        while ((rc = a.core.recv(net.now(), p[0], buf, 0, buf.length, a)) > 0) n++;
        assertThat(n).isPositive();
        assertThat(rc).isEqualTo(Errno.ECONNRESET);
        assertThat(logLines("overran the receive queue")).hasSize(1);
    }

    @Test
    void aLegacyPeersConnectionIsBoundedInMessagesToo() {
        // mallory claims no TIPC_BLOCK_FLOWCTL: the kernel's limit is then ~67 MB of bytes, whatever the count
        m.reboot(m.core.config().withCapabilities(NodeConfig.JTIPC_CAPABILITIES & ~Tipc.TIPC_BLOCK_FLOWCTL));
        assertThat(net.runUntil(() -> linkedUp(a, m), net.now() + 10_000)).isTrue();
        net.runFor(500);
        List<Integer> errs = new ArrayList<>();
        int[] p = connection(errs);
        ConnSocket mine = a.core.connSocket(p[0]);
        ConnSocket theirs = m.core.connSocket(p[1]);
        theirs.sndWin = 1 << 30;
        byte[] msg = new byte[1];
        for (int i = 0; i < 3000 && theirs.state() == ConnSocket.State.ESTABLISHED; i++) {
            m.core.send(net.now(), p[1], msg, 0, msg.length, m);
            if (i % 10 == 0) net.runFor(2);
        }
        net.runFor(100);
        assertThat(mine.queuedMessages()).isLessThanOrEqualTo(ConnSocket.LEGACY_RCVQ_MSGS + 1);
        assertThat(mine.overloads()).isPositive();
        assertThat(mine.state()).isEqualTo(ConnSocket.State.DISCONNECTING);
    }
    /**
     * {@link HoldBudget#forceOver} (a failover tunnel): taken past the bounds, which widen by as much until it is
     * given back after what was held ahead of it, so the messages queued behind it meet the usual bound; the parent
     * is charged too, and everything comes back to zero.
     */
    @Test
    void aForcedTunnelWidensTheBoundUntilItLeaves() {
        HoldBudget total = new HoldBudget(10_000, 100, null);
        HoldBudget link = new HoldBudget(1_000, 10, total);
        assertThat(link.take(600, 6)).isTrue(); // ahead of the tunnel
        for (int i = 0; i < 20; i++) link.forceOver(100, 1); // the tunnel: 2 000 bytes past the 1 000 bound
        assertThat(link.bytes()).isEqualTo(2_600);
        assertThat(total.bytes()).isEqualTo(2_600);
        assertThat(link.take(400, 4)).as("room behind the tunnel: what the bound leaves beside the 600").isTrue();
        assertThat(link.take(1, 1)).as("bound reached").isFalse();
        link.give(600, 6); // the packets ahead leave first: the tunnel still widens the bound
        assertThat(link.fits(600, 6)).as("the tunnel still queued: 600 of room again beside the 400").isTrue();
        assertThat(link.fits(601, 6)).isFalse();
        for (int i = 0; i < 20; i++) link.give(100, 1); // the tunnel leaves
        assertThat(link.bytes()).isEqualTo(400);
        assertThat(link.fits(600, 6)).isTrue();
        assertThat(link.fits(601, 6)).as("the usual bound again").isFalse();
        link.giveAll();
        assertThat(link.bytes()).isZero();
        assertThat(total.bytes()).isZero();
        assertThat(total.count()).isZero();
        assertThat(link.fits(1_000, 10)).isTrue();
        assertThat(link.fits(1_001, 10)).isFalse();
    }
}
