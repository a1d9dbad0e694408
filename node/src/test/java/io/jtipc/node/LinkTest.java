package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.GapAckBlocks;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

class LinkTest {

    static Pkt pkt(int seqno) {
        byte[] b = new byte[Tipc.INT_H_SIZE];
        new TipcMsg().wrap(b, 0, b.length).setSeqno(seqno);
        return new Pkt(b, b.length);
    }

    @Test
    void gapAckBlocksAreBuiltAsTheKernelCommentExample() {
        // link.c __tipc_build_gap_ack_blks: held 1-4, 10-11, 13-15, 20 -> <4,5> <11,1> <15,4> <20,0>
        DeferredQueue dq = new DeferredQueue(new HoldBudget(1 << 20, 100, null));
        for (int s : new int[] {1, 2, 3, 4, 10, 11, 13, 14, 15, 20}) dq.add(pkt(s));
        byte[] b = new byte[100];
        GapAckBlocks ga = new GapAckBlocks().wrap(b, 0, b.length);
        int n = dq.gapAckBlocks(ga, 0);
        assertThat(n).isEqualTo(4);
        int[][] exp = {{4, 5}, {11, 1}, {15, 4}, {20, 0}};
        for (int i = 0; i < 4; i++) {
            assertThat(ga.ack(i)).isEqualTo(exp[i][0]);
            assertThat(ga.gap(i)).isEqualTo(exp[i][1]);
        }
        // across the 16-bit wrap
        dq.clear();
        for (int s : new int[] {65534, 65535, 0, 3}) dq.add(pkt(s));
        n = dq.gapAckBlocks(ga, 2);
        assertThat(n).isEqualTo(2);
        assertThat(new int[] {ga.ack(2), ga.gap(2), ga.ack(3), ga.gap(3)}).containsExactly(0, 2, 3, 0);
    }

