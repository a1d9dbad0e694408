package io.jtipc.node;

import static io.jtipc.node.ClusterTest.fullMesh;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * jtipc's own broadcast link ({@link Bcast}) on the in-memory network: multicast and binding updates on it under
 * loss, reorder and duplication, a peer joining mid-stream, retransmission, broadcast ↔ replicast switches with the
 * SYN twin, and the bounds against a peer that never acknowledges.
 */
class BcastTest {
    static final int TYPE = 4242;

    final SimNetwork net = new SimNetwork(1601);

    List<SimNode> cluster(int n) {
        for (int i = 0; i < n; i++) net.addNode("bc" + i, i + 1, 0x2000 * (i + 1) + 3);
        List<SimNode> ns = new ArrayList<>(net.nodes());
        assertThat(net.runUntil(() -> fullMesh(ns), 30_000)).isTrue();
        return ns;
    }

    /** Binds {TYPE, 0, 99} on every node in {@code ns} and waits until {@code sender} sees all bindings. */
    void bindAll(List<SimNode> ns, SimNode sender) {
        for (SimNode n : ns) {
            int p = n.core.openSocket(SocketType.RDM, n.received::add);
            assertThat(n.core.bind(net.now(), p, Tipc.TIPC_CLUSTER_SCOPE, TYPE, 0, 99, n)).isZero();
        }
        assertThat(net.runUntil(() -> ns.stream().allMatch(
            n -> n.core.bindingTable().publications(TYPE, 0, 99).size() == ns.size()), net.now() + 30_000)).isTrue();
    }

    /** Multicasts the ints [from, to) from {@code port}, waiting (in sim time) whenever the send got ELINKCONG. */
    void mcast(SimNode s, int port, int from, int to) {
        for (int i = from; i < to; i++) {
            byte[] x = ByteBuffer.allocate(4).putInt(i).array();
            int rc = s.core.multicast(net.now(), port, TYPE, 0, 99, x, 0, x.length, s);
            assertThat(rc).isIn(0, Errno.ELINKCONG);
            if (rc == Errno.ELINKCONG) {
                assertThat(net.runUntil(() -> !s.core.broadcastLink().congested(0), net.now() + 60_000)).isTrue();
            }
        }
    }

    static List<Integer> ints(SimNode n) {
        List<Integer> r = new ArrayList<>();
        for (Delivery d : n.received) if (d.msgType() == Tipc.TIPC_MCAST_MSG) r.add(ByteBuffer.wrap(d.data()).getInt());
        return r;
    }

    static List<Integer> range(int from, int to) {
        List<Integer> r = new ArrayList<>();
        for (int i = from; i < to; i++) r.add(i);
        return r;
    }

    boolean allGot(List<SimNode> ns, int k) {
        return ns.stream().allMatch(n -> ints(n).size() >= k);
    }

    @Test
    void fiveNodesUnderLossReorderAndDuplicationEachReceiveEveryMulticastInOrderOnTheBroadcastLink() {
        List<SimNode> ns = cluster(5);
        net.loss = 0.05;
        net.reorder = 0.05;
        net.duplicate = 0.02;
        net.delayMax = 3;
        SimNode a = ns.get(0);
        bindAll(ns, a);
        Bcast bc = a.core.broadcastLink();
        assertThat(bc.peers()).isEqualTo(4);
        long sentBefore = bc.sentMessages();
        int p = a.core.openSocket(SocketType.RDM, d -> true);
        int k = 1000;
        mcast(a, p, 0, k);
        assertThat(net.runUntil(() -> allGot(ns, k) && bc.transmitQueueLength() == 0, net.now() + 60_000)).isTrue();
        for (SimNode n : ns) assertThat(ints(n)).as(n.name).isEqualTo(range(0, k));
        // once each on the broadcast link (not 4 unicast copies), and some lost ones sent again
        assertThat(bc.sentMessages() - sentBefore).isEqualTo(k);
        assertThat(bc.retransmitted()).isPositive();
        assertThat(bc.backlogLength()).isZero();
    }

