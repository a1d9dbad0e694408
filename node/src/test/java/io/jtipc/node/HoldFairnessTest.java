package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * Issue 15 review: the node-wide hold budgets filled by other (hostile) links must not lock an honest link out.
 * Alpha (the victim) and beta (honest) link up on a {@link SimNetwork}; the node-wide totals of alpha are filled as
 * other links would fill them.
 */
class HoldFairnessTest {
    static final int SVC = 5151;

    final SimNetwork net = new SimNetwork(16);
    final SimNode a = net.addNode("alpha", 1, 0x11112222);
    final SimNode b = net.addNode("beta", 2, 0x33334444);

    HoldFairnessTest() {
        assertThat(net.runUntil(() -> linkedUp(a, b), 10_000)).isTrue();
        net.runFor(500);
    }

    static Net netOf(NodeCore core) throws ReflectiveOperationException {
        Field f = NodeCore.class.getDeclaredField("net");
        f.setAccessible(true);
        return (Net) f.get(core);
    }

    Link linkAB() { return a.core.peer(b.core.ownAddr()).link(); }

    @Test
    void aFullNodeReassemblyTotalDelaysAnHonestFragmentedMessageButDoesNotResetItsLink() throws Exception {
        int pa = a.core.openSocket(SocketType.RDM, a.received::add);
        a.core.bind(net.now(), pa, Tipc.TIPC_CLUSTER_SCOPE, SVC, 0, 0, a);
        net.runFor(200);
        // other links (e.g. 500 linked peers that never finish a message) hold all but 1000 bytes of the total
        HoldBudget total = netOf(a.core).reasmTotal;
        long others = total.maxBytes - total.bytes() - 1000;
        assertThat(total.take(others, 500)).isTrue();

        byte[] msg = new byte[20_000];
        for (int i = 0; i < msg.length; i++) msg[i] = (byte) (i * 7);
        int pb = b.core.openSocket(SocketType.RDM, d -> true);
        assertThat(b.core.sendToName(net.now(), pb, SVC, 0, 0, msg, 0, msg.length, b)).isZero();
        net.runFor(300);
        Link l = linkAB();
        assertThat(a.received).isEmpty();
        assertThat(l.isUp()).isTrue();
        assertThat(l.holdStats().reassemblyErrors()).isZero();
        assertThat(l.holdStats().resets()).isZero();
        assertThat(l.holdStats().reassemblyRefused()).as("fragments refused while the total was full").isPositive();

        total.give(others, 500); // the other links are reset or finish: the honest message is resent and arrives
        assertThat(net.runUntil(() -> !a.received.isEmpty(), net.now() + 5000)).isTrue();
        assertThat(a.received.get(0).data()).isEqualTo(msg);
        assertThat(l.isUp()).isTrue();
        assertThat(l.holdStats().resets()).isZero();
        assertThat(l.holdStats().reassemblyErrors()).isZero();
        assertThat(total.bytes()).isZero();
    }

