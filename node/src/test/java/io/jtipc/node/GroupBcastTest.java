package io.jtipc.node;

import static io.jtipc.node.GroupTest.BCAST;
import static io.jtipc.node.GroupTest.MCAST;
import static io.jtipc.node.GroupTest.UCAST;
import static io.jtipc.node.GroupTest.checkOrder;
import static io.jtipc.node.GroupTest.cluster;
import static io.jtipc.node.GroupTest.joinAll;
import static io.jtipc.node.GroupTest.lossyNet;
import static io.jtipc.node.GroupTest.payload;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.jtipc.node.GroupTest.Member;
import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;

/**
 * Issue 16: group broadcast and group multicast on jtipc's own broadcast link (socket.c tipc_send_group_bcast →
 * bcast.c tipc_mcast_xmit) instead of one unicast copy per member node: counted on {@link Bcast}'s sent packets,
 * ordered per sender under loss and reordering, mixed with unicasts, and across a forced switch to replicast and back.
 */
class GroupBcastTest {

    static Map<Long, Integer> index(List<Member> ms) {
        Map<Long, Integer> idx = new HashMap<>();
        for (Member m : ms) idx.put(((long) m.addr() << 32) | (m.port & 0xFFFFFFFFL), m.idx);
        return idx;
    }

    static long unicastSent(SimNode n) {
        return n.core.links().stream().mapToLong(Link::sentPackets).sum();
    }

    static long dataRead(Member r) {
        return r.got.stream().filter(x -> !x.oob()).count();
    }

    /**
     * Sends one message of {@code mode} (BCAST, MCAST to {@code target} as instance, UCAST to member {@code target})
     * from {@code s}, running the network 1 ms after each EAGAIN until it goes.
     */
    static void send(SimNetwork net, Member s, int mode, Member to, int inst, byte[] p) {
        NodeGroups g = s.n.core.groups();
        for (int tries = 0; ; tries++) {
            int rc = switch (mode) {
                case UCAST -> g.sendUnicast(net.now(), s.port, to.addr(), to.port, p, 0, p.length, s.n);
                case MCAST -> g.sendMulticast(net.now(), s.port, inst, p, 0, p.length, s.n);
                default -> g.sendBroadcast(net.now(), s.port, p, 0, p.length, s.n);
            };
            if (rc == 0) return;
            assertThat(rc).isEqualTo(Errno.EAGAIN);
            assertThat(tries).as("blocked for 60 s").isLessThan(60_000);
            net.runFor(1);
        }
    }

    @Test
    void aGroupBroadcastStreamGoesOnceOnTheBroadcastLinkAndEveryMemberReadsItInOrder() {
        SimNetwork net = new SimNetwork(1605);
        List<SimNode> ns = cluster(net, 5);
        // the sender and a second member on node 0, two members on node 2: one copy per node, read by both
        int[] nodeOf = {0, 0, 1, 2, 2, 3, 4};
        int[] instOf = {0, 1, 2, 7, 3, 7, 4};
        List<Member> ms = new ArrayList<>();
        for (int i = 0; i < nodeOf.length; i++) ms.add(new Member(net, ns.get(nodeOf[i]), i, instOf[i]));
        joinAll(net, ms);
        Member s = ms.get(0);
        Bcast bc = s.n.core.broadcastLink();
        long bcBefore = bc.sentPackets(), ucBefore = unicastSent(s.n), congBefore = bc.congestions();
        final int n = 1000;
        int mcasts = 0;
        for (int i = 0; i < n; i++) {
            boolean mc = i % 5 == 4; // to instance 7: members 3 (node 2) and 5 (node 3)
            send(net, s, mc ? MCAST : BCAST, null, 7, payload(0, i, mc ? MCAST : BCAST, 1000));
            if (mc) mcasts++;
        }
        int m = mcasts;
        assertThat(net.runUntil(() -> ms.stream().skip(1).allMatch(r -> dataRead(r) == (r.instance == 7 ? n : n - m)),
            net.now() + 60_000)).as("every member read its messages").isTrue();
        net.runFor(500);
        Map<Long, Integer> idx = index(ms);
        for (Member r : ms.subList(1, ms.size())) {
            Set<Long> seen = checkOrder(r, idx);
            assertThat(seen).hasSize(r.instance == 7 ? n : n - m);
            assertThat(r.n.core.groups().overloads(r.port)).isZero();
        }
        assertThat(dataRead(s)).as("no loopback").isZero();
        // on the broadcast link once each, except the first: right after join it goes by replicast with the ack
        // request (socket.c tipc_sk_join: mc_method mandatory), on the links that carried the JOINs
        assertThat(bc.sentPackets() - bcBefore).isEqualTo(n - 1);
        // not one copy per member node on the unicast links (that would be 4 n)
        assertThat(unicastSent(s.n) - ucBefore).isLessThan(n / 10);
        // the sender outran the broadcast link's window and backlog: ELINKCONG, EAGAIN, woken, nothing lost
        assertThat(bc.congestions() - congBefore).isPositive();
        assertThat(s.writableCalls).isPositive();
    }