    @Test
    void bindingUpdatesGoOnTheBroadcastLinkAndConvergeUnderLoss() {
        List<SimNode> ns = cluster(4);
        net.loss = 0.1;
        net.reorder = 0.05;
        SimNode a = ns.get(0);
        long before = a.core.broadcastLink().sentMessages();
        int p = a.core.openSocket(SocketType.RDM, d -> true);
        for (int i = 0; i < 200; i++) {
            assertThat(a.core.bind(net.now(), p, Tipc.TIPC_CLUSTER_SCOPE, 777, i, i, a)).isZero();
        }
        for (int i = 0; i < 200; i += 2) assertThat(a.core.unbind(net.now(), p, 777, i, i, a)).isZero();
        assertThat(net.runUntil(() -> ns.stream().allMatch(n -> n.core.bindingTable().publications(777, 0, 199).size() == 100),
            net.now() + 60_000)).isTrue();
        assertThat(a.core.broadcastLink().sentMessages() - before).isEqualTo(300);
        for (SimNode n : ns) {
            assertThat(n.core.bindingTable().publications(777, 0, 199)).allSatisfy(pub -> assertThat(pub.lower() % 2).isOne());
        }
    }

    @Test
    void aPeerJoiningMidStreamStartsAtTheCurrentSeqnoAndTheOthersMissNothing() {
        List<SimNode> ns = cluster(3);
        net.loss = 0.03;
        net.reorder = 0.03;
        SimNode a = ns.get(0);
        bindAll(ns, a);
        int p = a.core.openSocket(SocketType.RDM, d -> true);
        mcast(a, p, 0, 300);
        int sndNxtAtJoin = a.core.broadcastLink().sndNxt();
        SimNode d = net.addNode("bc9", 9, 0x9999);
        List<SimNode> all = net.nodes();
        assertThat(net.runUntil(() -> fullMesh(all), net.now() + 30_000)).isTrue();
        assertThat(a.core.peer(d.core.ownAddr()).broadcastLink()).isNotNull();
        // d's bc receive link at a's side counts it as an acker from a's snd_nxt on
        assertThat(a.core.broadcastLink().peers()).isEqualTo(3);
        assertThat(d.core.peer(a.core.ownAddr()).broadcastLink().rcvNxt()).isNotEqualTo(1);
        // mid-stream: the first 50 packets sent, the rest of the 300 (small: bundled) may still be in the backlog
        assertThat(sndNxtAtJoin).isGreaterThan(Bcast.WIN_DEFAULT);
        int pd = d.core.openSocket(SocketType.RDM, d.received::add);
        assertThat(d.core.bind(net.now(), pd, Tipc.TIPC_CLUSTER_SCOPE, TYPE, 0, 99, d)).isZero();
        assertThat(net.runUntil(() -> a.core.bindingTable().publications(TYPE, 0, 99).size() == 4, net.now() + 30_000))
            .isTrue();
        mcast(a, p, 300, 600);
        assertThat(net.runUntil(() -> allGot(ns, 600) && ints(d).size() >= 300
            && a.core.broadcastLink().transmitQueueLength() == 0, net.now() + 60_000)).isTrue();
        for (SimNode n : ns) assertThat(ints(n)).as(n.name).isEqualTo(range(0, 600));
        assertThat(ints(d)).isEqualTo(range(300, 600));
    }