    @Test
    void retransmissionFailureAfterTenTolerancesFailsTheLink() {
        SimNetwork net = new SimNetwork(31);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        int pb = b.core.openSocket(SocketType.RDM, b.received::add);
        b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 900, 0, 0, b);
        net.runFor(200);
        // from now on every data frame from a is lost; protocol traffic still flows both ways
        net.drop = (from, f) -> from == a && new TipcMsg().wrap(f, 0, f.length).user() == Tipc.LOW_IMPORTANCE;
        long[] down = {-1};
        a.core.setListener(new NodeListener() {
            @Override
            public void linkDown(Link l) {
                down[0] = net.now();
            }
        });
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        long t0 = net.now();
        assertThat(a.core.sendToName(net.now(), pa, 900, 0, 0, new byte[10], 0, 10, a)).isZero();
        assertThat(net.runUntil(() -> down[0] >= 0, t0 + 30_000)).isTrue();
        Link l = a.core.peer(b.core.ownAddr()).link();
        assertThat(l.retransmitted()).isPositive();
        // first retransmission follows the first probe/NACK (< 1 s), failure tolerance x 10 = 15 s after it
        assertThat(down[0] - t0).isBetween(15_000L, 17_000L);
        assertThat(b.received).isEmpty();
    }

    @Test
    void tailLossIsRecoveredThroughProbeAndNack() {
        SimNetwork net = new SimNetwork(32);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        int pb = b.core.openSocket(SocketType.RDM, b.received::add);
        b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 901, 0, 0, b);
        net.runFor(200);
        int[] left = {3};
        net.drop = (from, f) -> from == a && new TipcMsg().wrap(f, 0, f.length).user() == 0 && left[0]-- > 0;
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        for (int i = 0; i < 3; i++) assertThat(a.core.sendToName(net.now(), pa, 901, 0, 0, new byte[] {(byte) i}, 0, 1, a)).isZero();
        assertThat(net.runUntil(() -> b.received.size() == 3, net.now() + 3000)).isTrue();
        assertThat(b.received).extracting(d -> d.data()[0]).containsExactly((byte) 0, (byte) 1, (byte) 2);
    }

    @Test
    void windowFullBacklogsAndBundlesThenDrains() {
        SimNetwork net = new SimNetwork(33);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        int pb = b.core.openSocket(SocketType.RDM, b.received::add);
        b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 902, 0, 0, b);
        net.runFor(200);
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        Link l = a.core.peer(b.core.ownAddr()).link();
        List<Long> wakeups = new ArrayList<>();
        a.core.setListener(new NodeListener() {
            @Override
            public void linkUncongested(Link link) {
                wakeups.add(net.now());
            }
        });
        int rc = 0;
        int sent = 0;
        while (rc == 0) {
            rc = a.core.sendToName(net.now(), pa, 902, 0, 0, new byte[] {(byte) sent}, 0, 1, a);
            sent++;
        }
        assertThat(rc).isEqualTo(Errno.ELINKCONG);
        assertThat(l.transmitQueueLength()).isEqualTo(50);
        assertThat(l.sentBundled).isPositive();
        assertThat(a.core.congested(b.core.ownAddr(), 0, pa)).isTrue();
        int total = sent;
        assertThat(net.runUntil(() -> b.received.size() == total, net.now() + 5000)).isTrue();
        for (int i = 0; i < total; i++) assertThat(b.received.get(i).data()[0]).isEqualTo((byte) i);
        assertThat(a.core.congested(b.core.ownAddr(), 0, pa)).isFalse();
        assertThat(wakeups).hasSize(1);
    }

    @Test
    void stoppingPeerIsDeclaredDownAtOnceByThePeerStoppingBit() {
        SimNetwork net = new SimNetwork(35);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        long[] down = {-1};
        a.core.setListener(new NodeListener() {
            @Override
            public void linkDown(Link l) {
                down[0] = net.now();
            }
        });
        b.recordFrames = true;
        long t0 = net.now();
        b.core.shutdown(net.now(), b);
        TipcMsg reset = new TipcMsg().wrap(b.sentFrames.get(0), 0, b.sentFrames.get(0).length);
        assertThat(reset.user()).isEqualTo(Tipc.LINK_PROTOCOL);
        assertThat(reset.type()).isEqualTo(Tipc.RESET_MSG);
        assertThat(reset.peerStopping()).isOne();
        b.paused = true;
        assertThat(net.runUntil(() -> down[0] >= 0, t0 + 5000)).isTrue();
        assertThat(down[0] - t0).isLessThan(10);
    }

    @Test
    void disabledBearerTakesItsLinksDownAtOnceAndReenablingRelinks() {
        SimNetwork net = new SimNetwork(37);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        long t0 = net.now();
        assertThat(b.core.disableBearer(net.now(), 0, b)).isTrue();
        assertThat(b.core.links()).isEmpty();
        assertThat(net.runUntil(() -> !a.core.peer(b.core.ownAddr()).isUp(), t0 + 5000)).isTrue();
        assertThat(net.now() - t0).isLessThan(10);
        b.core.enableBearer(net.now(), BearerConfig.ethernet("eth0", b.mac), b);
        assertThat(net.runUntil(() -> linkedUp(a, b), net.now() + 5000)).isTrue();
    }

    @Test
    void mtuIsNegotiatedDownToTheSmallerBearer() {
        SimNetwork net = new SimNetwork(34);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode small = net.addNode(NodeConfig.of(io.jtipc.wire.NodeId.parse("small"), 7, 7),
            BearerConfig.ethernet("eth0", new byte[] {0x52, 0x54, 0, 0, 0, 9}).withMtu(1000));
        assertThat(net.runUntil(() -> linkedUp(a, small), 5000)).isTrue();
        assertThat(a.core.peer(small.core.ownAddr()).link().mtu()).isEqualTo(1000);
        assertThat(small.core.peer(a.core.ownAddr()).link().mtu()).isEqualTo(1000);
        int ps = small.core.openSocket(SocketType.RDM, small.received::add);
        small.core.bind(net.now(), ps, Tipc.TIPC_CLUSTER_SCOPE, 903, 0, 0, small);
        net.runFor(200);
        a.recordFrames = true;
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        byte[] big = new byte[5000];
        Arrays.fill(big, (byte) 0x5a);
        assertThat(a.core.sendToName(net.now(), pa, 903, 0, 0, big, 0, big.length, a)).isZero();
        assertThat(net.runUntil(() -> small.received.size() == 1, net.now() + 2000)).isTrue();
        assertThat(small.received.get(0).data()).isEqualTo(big);
        List<Integer> sizes = a.sentFrames.stream().map(f -> f.length).toList();
        assertThat(sizes).allSatisfy(s -> assertThat(s).isLessThanOrEqualTo(960));
    }

    @Test
    void congestionWindowGrowsUnderPressureAndFallsBackWhenIdle() {
        SimNetwork net = new SimNetwork(36);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        int pb = b.core.openSocket(SocketType.RDM, b.received::add);
        b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 904, 0, 0, b);
        net.runFor(200);
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        Link l = a.core.peer(b.core.ownAddr()).link();
        assertThat(l.window()).isEqualTo(50);
        int maxWin = 0;
        byte[] big = new byte[1000];
        for (int i = 0; i < 5000; i++) {
            while (a.core.congested(b.core.ownAddr(), 0, pa)) net.runFor(1);
            a.core.sendToName(net.now(), pa, 904, 0, 0, big, 0, big.length, a);
            maxWin = Math.max(maxWin, l.window());
        }
        assertThat(net.runUntil(() -> b.received.size() == 5000, net.now() + 10_000)).isTrue();
        // slow start: +released per ack up to ssthresh (= max window 8191 initially)
        assertThat(maxWin).isGreaterThan(100);
        net.runFor(2000);
        // idle ticks (snd_nxt unchanged) restart slow start from the minimum window
        assertThat(l.window()).isEqualTo(50);
    }
}
