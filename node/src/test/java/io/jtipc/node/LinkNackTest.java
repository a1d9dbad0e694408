package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/** When a link NACKs and when it may retransmit (link.c tipc_link_proto_rcv, tipc_link_xmit). */
class LinkNackTest {
    SimNetwork net = new SimNetwork(5);
    SimNode a = net.addNode("alpha", 1, 0x11112222);
    SimNode b = net.addNode("beta", 2, 0x33334444);

    /** Sends {@code n} data packets from alpha that beta never receives (lost on the way). */
    private void lose(Link la, int n) {
        net.drop = (from, f) -> from == a && new TipcMsg().wrap(f, 0, f.length).isData();
        for (int i = 0; i < n; i++) {
            HostileKit.inject(la, HostileKit.outOfOrderData(a.core.ownAddr(), b.core.ownAddr(), 0, 0, 0, 100),
                net.now(), a);
        }
        net.runFor(1);
        net.drop = (from, f) -> false;
    }

    @Test
    void aSynchingLinkSendsNoNack() {
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        net.runFor(500);
        Link la = a.core.peer(b.core.ownAddr()).link();
        Link lb = b.core.peer(a.core.ownAddr()).link();
        // an established link answers a probe that shows packets it has not received with a NACK
        lose(la, 3);
        long nacks = lb.sentNacks();
        la.buildProto(Tipc.STATE_MSG, true, false, 0, a);
        net.runFor(5);
        assertThat(lb.sentNacks()).isEqualTo(nacks + 1);
        // while synching it does not: those packets come through the tunnel (tipc_link_is_synching)
        lose(la, 3);
        lb.synching = true;
        nacks = lb.sentNacks();
        la.buildProto(Tipc.STATE_MSG, true, false, 0, a);
        net.runFor(5);
        assertThat(lb.sentNacks()).isEqualTo(nacks);
    }

    @Test
    void aNewPacketIsNotRetransmittedWithinTheRetransmitTimeOfItsFirstSend() {
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        net.runFor(500);
        Link la = a.core.peer(b.core.ownAddr()).link();
        long now = net.now();
        HostileKit.inject(la, HostileKit.outOfOrderData(a.core.ownAddr(), b.core.ownAddr(), 0, 0, 0, 100), now, a);
        // tipc_link_set_skb_retransmit_time at the first send, not only at a retransmission
        assertThat(la.transmq.peekLast().nxtRetr).isEqualTo(now + Link.UC_RETR_TIME);
    }
}