    @Test
    void switchingBroadcastReplicastMidStreamKeepsOrder() {
        List<SimNode> ns = cluster(4);
        net.loss = 0.02;
        net.reorder = 0.05;
        SimNode a = ns.get(0);
        bindAll(ns, a);
        Bcast bc = a.core.broadcastLink();
        int p = a.core.openSocket(SocketType.RDM, d -> true);
        long sentBefore = bc.sentMessages();
        // a burst into the broadcast backlog (sent without waiting), then replicast copies that would overtake it, then
        // broadcast again: only the SYN twins keep each receiver in order
        int k = 0;
        for (int round = 0; round < 4; round++) {
            bc.setSocketMethod(p, round % 2 == 1);
            for (int i = 0; i < 120; i++, k++) {
                byte[] x = ByteBuffer.allocate(4).putInt(k).array();
                assertThat(a.core.multicast(net.now(), p, TYPE, 0, 99, x, 0, x.length, a)).isIn(0, Errno.ELINKCONG);
            }
            net.runFor(2);
        }
        int total = k;
        assertThat(net.runUntil(() -> allGot(ns, total), net.now() + 60_000)).isTrue();
        net.runFor(1000);
        for (SimNode n : ns) assertThat(ints(n)).as(n.name).isEqualTo(range(0, total));
        // rounds 0 and 2 on the broadcast link (240), rounds 1 and 3 as unicast copies; each switch to replicast sends
        // its SYN twin by the old method, the broadcast link (2); the switches back send theirs by replicast
        assertThat(bc.sentMessages() - sentBefore).isEqualTo(240 + 2);
    }

    @Test
    void kernelStyleSwitchByDestinationCountSendsTheSynTwin() {
        List<SimNode> ns = cluster(3);
        SimNode a = ns.get(0);
        bindAll(ns, a);
        a.recordFrames = true;
        int p = a.core.openSocket(SocketType.RDM, d -> true);
        byte[] x = {1, 2, 3, 4};
        // first send: 2 destinations > threshold 1 → broadcast; same as the initial method: no SYN
        assertThat(a.core.multicast(net.now(), p, TYPE, 0, 99, x, 0, 4, a)).isZero();
        // ratio 100 % → threshold 3: replicast now; the switch SYN-marks the message, its twin goes by broadcast
        assertThat(a.core.broadcastLink().setRatio(100)).isZero();
        assertThat(a.core.multicast(net.now(), p, TYPE, 0, 99, x, 0, 4, a)).isZero();
        List<TipcMsg> mc = a.sentFrames.stream().map(f -> new TipcMsg().wrap(f, 0, f.length))
            .filter(m -> m.user() == 0 && m.type() == Tipc.TIPC_MCAST_MSG).toList();
        assertThat(mc).hasSize(1 + 1 + 2);
        assertThat(mc.get(0).isSyn()).isZero();
        assertThat(mc.get(0).nonSeq()).isOne();
        TipcMsg twin = mc.get(1);
        assertThat(twin.isSyn()).isOne();
        assertThat(twin.nonSeq()).isOne();
        assertThat(twin.isRcast()).isZero();
        assertThat(twin.errcode()).isEqualTo(Tipc.TIPC_ERR_NO_PORT);
        assertThat(twin.size()).isEqualTo(Tipc.MCAST_H_SIZE);
        assertThat(mc.subList(2, 4)).allSatisfy(m -> {
            assertThat(m.isSyn()).isOne();
            assertThat(m.isRcast()).isOne();
            assertThat(m.nonSeq()).isZero();
        });
        net.runFor(2000);
        // each receiver got both messages once (the twin without data is not delivered)
        for (SimNode n : ns.subList(1, 3)) assertThat(ints(n)).hasSize(2);
        assertThat(a.core.config().capabilities() & Tipc.TIPC_MCAST_RBCTL).isNotZero();
    }

