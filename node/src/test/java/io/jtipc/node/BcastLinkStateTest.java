package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;

/** Broadcast link state against link.c: the send link's MTU at reset, the receive link's view of the peer's snd_nxt. */
class BcastLinkStateTest {
    @Test
    void theMtuGoesBackToTheAdvertisedOneWhenTheLastPeerLeaves() {
        SimNetwork net = new SimNetwork(9);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        BcastSendLink snd = a.core.net.bcast.snd;
        assertThat(snd.mtu).isNotEqualTo(Bcast.FB_MTU); // the Ethernet bearer's, set by tipc_bcbase_select_primary
        b.paused = true; // b goes silent: the link fails after its tolerance, the last broadcast peer leaves
        assertThat(net.runUntil(() -> a.core.peers().stream().noneMatch(Node::isUp), net.now() + 10_000)).isTrue();
        assertThat(snd.mtu).isEqualTo(Bcast.FB_MTU); // tipc_link_reset: l->mtu = l->advertised_mtu
    }

    /**
     * link.c tipc_link_build_state_msg on a broadcast receive link: at each acknowledgement point snd_nxt (the peer's
     * next broadcast as last advertised) becomes rcv_nxt, so the STATE acknowledging what arrived NACKs no packet that
     * is still in flight (link_bc_rcv_gap is 0 unless packets are held out of order).
     */
    @Test
    void anAcknowledgementPointForgetsThePeersAdvertisedSndNxt() {
        SimNetwork net = new SimNetwork(9);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        net.runFor(500);
        int port = b.core.openSocket(SocketType.RDM, b.received::add);
        b.core.bind(net.now(), port, io.jtipc.wire.Tipc.TIPC_CLUSTER_SCOPE, 4711, 0, 99, b);
        net.runFor(500);
        BroadcastLink bl = b.core.peer(a.core.ownAddr()).broadcastLink();
        // no STATE from alpha from now on (it would tell beta alpha's real snd_nxt)
        net.drop = (from, f) -> from == a && new io.jtipc.wire.TipcMsg().wrap(f, 0, f.length).user()
            == io.jtipc.wire.Tipc.LINK_PROTOCOL;
        bl.sndNxt = (bl.rcvNxt() + 80) & 0xffff; // as advertised by a STATE: 80 broadcasts announced, 64 will come
        assertThat(a.core.broadcastLink().setMode(Bcast.MODE_BCAST)).isZero(); // over the broadcast link, not replicast
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        byte[] x = new byte[8];
        for (int i = 0; i < 64; i++) {
            a.core.multicast(net.now(), pa, 4711, 0, 99, x, 0, x.length, a);
            net.runFor(2);
        }
        net.runFor(50);
        assertThat(bl.rcvGap()).isZero();
        assertThat(b.received).hasSizeGreaterThanOrEqualTo(64);
    }

    /**
     * node.c tipc_node_create / tipc_node_cleanup recompute tn->capabilities over every known peer and set
     * rcast_support from it (tipc_bcast_toggle_rcast): replicast is refused while a peer without TIPC_BCAST_RCAST is
     * known, up or down, and allowed again once it is removed. jtipc caches the cluster's capabilities, so this also
     * checks that the cache follows the peers coming and going.
     */
    @Test
    void replicastFollowsTheCapabilitiesOfEveryKnownPeer() {
        SimNetwork net = new SimNetwork(9);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode(NodeConfig.of(io.jtipc.wire.NodeId.parse("beta"), 0x33334444, 5)
            .withCapabilities(NodeConfig.JTIPC_CAPABILITIES & ~io.jtipc.wire.Tipc.TIPC_BCAST_RCAST),
            new byte[] {0x52, 0x54, 0, 0, 0, 2});
        assertThat(a.core.broadcastLink().setMode(Bcast.MODE_RCAST)).as("alone").isZero();
        assertThat(a.core.broadcastLink().setMode(Bcast.MODE_BCAST)).isZero();
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        assertThat(a.core.broadcastLink().setMode(Bcast.MODE_RCAST)).as("b known").isEqualTo(Errno.ENOPROTOOPT);
        b.paused = true; // b goes silent: its link fails after the tolerance; b stays known, down
        assertThat(net.runUntil(() -> a.core.peers().stream().noneMatch(Node::isUp), net.now() + 10_000)).isTrue();
        assertThat(a.core.broadcastLink().setMode(Bcast.MODE_RCAST)).as("b down").isEqualTo(Errno.ENOPROTOOPT);
        assertThat(a.core.removePeer(b.core.ownAddr())).isZero();
        assertThat(a.core.broadcastLink().setMode(Bcast.MODE_RCAST)).as("b removed").isZero();
    }
}
