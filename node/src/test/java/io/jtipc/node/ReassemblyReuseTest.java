package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.ReassemblySpares;
import io.jtipc.wire.Tipc;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 14: a large message is reassembled in one array of exactly its size (read from the inner header of its first
 * fragment), and that array goes back to the node's reassembly spares once the message was read from a connection
 * (ConnSocket) or copied to an RDM socket's handler (Node / Net.recycleReassembled), so a stream of equal large
 * messages rebuilds each one in an array of the one before: the spares then hold only arrays of exactly the message's
 * size. (Before, they held the doubling steps 2 KiB ... 64 KiB, and every message was a fresh copy.)
 */
class ReassemblyReuseTest {
    /** Payload per message, bytes: 50 000 + a 24-byte connection header = 50 024, no doubling step of 2 KiB. */
    static final int PAYLOAD = 50_000;

    SimNetwork net = new SimNetwork(77);
    SimNode a = net.addNode("alpha", 1, 0x11112222);
    SimNode b = net.addNode("beta", 2, 0x33334444);

    ReassemblyReuseTest() {
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"SEQPACKET", "STREAM"})
    void aConnectionsReadMessagesAreRebuiltInEachOthersArrays(SocketType type) throws Exception {
        ConnTest.Endpoint[] pair = ConnTest.connectPair(net, a, b, type, 2300);
        ConnTest.Endpoint cli = pair[0], srv = pair[1];
        cli.chunk = PAYLOAD;
        cli.toSend = ConnTest.pattern(40 * PAYLOAD, 5);
        cli.pump();
        assertThat(net.runUntil(() -> srv.got.size() == cli.toSend.length, net.now() + 60_000)).isTrue();
        assertThat(srv.got.toByteArray()).isEqualTo(cli.toSend);
        assertOnlyMessageSizedSpares(b, Tipc.SHORT_H_SIZE + PAYLOAD);
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"RDM"})
    void anRdmSocketsCopiedMessagesAreRebuiltInEachOthersArrays(SocketType type) throws Exception {
        int pb = b.core.openSocket(type, b.received::add);
        assertThat(b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 2400, 0, 0, b)).isZero();
        net.runFor(200);
        int pa = a.core.openSocket(type, d -> true);
        byte[][] sent = new byte[40][];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = ConnTest.pattern(PAYLOAD, 6 + i); // each message its own bytes: a reused array's leftovers show
            assertThat(a.core.sendToName(net.now(), pa, 2400, 0, 0, sent[i], 0, PAYLOAD, a)).isZero();
            net.runFor(5);
        }
        assertThat(net.runUntil(() -> b.received.size() == sent.length, net.now() + 10_000)).isTrue();
        for (int i = 0; i < sent.length; i++) {
            assertThat(b.received.get(i).data()).as("message %d", i).isEqualTo(sent[i]);
        }
        assertOnlyMessageSizedSpares(b, Tipc.NAMED_H_SIZE + PAYLOAD);
    }

    /**
     * Review of issue 14: a message reassembled on a peer's broadcast receive link took an array from the node's spares
     * and never gave it back; now it goes back once every receiver copied it (Node.bcastRcv), as on a unicast link.
     */
    @org.junit.jupiter.api.Test
    void messagesReassembledOnTheBroadcastLinkAreRebuiltInEachOthersArrays() throws Exception {
        int pb = b.core.openSocket(SocketType.RDM, b.received::add);
        assertThat(b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 2500, 0, 99, b)).isZero();
        net.runFor(200);
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        a.core.broadcastLink().setSocketMethod(pa, false); // broadcast, not replicast
        byte[][] sent = new byte[20][];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = ConnTest.pattern(PAYLOAD, 60 + i);
            assertThat(a.core.multicast(net.now(), pa, 2500, 0, 99, sent[i], 0, PAYLOAD, a)).isZero();
            net.runFor(20);
        }
        assertThat(net.runUntil(() -> b.received.size() == sent.length, net.now() + 10_000)).isTrue();
        for (int i = 0; i < sent.length; i++) {
            assertThat(b.received.get(i).msgType()).isEqualTo(Tipc.TIPC_MCAST_MSG);
            assertThat(b.received.get(i).data()).as("message %d", i).isEqualTo(sent[i]);
        }
        assertThat(a.core.broadcastLink().sentPackets()).as("sent on the broadcast link").isGreaterThan(20);
        assertOnlyMessageSizedSpares(b, Tipc.MCAST_H_SIZE + PAYLOAD);
    }

    private static void assertOnlyMessageSizedSpares(SimNode n, int size) throws Exception {
        ReassemblySpares spares = HoldFairnessTest.netOf(n.core).reasmSpares;
        assertThat(spares.count()).isPositive();
        assertThat(spares.bytes()).as("%d spare arrays, all of %d bytes", spares.count(), size)
            .isEqualTo((long) spares.count() * size);
    }
}