    @Test
    void aPeerThatNeverAcknowledgesCannotHoldTheStreamOrGrowItsQueues() {
        List<SimNode> ns = cluster(4);
        SimNode a = ns.get(0);
        SimNode rogue = ns.get(3);
        bindAll(ns, a);
        int aAddr = a.core.ownAddr();
        // everything the rogue sends a claims "nothing of your broadcasts received" (w1 = 0, no bc gap/blocks)
        net.drop = (from, f) -> {
            if (from == rogue) {
                TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
                if (h.nonSeq() == 0 && h.user() != Tipc.LINK_CONFIG && h.destnode() == aAddr) h.setBcastAck(0);
            }
            return false;
        };
        Bcast bc = a.core.broadcastLink();
        int p = a.core.openSocket(SocketType.RDM, d -> true);
        int k = 400;
        for (int i = 0; i < k; i++) {
            byte[] x = ByteBuffer.allocate(4).putInt(i).array();
            int rc = a.core.multicast(net.now(), p, TYPE, 0, 99, x, 0, x.length, a);
            assertThat(rc).isIn(0, Errno.ELINKCONG);
            assertThat(bc.transmitQueueLength()).isLessThanOrEqualTo(Bcast.WIN_DEFAULT);
            assertThat(bc.backlogBytes()).isLessThanOrEqualTo(HoldBudget.BACKLOG_LINK_BYTES);
            if (rc == Errno.ELINKCONG) {
                // the stream only moves again once the rogue is reset (stall rule: 10 × its 1500 ms tolerance)
                assertThat(net.runUntil(() -> !bc.congested(0), net.now() + 120_000)).isTrue();
            }
        }
        List<SimNode> honest = ns.subList(0, 3);
        assertThat(net.runUntil(() -> allGot(honest, k), net.now() + 120_000)).isTrue();
        for (SimNode n : honest) assertThat(ints(n)).as(n.name).isEqualTo(range(0, k));
        assertThat(bc.stallResets()).isPositive();
        assertThat(a.core.log()).anyMatch(l -> l.contains("broadcast link peer " + Integer.toHexString(rogue.core.ownAddr())
            + ": reset: broadcast seqno"));
    }

    /**
     * As {@link #aPeerThatNeverAcknowledgesCannotHoldTheStreamOrGrowItsQueues}, but no acknowledgement of the rogue is
     * ever looked at: its LINK_PROTOCOL and NAME_DISTRIBUTOR packets carry bc_ack_invalid (w5 bit 14), the others the
     * w1 already taken (tipc_rcv then skips the ack). The stall rule runs from its node's timer, so it is still reset;
     * before, it held the stream for good.
     */
    @Test
    void aPeerWhoseAcknowledgementsAreNeverLookedAtCannotHoldTheStream() {
        List<SimNode> ns = cluster(4);
        SimNode a = ns.get(0);
        SimNode rogue = ns.get(3);
        bindAll(ns, a);
        int aAddr = a.core.ownAddr();
        BroadcastLink rogueAtA = a.core.peer(rogue.core.ownAddr()).bcRcv;
        net.drop = (from, f) -> {
            if (from == rogue) {
                TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
                if (h.nonSeq() == 0 && h.user() != Tipc.LINK_CONFIG && h.destnode() == aAddr) {
                    int u = h.user();
                    if (u == Tipc.LINK_PROTOCOL || u == Tipc.NAME_DISTRIBUTOR || u == Tipc.BCAST_PROTOCOL) {
                        h.setBcAckInvalid(1);
                    } else {
                        h.setBcastAck(rogueAtA.acked);
                    }
                }
            }
            return false;
        };
        Bcast bc = a.core.broadcastLink();
        long[] honestResets = {a.core.peer(ns.get(1).core.ownAddr()).link().resets,
            a.core.peer(ns.get(2).core.ownAddr()).link().resets};
        int p = a.core.openSocket(SocketType.RDM, d -> true);
        int k = 400;
        for (int i = 0; i < k; i++) {
            byte[] x = ByteBuffer.allocate(4).putInt(i).array();
            int rc = a.core.multicast(net.now(), p, TYPE, 0, 99, x, 0, x.length, a);
            assertThat(rc).isIn(0, Errno.ELINKCONG);
            if (rc == Errno.ELINKCONG) {
                assertThat(net.runUntil(() -> !bc.congested(0), net.now() + 120_000)).as("congestion ends").isTrue();
            }
        }
        List<SimNode> honest = ns.subList(0, 3);
        assertThat(net.runUntil(() -> allGot(honest, k), net.now() + 120_000)).isTrue();
        for (SimNode n : honest) assertThat(ints(n)).as(n.name).isEqualTo(range(0, k));
        assertThat(bc.stallResets()).isPositive();
        assertThat(a.core.log()).anyMatch(l -> l.contains("broadcast link peer " + Integer.toHexString(rogue.core.ownAddr())
            + ": reset: broadcast seqno"));
        assertThat(a.core.log()).as("only the rogue stalled").noneMatch(l -> l.contains("broadcast link peer ")
            && l.contains(": reset: broadcast seqno") && !l.contains(Integer.toHexString(rogue.core.ownAddr())));
        assertThat(new long[] {a.core.peer(ns.get(1).core.ownAddr()).link().resets,
            a.core.peer(ns.get(2).core.ownAddr()).link().resets}).as("honest links never reset").isEqualTo(honestResets);
    }

