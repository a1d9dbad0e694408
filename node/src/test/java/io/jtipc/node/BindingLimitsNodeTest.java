package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.jtipc.nametable.BindingLimits;
import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;

/** Issue 15: binding bounds as a linked node applies them to a peer's NAME_DISTRIBUTOR messages and to its own binds. */
class BindingLimitsNodeTest {
    static final long BIG = 1L << 40;

    @Test
    void peerOverItsBindingLimitIsDroppedLoggedOnceAndStaysLinked() {
        SimNetwork net = new SimNetwork(3);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> TwoNodeTest.linkedUp(a, b), 5000)).isTrue();
        int bAddr = b.core.ownAddr();
        a.core.nameDistributor().setLimits(new BindingLimits(20, BIG, 1000, BIG, 65535, BIG));
        int port = b.core.openSocket(SocketType.RDM, b.received::add);
        for (int i = 0; i < 50; i++) {
            assertThat(b.core.bind(net.now(), port, Tipc.TIPC_CLUSTER_SCOPE, 3000, i, i, b)).isZero();
        }
        net.runFor(500);
        // its node-state binding {0, b, b} and the first 19 of its 50
        assertThat(a.core.bindingTable().size(bAddr)).isEqualTo(20);
        assertThat(a.core.bindingTable().publications(3000, 0, 49)).hasSize(19);
        assertThat(a.core.nameDistributor().droppedOverLimit(bAddr)).isEqualTo(31);
        assertThat(a.core.log()).filteredOn(l -> l.startsWith("binding table:")).singleElement().asString()
                .contains("peer " + Integer.toHexString(bAddr), "limit of 20 bindings");
        assertThat(TwoNodeTest.linkedUp(a, b)).isTrue();
        // its withdrawals still apply
        for (int i = 0; i < 50; i++) {
            assertThat(b.core.unbind(net.now(), port, 3000, i, i, b)).isZero();
        }
        net.runFor(500);
        assertThat(a.core.bindingTable().publications(3000, 0, 49)).isEmpty();
        assertThat(a.core.bindingTable().size(bAddr)).isEqualTo(1);
        assertThat(TwoNodeTest.linkedUp(a, b)).isTrue();
    }

    @Test
    void bindOverTheLocalLimitFailsWithEinvalAsInTheKernel() {
        SimNetwork net = new SimNetwork(4);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        assertThat(net.runUntil(() -> a.core.addressCommitted(), 2000)).isTrue();
        int held = a.core.nameDistributor().localPublicationCount();
        a.core.nameDistributor().setLimits(new BindingLimits(100, BIG, 1000, BIG, held + 2, BIG));
        int port = a.core.openSocket(SocketType.RDM, a.received::add);
        assertThat(a.core.bind(net.now(), port, Tipc.TIPC_CLUSTER_SCOPE, 3000, 1, 1, a)).isZero();
        assertThat(a.core.bind(net.now(), port, Tipc.TIPC_NODE_SCOPE, 3000, 2, 2, a)).isZero();
        assertThat(a.core.bind(net.now(), port, Tipc.TIPC_CLUSTER_SCOPE, 3000, 3, 3, a)).isEqualTo(Errno.EINVAL);
        assertThat(a.core.log()).filteredOn(l -> l.startsWith("binding table:")).singleElement().asString()
                .contains("local limit");
        assertThat(a.core.unbind(net.now(), port, 3000, 1, 1, a)).isZero();
        assertThat(a.core.bind(net.now(), port, Tipc.TIPC_CLUSTER_SCOPE, 3000, 3, 3, a)).isZero();
    }
}
