package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;

class DataTransferTest {

    /** b echoes everything its socket bound to {1000,1} receives back to the sender's socket address. */
    private static int echoServer(SimNetwork net, SimNode b) {
        int[] port = new int[1];
        port[0] = b.core.openSocket(SocketType.RDM, d -> {
            b.received.add(d);
            int rc = b.core.sendToPort(net.now(), port[0], d.srcNode(), d.srcPort(), d.data(), 0, d.data().length, b);
            assertThat(rc).isIn(0, Errno.ELINKCONG);
            return true;
        });
        assertThat(b.core.bind(net.now(), port[0], Tipc.TIPC_CLUSTER_SCOPE, 1000, 1, 1, b)).isZero();
        return port[0];
    }

    private static SimNetwork pair(long seed) {
        SimNetwork net = new SimNetwork(seed);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        return net;
    }

    private static byte[] payload(Random r, int i, int size) {
        byte[] p = new byte[size];
        r.nextBytes(p);
        ByteBuffer.wrap(p).putInt(0, i);
        return p;
    }

    private static void echo(SimNetwork net, int count, int size) {
        SimNode a = net.nodes().get(0);
        SimNode b = net.nodes().get(1);
        int sp = echoServer(net, b);
        assertThat(net.runUntil(() -> !a.core.bindingTable().publications(1000, 1, 1).isEmpty(), net.now() + 1000)).isTrue();
        int cp = a.core.openSocket(SocketType.RDM, a.received::add);
        Random r = new Random(size);
        List<byte[]> sent = new ArrayList<>();
        int bAddr = b.core.ownAddr();
        for (int i = 0; i < count; i++) {
            while (a.core.congested(bAddr, 0, cp)) net.runFor(1);
            byte[] p = payload(r, i, size);
            sent.add(p);
            assertThat(a.core.sendToName(net.now(), cp, 1000, 1, 0, p, 0, p.length, a)).isIn(0, Errno.ELINKCONG);
            if (i % 10 == 9) net.runFor(1);
        }
        assertThat(net.runUntil(() -> a.received.size() >= count, net.now() + 60_000)).isTrue();
        net.runFor(1000);
        assertThat(a.received).hasSize(count);
        for (int i = 0; i < count; i++) {
            Delivery d = a.received.get(i);
            assertThat(d.data()).isEqualTo(sent.get(i));
            assertThat(d.srcNode()).isEqualTo(bAddr);
            assertThat(d.srcPort()).isEqualTo(sp);
            assertThat(d.msgType()).isEqualTo(Tipc.TIPC_DIRECT_MSG);
            assertThat(d.errcode()).isZero();
        }
        Delivery first = b.received.get(0);
        assertThat(first.msgType()).isEqualTo(Tipc.TIPC_NAMED_MSG);
        assertThat(first.nameType()).isEqualTo(1000);
        assertThat(first.nameLower()).isEqualTo(1);
        assertThat(first.srcPort()).isEqualTo(cp);
    }

    @Test
    void rdmEcho1000x100Bytes() {
        SimNetwork net = pair(10);
        echo(net, 1000, 100);
        Link l = net.nodes().get(0).core.links().get(0);
        assertThat(l.isUp()).isTrue();
    }

    @Test
    void rdmEcho20x66000BytesFragmented() {
        SimNetwork net = pair(11);
        echo(net, 20, Tipc.MAX_USER_MSG_SIZE);
        Link l = net.nodes().get(0).core.links().get(0);
        assertThat(l.sentFragmented).isGreaterThan(20 * 45);
    }

    @Test
    void tenThousandMessagesUnderLossAndReorderArriveCompleteInOrderOnce() {
        SimNetwork net = pair(12);
        net.loss = 0.07;
        net.reorder = 0.05;
        net.duplicate = 0.01;
        net.delayMin = 1;
        net.delayMax = 3;
        SimNode a = net.nodes().get(0);
        SimNode b = net.nodes().get(1);
        int sp = b.core.openSocket(SocketType.RDM, b.received::add);
        assertThat(b.core.bind(net.now(), sp, Tipc.TIPC_CLUSTER_SCOPE, 2000, 0, 99, b)).isZero();
        assertThat(net.runUntil(() -> !a.core.bindingTable().publications(2000, 0, 99).isEmpty(), net.now() + 5000)).isTrue();
        int cp = a.core.openSocket(SocketType.RDM, a.received::add);
        int n = 10_000;
        Random r = new Random(5);
        for (int i = 0; i < n; i++) {
            while (a.core.congested(b.core.ownAddr(), 0, cp)) net.runFor(1);
            byte[] p = payload(r, i, 20 + r.nextInt(200));
            assertThat(a.core.sendToName(net.now(), cp, 2000, i % 100, 0, p, 0, p.length, a)).isIn(0, Errno.ELINKCONG);
            if (i % 20 == 19) net.runFor(1);
        }
        assertThat(net.runUntil(() -> b.received.size() >= n, net.now() + 120_000)).isTrue();
        net.runFor(2000);
        assertThat(b.received).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(ByteBuffer.wrap(b.received.get(i).data()).getInt(0)).isEqualTo(i);
        }
        Link l = a.core.links().get(0);
        assertThat(l.isUp()).isTrue();
        assertThat(l.retransmitted()).isGreaterThan(0);
        assertThat(net.framesLost).isGreaterThan(0);
        assertThat(Arrays.asList(TwoNodeTest.linkedUp(a, b))).containsExactly(true);
    }
}
