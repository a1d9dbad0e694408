package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;

/**
 * The broadcast send link's window as the kernel's ({@link BcastSendLink}): created with minimum = maximum =
 * BCLINK_WIN_DEFAULT (50), so it stays 50 whatever the loss; {@code tipc link set window W} stores only the maximum
 * (bcast.c tipc_bc_link_set_queue_limits, below 32 raised to 32), the window restarts at 50 and stays there: since
 * Linux 5.8 link.c grows windows (tipc_link_update_cwin) only on unicast links, never from tipc_link_bc_ack_rcv.
 */
class BcastWindowTest {
    static final int TYPE = 4244;

    final SimNetwork net = new SimNetwork(3301);
    int maxWindowSeen, maxQueueSeen;

    List<SimNode> cluster() {
        return BcastRetransmitTest.boundCluster(net, "bw", 3, TYPE);
    }

    /** Multicasts k ints as fast as the link takes them and waits until all arrived; records window and queue peaks. */
    void blast(List<SimNode> ns, int k) {
        SimNode a = ns.get(0);
        Bcast bc = a.core.broadcastLink();
        int port = a.core.openSocket(SocketType.RDM, d -> true);
        for (int i = 0; i < k; i++) {
            byte[] x = ByteBuffer.allocate(4).putInt(i).array();
            int rc = a.core.multicast(net.now(), port, TYPE, 0, 99, x, 0, x.length, a);
            assertThat(rc).isIn(0, Errno.ELINKCONG);
            observe(bc);
            if (rc == Errno.ELINKCONG) {
                assertThat(net.runUntil(() -> observe(bc) && !bc.congested(0), net.now() + 60_000)).isTrue();
            }
        }
        assertThat(net.runUntil(() -> observe(bc) && ns.stream().allMatch(n -> count(n) >= k)
            && bc.transmitQueueLength() == 0, net.now() + 120_000)).isTrue();
        for (SimNode n : ns) assertThat(count(n)).as(n.name).isEqualTo(k);
    }

    boolean observe(Bcast bc) {
        maxWindowSeen = Math.max(maxWindowSeen, bc.window());
        maxQueueSeen = Math.max(maxQueueSeen, bc.transmitQueueLength());
        return true;
    }

    static long count(SimNode n) {
        return n.received.stream().filter(d -> d.msgType() == Tipc.TIPC_MCAST_MSG).count();
    }

    @Test
    void byDefaultTheWindowStaysAtFiftyThroughLossAndRetransmission() {
        List<SimNode> ns = cluster();
        net.loss = 0.05;
        Bcast bc = ns.get(0).core.broadcastLink();
        assertThat(bc.window()).isEqualTo(Bcast.WIN_DEFAULT);
        assertThat(bc.maxWindow()).isEqualTo(Bcast.WIN_DEFAULT);
        blast(ns, 1500);
        assertThat(bc.retransmitted()).isPositive();
        assertThat(maxWindowSeen).isEqualTo(Bcast.WIN_DEFAULT);
        assertThat(bc.window()).isEqualTo(Bcast.WIN_DEFAULT);
        assertThat(maxQueueSeen).isEqualTo(Bcast.WIN_DEFAULT);
    }

    @Test
    void aWindowSetByTheUserIsStoredButTheWindowStaysAtFiftyUnderPressure() {
        List<SimNode> ns = cluster();
        Bcast bc = ns.get(0).core.broadcastLink();
        assertThat(bc.set(0, 200)).isZero();
        assertThat(bc.maxWindow()).isEqualTo(200);
        assertThat(bc.window()).as("restarts at the minimum").isEqualTo(Bcast.WIN_DEFAULT);
        // the backlog limits keep following the minimum window (tipc_link_set_queue_limits: 2 × min_win for LOW)
        int port = ns.get(0).core.openSocket(SocketType.RDM, d -> true);
        int inFlight = bc.transmitQueueLength() + bc.backlogLength(); // binding updates not yet acknowledged
        int accepted = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] x = ByteBuffer.allocate(4).putInt(i).array();
            int rc = ns.get(0).core.multicast(net.now(), port, TYPE, 0, 99, x, 0, x.length, ns.get(0));
            if (rc != 0) break;
            accepted++;
        }
        // the backlog: small multicasts share bundles (tipc_link_xmit's tipc_msg_try_bundle on the broadcast link);
        // the LOW limit counts packets, 2 × min_win of them, a bundle holding (mss - 40) / 48 messages of 44 + 4 B
        int perBundle = (bc.mss() - Tipc.INT_H_SIZE) / 48;
        assertThat(perBundle).isGreaterThan(20);
        assertThat(accepted).isEqualTo(Bcast.WIN_DEFAULT - inFlight + (2 * Bcast.WIN_DEFAULT - 1) * perBundle + 1);
        assertThat(bc.backlogLength()).isEqualTo(2 * Bcast.WIN_DEFAULT);
        assertThat(bc.sentBundles()).isEqualTo(2 * Bcast.WIN_DEFAULT);
        int sent = accepted + 1; // the last one got ELINKCONG, queued anyway
        assertThat(net.runUntil(() -> ns.stream().allMatch(n -> count(n) >= sent) && bc.transmitQueueLength() == 0,
            net.now() + 60_000)).isTrue();
        for (SimNode n : ns.subList(1, ns.size())) {
            // every receiver got them once and in order, the bundled ones unpacked by its broadcast receive link
            int[] got = n.received.stream().filter(d -> d.msgType() == Tipc.TIPC_MCAST_MSG)
                .mapToInt(d -> ByteBuffer.wrap(d.data()).getInt()).toArray();
            assertThat(got).as(n.name).hasSize(sent);
            for (int i = 0; i < got.length; i++) assertThat(got[i]).as(n.name + " #" + i).isEqualTo(i);
        }
        for (SimNode n : ns) n.received.clear();
        blast(ns, 3000);
        assertThat(maxWindowSeen).isEqualTo(Bcast.WIN_DEFAULT);
        assertThat(maxQueueSeen).isEqualTo(Bcast.WIN_DEFAULT);
        assertThat(bc.maxWindow()).isEqualTo(200);
        // tipc_nl_parse_link_prop takes 50-8191 (TIPC_DEF_LINK_WIN to TIPC_MAX_LINK_WIN) and refuses the rest
        assertThat(bc.set(0, 50)).isZero();
        assertThat(bc.maxWindow()).isEqualTo(50);
        assertThat(bc.set(0, 8192)).isEqualTo(Errno.EINVAL);
        assertThat(bc.set(0, 49)).as("below TIPC_DEF_LINK_WIN (tipc_nl_parse_link_prop)").isEqualTo(Errno.EINVAL);
        assertThat(bc.set(0, 20)).isEqualTo(Errno.EINVAL);
        assertThat(bc.window()).isEqualTo(Bcast.WIN_DEFAULT);
    }
}