    /** Review bug 1: one acknowledgement beyond snd_nxt (w1 = snd_nxt + 1000) must not freeze the stream for good. */
    @Test
    void oneAckBeyondSndNxtIsIgnoredAndTheStreamKeepsMoving() {
        List<SimNode> ns = cluster(3);
        SimNode a = ns.get(0);
        SimNode rogue = ns.get(2);
        bindAll(ns, a);
        int aAddr = a.core.ownAddr();
        Bcast bc = a.core.broadcastLink();
        int[] bogus = {0};
        // up to 10 of the rogue's packets to a claim w1 = snd_nxt + 1000, while a has packets in flight (with an empty
        // queue the kernel's rule already ignores it)
        net.drop = (from, f) -> {
            if (from == rogue && bogus[0] < 10 && bc.transmitQueueLength() > 0) {
                TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
                if (h.nonSeq() == 0 && h.user() != Tipc.LINK_CONFIG && h.destnode() == aAddr) {
                    h.setBcastAck((bc.sndNxt() + 1000) & 0xffff);
                    bogus[0]++;
                }
            }
            return false;
        };
        int p = a.core.openSocket(SocketType.RDM, d -> true);
        mcast(a, p, 0, 300);
        // small multicasts are bundled: no congestion wait ran the network, the rogue acknowledges later
        net.runUntil(() -> bogus[0] > 0, net.now() + 10_000);
        assertThat(bogus[0]).isPositive();
        assertThat(net.runUntil(() -> allGot(ns, 300) && bc.transmitQueueLength() == 0, net.now() + 60_000)).isTrue();
        assertThat(bc.invalidAcks()).isPositive();
        assertThat(bc.stallResets()).isZero();
    }

    /** Review bug 2: ENOBUFS for a fragmented multicast queues none of its fragments (all or nothing). */
    @Test
    void enobufsForAFragmentedMulticastQueuesNoFragment() {
        List<SimNode> ns = cluster(3);
        SimNode a = ns.get(0);
        bindAll(ns, a);
        Bcast bc = a.core.broadcastLink();
        int p = a.core.openSocket(SocketType.RDM, d -> true);
        byte[] x = new byte[60_000];
        int enobufs = 0;
        // no network time passes: nothing is acknowledged, the backlog fills up to its bound
        for (int i = 0; i < 2000 && enobufs < 20; i++) {
            long bytes = bc.backlogBytes();
            int len = bc.backlogLength();
            int rc = a.core.multicast(net.now(), p, TYPE, 0, 99, x, 0, x.length - (i % 7) * 1000, a);
            assertThat(rc).isIn(0, Errno.ELINKCONG, Errno.ENOBUFS);
            if (rc == Errno.ENOBUFS) {
                enobufs++;
                assertThat(bc.backlogBytes()).as("send %d", i).isEqualTo(bytes);
                assertThat(bc.backlogLength()).as("send %d", i).isEqualTo(len);
            }
        }
        assertThat(enobufs).isPositive();
    }

    /** Review bug 3: a congested broadcast link does not make unicast sends look congested (trySend uses it). */
    @Test
    void aMulticastFloodDoesNotCongestUnicast() {
        List<SimNode> ns = cluster(3);
        SimNode a = ns.get(0);
        bindAll(ns, a);
        Bcast bc = a.core.broadcastLink();
        int p = a.core.openSocket(SocketType.RDM, d -> true);
        byte[] x = new byte[100];
        for (int i = 0; i < 1000 && !bc.congested(0); i++) {
            assertThat(a.core.multicast(net.now(), p, TYPE, 0, 99, x, 0, x.length, a)).isIn(0, Errno.ELINKCONG);
        }
        assertThat(bc.congested(0)).isTrue();
        int b = ns.get(1).core.ownAddr();
        assertThat(a.core.congested(b, 0, p)).isFalse();
        assertThat(a.core.sendToPort(net.now(), p, b, 1, x, 0, x.length, a)).isZero();
    }

