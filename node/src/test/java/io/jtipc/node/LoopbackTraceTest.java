package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * Node-local deliveries are handed to the outbox's {@link Outbox#loopback} (Linux 6.1 bearer.h tipc_loopback_trace,
 * called by node.c tipc_node_xmit for an own-node destination and bcast.c tipc_mcast_xmit for the local copy), once
 * per message, with the whole TIPC message; nothing goes to a bearer.
 */
class LoopbackTraceTest {
    @Test
    void everyNodeLocalMessageIsTracedOnceAndNotSent() {
        SimNetwork net = new SimNetwork(17);
        SimNode a = net.addNode("alpha", 1, 0x5555);
        assertThat(net.runUntil(() -> a.core.addressCommitted(), 5000)).isTrue();
        List<byte[]> traced = new ArrayList<>();
        int[] sent = {0};
        Outbox out = new Outbox() {
            @Override
            public void send(int bearerId, byte[] dest, byte[] buf, int off, int len) {
                sent[0]++;
                a.send(bearerId, dest, buf, off, len);
            }

            @Override
            public void loopback(byte[] buf, int off, int len) {
                traced.add(Arrays.copyOfRange(buf, off, off + len));
            }
        };
        List<Delivery> got = new ArrayList<>();
        int server = a.core.openSocket(SocketType.RDM, got::add);
        int client = a.core.openSocket(SocketType.RDM, d -> true);
        assertThat(a.core.bind(net.now(), server, Tipc.TIPC_NODE_SCOPE, 4242, 1, 1, out)).isZero();
        traced.clear();
        sent[0] = 0;
        for (int i = 0; i < 3; i++) {
            byte[] p = ("req-" + i).getBytes(StandardCharsets.US_ASCII);
            assertThat(a.core.sendToName(net.now(), client, 4242, 1, 0, p, 0, p.length, out)).isZero();
        }
        assertThat(got).hasSize(3);
        assertThat(traced).hasSize(3);
        assertThat(sent[0]).isZero();
        for (int i = 0; i < 3; i++) {
            TipcMsg h = new TipcMsg().wrap(traced.get(i), 0, traced.get(i).length);
            assertThat(h.size()).isEqualTo(traced.get(i).length);
            assertThat(h.destnode()).isEqualTo(a.core.ownAddr());
            assertThat(h.origport()).isEqualTo(client);
            assertThat(new String(traced.get(i), h.hdrSize(), h.size() - h.hdrSize(), StandardCharsets.US_ASCII))
                .isEqualTo("req-" + i);
        }
        // the default outbox (the simulator's node) ignores the trace
        a.core.sendToName(net.now(), client, 4242, 1, 0, new byte[] {1}, 0, 1, a);
        assertThat(got).hasSize(4);
    }
}
