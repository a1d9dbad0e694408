package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

class SocketTest {
    SimNetwork net = new SimNetwork(21);
    SimNode a = net.addNode("alpha", 1, 0x11112222);
    SimNode b = net.addNode("beta", 2, 0x33334444);
    SimNode c = net.addNode("gamma", 3, 0x55556666);

    SocketTest() {
        assertThat(net.runUntil(() -> linkedUp(a, b) && linkedUp(a, c) && linkedUp(b, c), 5000)).isTrue();
    }

    private void settle() {
        net.runFor(200);
    }

    /**
     * Sockets of one node binding the same service, each after a different number of other bindings, all succeed
     * (load sharing), as in the kernel: a binding's key is port + bindings so far + 1 (tipc_sk_publish), and ports are
     * drawn at random per socket (tipc_sk_insert), so two sockets' keys for the same service do not meet. With ports
     * numbered one after another, the second socket's first key was the first socket's second.
     */
    @Test
    void socketsBindingTheSameServiceAfterOtherBindingsAllSucceed() {
        int[] p = new int[8];
        for (int i = 0; i < p.length; i++) p[i] = b.core.openSocket(SocketType.RDM, d -> true);
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p.length - 1 - i; j++) {
                assertThat(b.core.bind(net.now(), p[i], Tipc.TIPC_CLUSTER_SCOPE, 300 + j, 0, 0, b)).isZero();
            }
        }
        for (int i = 0; i < p.length; i++) {
            assertThat(b.core.bind(net.now(), p[i], Tipc.TIPC_CLUSTER_SCOPE, 400, 1, 1, b)).as("socket " + i).isZero();
        }
        for (int i = 1; i < p.length; i++) assertThat(p[i] - p[i - 1]).as("ports drawn apart").isNotEqualTo(1);
    }

    /**
     * socket.c tipc_sk_withdraw: an unbind withdraws one binding, the socket's newest with that type and lower bound, and
     * refuses (EINVAL) when that one has another upper bound or there is none, unless the socket has no binding at all
     * (then 0: its list_empty check).
     */
    @Test
    void anUnbindWithdrawsOneBindingTheNewest() {
        int p = b.core.openSocket(SocketType.RDM, d -> true);
        assertThat(b.core.bind(net.now(), p, Tipc.TIPC_CLUSTER_SCOPE, 500, 1, 1, b)).isZero();
        assertThat(b.core.bind(net.now(), p, Tipc.TIPC_CLUSTER_SCOPE, 500, 1, 1, b)).isZero();
        assertThat(b.core.bind(net.now(), p, Tipc.TIPC_CLUSTER_SCOPE, 500, 1, 9, b)).isZero();
        settle();
        assertThat(a.core.bindingTable().publications(500, 0, 100)).hasSize(3);
        assertThat(b.core.unbind(net.now(), p, 500, 1, 1, b)).as("the newest is {500,1,9}").isEqualTo(Errno.EINVAL);
        assertThat(b.core.unbind(net.now(), p, 500, 1, 9, b)).isZero();
        assertThat(b.core.unbind(net.now(), p, 500, 1, 1, b)).isZero();
        settle();
        assertThat(a.core.bindingTable().publications(500, 0, 100)).hasSize(1);
        assertThat(b.core.bind(net.now(), p, Tipc.TIPC_CLUSTER_SCOPE, 501, 1, 1, b)).isZero();
        assertThat(b.core.unbind(net.now(), p, 500, 1, 1, b)).isZero();
        assertThat(b.core.unbind(net.now(), p, 500, 1, 1, b)).as("bound to 501 only").isEqualTo(Errno.EINVAL);
        assertThat(b.core.unbind(net.now(), p, 501, 1, 1, b)).isZero();
        assertThat(b.core.unbind(net.now(), p, 500, 1, 1, b)).as("no binding left: 0, as the kernel").isZero();
        settle();
        assertThat(a.core.bindingTable().publications(500, 0, 100)).isEmpty();
        assertThat(a.core.bindingTable().publications(501, 0, 100)).isEmpty();
    }

    /**
     * tipc_msg_lookup_dest looks again only for named data messages: a CONN_MANAGER CONN_ACK (type 2, as TIPC_NAMED_MSG)
     * to a port that is gone comes back with NO_PORT, not NO_NAME, and its words 8-9 are never read as a name.
     */
    @Test
    void aConnAckToAMissingPortIsReturnedWithNoPort() {
        int pb = b.core.openSocket(SocketType.RDM, d -> true);
        assertThat(b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 4000, 0, 100, b)).isZero();
        settle();
        byte[] ack = new byte[Tipc.INT_H_SIZE];
        TipcMsg h = new TipcMsg().wrap(ack, 0, ack.length);
        h.init(a.core.ownAddr(), Tipc.CONN_MANAGER, Tipc.CONN_ACK, Tipc.INT_H_SIZE, b.core.ownAddr());
        h.setSize(ack.length);
        h.setOrigport(0x1234);
        h.setDestport(0x7fff_0000); // no such socket on b
        h.setNametype(4000); // words 8-9 as a name bound on b: never looked up
        h.setNameinst(7);
        b.recordFrames = true;
        assertThat(HostileKit.inject(HostileKit.linkTo(a.core, b.core.ownAddr()), ack, net.now(), a)).isZero();
        settle();
        List<TipcMsg> back = new ArrayList<>();
        for (byte[] f : b.sentFrames) {
            TipcMsg m = new TipcMsg().wrap(f, 0, f.length);
            if (m.user() == Tipc.CONN_MANAGER) back.add(m);
        }
        assertThat(back).singleElement().satisfies(m -> {
            assertThat(m.errcode()).isEqualTo(Tipc.TIPC_ERR_NO_PORT);
            assertThat(m.destport()).isEqualTo(0x1234);
            assertThat(m.rerouteCnt()).isZero();
        });
    }

    /**
     * A socket closing with far more returnable messages than the link's backlog takes returns what fits and drops
     * the rest with one log line: the link to their sender stays up (beyond the backlog bound Link.xmit would reset it).
     */
    @Test
    void closingWithMoreReturnsThanTheBacklogTakesKeepsTheLinkUp() {
        int pb = b.core.openSocket(SocketType.RDM, d -> true);
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        List<byte[]> unread = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            byte[] m = new byte[Tipc.BASIC_H_SIZE + 1024];
            TipcMsg h = new TipcMsg().wrap(m, 0, m.length);
            h.init(a.core.ownAddr(), Tipc.CRITICAL_IMPORTANCE, Tipc.TIPC_DIRECT_MSG, Tipc.BASIC_H_SIZE, b.core.ownAddr());
            h.setSize(m.length);
            h.setOrigport(pa);
            h.setDestport(pb);
            h.setPrevnode(a.core.ownAddr());
            unread.add(m);
        }
        Link l = HostileKit.linkTo(b.core, a.core.ownAddr());
        long resets = l.resets;
        b.core.closeSocket(net.now(), pb, unread, b);
        assertThat(b.core.log()).anySatisfy(x -> assertThat(x).contains("not returned to their senders (link congested)"));
        net.runFor(3000);
        assertThat(HostileKit.linkTo(b.core, a.core.ownAddr()).isUp()).isTrue();
        assertThat(HostileKit.linkTo(b.core, a.core.ownAddr()).resets).isEqualTo(resets);
    }

    @Test
    void anycastRoundRobinsOverBindingsOfAllNodes() {
        List<Delivery> got = new ArrayList<>();
        int pb = b.core.openSocket(SocketType.RDM, got::add);
        int pc = c.core.openSocket(SocketType.RDM, got::add);
        b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 100, 0, 10, b);
        c.core.bind(net.now(), pc, Tipc.TIPC_CLUSTER_SCOPE, 100, 0, 10, c);
        settle();
        int pa = a.core.openSocket(SocketType.RDM, a.received::add);
        byte[] x = {1, 2, 3};
        for (int i = 0; i < 6; i++) assertThat(a.core.sendToName(net.now(), pa, 100, 5, 0, x, 0, 3, a)).isZero();
        settle();
        assertThat(got).hasSize(6);
        assertThat(got.stream().filter(d -> d.port() == pb)).hasSize(3);
        assertThat(got.stream().filter(d -> d.port() == pc)).hasSize(3);
        assertThat(got.get(0).port()).isNotEqualTo(got.get(1).port());
        // no binding: the sender gets EHOSTUNREACH at once
        assertThat(a.core.sendToName(net.now(), pa, 101, 5, 0, x, 0, 3, a)).isEqualTo(Errno.EHOSTUNREACH);
    }

    @Test
    void nodeScopeBindingsStayLocalAndLocalDeliveryWorks() {
        int pa2 = a.core.openSocket(SocketType.RDM, a.received::add);
        a.core.bind(net.now(), pa2, Tipc.TIPC_NODE_SCOPE, 200, 1, 1, a);
        settle();
        assertThat(b.core.bindingTable().publications(200, 1, 1)).isEmpty();
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        assertThat(a.core.sendToName(net.now(), pa, 200, 1, 0, new byte[] {9}, 0, 1, a)).isZero();
        assertThat(a.received).singleElement().satisfies(d -> {
            assertThat(d.srcNode()).isEqualTo(a.core.ownAddr());
            assertThat(d.srcPort()).isEqualTo(pa);
            assertThat(d.nameType()).isEqualTo(200);
        });
        int pb = b.core.openSocket(SocketType.RDM, d -> true);
        assertThat(b.core.sendToName(net.now(), pb, 200, 1, 0, new byte[] {9}, 0, 1, b)).isEqualTo(Errno.EHOSTUNREACH);
    }

    @Test
    void undeliverableMessagesAreReturnedWithKernelErrorCodesUnlessDestDroppable() {
        List<Delivery> back = new ArrayList<>();
        int pa = a.core.openSocket(SocketType.RDM, back::add);
        // default RDM: dest-droppable, silently dropped
        assertThat(a.core.sendToPort(net.now(), pa, b.core.ownAddr(), 12345, new byte[] {1}, 0, 1, a)).isZero();
        settle();
        assertThat(back).isEmpty();
        a.core.setDestDroppable(pa, false);
        byte[] payload = new byte[3000];
        payload[2999] = 7;
        assertThat(a.core.sendToPort(net.now(), pa, b.core.ownAddr(), 12345, payload, 0, payload.length, a)).isZero();
        settle();
        assertThat(back).singleElement().satisfies(d -> {
            assertThat(d.errcode()).isEqualTo(Tipc.TIPC_ERR_NO_PORT);
            assertThat(d.srcNode()).isEqualTo(b.core.ownAddr());
            assertThat(d.srcPort()).isEqualTo(12345);
            assertThat(d.data()).hasSize(1024); // msg.c tipc_msg_reverse keeps at most 1024 bytes
        });
        // named message whose socket vanished after the lookup: TIPC_ERR_NO_NAME
        int pb = b.core.openSocket(SocketType.RDM, d -> true);
        b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 300, 0, 0, b);
        settle();
        back.clear();
        assertThat(a.core.sendToName(net.now(), pa, 300, 0, 0, new byte[] {5}, 0, 1, a)).isZero();
        b.core.closeSocket(net.now(), pb, b); // withdrawn, but the message is already under way
        settle();
        assertThat(back).singleElement().satisfies(d -> {
            assertThat(d.errcode()).isEqualTo(Tipc.TIPC_ERR_NO_NAME);
            assertThat(d.msgType()).isEqualTo(Tipc.TIPC_NAMED_MSG);
            assertThat(d.nameType()).isEqualTo(300);
        });
    }

    @Test
    void namedMessageToAVanishedSocketIsReroutedToAnotherBinding() {
        List<Delivery> got = new ArrayList<>();
        int pb = b.core.openSocket(SocketType.RDM, got::add);
        int pb2 = b.core.openSocket(SocketType.RDM, got::add);
        b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 400, 0, 0, b);
        settle();
        b.core.bind(net.now(), pb2, Tipc.TIPC_NODE_SCOPE, 400, 0, 0, b);
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        assertThat(a.core.sendToName(net.now(), pa, 400, 0, 0, new byte[] {5}, 0, 1, a)).isZero();
        b.core.closeSocket(net.now(), pb, b);
        settle();
        assertThat(got).singleElement().satisfies(d -> assertThat(d.port()).isEqualTo(pb2));
    }

    @Test
    void multicastReachesEveryMatchingSocketOnEveryNodeOnce() {
        List<Delivery> got = new ArrayList<>();
        int pb = b.core.openSocket(SocketType.RDM, got::add);
        int pc = c.core.openSocket(SocketType.RDM, got::add);
        int pc2 = c.core.openSocket(SocketType.RDM, got::add);
        int pa = a.core.openSocket(SocketType.RDM, got::add);
        b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 500, 0, 9, b);
        c.core.bind(net.now(), pc, Tipc.TIPC_CLUSTER_SCOPE, 500, 5, 5, c);
        c.core.bind(net.now(), pc2, Tipc.TIPC_CLUSTER_SCOPE, 500, 20, 30, c);
        a.core.bind(net.now(), pa, Tipc.TIPC_CLUSTER_SCOPE, 500, 3, 3, a);
        settle();
        b.recordFrames = true;
        a.recordFrames = true;
        byte[] x = "mc".getBytes();
        assertThat(a.core.multicast(net.now(), pa, 500, 0, 10, x, 0, x.length, a)).isZero();
        settle();
        assertThat(got).extracting(Delivery::port).containsExactlyInAnyOrder(pb, pc, pa);
        assertThat(got).allSatisfy(d -> {
            assertThat(d.msgType()).isEqualTo(Tipc.TIPC_MCAST_MSG);
            assertThat(d.nameLower()).isZero();
            assertThat(d.nameUpper()).isEqualTo(10);
        });
        TipcMsg sent = a.sentFrames.stream().map(f -> new TipcMsg().wrap(f, 0, f.length))
            .filter(m -> m.user() == 0 && m.type() == Tipc.TIPC_MCAST_MSG).findFirst().orElseThrow();
        assertThat(sent.hdrSize()).isEqualTo(Tipc.MCAST_H_SIZE);
        // two destination nodes of two peers: more than the threshold 1 + 2 × 10 % → once on a's broadcast link
        assertThat(sent.isRcast()).isZero();
        assertThat(sent.nonSeq()).isOne();
        assertThat(a.sentFrames.stream().map(f -> new TipcMsg().wrap(f, 0, f.length))
            .filter(m -> m.user() == 0 && m.type() == Tipc.TIPC_MCAST_MSG)).hasSize(1);
        assertThat(a.core.multicast(net.now(), pa, 501, 0, 10, x, 0, x.length, a)).isEqualTo(Errno.EHOSTUNREACH);
    }

    @Test
    void importanceIsCarriedAndReportedAndReservedTypesRefused() {
        int pb = b.core.openSocket(SocketType.DGRAM, b.received::add);
        assertThat(b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 63, 0, 0, b)).isEqualTo(Errno.EACCES);
        assertThat(b.core.bind(net.now(), pb, 1, 600, 0, 0, b)).isEqualTo(Errno.EINVAL);
        assertThat(b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 600, 9, 3, b)).isEqualTo(Errno.EINVAL);
        assertThat(b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 600, 0, 0, b)).isZero();
        settle();
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        a.core.setImportance(pa, Tipc.CRITICAL_IMPORTANCE);
        assertThat(a.core.sendToName(net.now(), pa, 600, 0, 0, new byte[0], 0, 0, a)).isZero();
        settle();
        assertThat(b.received).singleElement().satisfies(d -> {
            assertThat(d.importance()).isEqualTo(3);
            assertThat(d.data()).isEmpty();
        });
        assertThat(a.core.sendToName(net.now(), pa, 600, 0, 0, new byte[66001], 0, 66001, a)).isEqualTo(Errno.EMSGSIZE);
    }

    @Test
    void aFullReceiveQueueRejectsWithOverloadAndAThrowingHandlerDoesNotWedgeTheCore() {
        int[] calls = {0};
        int pb = b.core.openSocket(SocketType.RDM, d -> ++calls[0] > 1);
        b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 700, 0, 0, b);
        settle();
        List<Delivery> back = new ArrayList<>();
        int pa = a.core.openSocket(SocketType.RDM, back::add);
        a.core.setDestDroppable(pa, false);
        assertThat(a.core.sendToName(net.now(), pa, 700, 0, 0, new byte[] {1, 2}, 0, 2, a)).isZero();
        settle();
        assertThat(back).singleElement().satisfies(d -> {
            assertThat(d.errcode()).isEqualTo(Tipc.TIPC_ERR_OVERLOAD);
            assertThat(d.data()).containsExactly(1, 2);
        });
        assertThat(a.core.sendToName(net.now(), pa, 700, 0, 0, new byte[] {3}, 0, 1, a)).isZero();
        settle();
        assertThat(calls[0]).isEqualTo(2);
        assertThat(back).hasSize(1);
        // a handler that throws: the exception reaches the caller, the core keeps working
        int pc = c.core.openSocket(SocketType.RDM, d -> {
            throw new IllegalStateException("app bug");
        });
        List<Delivery> ok = new ArrayList<>();
        int pc2 = c.core.openSocket(SocketType.RDM, ok::add);
        c.core.bind(net.now(), pc, Tipc.TIPC_NODE_SCOPE, 701, 0, 0, c);
        c.core.bind(net.now(), pc2, Tipc.TIPC_NODE_SCOPE, 702, 0, 0, c);
        org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> c.core.sendToName(net.now(), pc2, 701, 0, 0, new byte[] {1}, 0, 1, c)).hasMessage("app bug");
        assertThat(c.core.sendToName(net.now(), pc, 702, 0, 0, new byte[] {1}, 0, 1, c)).isZero();
        assertThat(ok).hasSize(1);
    }

    @Test
    void lookupOnAnotherNodeIsResolvedThere() {
        List<Delivery> got = new ArrayList<>();
        int pb = b.core.openSocket(SocketType.RDM, got::add);
        int pc = c.core.openSocket(SocketType.RDM, got::add);
        b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 800, 0, 0, b);
        c.core.bind(net.now(), pc, Tipc.TIPC_CLUSTER_SCOPE, 800, 0, 0, c);
        settle();
        int pa = a.core.openSocket(SocketType.RDM, a.received::add);
        a.recordFrames = true;
        for (int i = 0; i < 4; i++) {
            assertThat(a.core.sendToName(net.now(), pa, 800, 0, c.core.ownAddr(), new byte[] {1}, 0, 1, a)).isZero();
        }
        settle();
        assertThat(got).hasSize(4).allSatisfy(d -> assertThat(d.port()).isEqualTo(pc));
        TipcMsg m = a.sentFrames.stream().map(f -> new TipcMsg().wrap(f, 0, f.length))
            .filter(x -> x.user() == 0 && x.type() == Tipc.TIPC_NAMED_MSG).findFirst().orElseThrow();
        assertThat(m.destport()).isZero();
        assertThat(m.destnode()).isEqualTo(c.core.ownAddr());
        assertThat(m.lookupScope()).isEqualTo(Tipc.TIPC_NODE_SCOPE);
    }
}
