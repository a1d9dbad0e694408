package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;

class TwoNodeTest {

    static boolean linkedUp(SimNode a, SimNode b) {
        Node pa = a.core.peer(b.core.ownAddr());
        Node pb = b.core.peer(a.core.ownAddr());
        return pa != null && pb != null && pa.isUp() && pb.isUp()
            && pa.state() == Node.NodeState.SELF_UP_PEER_UP && pb.state() == Node.NodeState.SELF_UP_PEER_UP;
    }

    @Test
    void discoverLinkUpAndStayUpThroughIdleProbing() {
        SimNetwork net = new SimNetwork(1);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(a.core.addressCommitted()).isFalse();
        assertThat(net.runUntil(() -> a.core.addressCommitted() && b.core.addressCommitted(), 2000)).isTrue();
        assertThat(a.core.ownAddr()).isEqualTo(NodeId.parse("alpha").hash());
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        long upAt = net.now();
        Link la = a.core.peer(b.core.ownAddr()).link();
        assertThat(la.name()).isEqualTo("alpha:eth0-beta:eth0");
        assertThat(la.mtu()).isEqualTo(1500);
        long downs[] = {0};
        a.core.setListener(new NodeListener() {
            @Override
            public void linkDown(Link l) {
                downs[0]++;
            }
        });
        net.runFor(60_000);
        assertThat(downs[0]).isZero();
        assertThat(linkedUp(a, b)).isTrue();
        // probing happened: about one STATE per 375 ms tick
        assertThat(la.sentStates()).isGreaterThan(100);
        // discovery doubles past the 1 s cap once a peer was found ... up to the 60 s cap
        assertThat(a.core.bearer(0).discoverer().timerInterval()).isEqualTo(32_000);
        net.runFor(70_000);
        assertThat(a.core.bearer(0).discoverer().timerInterval()).isEqualTo(Discoverer.DISC_SLOW);
        assertThat(downs[0]).isZero();
        // bindings exchanged: each has the other's node-state binding {0, addr, addr}
        assertThat(a.core.bindingTable().publications(0, b.core.ownAddr(), b.core.ownAddr())).hasSize(1);
        assertThat(b.core.bindingTable().publications(0, a.core.ownAddr(), a.core.ownAddr())).hasSize(1);
        assertThat(upAt).isLessThan(3000);
    }

    @Test
    void bindingsPublishedAndWithdrawnReachThePeer() {
        SimNetwork net = new SimNetwork(2);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        int pa = a.core.openSocket(SocketType.RDM, a.received::add);
        assertThat(a.core.bind(net.now(), pa, Tipc.TIPC_CLUSTER_SCOPE, 1000, 1, 1, a)).isZero();
        assertThat(a.core.bind(net.now(), pa, Tipc.TIPC_NODE_SCOPE, 1001, 5, 9, a)).isZero();
        net.runFor(100);
        assertThat(b.core.bindingTable().publications(1000, 1, 1)).singleElement()
            .satisfies(p -> {
                assertThat(p.node()).isEqualTo(a.core.ownAddr());
                assertThat(p.port()).isEqualTo(pa);
                assertThat(p.key()).isEqualTo(pa + 1);
            });
        assertThat(b.core.bindingTable().publications(1001, 5, 9)).isEmpty();
        assertThat(a.core.unbind(net.now(), pa, 1000, 1, 1, a)).isZero();
        net.runFor(100);
        assertThat(b.core.bindingTable().publications(1000, 1, 1)).isEmpty();
    }

    /**
     * When the last link to a peer goes, the peer's node binding {0, peer} is withdrawn before its link binding
     * {2, peer}: node.c tipc_node_write_unlock handles NODE_DOWN (tipc_publ_notify) before LINK_DOWN, so a topology
     * subscriber of both sees the events in the kernel's order.
     */
    @Test
    void theNodeBindingGoesBeforeTheLinkBindingWhenThePeerIsLost() {
        SimNetwork net = new SimNetwork(4);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        int peer = b.core.ownAddr();
        java.util.List<String> events = new java.util.ArrayList<>();
        for (int type : new int[] {0, 2}) {
            assertThat(a.core.subscribe(net.now(), io.jtipc.wire.TipcSubscr.TIPC_SUB_PORTS, type, peer, peer,
                io.jtipc.wire.TipcSubscr.TIPC_WAIT_FOREVER,
                e -> events.add(e.subscription().type() + ":" + e.event()))).isNotNull();
        }
        events.clear();
        b.paused = true;
        assertThat(net.runUntil(() -> !a.core.peer(peer).isUp(), net.now() + 10_000)).isTrue();
        net.runFor(100);
        assertThat(events).containsExactly("0:" + io.jtipc.wire.TipcEvent.TIPC_WITHDRAWN,
            "2:" + io.jtipc.wire.TipcEvent.TIPC_WITHDRAWN);
    }