    @Test
    void underLossAndReorderBroadcastsMulticastsAndUnicastsOfThreeSendersArriveInOrder() {
        SimNetwork net = lossyNet(1606);
        net.loss = 0.04;
        List<SimNode> ns = cluster(net, 5);
        List<Member> ms = new ArrayList<>();
        for (int i = 0; i < 6; i++) ms.add(new Member(net, ns.get(i % 5), i, i % 3));
        joinAll(net, ms);
        Map<Long, Integer> idx = index(ms);
        long bcBefore = 0;
        for (int s = 0; s < 3; s++) bcBefore += ms.get(s).n.core.broadcastLink().sentPackets();
        Random rnd = new Random(16);
        final int each = 400;
        Map<Long, Set<Integer>> expected = new HashMap<>();
        int bcasts = 0;
        for (int q = 0; q < each; q++) {
            for (int s = 0; s < 3; s++) {
                Member from = ms.get(s);
                int r = rnd.nextInt(10);
                int mode = r < 7 ? BCAST : r < 9 ? UCAST : MCAST;
                Member to = ms.get((s + 1 + rnd.nextInt(5)) % 6);
                int inst = rnd.nextInt(3);
                send(net, from, mode, to, inst, payload(s, q, mode, 16 + rnd.nextInt(1200)));
                Set<Integer> rcv = new HashSet<>();
                for (Member x : ms) {
                    if (x == from) continue;
                    if (mode == BCAST || (mode == MCAST && x.instance == inst) || (mode == UCAST && x == to)) rcv.add(x.idx);
                }
                expected.put(((long) s << 32) | q, rcv);
                if (mode == BCAST) bcasts++;
            }
            net.runFor(1);
        }
        long want = expected.values().stream().mapToLong(Set::size).sum();
        assertThat(net.runUntil(() -> ms.stream().mapToLong(GroupBcastTest::dataRead).sum() >= want, net.now() + 60_000))
            .as("all delivered").isTrue();
        net.runFor(2000);
        for (Member r : ms) {
            Set<Long> seen = checkOrder(r, idx);
            for (Map.Entry<Long, Set<Integer>> e : expected.entrySet()) {
                assertThat(seen.contains(e.getKey())).as("member %d and %s", r.idx, e.getKey())
                    .isEqualTo(e.getValue().contains(r.idx));
            }
        }
        long bcSent = 0, retransmitted = 0;
        for (int s = 0; s < 3; s++) {
            bcSent += ms.get(s).n.core.broadcastLink().sentPackets();
            retransmitted += ms.get(s).n.core.broadcastLink().retransmitted();
        }
        // a broadcast right after a unicast goes by replicast (mandatory): the others, most, on the broadcast link
        assertThat(bcSent - bcBefore).isGreaterThan(bcasts / 2);
        assertThat(retransmitted).as("the broadcast links recovered losses").isPositive();
        assertThat(net.framesLost).isPositive();
    }