    /**
     * A fragment that waited in the deferred queue was gap-acknowledged: the peer may already have released it, so
     * when it comes in sequence and the node's reassembly total cannot take it the link is reset (as the kernel does
     * for a reassembly failure) rather than the fragment being put back (which would stall the link for good).
     * A small message is lost once; the fragments of the 20 000-byte message after it wait deferred; the total has
     * no room for the reassembly buffer (20 024 B, sized from the inner header at the first fragment) when that first
     * fragment comes out of the deferred queue after the retransmitted small message.
     */
    @Test
    void aGapAcknowledgedFragmentThatTheFullTotalRefusesResetsTheLink() throws Exception {
        int pa = a.core.openSocket(SocketType.RDM, a.received::add);
        a.core.bind(net.now(), pa, Tipc.TIPC_CLUSTER_SCOPE, SVC, 0, 0, a);
        net.runFor(200);
        HoldBudget total = netOf(a.core).reasmTotal;
        long others = total.maxBytes - total.bytes() - 6000;
        assertThat(total.take(others, 500)).isTrue();
        boolean[] dropped = {false};
        net.drop = (from, f) -> {
            TipcMsg m = new TipcMsg().wrap(f, 0, f.length);
            if (from != b || dropped[0] || m.user() != Tipc.LOW_IMPORTANCE || m.size() != m.hdrSize() + 100) {
                return false;
            }
            return dropped[0] = true;
        };
        Link l = linkAB();
        long resetsBefore = l.holdStats().resets();
        byte[] msg = new byte[20_000];
        int pb = b.core.openSocket(SocketType.RDM, d -> true);
        assertThat(b.core.sendToName(net.now(), pb, SVC, 0, 0, new byte[100], 0, 100, b)).isZero();
        assertThat(b.core.sendToName(net.now(), pb, SVC, 0, 0, msg, 0, msg.length, b)).isZero();
        assertThat(net.runUntil(() -> linkAB() != l || !l.isUp() || l.holdStats().resets() > resetsBefore,
            net.now() + 3000)).as("link reset").isTrue();
        assertThat(dropped[0]).isTrue();
        assertThat(l.holdStats().resets()).isEqualTo(resetsBefore + 1);
        assertThat(l.holdStats().lastResetReason()).contains("gap-acknowledged fragment");
        assertThat(a.received).noneMatch(d -> d.data().length == msg.length);
        total.give(others, 500);
        net.drop = (from, f) -> false;
        assertThat(net.runUntil(() -> linkedUp(a, b), net.now() + 10_000)).as("link back up").isTrue();
    }

    /** A MSG_FRAGMENTER packet from {@code src} of {@code type} carrying {@code payload} bytes. */
    static byte[] fragment(int src, int dst, int type, int no, int payload) {
        byte[] f = new byte[Tipc.INT_H_SIZE + payload];
        TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
        Msg.init(h, src, Tipc.MSG_FRAGMENTER, type, Tipc.INT_H_SIZE, dst);
        h.setSize(f.length);
        h.setFragmNo(no);
        if (type == Tipc.FIRST_FRAGMENT) {
            TipcMsg in = new TipcMsg().wrap(f, Tipc.INT_H_SIZE, payload);
            Msg.init(in, src, Tipc.LOW_IMPORTANCE, Tipc.TIPC_DIRECT_MSG, Tipc.BASIC_H_SIZE, dst);
            in.setSize(Tipc.MAX_MSG_SIZE);
        }
        return f;
    }

    @Test
    void reassembliesStalledOnOtherLinksAreEvictedForAnHonestLinkWhoseFragmentFoundTheTotalFull() throws Exception {
        int pa = a.core.openSocket(SocketType.RDM, a.received::add);
        a.core.bind(net.now(), pa, Tipc.TIPC_CLUSTER_SCOPE, SVC, 0, 0, a);
        net.runFor(200);
        Net an = netOf(a.core);
        HoldBudget total = an.reasmTotal;
        // ~500 linked fake peers: each sends the first 64 KB of a message, then never the rest
        List<LinkReassembly> fakes = new ArrayList<>();
        TipcMsg h = new TipcMsg();
        while (true) {
            LinkReassembly r = new LinkReassembly(total, an.reasmActive);
            byte[] f = fragment(0x01001000 + fakes.size(), a.core.ownAddr(), Tipc.FIRST_FRAGMENT, 1, 1400);
            if (!r.roomFor(h.wrap(f, 0, f.length), net.now())) break;
            r.append(f, 0, f.length);
            for (int i = 2; i < 47 && !r.failed; i++) {
                f = fragment(0x01001000 + fakes.size(), a.core.ownAddr(), Tipc.FRAGMENT, i, 1400);
                if (!r.roomFor(h.wrap(f, 0, f.length), net.now())) break;
                r.append(f, 0, f.length);
            }
            assertThat(r.failed).isFalse();
            fakes.add(r);
        }
        assertThat(total.bytes()).isGreaterThan(HoldBudget.REASM_TOTAL_BYTES - 70_000);
        // what the fakes left (less than one 66 060-byte reassembly) is held elsewhere: no room for the honest message
        long rest = total.maxBytes - total.bytes();
        assertThat(total.take(rest, 0)).isTrue();

        byte[] msg = new byte[20_000];
        for (int i = 0; i < msg.length; i++) msg[i] = (byte) (i * 7);
        int pb = b.core.openSocket(SocketType.RDM, d -> true);
        assertThat(b.core.sendToName(net.now(), pb, SVC, 0, 0, msg, 0, msg.length, b)).isZero();
        assertThat(net.runUntil(() -> !a.received.isEmpty(), net.now() + 5000)).isTrue();
        assertThat(a.received.get(0).data()).isEqualTo(msg);
        Link l = linkAB();
        assertThat(l.isUp()).isTrue();
        assertThat(l.holdStats().resets()).isZero();
        assertThat(l.holdStats().reassemblyErrors()).isZero();
        long evicted = 0;
        for (LinkReassembly r : fakes) evicted += r.evicted;
        assertThat(evicted).isBetween(1L, 3L);
        assertThat(total.bytes()).isLessThanOrEqualTo(HoldBudget.REASM_TOTAL_BYTES);
        total.give(rest, 0);
        for (LinkReassembly r : fakes) r.reset();
        assertThat(total.bytes()).isZero();
        assertThat(an.reasmActive).isEmpty();
    }

