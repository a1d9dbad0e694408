package io.jtipc.node;

import static io.jtipc.node.ClusterTest.fullMesh;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;

/**
 * Retransmission on jtipc's broadcast send link ({@link BcastSendLink}) when only one peer loses packets: with
 * {@code net.tipc.bc_retruni} ({@link Bcast#setRetransmitUnicast}) the packets that peer's STATEs report missing go by
 * unicast to it alone (bcast.c tipc_bcast_sync_rcv with retrq = the unicast link's queue); with the kernel's default
 * they go on the broadcast address to every peer. Frames are counted per destination on the in-memory network.
 */
class BcastRetransmitTest {
    static final int TYPE = 4243;
    static final int K = 400;

    final SimNetwork net = new SimNetwork(2701);
    /** Copies of sender's broadcast-link packets per receiving node: [0] to the broadcast address, [1] unicast. */
    final Map<SimNode, long[]> copies = new HashMap<>();
    /** Packets the broadcast send link sent during {@link #run} (first transmissions). */
    long packets;

    /** A broadcast-link packet: w0 non-seq bit set (bit 20), not a discovery message (LINK_CONFIG). */
    static boolean onBroadcastLink(byte[] f) {
        int user = (f[0] >> 1) & 0xf;
        return (f[1] & 0x10) != 0 && user != Tipc.LINK_CONFIG;
    }

    /**
     * Four nodes; the first multicasts {@link #K} ints to a range bound on all; 15 % of its broadcast-link packets to
     * the second are lost (and only those).
     */
    List<SimNode> run(boolean unicast) {
        List<SimNode> ns = boundCluster(net, "rt", 4, TYPE);
        SimNode a = ns.get(0), b = ns.get(1);
        Bcast bc = a.core.broadcastLink();
        assertThat(bc.retransmitUnicast()).isFalse(); // the kernel's default (bc_retruni 0)
        bc.setRetransmitUnicast(unicast);
        Random lossy = new Random(99);
        net.path = (from, to, dest, f) -> {
            if (from != a || !onBroadcastLink(f)) return false;
            copies.computeIfAbsent(to, x -> new long[2])[dest == null ? 0 : 1]++;
            return to == b && lossy.nextDouble() < 0.15;
        };
        long sentBefore = bc.sentMessages(), packetsBefore = bc.sentPackets();
        int port = a.core.openSocket(SocketType.RDM, d -> true);
        for (int i = 0; i < K; i++) {
            byte[] x = ByteBuffer.allocate(4).putInt(i).array();
            int rc = a.core.multicast(net.now(), port, TYPE, 0, 99, x, 0, x.length, a);
            assertThat(rc).isIn(0, Errno.ELINKCONG);
            if (rc == Errno.ELINKCONG) {
                assertThat(net.runUntil(() -> !bc.congested(0), net.now() + 60_000)).isTrue();
            }
        }
        assertThat(net.runUntil(() -> ns.stream().allMatch(n -> ints(n).size() >= K) && bc.transmitQueueLength() == 0,
            net.now() + 120_000)).isTrue();
        for (SimNode n : ns) assertThat(ints(n)).as(n.name).isEqualTo(range(K));
        assertThat(bc.sentMessages() - sentBefore).isEqualTo(K);
        packets = bc.sentPackets() - packetsBefore; // small ones bundled while the window is full
        assertThat(packets).isPositive().isLessThanOrEqualTo(K);
        assertThat(bc.retransmitted()).isPositive();
        // b alone lost packets, so b alone asked for them again
        assertThat(a.core.peer(b.core.ownAddr()).broadcastLink().retransmitted()).isEqualTo(bc.retransmitted());
        return ns;
    }

    @Test
    void withBcRetruniTheRetransmissionsAreUnicastToTheLossyPeerOnlyAndTheOthersGetNoCopies() {
        List<SimNode> ns = run(true);
        Bcast bc = ns.get(0).core.broadcastLink();
        long[] toB = copies.get(ns.get(1));
        assertThat(toB[0]).as("broadcast copies to the lossy peer").isEqualTo(packets);
        assertThat(toB[1]).as("unicast retransmissions to the lossy peer").isEqualTo(bc.retransmitted());
        for (SimNode n : ns.subList(2, 4)) {
            assertThat(copies.get(n)).as(n.name + ": each packet once, no retransmitted copy").containsExactly(packets, 0);
        }
    }

    @Test
    void byDefaultAsTheKernelTheRetransmissionsGoOnTheBroadcastAddressToEveryPeer() {
        List<SimNode> ns = run(false);
        Bcast bc = ns.get(0).core.broadcastLink();
        for (SimNode n : ns.subList(1, 4)) {
            assertThat(copies.get(n)).as(n.name).containsExactly(packets + bc.retransmitted(), 0);
        }
    }

    /**
     * {@code n} nodes named {@code prefix0}..., fully linked, each with an RDM socket bound to {TYPE, 0, 99} that
     * records into its {@link SimNode#received}; returns once every node sees all n bindings.
     */
    static List<SimNode> boundCluster(SimNetwork net, String prefix, int n, int type) {
        for (int i = 0; i < n; i++) net.addNode(prefix + i, i + 1, 0x3000 * (i + 1) + prefix.length());
        List<SimNode> ns = new ArrayList<>(net.nodes());
        assertThat(net.runUntil(() -> fullMesh(ns), 30_000)).isTrue();
        for (SimNode x : ns) {
            int p = x.core.openSocket(SocketType.RDM, x.received::add);
            assertThat(x.core.bind(net.now(), p, Tipc.TIPC_CLUSTER_SCOPE, type, 0, 99, x)).isZero();
        }
        assertThat(net.runUntil(() -> ns.stream().allMatch(
            x -> x.core.bindingTable().publications(type, 0, 99).size() == n), net.now() + 30_000)).isTrue();
        return ns;
    }

    static List<Integer> ints(SimNode n) {
        List<Integer> r = new ArrayList<>();
        for (Delivery d : n.received) if (d.msgType() == Tipc.TIPC_MCAST_MSG) r.add(ByteBuffer.wrap(d.data()).getInt());
        return r;
    }

    static List<Integer> range(int to) {
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < to; i++) r.add(i);
        return r;
    }
}