    @Test
    void forcedReplicastAndBackKeepsOrderAndOnlyTheFreePhasesUseTheBroadcastLink() {
        SimNetwork net = lossyNet(1607);
        List<SimNode> ns = cluster(net, 4);
        List<Member> ms = new ArrayList<>();
        for (int i = 0; i < 5; i++) ms.add(new Member(net, ns.get(i % 4), i, i));
        joinAll(net, ms);
        Member s = ms.get(0);
        Bcast bc = s.n.core.broadcastLink();
        long[] phase = new long[4];
        phase[0] = bc.sentMessages();
        final int per = 300;
        for (int i = 0; i < 3 * per; i++) {
            if (i == per) {
                phase[1] = bc.sentMessages();
                bc.setSocketMethod(s.port, true); // TIPC_MCAST_REPLICAST
            } else if (i == 2 * per) {
                phase[2] = bc.sentMessages();
                bc.setSocketMethod(s.port, null);
            }
            send(net, s, BCAST, null, 0, payload(0, i, BCAST, 200));
            if (i % 3 == 0) net.runFor(1);
        }
        phase[3] = bc.sentMessages();
        assertThat(net.runUntil(() -> ms.stream().skip(1).allMatch(r -> dataRead(r) == 3 * per), net.now() + 60_000))
            .as("every member read every message").isTrue();
        net.runFor(1000);
        Map<Long, Integer> idx = index(ms);
        for (Member r : ms.subList(1, ms.size())) assertThat(checkOrder(r, idx)).hasSize(3 * per);
        // free: on the broadcast link but the first (mandatory replicast after join); forced: none on it; back: all
        assertThat(phase[1] - phase[0]).isEqualTo(per - 1);
        assertThat(phase[2] - phase[1]).isZero();
        assertThat(phase[3] - phase[2]).isEqualTo(per);
    }

    /**
     * A member joining during a stream on the broadcast link, the sender's JOIN to it lost three times on the unicast
     * link: broadcasts on the broadcast link overtake that JOIN, but the new member drops only those sent before the
     * sender knew it, and reads every later one. What keeps the order is group.c's window rule: a member's JOIN from
     * state PUBLISHED advertises no window, so the sender may broadcast to it only after the member has read the
     * sender's JOIN and sent its window.
     */
    @Test
    void aMemberJoiningDuringAStreamOnTheBroadcastLinkReadsEveryMessageFromItsJoinedOn() {
        SimNetwork net = new SimNetwork(1608);
        List<SimNode> ns = cluster(net, 4);
        List<Member> ms = new ArrayList<>();
        for (int i = 0; i < 3; i++) ms.add(new Member(net, ns.get(i), i, i));
        joinAll(net, ms);
        Member s = ms.get(0);
        Member d = new Member(net, ns.get(3), 3, 3);
        int dAddr = d.addr();
        Bcast bc = s.n.core.broadcastLink();
        long bcBefore = bc.sentPackets();
        int[] joinsDropped = {0};
        net.drop = (from, f) -> {
            io.jtipc.wire.TipcMsg h = new io.jtipc.wire.TipcMsg().wrap(f, 0, f.length);
            boolean join = from == s.n && h.user() == io.jtipc.wire.Tipc.GROUP_PROTOCOL
                && h.type() == io.jtipc.wire.Tipc.GRP_JOIN_MSG && h.destnode() == dAddr;
            return join && joinsDropped[0]++ < 3; // the first transmission and two retransmissions
        };
        final int n = 600;
        for (int i = 0; i < n; i++) {
            if (i == 100) assertThat(d.join(GroupTest.EVTS)).isPositive();
            send(net, s, BCAST, null, 0, payload(0, i, BCAST, 100));
            if (i % 3 == 0) net.runFor(1);
        }
        assertThat(joinsDropped[0]).as("the JOIN to the new member was lost").isPositive();
        assertThat(bc.sentPackets() - bcBefore).as("the stream went on the broadcast link").isGreaterThan(n / 2);
        List<Member> all = new ArrayList<>(ms);
        all.add(d);
        assertThat(net.runUntil(() -> d.got.stream().anyMatch(g -> !g.oob()
            && java.nio.ByteBuffer.wrap(g.data()).getInt(4) == n - 1), net.now() + 30_000))
            .as("the new member reads the last broadcast").isTrue();
        Set<Long> seen = checkOrder(d, index(all));
        // from its JOINED of the sender on, every message: a contiguous tail of the stream
        List<Integer> seqs = d.got.stream().filter(g -> !g.oob() && g.srcNode() == s.addr())
            .map(g -> java.nio.ByteBuffer.wrap(g.data()).getInt(4)).toList();
        assertThat(seqs).hasSize(seqs.get(seqs.size() - 1) - seqs.get(0) + 1);
        assertThat(seen).hasSize(seqs.size());
        for (Member r : ms.subList(1, 3)) assertThat(dataRead(r)).isEqualTo(n);
    }
}