    /**
     * The node's reassemblies are kept in progress order, so the one evicted is the one stalled longest, found without
     * a walk: a reassembly that took a fragment lately is not evicted though it started first.
     */
    @Test
    void theReassemblyStalledLongestIsEvictedNotTheOneStartedFirst() {
        HoldBudget total = new HoldBudget(3 * Tipc.MAX_MSG_SIZE, 100, null);
        LinkReassembly.Active active = new LinkReassembly.Active();
        TipcMsg h = new TipcMsg();
        LinkReassembly[] r = new LinkReassembly[3];
        for (int i = 0; i < 3; i++) { // started at 0, 100, 200
            r[i] = new LinkReassembly(total, active);
            byte[] f = fragment(0x1001 + i, 0x2002, Tipc.FIRST_FRAGMENT, 1, 1400);
            assertThat(r[i].roomFor(h.wrap(f, 0, f.length), 100L * i)).isTrue();
            r[i].append(f, 0, f.length);
        }
        byte[] f2 = fragment(0x1001, 0x2002, Tipc.FRAGMENT, 2, 1400);
        assertThat(r[0].roomFor(h.wrap(f2, 0, f2.length), 300)).isTrue(); // the first one goes on at 300
        r[0].append(f2, 0, f2.length);
        total.maxBytes = total.bytes(); // full: a fourth reassembly's first fragment needs an eviction
        LinkReassembly d = new LinkReassembly(total, active);
        byte[] f = fragment(0x1004, 0x2002, Tipc.FIRST_FRAGMENT, 1, 1400);
        assertThat(d.roomFor(h.wrap(f, 0, f.length), 1250)).isTrue(); // 100 stalled since 100: 1 150 ms
        assertThat(r[1].evicted).isEqualTo(1);
        assertThat(r[0].evicted + r[2].evicted).isZero();
        assertThat(active).containsExactly(r[2], r[0]);
    }

    /**
     * The failover reassembly of a link (l->failover_reasm_skb, swapped with the failed link's own at failover) is one
     * of the node's evictable reassemblies: made outside them, it could hold part of the node total for good, and
     * after one failover the failed link's new reassembly could neither evict nor be evicted.
     */
    @Test
    void aLinksFailoverReassemblyIsAmongTheNodesEvictableOnes() {
        SimNetwork net = new SimNetwork(3);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        Link l = a.core.peer(b.core.ownAddr()).link();
        LinkReassembly t = l.tunnel.reasm;
        assertThat(t).isNotSameAs(l.reasm);
        byte[] f = fragment(b.core.ownAddr(), a.core.ownAddr(), Tipc.FIRST_FRAGMENT, 1, 1400);
        assertThat(t.roomFor(new TipcMsg().wrap(f, 0, f.length), net.now())).isTrue();
        t.append(f, 0, f.length);
        assertThat(t.bytes()).isPositive();
        assertThat(a.core.net.reasmActive).contains(t);
        t.reset();
        assertThat(a.core.net.reasmActive).doesNotContain(t);
    }