    /** Fills a's broadcast backlog (no network time passes) until even a small multicast from {@code port} is refused. */
    void fillBroadcastLink(SimNode a, int port) {
        byte[] big = new byte[60_000];
        byte[] small = new byte[8];
        int rc = 0;
        for (int i = 0; i < 1000 && rc != Errno.ENOBUFS; i++) rc = a.core.multicast(net.now(), port, TYPE, 0, 99, big, 0, big.length, a);
        rc = 0;
        for (int i = 0; i < 100_000 && rc != Errno.ENOBUFS; i++) rc = a.core.multicast(net.now(), port, TYPE, 0, 99, small, 0, 8, a);
        assertThat(rc).isEqualTo(Errno.ENOBUFS);
    }

    static List<TipcMsg> synFrames(SimNode a) {
        return a.sentFrames.stream().map(f -> new TipcMsg().wrap(f, 0, f.length))
            .filter(m -> m.user() == 0 && m.type() == Tipc.TIPC_MCAST_MSG && m.isSyn() == 1).toList();
    }

    /** Review bug 4a/4b: a method switch refused by the broadcast link sends neither the twin nor the message. */
    @Test
    void aSwitchRefusedByTheBroadcastLinkSendsNoTwinAndKeepsTheMethod() {
        List<SimNode> ns = cluster(3);
        SimNode a = ns.get(0);
        bindAll(ns, a);
        Bcast bc = a.core.broadcastLink();
        int filler = a.core.openSocket(SocketType.RDM, d -> true);
        int toB = a.core.openSocket(SocketType.RDM, d -> true); // replicast → broadcast: the message is refused
        int toR = a.core.openSocket(SocketType.RDM, d -> true); // broadcast → replicast: the twin is refused
        byte[] x = {1, 2, 3, 4};
        bc.setSocketMethod(toB, true);
        bc.setSocketMethod(toR, false);
        assertThat(a.core.multicast(net.now(), toB, TYPE, 0, 99, x, 0, 4, a)).isZero();
        assertThat(a.core.multicast(net.now(), toR, TYPE, 0, 99, x, 0, 4, a)).isZero();
        fillBroadcastLink(a, filler);
        a.recordFrames = true;
        a.sentFrames.clear();
        bc.setSocketMethod(toB, false);
        bc.setSocketMethod(toR, true);
        assertThat(a.core.multicast(net.now(), toB, TYPE, 0, 99, x, 0, 4, a)).isEqualTo(Errno.ENOBUFS);
        assertThat(a.core.multicast(net.now(), toR, TYPE, 0, 99, x, 0, 4, a)).isEqualTo(Errno.ENOBUFS);
        assertThat(synFrames(a)).isEmpty();
        // once the link drains, both switch with their twins and every receiver gets every message once
        assertThat(net.runUntil(() -> bc.transmitQueueLength() == 0 && bc.backlogLength() == 0, net.now() + 120_000)).isTrue();
        assertThat(a.core.multicast(net.now(), toB, TYPE, 0, 99, x, 0, 4, a)).isZero();
        assertThat(a.core.multicast(net.now(), toR, TYPE, 0, 99, x, 0, 4, a)).isZero();
        assertThat(synFrames(a)).isNotEmpty();
        net.runFor(2000);
        for (SimNode n : ns.subList(1, 3)) {
            long fromB = n.received.stream().filter(d -> d.msgType() == Tipc.TIPC_MCAST_MSG && d.data().length == 4).count();
            assertThat(fromB).as(n.name).isEqualTo(4);
        }
    }
}
