package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.nametable.SubscriptionRequest;
import io.jtipc.node.SocketType;
import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcEvent;
import io.jtipc.wire.TipcSubscr;

/** The topology server on {1,1}: a SEQPACKET client speaking struct tipc_subscr / tipc_event, as kernel code would. */
class TopologyServerTest {
    SimNetwork net = new SimNetwork(71);
    SimNode a = net.addNode("alpha", 1, 0x11112222);
    SimNode b = net.addNode("beta", 2, 0x33334444);

    TopologyServerTest() {
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
    }

    record Ev(int event, int lower, int upper, int port, int node, int subType, long handle) {}

    /** A topology client on node {@code n}: connects to {1,1} on its own node. */
    final class Client implements ConnHandler {
        final SimNode n;
        final ByteOrder order;
        final int port;
        final List<Ev> events = new ArrayList<>();
        boolean connected;
        boolean paused; // when set, the client does not read (its receive window fills up)
        int err;
        boolean eof;

        Client(SimNode n, ByteOrder order) {
            this(n, order, n);
        }

        /** A client on {@code n} connected to the topology server of {@code server} (another node: over the link). */
        Client(SimNode n, ByteOrder order, SimNode server) {
            this.n = n;
            this.order = order;
            this.port = n.core.openConnSocket(SocketType.SEQPACKET, this);
            assertThat(n.core.connect(net.now(), port, Tipc.TIPC_TOP_SRV, Tipc.TIPC_TOP_SRV,
                server.core.ownAddr(), 8000, null, 0, 0, n)).isZero();
            assertThat(net.runUntil(() -> connected, net.now() + 1000)).isTrue();
        }

        @Override
        public void connected(int p) {
            connected = true;
        }

        @Override
        public void readable(int p) {
            if (paused) return;
            byte[] buf = new byte[100];
            int rc;
            while ((rc = n.core.recv(net.now(), port, buf, 0, buf.length, n)) > 0) {
                assertThat(rc).isEqualTo(TipcEvent.SIZE);
                TipcEvent e = new TipcEvent().wrap(buf, 0, order);
                java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(buf, 20, 28).order(order);
                int subType = bb.getInt(20);
                long handle = java.nio.ByteBuffer.wrap(buf, 40, 8).getLong();
                events.add(new Ev(e.event(), e.foundLower(), e.foundUpper(), e.portRef(), e.portNode(), subType, handle));
            }
            if (rc == 0) eof = true;
            else if (rc != Errno.EAGAIN) err = rc;
        }

        void subscribe(int type, int lower, int upper, int timeout, int filter, long handle) {
            byte[] b = new byte[SubscriptionRequest.SIZE];
            new SubscriptionRequest(type, lower, upper, timeout, filter, handle, order).encode(b, 0);
            assertThat(n.core.send(net.now(), port, b, 0, b.length, n)).isEqualTo(b.length);
            net.runFor(20);
        }
    }

