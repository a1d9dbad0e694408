package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;

class ClusterTest {

    static boolean fullMesh(List<SimNode> ns) {
        for (SimNode x : ns) {
            for (SimNode y : ns) {
                if (x != y && !linkedUp(x, y)) return false;
            }
        }
        return true;
    }

    @Test
    void sixNodesUnderLossFormAFullMeshConvergeOnBindingsAndForgetALostMember() {
        SimNetwork net = new SimNetwork(51);
        net.loss = 0.05;
        net.reorder = 0.05;
        net.delayMax = 4;
        for (int i = 0; i < 6; i++) net.addNode("node" + i, i + 1, 0x1000 * (i + 1) + 7);
        List<SimNode> ns = net.nodes();
        assertThat(net.runUntil(() -> fullMesh(ns), 20_000)).isTrue();
        for (int i = 0; i < 6; i++) {
            SimNode n = ns.get(i);
            int p = n.core.openSocket(SocketType.RDM, n.received::add);
            assertThat(n.core.bind(net.now(), p, Tipc.TIPC_CLUSTER_SCOPE, 3000, i, i, n)).isZero();
        }
        assertThat(net.runUntil(() -> ns.stream().allMatch(n -> n.core.bindingTable().publications(3000, 0, 10).size() == 6),
            net.now() + 10_000)).isTrue();
        // every node multicasts to the whole range once
        for (int i = 0; i < 6; i++) {
            SimNode n = ns.get(i);
            int p = n.core.openSocket(SocketType.RDM, d -> true);
            byte[] x = {(byte) i};
            assertThat(n.core.multicast(net.now(), p, 3000, 0, 10, x, 0, 1, n)).isZero();
        }
        assertThat(net.runUntil(() -> ns.stream().allMatch(n -> n.received.size() == 6), net.now() + 10_000)).isTrue();
        SimNode lost = ns.get(3);
        int lostAddr = lost.core.ownAddr();
        lost.paused = true;
        List<SimNode> rest = ns.stream().filter(n -> n != lost).toList();
        assertThat(net.runUntil(() -> rest.stream().allMatch(n -> !n.core.peer(lostAddr).isUp()
            && n.core.bindingTable().publications(3000, 0, 10).size() == 5), net.now() + 5000)).isTrue();
        assertThat(fullMesh(rest)).isTrue();
    }
}