    /**
     * A NAME_DISTRIBUTOR message whose data is not a whole number of 20-byte items has its whole items applied, the
     * trailing part ignored (name_distr.c tipc_named_rcv: msg_data_sz / ITEM_SIZE items), not the message dropped.
     */
    @Test
    void aBindingMessageWithATrailingPartialItemHasItsWholeItemsApplied() {
        SimNetwork net = new SimNetwork(5);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        int ea = a.core.ownAddr();
        Link l = HostileKit.linkTo(a.core, b.core.ownAddr());
        byte[] whole = HostileKit.publicationBulks(ea, b.core.ownAddr(), l.mss(), 1,
            i -> new io.jtipc.nametable.PublicationItem(90_000, 7, 7, 4242, 4243)).get(0);
        byte[] m = java.util.Arrays.copyOf(whole, whole.length + 10);
        new io.jtipc.wire.TipcMsg().wrap(m, 0, m.length).setSize(m.length);
        HostileKit.inject(l, m, net.now(), a);
        net.runFor(200);
        assertThat(b.core.bindingTable().publications(90_000, 7, 7)).singleElement()
            .satisfies(p -> assertThat(p.port()).isEqualTo(4242));
    }

    /**
     * node.c: the node timer re-arms itself with no links left (every 10 s), so a peer whose only link was deleted
     * with its bearer is deleted NODE_CLEANUP_AFTER (5 min) after contact was lost (tipc_node_cleanup); it stayed in
     * the table for good.
     */
    @Test
    void aPeerLeftWithoutLinksIsDeletedAfterTheCleanupTime() {
        SimNetwork net = new SimNetwork(77);
        SimNode a = net.addNode("alpha", 1, 0x1111);
        SimNode b = net.addNode("beta", 2, 0x2222);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        assertThat(a.core.disableBearer(net.now(), 0, a)).isTrue();
        net.runFor(10_000);
        assertThat(a.core.peer(b.core.ownAddr())).as("kept while the cleanup time runs").isNotNull();
        net.runFor(NodeTable.NODE_CLEANUP_AFTER);
        assertThat(a.core.peer(b.core.ownAddr())).isNull();
        assertThat(a.core.removePeer(b.core.ownAddr())).isEqualTo(Errno.ENXIO);
    }
    /**
     * name_distr.c tipc_named_node_up hands the whole bulk to tipc_link_xmit as one list: the SYSTEM backlog limit
     * (873 packets at MTU 1500, link.c tipc_link_set_queue_limits) is checked at its first message only. A node with
     * 64 000 bindings (about 900 bulk messages of 71 items) meets a new peer: the peer gets every binding and the link
     * stays up. Before, each bulk message was checked alone: the link overflowed, reset, and did so again each time.
     */
    @Test
    void aBulkLongerThanTheSystemBacklogLimitIsSentWhole() {
        SimNetwork net = new SimNetwork(3);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        assertThat(net.runUntil(() -> a.core.addressCommitted(), 2000)).isTrue();
        int p = a.core.openSocket(SocketType.RDM, d -> true);
        int n = 64_000;
        for (int i = 0; i < n; i++) {
            assertThat(a.core.bind(net.now(), p, io.jtipc.wire.Tipc.TIPC_CLUSTER_SCOPE, 90_000 + i / 1000, i, i, a)).isZero();
        }
        SimNode b = net.addNode("beta", 2, 0x33334444);
        long downs[] = {0};
        a.core.setListener(new NodeListener() {
            @Override
            public void linkDown(Link l) {
                downs[0]++;
            }
        });
        assertThat(net.runUntil(() -> linkedUp(a, b), net.now() + 5000)).isTrue();
        assertThat(net.runUntil(() -> b.core.bindingTable().publications(90_000, 0, -1).size()
            + b.core.bindingTable().publications(90_063, 0, -1).size() == 2000, net.now() + 30_000)).isTrue();
        net.runFor(2000);
        int got = 0;
        for (int t = 0; t < n / 1000; t++) got += b.core.bindingTable().publications(90_000 + t, 0, -1).size();
        assertThat(got).isEqualTo(n);
        assertThat(downs[0]).as("links lost").isZero();
        assertThat(linkedUp(a, b)).isTrue();
    }
}