    /**
     * Keeping the node's reassemblies in progress order costs no allocation per fragment (issue 14): two reassemblies
     * taking fragments in turn move to the newest end at each one, 20 000 times, and the thread allocates (almost)
     * nothing meanwhile (a LinkedHashSet's remove/add allocated an entry per fragment: ~0.6 MB here).
     */
    @Test
    void keepingProgressOrderAllocatesNothingPerFragment() {
        var tm = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        HoldBudget total = new HoldBudget(3 * Tipc.MAX_MSG_SIZE, 100, null);
        LinkReassembly.Active active = new LinkReassembly.Active();
        TipcMsg h = new TipcMsg();
        LinkReassembly[] r = new LinkReassembly[2];
        byte[][] next = new byte[2][];
        for (int i = 0; i < 2; i++) {
            r[i] = new LinkReassembly(total, active);
            byte[] f = fragment(0x1001 + i, 0x2002, Tipc.FIRST_FRAGMENT, 1, 1400);
            assertThat(r[i].roomFor(h.wrap(f, 0, f.length), 0)).isTrue();
            r[i].append(f, 0, f.length);
            next[i] = fragment(0x1001 + i, 0x2002, Tipc.FRAGMENT, 2, 1400);
        }
        for (int i = 0; i < 2_000; i++) r[i & 1].roomFor(h.wrap(next[i & 1], 0, next[i & 1].length), i); // warm-up
        long before = tm.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20_000; i++) r[i & 1].roomFor(h.wrap(next[i & 1], 0, next[i & 1].length), 2_000 + i);
        long allocated = tm.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated over 20 000 fragments").isLessThan(4_096);
        assertThat(active).containsExactly(r[0], r[1]);
        assertThat(active.size()).isEqualTo(2);
        r[0].reset();
        assertThat(active).containsExactly(r[1]);
        r[1].reset();
        assertThat(active).isEmpty();
        assertThat(active.oldest()).isNull();
    }

    /** A deferred packet of {@code size} bytes with link seqno {@code seqno}. */
    static byte[] pkt(int seqno, int size) {
        byte[] f = new byte[size];
        f[10] = (byte) (seqno >> 8);
        f[11] = (byte) seqno;
        return f;
    }

    @Test
    void aDeferredOverflowEpisodeEndsWhenTheQueueKeepsAPacketAgainEvenIfItNeverDrains() {
        HoldBudget total = new HoldBudget(3_000, 1000, null);
        DeferredQueue other = new DeferredQueue(total);
        DeferredQueue q = new DeferredQueue(total);
        assertThat(other.add(pkt(2, 3000), 0, 3000)).isEqualTo(DeferredQueue.ADDED);
        assertThat(q.add(pkt(10, 500), 0, 500)).isEqualTo(DeferredQueue.NO_ROOM);
        assertThat(q.noRoom(10, total)).contains("deferred queue full");
        assertThat(q.add(pkt(11, 500), 0, 500)).isEqualTo(DeferredQueue.NO_ROOM);
        assertThat(q.noRoom(11, total)).as("same episode").isNull();
        other.clear();
        assertThat(q.add(pkt(12, 500), 0, 500)).isEqualTo(DeferredQueue.ADDED);
        assertThat(other.add(pkt(2, 2500), 0, 2500)).isEqualTo(DeferredQueue.ADDED);
        assertThat(q.add(pkt(13, 500), 0, 500)).isEqualTo(DeferredQueue.NO_ROOM);
        assertThat(q.noRoom(13, total)).as("a new episode, the queue never drained").contains("deferred queue full");
        assertThat(q.size()).isEqualTo(1);
        assertThat(q.dropped).isEqualTo(3);
    }

    @Test
    void theProbeCountsWhatPeersBroadcastLinksDefer() {
        BroadcastLink bl = a.core.peer(b.core.ownAddr()).broadcastLink();
        assertThat(bl.isUp()).isTrue();
        byte[] f = new byte[600];
        TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
        Msg.init(h, b.core.ownAddr(), Tipc.LOW_IMPORTANCE, Tipc.TIPC_MCAST_MSG, Tipc.MCAST_H_SIZE, 0);
        h.setSize(f.length);
        h.setNonSeq(1);
        h.setMcNetid(a.core.config().netId());
        h.setSeqno((bl.rcvNxt() + 5) & 0xffff);
        a.core.onFrame(net.now(), 0, b.mac, f, 0, f.length, new LinkInputOrderTest.Capture());
        assertThat(bl.deferredBytes()).isEqualTo(600);
        assertThat(TargetProbe.deferredBytes(a.core)).isEqualTo(600);
    }

    private static HoldBudget reservePool() {
        return new HoldBudget(HoldBudget.DEFERRED_RESERVE_TOTAL_BYTES, HoldBudget.DEFERRED_RESERVE_TOTAL_PACKETS, null);
    }

    private static DeferredQueue linkQueue(HoldBudget total, HoldBudget pool) {
        return new DeferredQueue(total, HoldBudget.DEFERRED_LINK_RESERVE_BYTES, HoldBudget.DEFERRED_LINK_RESERVE_PACKETS,
            pool);
    }

    @Test
    void theReservesOfManyLinksStayWithinTheReservePool() {
        HoldBudget total = new HoldBudget(HoldBudget.DEFERRED_TOTAL_BYTES, HoldBudget.DEFERRED_TOTAL_PACKETS, null);
        HoldBudget pool = reservePool();
        int size = 60_000;
        List<DeferredQueue> hostile = new ArrayList<>();
        long held = 0;
        for (int k = 0; k < 40; k++) { // far more links than the total and the pool together can serve
            DeferredQueue q = linkQueue(total, pool);
            for (int s = 2; q.add(pkt(s, size), 0, size) == DeferredQueue.ADDED; s++) held += size;
            hostile.add(q);
        }
        // whatever the number of links: the shared total plus the reserve pool, never a reserve per link on top
        assertThat(held).isLessThanOrEqualTo(HoldBudget.DEFERRED_TOTAL_BYTES + HoldBudget.DEFERRED_RESERVE_TOTAL_BYTES)
            .isGreaterThan(HoldBudget.DEFERRED_TOTAL_BYTES + HoldBudget.DEFERRED_RESERVE_TOTAL_BYTES - 2L * 40 * size);
        assertThat(pool.bytes()).isLessThanOrEqualTo(HoldBudget.DEFERRED_RESERVE_TOTAL_BYTES);
        for (DeferredQueue q : hostile) q.clear();
        assertThat(pool.bytes()).isZero();
        assertThat(total.bytes()).isZero();
    }

    @Test
    void linksFillingTheDeferredTotalLeaveEveryOtherLinkItsReserve() {
        HoldBudget total = new HoldBudget(HoldBudget.DEFERRED_TOTAL_BYTES, HoldBudget.DEFERRED_TOTAL_PACKETS, null);
        HoldBudget pool = reservePool();
        int size = 60_000;
        List<DeferredQueue> hostile = new ArrayList<>();
        for (int k = 0; k < 10; k++) { // 8 suffice without the reserves, 10 with
            DeferredQueue q = linkQueue(total, pool);
            for (int s = 2; q.add(pkt(s, size), 0, size) == DeferredQueue.ADDED; s++) {
                assertThat(s).isLessThan(1000);
            }
            hostile.add(q);
        }
        assertThat(total.bytes()).isGreaterThan(HoldBudget.DEFERRED_TOTAL_BYTES - size);
        long hostileHeld = total.bytes();
        // an honest link behind one lost packet still keeps what follows it, up to its reserve
        DeferredQueue honest = linkQueue(total, pool);
        int kept = 0;
        for (int s = 2; s < 100; s++) if (honest.add(pkt(s, 1500), 0, 1500) == DeferredQueue.ADDED) kept++;
        assertThat(kept).isEqualTo(98);
        for (int s = 100; s < 2000; s++) if (honest.add(pkt(s, 1500), 0, 1500) == DeferredQueue.ADDED) kept++;
        // its reserve, plus what the total had left (less than one hostile packet)
        assertThat((long) kept * 1500).isLessThanOrEqualTo(HoldBudget.DEFERRED_LINK_RESERVE_BYTES + size)
            .isGreaterThan(HoldBudget.DEFERRED_LINK_RESERVE_BYTES - 1500);
        while (honest.pollFirst() != null) kept--;
        assertThat(kept).isZero();
        assertThat(total.bytes()).isEqualTo(hostileHeld);
        for (DeferredQueue q : hostile) q.clear();
        assertThat(total.bytes()).isZero();
        assertThat(total.count()).isZero();
    }
}
