package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;

/**
 * {@code tipc link set tolerance/priority} on an encrypted link: the STATE carrying the new value is built with it
 * before it is encrypted (link.c tipc_link_set_tolerance / tipc_link_set_prio pass it to tipc_link_build_proto_msg),
 * so the keyed peer decrypts it and takes the value.
 */
class LinkSettingsCryptoTest {
    @Test
    void aToleranceAndPriorityChangeReachesAKeyedPeer() {
        SimNetwork net = new SimNetwork(11);
        SimNode a = CryptoSimTest.node(net, "alpha", 1, CryptoSimTest.keys(NodeKey.master(CryptoSimTest.K1)));
        SimNode b = CryptoSimTest.node(net, "beta", 2, CryptoSimTest.keys(NodeKey.master(CryptoSimTest.K1)));
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        net.runFor(1000);
        long bad = b.core.crypto().undecryptable();
        Link la = a.core.peer(b.core.ownAddr()).link();
        Link lb = b.core.peer(a.core.ownAddr()).link();
        assertThat(LinkSettings.setTolerance(la, 4000, a)).isZero();
        net.runFor(100);
        assertThat(lb.tolerance()).isEqualTo(4000);
        assertThat(b.core.crypto().undecryptable()).isEqualTo(bad);
        int prio = LinkSettings.priority(lb);
        assertThat(LinkSettings.setPriority(la, prio + 1, a)).isZero();
        net.runFor(100);
        // a peer changing the link priority resets the link (link.c tipc_link_proto_rcv): it read the new value
        assertThat(lb.resets).isPositive();
        assertThat(b.core.log()).anyMatch(s -> s.contains("peer changed the link priority " + prio + " -> " + (prio + 1)));
        assertThat(b.core.crypto().undecryptable()).isEqualTo(bad);
    }
}