    @Test
    void kernelStructsInBothByteOrdersReplayThenLiveThenTimeout() {
        int pb = b.core.openSocket(SocketType.RDM, d -> true);
        b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 1000, 0, 9, b);
        net.runFor(100);
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            Client c = new Client(a, order);
            c.subscribe(1000, 0, 5000, 2000, TipcSubscr.TIPC_SUB_PORTS, 0x0102030405060708L);
            // replay: the existing binding of node b
            assertThat(c.events).containsExactly(new Ev(TipcEvent.TIPC_PUBLISHED, 0, 9, pb, b.core.ownAddr(), 1000,
                0x0102030405060708L));
            // live: a local publication and its withdrawal
            int pa = a.core.openSocket(SocketType.RDM, d -> true);
            a.core.bind(net.now(), pa, Tipc.TIPC_NODE_SCOPE, 1000, 42, 42, a);
            net.runFor(20);
            a.core.closeSocket(net.now(), pa, a);
            net.runFor(20);
            assertThat(c.events).hasSize(3);
            assertThat(c.events.get(1)).isEqualTo(new Ev(TipcEvent.TIPC_PUBLISHED, 42, 42, pa, a.core.ownAddr(), 1000,
                0x0102030405060708L));
            assertThat(c.events.get(2).event()).isEqualTo(TipcEvent.TIPC_WITHDRAWN);
            // timeout 2000 ms after subscribing: one TIMEOUT with the subscribed range, port and node 0
            net.runFor(2000);
            assertThat(c.events).hasSize(4);
            assertThat(c.events.get(3)).isEqualTo(new Ev(TipcEvent.TIPC_SUBSCR_TIMEOUT, 0, 5000, 0, 0, 1000,
                0x0102030405060708L));
        }
    }

    @Test
    void serviceFilterCancelAndIllegalRequestClosesTheConnection() {
        Client c = new Client(a, ByteOrder.LITTLE_ENDIAN);
        c.subscribe(3000, 0, 100, TipcSubscr.TIPC_WAIT_FOREVER, TipcSubscr.TIPC_SUB_SERVICE, 7);
        int p1 = b.core.openSocket(SocketType.RDM, d -> true);
        int p2 = b.core.openSocket(SocketType.RDM, d -> true);
        b.core.bind(net.now(), p1, Tipc.TIPC_CLUSTER_SCOPE, 3000, 5, 5, b);
        b.core.bind(net.now(), p2, Tipc.TIPC_CLUSTER_SCOPE, 3000, 5, 5, b);
        net.runFor(100);
        // SUB_SERVICE: only the first binding of the range is reported
        assertThat(c.events).extracting(Ev::event).containsExactly(TipcEvent.TIPC_PUBLISHED);
        b.core.closeSocket(net.now(), p1, b);
        net.runFor(100);
        assertThat(c.events).hasSize(1);
        b.core.closeSocket(net.now(), p2, b);
        net.runFor(100);
        assertThat(c.events).extracting(Ev::event).containsExactly(TipcEvent.TIPC_PUBLISHED, TipcEvent.TIPC_WITHDRAWN);
        // cancel: no more events
        c.subscribe(3000, 0, 100, TipcSubscr.TIPC_WAIT_FOREVER, TipcSubscr.TIPC_SUB_SERVICE | TipcSubscr.TIPC_SUB_CANCEL, 7);
        b.core.bind(net.now(), b.core.openSocket(SocketType.RDM, d -> true), Tipc.TIPC_CLUSTER_SCOPE, 3000, 5, 5, b);
        net.runFor(100);
        assertThat(c.events).hasSize(2);
        assertThat(a.core.topologyServer().subscriptions().count()).isZero();
        // PORTS | SERVICE is illegal: the server closes the connection
        c.subscribe(3000, 0, 100, TipcSubscr.TIPC_WAIT_FOREVER, TipcSubscr.TIPC_SUB_PORTS | TipcSubscr.TIPC_SUB_SERVICE, 7);
        net.runFor(20);
        assertThat(c.eof).as("end-of-file, as the kernel's tipc_conn_close (SHUT_RDWR)").isTrue();
        assertThat(c.err).isZero();
        assertThat(a.core.topologyServer().connections()).isZero();
    }

    /**
     * topsrv.c tipc_conn_rcv_from_sock reads a request into a 28-byte struct: a longer message is cut to its first 28
     * bytes (SEQPACKET truncation) and served; a shorter one closes the connection.
     */
    @Test
    void aLongerRequestIsReadAsItsFirst28BytesAShorterOneClosesTheConnection() {
        Client c = new Client(a, ByteOrder.LITTLE_ENDIAN);
        byte[] b32 = new byte[SubscriptionRequest.SIZE + 4];
        new SubscriptionRequest(3100, 0, 100, TipcSubscr.TIPC_WAIT_FOREVER, TipcSubscr.TIPC_SUB_PORTS, 5,
            ByteOrder.LITTLE_ENDIAN).encode(b32, 0);
        assertThat(a.core.send(net.now(), c.port, b32, 0, b32.length, a)).isEqualTo(b32.length);
        net.runFor(20);
        int p = b.core.openSocket(SocketType.RDM, d -> true);
        b.core.bind(net.now(), p, Tipc.TIPC_CLUSTER_SCOPE, 3100, 7, 7, b);
        net.runFor(100);
        assertThat(c.events).singleElement().satisfies(e -> assertThat(e.port()).isEqualTo(p));
        assertThat(a.core.topologyServer().connections()).isEqualTo(1);
        assertThat(a.core.send(net.now(), c.port, b32, 0, SubscriptionRequest.SIZE - 1, a))
            .isEqualTo(SubscriptionRequest.SIZE - 1);
        net.runFor(20);
        assertThat(c.eof).as("end-of-file, as the kernel's tipc_conn_close (SHUT_RDWR)").isTrue();
        assertThat(c.err).isZero();
        assertThat(a.core.topologyServer().connections()).isZero();
    }

    @Test
    void nodeStateSubscriptionSeesPeerUpAndAllBindingsOfALostNodeWithdrawn() {
        Client c = new Client(a, ByteOrder.LITTLE_ENDIAN);
        c.subscribe(Tipc.TIPC_NODE_STATE, 0, -1, TipcSubscr.TIPC_WAIT_FOREVER, TipcSubscr.TIPC_SUB_PORTS, 1);
        c.subscribe(4000, 0, 100, TipcSubscr.TIPC_WAIT_FOREVER, TipcSubscr.TIPC_SUB_PORTS, 2);
        c.subscribe(Tipc.TIPC_LINK_STATE, 0, -1, TipcSubscr.TIPC_WAIT_FOREVER, TipcSubscr.TIPC_SUB_PORTS, 3);
        int bAddr = b.core.ownAddr();
        assertThat(c.events).contains(new Ev(TipcEvent.TIPC_PUBLISHED, bAddr, bAddr, 0, bAddr, 0, 1));
        assertThat(c.events).anySatisfy(e -> {
            assertThat(e.subType()).isEqualTo(Tipc.TIPC_LINK_STATE);
            assertThat(e.lower()).isEqualTo(bAddr);
        });
        for (int i = 0; i < 3; i++) {
            b.core.bind(net.now(), b.core.openSocket(SocketType.RDM, d -> true), Tipc.TIPC_CLUSTER_SCOPE, 4000, i, i, b);
        }
        net.runFor(100);
        c.events.clear();
        b.paused = true;
        net.runFor(3000);
        // the lost node's node-state binding, link-state binding and all three of its bindings are withdrawn
        assertThat(c.events).filteredOn(e -> e.event() == TipcEvent.TIPC_WITHDRAWN).hasSize(5);
        assertThat(c.events).filteredOn(e -> e.subType() == 4000).hasSize(3)
            .allSatisfy(e -> assertThat(e.node()).isEqualTo(bAddr));
    }

    /**
     * The kernel's lookup ignores a binding's scope, so another node can reach the node-scope {1,1}: jtipc bounds what
     * other nodes hold there (connections per node, subscriptions per connection) and leaves this node's own alone.
     */
    @Test
    void anotherNodesConnectionsAndSubscriptionsAreBounded() {
        TopologyServer ts = a.core.topologyServer();
        List<Client> remote = new ArrayList<>();
        for (int i = 0; i < TopologyServer.REMOTE_CONNS_PER_NODE + 2; i++) remote.add(new Client(b, ByteOrder.BIG_ENDIAN, a));
        net.runFor(200);
        assertThat(ts.connections()).isEqualTo(TopologyServer.REMOTE_CONNS_PER_NODE);
        assertThat(ts.remoteRefusals()).isEqualTo(2);
        assertThat(remote.subList(TopologyServer.REMOTE_CONNS_PER_NODE, remote.size())).allMatch(c -> c.eof);
        assertThat(a.core.log()).anyMatch(l -> l.contains("topology server: connection from node "));
        // this node's own clients are not counted
        Client local = new Client(a, ByteOrder.LITTLE_ENDIAN);
        assertThat(ts.connections()).isEqualTo(TopologyServer.REMOTE_CONNS_PER_NODE + 1);
        // a remote connection asking for more subscriptions than it may hold is closed, with them all
        Client c = remote.get(0);
        for (int i = 0; i <= TopologyServer.REMOTE_SUBS_PER_CONN; i++) {
            byte[] req = new byte[SubscriptionRequest.SIZE];
            new SubscriptionRequest(7000, i, i, TipcSubscr.TIPC_WAIT_FOREVER, TipcSubscr.TIPC_SUB_PORTS, i, c.order)
                .encode(req, 0);
            assertThat(c.n.core.send(net.now(), c.port, req, 0, req.length, c.n)).isEqualTo(req.length);
            if (i % 64 == 63) net.runFor(20);
        }
        net.runFor(200);
        assertThat(c.eof).isTrue();
        assertThat(ts.subscriptions().count()).isZero();
        assertThat(ts.connections()).isEqualTo(TopologyServer.REMOTE_CONNS_PER_NODE);
        assertThat(ts.remoteRefusals()).isEqualTo(3);
        // its place is free again; the local client still subscribes
        Client again = new Client(b, ByteOrder.BIG_ENDIAN, a);
        again.subscribe(7000, 0, 10, TipcSubscr.TIPC_WAIT_FOREVER, TipcSubscr.TIPC_SUB_PORTS, 1);
        local.subscribe(7000, 0, 10, TipcSubscr.TIPC_WAIT_FOREVER, TipcSubscr.TIPC_SUB_PORTS, 2);
        net.runFor(100);
        assertThat(again.eof).isFalse();
        assertThat(ts.subscriptions().count()).isEqualTo(2);
    }

    /**
     * A SYN from the link that names this node as its origin (w6) is counted for the peer whose link delivered it (its
     * w3): it does not pass for a local client, out of the remote bounds.
     */
    @Test
    void aSynForgingThisNodesAddressCountsForThePeerThatSentIt() {
        TopologyServer ts = a.core.topologyServer();
        int listen = a.core.bindingTable().lookupAnycast(Tipc.TIPC_TOP_SRV, Tipc.TIPC_TOP_SRV, a.core.ownAddr()).port();
        // the forger names a group socket of this node as the origin port: a group socket drops a connection message
        // without a word (group.c tipc_group_filter_msg), so the ACK does not bounce and the connection stays
        GroupTest.Member g = new GroupTest.Member(net, a, 0, 1);
        g.join(0);
        int forged = TopologyServer.REMOTE_CONNS_PER_NODE + 3;
        for (int i = 0; i < forged; i++) {
            byte[] syn = new byte[Tipc.NAMED_H_SIZE];
            io.jtipc.wire.TipcMsg h = new io.jtipc.wire.TipcMsg().wrap(syn, 0, syn.length);
            Msg.init(h, a.core.ownAddr(), Tipc.CRITICAL_IMPORTANCE, Tipc.TIPC_NAMED_MSG, Tipc.NAMED_H_SIZE,
                a.core.ownAddr());
            h.setSize(syn.length);
            h.setOrigport(g.port);
            h.setDestport(listen);
            h.setSyn(1);
            h.setNametype(Tipc.TIPC_TOP_SRV);
            h.setNameinst(Tipc.TIPC_TOP_SRV);
            h.setPrevnode(b.core.ownAddr()); // as Node.deliver lets it through: w3 is the link's peer
            a.core.sockets.rcv(syn, 0, syn.length, net.now(), a, false);
            a.core.onTimer(net.now(), a);
        }
        net.runFor(200);
        assertThat(ts.connections()).isEqualTo(TopologyServer.REMOTE_CONNS_PER_NODE);
        assertThat(ts.remoteRefusals()).isEqualTo(forged - TopologyServer.REMOTE_CONNS_PER_NODE);
        assertThat(a.core.log()).anyMatch(l -> l.contains("topology server: connection from node "
            + Integer.toHexString(b.core.ownAddr())));
        // a local client is still a local one
        new Client(a, ByteOrder.LITTLE_ENDIAN);
        assertThat(ts.connections()).isEqualTo(TopologyServer.REMOTE_CONNS_PER_NODE + 1);
    }

    @Test
    void javaSubscriptionApiSeesTheSameEvents() {
        List<io.jtipc.nametable.SubscriptionEvent> evs = new ArrayList<>();
        int pb = b.core.openSocket(SocketType.RDM, d -> true);
        b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 5000, 1, 1, b);
        net.runFor(100);
        assertThat(a.core.subscribe(net.now(), TipcSubscr.TIPC_SUB_PORTS, 5000, 0, 10, 1000, evs::add)).isNotNull();
        assertThat(evs).singleElement().satisfies(e -> assertThat(e.port()).isEqualTo(pb));
        b.core.closeSocket(net.now(), pb, b);
        net.runFor(100);
        assertThat(evs).extracting(io.jtipc.nametable.SubscriptionEvent::event)
            .containsExactly(TipcEvent.TIPC_PUBLISHED, TipcEvent.TIPC_WITHDRAWN);
        net.runFor(1000);
        assertThat(evs).extracting(io.jtipc.nametable.SubscriptionEvent::event)
            .containsExactly(TipcEvent.TIPC_PUBLISHED, TipcEvent.TIPC_WITHDRAWN, TipcEvent.TIPC_SUBSCR_TIMEOUT);
        assertThat(a.core.subscribe(net.now(), TipcSubscr.TIPC_SUB_PORTS | TipcSubscr.TIPC_SUB_SERVICE, 5000, 0, 10,
            1000, evs::add)).isNull();
    }

    @Test
    void aSubscriberThatDoesNotReadIsDroppedWhenItsQueueOverflows() {
        a.core.topologyServer().outqLimit(10);
        Client c = new Client(a, ByteOrder.LITTLE_ENDIAN);
        c.subscribe(6000, 0, 10_000, TipcSubscr.TIPC_WAIT_FOREVER, TipcSubscr.TIPC_SUB_PORTS, 9);
        Client reader = new Client(a, ByteOrder.LITTLE_ENDIAN);
        reader.subscribe(6000, 0, 10_000, TipcSubscr.TIPC_WAIT_FOREVER, TipcSubscr.TIPC_SUB_PORTS, 10);
        assertThat(a.core.topologyServer().subscriptions().count()).isEqualTo(2);
        c.paused = true;
        int p = a.core.openSocket(SocketType.RDM, d -> true);
        // far more events than the connection window (and then the 10-event queue) can hold
        for (int i = 0; i < 2000; i++) {
            a.core.bind(net.now(), p, Tipc.TIPC_NODE_SCOPE, 6000, i, i, a);
            if (i % 100 == 0) net.runFor(5);
        }
        net.runFor(100);
        assertThat(a.core.topologyServer().overflowCloses()).isEqualTo(1);
        assertThat(a.core.topologyServer().connections()).isEqualTo(1);
        assertThat(a.core.topologyServer().subscriptions().count()).isEqualTo(1);
        assertThat(a.core.log()).anySatisfy(l -> assertThat(l).contains("overflow"));
        // the client that keeps reading got every event
        assertThat(reader.events).hasSize(2000);
        // the stalled client finds its connection closed once it reads again
        c.paused = false;
        c.readable(c.port);
        assertThat(c.events.size()).isLessThan(2000);
        assertThat(c.eof).as("end-of-file, as the kernel's tipc_conn_close (SHUT_RDWR)").isTrue();
        assertThat(c.err).isZero();
    }
}
