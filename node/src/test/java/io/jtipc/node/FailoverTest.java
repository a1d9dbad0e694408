package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * Link redundancy without loss (Linux 6.1 net/tipc/node.c, link.c tunnels; issue 12): two nodes on two planes
 * ({@link SimNetwork} with a second bearer each, equal priorities, so both links are active and share the load by
 * the sending port). During a stream of numbered RDM messages from two sockets (one per link) and during a SEQPACKET
 * or STREAM transfer, the link carrying traffic fails (its plane cut until the tolerance expires, or its bearer
 * disabled), and in other runs comes back: every message arrives exactly once and in sending order per socket, every
 * byte of a connection once and in order. Variants: loss and reordering on the surviving plane, a smaller MTU on the
 * surviving plane (fragmented FAILOVER), a peer without TIPC_TUNNEL_ENHANCED (legacy SYNCH with tunnelled duplicates).
 */
class FailoverTest {
    static final int SVC = 4242;

    SimNetwork net;
    SimNode a;
    SimNode b;

    /** Two nodes, bearer 0 "eth0" (MTU 1500) and bearer 1 "eth1" (MTU {@code mtu1}) each, both links up. */
    void start(long seed, int capsA, int mtu1) {
        net = new SimNetwork(seed);
        a = net.addNode(NodeConfig.of(NodeId.parse("fa"), 0x1111, seed).withCapabilities(capsA),
            BearerConfig.ethernet("eth0", mac(0, 1)));
        b = net.addNode(NodeConfig.of(NodeId.parse("fb"), 0x2222, seed + 1), BearerConfig.ethernet("eth0", mac(0, 2)));
        for (SimNode n : List.of(a, b)) {
            BearerConfig c = BearerConfig.ethernet("eth1", mac(1, n == a ? 1 : 2));
            c = new BearerConfig(c.name(), c.media(), c.ownAddr(), mtu1, c.priority(), c.tolerance(), c.window(),
                c.domain());
            assertThat(net.addBearer(n, c)).isEqualTo(1);
        }
        assertThat(net.runUntil(this::bothLinksUp, 10_000)).isTrue();
        net.runFor(500);
    }

    static byte[] mac(int plane, int node) {
        return new byte[] {0x52, 0x54, 0, 0, (byte) plane, (byte) node};
    }

    Node peer(SimNode n) {
        return n.core.peer((n == a ? b : a).core.ownAddr());
    }

    boolean bothLinksUp() {
        for (SimNode n : List.of(a, b)) {
            Node p = n.core.addressCommitted() ? peer(n) : null;
            if (p == null || p.link(0) == null || p.link(1) == null || !p.link(0).isUp() || !p.link(1).isUp()
                || p.state() != Node.NodeState.SELF_UP_PEER_UP) {
                return false;
            }
        }
        return true;
    }

    /** Numbered RDM messages from {@code senders} sockets of a to one socket of b; what b received, per sender. */
    final class RdmStream {
        final int[] ports;
        final int[] sent;
        final List<List<Integer>> got = new ArrayList<>();
        int rejected;

        RdmStream(int senders) {
            int sp = b.core.openSocket(SocketType.RDM, d -> {
                if (d.errcode() != 0) {
                    rejected++;
                    return true;
                }
                ByteBuffer bb = ByteBuffer.wrap(d.data());
                got.get(bb.getInt()).add(bb.getInt());
                return true;
            });
            assertThat(b.core.bind(net.now(), sp, Tipc.TIPC_CLUSTER_SCOPE, SVC, 0, 100, b)).isZero();
            ports = new int[senders];
            sent = new int[senders];
            for (int i = 0; i < senders; i++) {
                // ports are random (socket.c tipc_sk_insert): the first two senders get one of each parity, so that
                // each has a link of its own (active_links[port & 1])
                while (true) {
                    ports[i] = a.core.openSocket(SocketType.RDM, d -> {
                        rejected++;
                        return true;
                    });
                    if (i >= 2 || (ports[i] & 1) == i) break;
                    a.core.closeSocket(net.now(), ports[i], a);
                }
                got.add(new ArrayList<>());
            }
            net.runFor(200);
        }

        /** Message {@code seq} of sender {@code s}: 100 bytes, every 7th 3000 (fragmented at any MTU used here). */
        byte[] message(int s, int seq) {
            byte[] m = new byte[seq % 7 == 0 ? 3000 : 100];
            ByteBuffer.wrap(m).putInt(s).putInt(seq);
            return m;
        }

        int sentTotal() {
            int t = 0;
            for (int x : sent) t += x;
            return t;
        }

        /** One round: each sender sends until its link is congested (the congesting message is queued) or done. */
        void pump(int perRound) {
            for (int s = 0; s < ports.length; s++) {
                for (int k = 0; k < perRound; k++) {
                    byte[] m = message(s, sent[s]);
                    int rc = a.core.sendToName(net.now(), ports[s], SVC, 1, 0, m, 0, m.length, a);
                    assertThat(rc).isIn(0, Errno.ELINKCONG);
                    sent[s]++;
                    if (rc == Errno.ELINKCONG) break;
                }
            }
        }

        boolean done() {
            int t = 0;
            for (List<Integer> g : got) t += g.size();
            return t >= sentTotal();
        }

        /** Zero lost, duplicated or reordered: each sender's numbers arrived exactly as 0, 1, 2, ... */
        void assertExactlyOnceInOrder() {
            for (int s = 0; s < ports.length; s++) {
                List<Integer> g = got.get(s);
                int lost = 0, dup = 0, reordered = 0;
                boolean[] seen = new boolean[sent[s]];
                int last = -1;
                for (int v : g) {
                    if (seen[v]) dup++;
                    seen[v] = true;
                    if (v < last) reordered++;
                    last = Math.max(last, v);
                }
                for (boolean x : seen) if (!x) lost++;
                assertThat(List.of(lost, dup, reordered)).as("sender %d (port %d): lost, duplicated, reordered", s,
                    ports[s]).containsExactly(0, 0, 0);
                assertThat(g).hasSize(sent[s]);
            }
            assertThat(rejected).as("messages returned").isZero();
        }
    }

    enum Cut { PLANE_CUT, BEARER_DISABLED }

    static Stream<Arguments> rdmCases() {
        int all = NodeConfig.JTIPC_CAPABILITIES;
        int legacy = all & ~Tipc.TIPC_TUNNEL_ENHANCED;
        return Stream.of(
            Arguments.of("plane cut", 1L, all, 1500, 0.0, 0.0, Cut.PLANE_CUT, false),
            Arguments.of("plane cut, comes back", 2L, all, 1500, 0.0, 0.0, Cut.PLANE_CUT, true),
            Arguments.of("plane cut, loss+reorder on the survivor", 3L, all, 1500, 0.02, 0.0, Cut.PLANE_CUT, false),
            Arguments.of("plane cut, loss+reorder, comes back", 4L, all, 1500, 0.02, 0.0, Cut.PLANE_CUT, true),
            Arguments.of("loss on both planes (deferred packets taken over)", 8L, all, 1500, 0.02, 0.05, Cut.PLANE_CUT,
                false),
            Arguments.of("bearer disabled", 5L, all, 1500, 0.0, 0.0, Cut.BEARER_DISABLED, false),
            Arguments.of("fragmented FAILOVER (survivor MTU 1000)", 6L, all, 1000, 0.01, 0.0, Cut.PLANE_CUT, true),
            Arguments.of("legacy peer (no TUNNEL_ENHANCED), comes back", 7L, legacy, 1500, 0.02, 0.0, Cut.PLANE_CUT,
                true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rdmCases")
    void rdmStreamLosesNothingWhenALinkFails(String name, long seed, int capsA, int mtu1, double survivorLoss,
                                             double failingLoss, Cut cut, boolean comesBack) {
        start(seed, capsA, mtu1);
        Node pa = peer(a);
        Node pb = peer(b);
        // at least this many messages, and 5 000 more after the failed link went down (15 000 after it came back)
        int total = 40_000;
        RdmStream st = new RdmStream(2);
        // one sender per link: active_links[port & 1]
        assertThat(pa.activeLink(st.ports[0])).isNotSameAs(pa.activeLink(st.ports[1]));
        int failed = 0;
        int survivor = 1;
        net.planeLoss[survivor] = survivorLoss;
        net.planeReorder[survivor] = survivorLoss;
        net.planeLoss[failed] = failingLoss;
        long[] before = {pa.link(0).sentPackets(), pa.link(1).sentPackets()};
        boolean cutDone = false, healed = false;
        long downAt = -1, backAt = -1, cutAt = -1, failedLinkSent = 0;
        int sentBeforeBack = 0, sentAtDown = 0;
        long deadline = net.now() + 120_000;
        while ((st.sentTotal() < total || downAt < 0 || st.sentTotal() < sentAtDown + 5000
                || comesBack && (backAt < 0 || st.sentTotal() < sentBeforeBack + 15_000)) && net.now() < deadline) {
            st.pump(20);
            if (!cutDone && st.sentTotal() >= total / 4) {
                cutDone = true;
                cutAt = net.now();
                // both links carried the stream so far (equal priorities: load sharing by selector)
                assertThat(pa.link(0).sentPackets() - before[0]).as("link 0 packets").isGreaterThan(1000);
                assertThat(pa.link(1).sentPackets() - before[1]).as("link 1 packets").isGreaterThan(1000);
                // the interface goes down: frames on the wire are lost; then the bearer too, or the links time out
                net.planeCut[failed] = true;
                if (cut == Cut.BEARER_DISABLED) assertThat(a.core.disableBearer(net.now(), failed, a)).isTrue();
            }
            net.runFor(1);
            if (cutDone && downAt < 0 && (pa.link(failed) == null || !pa.link(failed).isUp())
                && !pb.link(failed).isUp()) {
                downAt = net.now();
                sentAtDown = st.sentTotal();
            }
            if (comesBack && downAt >= 0 && !healed && net.now() >= downAt + 300) {
                healed = true;
                net.planeCut[failed] = false;
            }
            if (healed && backAt < 0 && bothLinksUp()) {
                backAt = net.now();
                sentBeforeBack = st.sentTotal();
                failedLinkSent = pa.link(failed).sentPackets();
            }
        }
        assertThat(st.sentTotal()).isGreaterThanOrEqualTo(total);
        assertThat(downAt).as("failed link went down on both sides during the stream").isPositive();
        assertThat(healed).as("healed during the stream").isEqualTo(comesBack);
        assertThat(net.runUntil(st::done, net.now() + 60_000)).as("all received").isTrue();
        net.runFor(3000);
        st.assertExactlyOnceInOrder();
        // the failed link's in-flight messages went through the tunnel and were delivered from it
        Link tnlA = pa.link(survivor);
        Link tnlB = pb.link(survivor);
        assertThat(tnlA.tunnel.sentFailover).as("FAILOVER messages sent by a").isGreaterThan(1);
        assertThat(tnlB.tunnel.recvFailover).as("FAILOVER messages received by b").isGreaterThan(1);
        assertThat(tnlB.tunnel.tunnelledDelivered).as("tunnelled packets delivered by b").isGreaterThan(1);
        if (mtu1 < 1500) assertThat(tnlA.tunnel.sentFailoverFragments).as("FAILOVER fragments").isGreaterThan(0);
        if (failingLoss > 0) assertThat(tnlB.tunnel.deferredTakenOver).as("deferred packets taken over").isPositive();
        assertThat(pa.isUp()).isTrue();
        assertThat(pa.state()).isEqualTo(Node.NodeState.SELF_UP_PEER_UP);
        assertThat(pb.state()).isEqualTo(Node.NodeState.SELF_UP_PEER_UP);
        if (comesBack) {
            assertThat(backAt).as("link back during the stream").isPositive();
            assertThat(pa.link(failed).sentPackets()).as("the returning link carried the stream again")
                .isGreaterThan(failedLinkSent + 500);
            // the returning link was synched: SYNCH tunnel messages were sent on it by both sides
            assertThat(pa.link(failed).tunnel.sentSynch).isGreaterThan(0);
            assertThat(pb.link(failed).tunnel.recvSynch + pb.link(failed).tunnel.sentSynch).isGreaterThan(0);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"SEQPACKET", "STREAM"})
    void connectionLosesNoByteWhenItsLinkFailsAndComesBack(SocketType type) {
        start(11, NodeConfig.JTIPC_CAPABILITIES, 1500);
        Node pa = peer(a);
        ConnTest.Endpoint[] pair = ConnTest.connectPair(net, a, b, type, SVC);
        ConnTest.Endpoint cli = pair[0], srv = pair[1];
        int len = 6 * 1024 * 1024;
        cli.toSend = ConnTest.pattern(len, 1);
        srv.toSend = ConnTest.pattern(len, 2);
        cli.chunk = type == SocketType.STREAM ? 250_000 : 66_000;
        srv.chunk = cli.chunk;
        int failed = pa.activeLink(cli.port).bearerId();
        net.planeLoss[1 - failed] = 0.01;
        net.planeReorder[1 - failed] = 0.01;
        cli.pump();
        srv.pump();
        assertThat(net.runUntil(() -> cli.got.size() > len / 4 && srv.got.size() > len / 4, net.now() + 60_000))
            .isTrue();
        net.planeCut[failed] = true;
        assertThat(net.runUntil(() -> !pa.link(failed).isUp(), net.now() + 10_000)).isTrue();
        assertThat(net.runUntil(() -> cli.got.size() > len / 2 && srv.got.size() > len / 2, net.now() + 60_000))
            .isTrue();
        net.planeCut[failed] = false;
        assertThat(net.runUntil(() -> cli.got.size() == len && srv.got.size() == len, net.now() + 300_000)).isTrue();
        assertThat(cli.got.toByteArray()).isEqualTo(srv.toSend);
        assertThat(srv.got.toByteArray()).isEqualTo(cli.toSend);
        assertThat(cli.failed).isZero();
        assertThat(srv.failed).isZero();
        assertThat(pa.link(1 - failed).tunnel.sentFailover).isGreaterThan(1);
        assertThat(net.runUntil(this::bothLinksUp, net.now() + 20_000)).isTrue();
    }

    /**
     * socket.c tsk_set_nagle takes a STREAM connection's bundling limit from tipc_node_get_mtu(peer, tsk->portid): the
     * MSS of the link that port sends on. Over two links of different MTUs each end's limit is its own link's (jtipc
     * took link slot 0's for every port, so an odd port's bundles were fragmented on the smaller link).
     */
    @Test
    void aStreamBundlesToTheMssOfTheLinkItsPortSendsOn() {
        start(23, NodeConfig.JTIPC_CAPABILITIES, 1000);
        Node pa = peer(a);
        Node pb = peer(b);
        assertThat(pa.link(0).mss()).isNotEqualTo(pa.link(1).mss());
        boolean[] seen = new boolean[2];
        for (int i = 0; i < 16 && !(seen[0] && seen[1]); i++) {
            ConnTest.Endpoint[] pair = ConnTest.connectPair(net, a, b, SocketType.STREAM, SVC + 1 + i);
            int cp = pair[0].port, sp = pair[1].port;
            seen[cp & 1] = true;
            assertThat(a.core.sockets.conn(cp).maxnagle).as("client port %d", cp).isEqualTo(pa.activeLink(cp).mss());
            assertThat(b.core.sockets.conn(sp).maxnagle).as("server port %d", sp).isEqualTo(pb.activeLink(sp).mss());
        }
        assertThat(seen).as("client ports of both parities").containsExactly(true, true);
    }

    /**
     * socket.c tsk_set_nagle reads tsk->max_pkt, fixed when the connection was made (tipc_sk_finish_conn): after a
     * failover to a link of a larger MTU a TIPC_NODELAY toggle keeps the old limit. jtipc read the link's MSS anew,
     * and a message Nagle held (sized by the old limit) then had bytes copied past its end.
     */
    @Test
    void aStreamKeepsItsNagleLimitAfterAFailoverToALargerLink() {
        start(29, NodeConfig.JTIPC_CAPABILITIES, 9000);
        Node pa = peer(a);
        assertThat(pa.link(0).mss()).isLessThan(pa.link(1).mss());
        ConnTest.Endpoint[] pair = null;
        for (int i = 0; i < 16; i++) {
            pair = ConnTest.connectPair(net, a, b, SocketType.STREAM, SVC + 40 + i);
            if (pa.activeLink(pair[0].port) == pa.link(0)) break;
        }
        ConnTest.Endpoint cli = pair[0], srv = pair[1];
        assertThat(pa.activeLink(cli.port)).isSameAs(pa.link(0));
        int limit = a.core.sockets.conn(cli.port).maxnagle;
        assertThat(limit).isEqualTo(pa.link(0).mss());
        net.planeCut[0] = true;
        assertThat(net.runUntil(() -> !pa.link(0).isUp(), net.now() + 20_000)).isTrue();
        assertThat(pa.activeLink(cli.port)).isSameAs(pa.link(1));
        // small writes with nothing received in between: past the first few, Nagle holds them in one message
        byte[] data = ConnTest.pattern(200_000, 29);
        int sent = 0;
        for (int i = 0; i < 12; i++) {
            assertThat(a.core.send(net.now(), cli.port, data, sent, 100, a)).isEqualTo(100);
            sent += 100;
        }
        assertThat(a.core.sockets.conn(cli.port).txq).as("Nagle holds a message").isNotEmpty();
        a.core.setNoDelay(cli.port, true);
        a.core.setNoDelay(cli.port, false);
        assertThat(a.core.sockets.conn(cli.port).maxnagle).isEqualTo(limit);
        // a write that fits the larger link's MSS: appended to the held message within its size (it overran it)
        assertThat(a.core.send(net.now(), cli.port, data, sent, 4000, a)).isEqualTo(4000);
        sent += 4000;
        cli.sent = sent;
        cli.toSend = data;
        cli.chunk = 100;
        cli.pump();
        assertThat(net.runUntil(() -> srv.got.size() == data.length, net.now() + 60_000)).isTrue();
        assertThat(srv.got.toByteArray()).isEqualTo(data);
    }

    /**
     * With two active links of equal priority a sender is congested only when the link its selector picks (node.c
     * tipc_node_xmit: active_links[port &amp; 1]) is: a full backlog on one link neither blocks (NodeCore.congested)
     * nor delays the ports that send on the other.
     */
    @Test
    void congestionIsThatOfTheSendingPortsOwnLink() {
        start(41, NodeConfig.JTIPC_CAPABILITIES, 1500);
        Node pa = peer(a);
        int bAddr = b.core.ownAddr();
        int sp = b.core.openSocket(SocketType.RDM, d -> true);
        assertThat(b.core.bind(net.now(), sp, Tipc.TIPC_CLUSTER_SCOPE, SVC, 0, 100, b)).isZero();
        net.runFor(200);
        int[] byParity = new int[2];
        while (byParity[0] == 0 || byParity[1] == 0) {
            int p = a.core.openSocket(SocketType.RDM, d -> true);
            if (byParity[p & 1] == 0) byParity[p & 1] = p;
        }
        assertThat(pa.activeLink(byParity[0])).isNotSameAs(pa.activeLink(byParity[1]));
        for (int full = 0; full < 2; full++) {
            int congestedPort = byParity[full];
            int otherPort = byParity[1 - full];
            int rc = 0;
            byte[] m = new byte[1000];
            for (int i = 0; i < 100_000 && rc == 0; i++) {
                rc = a.core.sendToName(net.now(), congestedPort, SVC, 1, 0, m, 0, m.length, a);
            }
            assertThat(rc).isEqualTo(Errno.ELINKCONG);
            assertThat(a.core.congested(bAddr, Tipc.LOW_IMPORTANCE, congestedPort)).isTrue();
            assertThat(a.core.congested(bAddr, Tipc.LOW_IMPORTANCE, otherPort)).isFalse();
            assertThat(a.core.sendToName(net.now(), otherPort, SVC, 1, 0, m, 0, m.length, a)).isZero();
            assertThat(net.runUntil(() -> !a.core.congested(bAddr, Tipc.LOW_IMPORTANCE, congestedPort),
                net.now() + 10_000)).isTrue();
            net.runFor(500);
        }
    }

    /**
     * link.c tipc_link_tnl_prepare hands the failed link's deferred queue to the tunnel link: packets the receiver
     * holds after a gap were released by the sender on their gap-ACK blocks and are in no tunnel. One data frame on
     * plane 0 is lost, the next 29 are deferred and gap-acknowledged, then the plane is cut before the retransmission
     * arrives: after the failover all 30 messages arrive, once and in order.
     */
    @Test
    void gapAcknowledgedPacketsHeldByTheReceiverSurviveTheFailover() {
        start(31, NodeConfig.JTIPC_CAPABILITIES, 1500);
        Node pa = peer(a);
        Node pb = peer(b);
        RdmStream st = new RdmStream(2);
        int s = pa.activeLink(st.ports[0]).bearerId() == 0 ? 0 : 1;
        boolean[] dropped = {false};
        net.drop = (from, f) -> {
            // the first data packet (user LOW_IMPORTANCE, not a retransmission) from a: lost once
            if (from != a || dropped[0] || ((f[0] >> 1) & 0xf) != Tipc.LOW_IMPORTANCE) return false;
            dropped[0] = true;
            return true;
        };
        for (int i = 0; i < 30; i++) {
            byte[] m = ByteBuffer.allocate(100).putInt(s).putInt(i).array();
            assertThat(a.core.sendToName(net.now(), st.ports[s], SVC, 1, 0, m, 0, m.length, a)).isZero();
            st.sent[s]++;
        }
        // b holds 29 after the gap and acknowledged them in gap-ACK blocks; a released them
        assertThat(net.runUntil(() -> pb.link(0).deferredLength() == 29 && pa.link(0).transmitQueueLength() < 30,
            net.now() + 50)).isTrue();
        net.planeCut[0] = true; // the retransmission on the wire is lost too
        assertThat(net.runUntil(st::done, net.now() + 10_000)).isTrue();
        net.runFor(1000);
        st.assertExactlyOnceInOrder();
        assertThat(pb.link(1).tunnel.deferredTakenOver).isEqualTo(29);
    }

    /**
     * Found in the lab against 5.10 (a kernel-side cut under load; the kernel echoed message 3069 of a jtipc stream
     * before 3041-3068): a message sent right after the failover, of a flow that was on the failed link, must not
     * overtake that link's tunnelled packets. The surviving link's backlog ends in an open bundle of the same
     * importance (its own congested sender); the FAILOVER tunnel packets (SYSTEM importance) queue behind it, and a later
     * LOW message bundled into that open bundle would leave before the tunnel: a receiver that delivers what arrives
     * on the tunnel link at once (the kernel) would deliver it before the older tunnelled ones. Queueing a tunnel closes
     * the open bundles, so nothing joins a packet ahead of it. (The kernel's tipc_link_xmit keeps a backlog bundle target
     * per importance across a tunnel too: this is jtipc doing better.)
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {71, 75, 79})
    void aMessageSentAfterTheFailoverIsNotBundledAheadOfTheTunnel(int queued) {
        start(41, NodeConfig.JTIPC_CAPABILITIES, 1500);
        Node pa = peer(a);
        RdmStream st = new RdmStream(2);
        int f = pa.activeLink(st.ports[0]).bearerId() == 0 ? 0 : 1; // the sender on the link that fails
        int o = 1 - f;
        // both links' windows full, backlogs behind them; the survivor's backlog ends in an open bundle
        for (int i = 0; i < queued; i++) {
            for (int s : new int[] {f, o}) {
                byte[] m = ByteBuffer.allocate(100).putInt(s).putInt(st.sent[s]).array();
                assertThat(a.core.sendToName(net.now(), st.ports[s], SVC, 1, 0, m, 0, m.length, a))
                    .isIn(0, Errno.ELINKCONG);
                st.sent[s]++;
            }
        }
        Link survivor = pa.link(o);
        assertThat(survivor.target[Tipc.LOW_IMPORTANCE]).as("an open bundle at the survivor's backlog tail").isNotNull();
        net.planeCut[f] = true;
        assertThat(a.core.disableBearer(net.now(), f, a)).isTrue(); // link down at once: FAILOVER onto the survivor
        assertThat(pa.activeLink(st.ports[f])).isSameAs(survivor);
        List<String> aheadOfTunnel = aheadOfTunnel(survivor);
        assertThat(aheadOfTunnel).as("packets queued ahead of the tunnel").isNotEmpty();
        for (int i = 0; i < 5; i++) {
            byte[] m = ByteBuffer.allocate(100).putInt(f).putInt(st.sent[f]).array();
            assertThat(a.core.sendToName(net.now(), st.ports[f], SVC, 1, 0, m, 0, m.length, a)).isIn(0, Errno.ELINKCONG);
            st.sent[f]++;
        }
        assertThat(aheadOfTunnel(survivor)).as("nothing joined a packet ahead of the tunnel").isEqualTo(aheadOfTunnel);
        assertThat(net.runUntil(st::done, net.now() + 20_000)).isTrue();
        net.runFor(1000);
        st.assertExactlyOnceInOrder();
    }

    /** The survivor's backlog up to its first tunnel packet: user/message count per packet. */
    static List<String> aheadOfTunnel(Link l) {
        List<String> r = new ArrayList<>();
        for (Pkt p : l.backlogq) {
            TipcMsg h = new TipcMsg().wrap(p.buf, 0, p.len);
            if (h.user() == Tipc.TUNNEL_PROTOCOL) return r;
            r.add(h.user() + (h.user() == Tipc.MSG_BUNDLER ? "/" + h.msgcnt() : ""));
        }
        return r;
    }

    /**
     * tipc link set priority at run time (link.c tipc_link_set_prio): the STATE carrying the new priority makes the
     * peer fail its end, both ends come back with it, and the higher-priority link takes both slots (node.c
     * __tipc_node_link_up), the other becomes standby; a stream running meanwhile loses, duplicates and reorders
     * nothing (failover, then synch).
     */
    @Test
    void priorityChangeAtRunTimeMakesTheLinkPreferredWithoutLoss() {
        start(41, NodeConfig.JTIPC_CAPABILITIES, 1500);
        Node pa = peer(a);
        Node pb = peer(b);
        RdmStream st = new RdmStream(2);
        boolean changed = false;
        long deadline = net.now() + 60_000;
        while (net.now() < deadline && (st.sentTotal() < 20_000 || !changed || !preferred(pa, 1) || !preferred(pb, 1)
            || st.sentTotal() < 60_000)) {
            st.pump(20);
            net.runFor(1);
            if (!changed && st.sentTotal() >= 20_000) {
                changed = true;
                assertThat(LinkSettings.setPriority(pa.link(1), 20, a)).isZero();
            }
        }
        assertThat(preferred(pa, 1) && preferred(pb, 1)).as("link 1 preferred on both sides").isTrue();
        assertThat(pb.link(1).resets).as("the peer failed its end on the new priority").isPositive();
        assertThat(net.runUntil(st::done, net.now() + 30_000)).isTrue();
        st.assertExactlyOnceInOrder();
        // standby: link 0 carries no data any more
        long idle = pa.link(0).sentPackets();
        int before = st.sentTotal();
        while (st.sentTotal() < before + 5000) {
            st.pump(20);
            net.runFor(1);
        }
        assertThat(net.runUntil(st::done, net.now() + 30_000)).isTrue();
        assertThat(pa.link(0).sentPackets()).isEqualTo(idle);
        assertThat(LinkSettings.setPriority(pa.link(1), 32, a)).isEqualTo(Errno.EINVAL);
    }

    /** Link 1 is up with priority 20 and holds both active slots of {@code p}, link 0 is up too (standby). */
    static boolean preferred(Node p, int bearer) {
        return p.link(bearer).isUp() && p.link(1 - bearer).isUp() && p.link(bearer).priority == 20
            && p.activeLink(0) == p.link(bearer) && p.activeLink(1) == p.link(bearer)
            && p.state() == Node.NodeState.SELF_UP_PEER_UP;
    }

    /** tipc link set tolerance / window and tipc bearer set tolerance / priority / window (range checks included). */
    @Test
    void toleranceAndWindowAtRunTime() {
        start(51, NodeConfig.JTIPC_CAPABILITIES, 1500);
        Node pa = peer(a);
        Node pb = peer(b);
        // link tolerance: sent in a STATE and adopted by the peer
        assertThat(LinkSettings.setTolerance(pa.link(0), 4000, a)).isZero();
        net.runFor(10);
        assertThat(pa.link(0).tolerance()).isEqualTo(4000);
        assertThat(pb.link(0).tolerance()).isEqualTo(4000);
        assertThat(pb.link(1).tolerance()).isEqualTo(1500);
        assertThat(LinkSettings.setTolerance(pa.link(0), 49, a)).isEqualTo(Errno.EINVAL);
        assertThat(LinkSettings.setTolerance(pa.link(0), 30001, a)).isEqualTo(Errno.EINVAL);
        // the peer now tolerates 4 s of silence on that link: a 3 s cut of plane 0 keeps it up
        net.planeCut[0] = true;
        net.runFor(3000);
        assertThat(pb.link(0).isUp()).isTrue();
        net.planeCut[0] = false;
        net.runFor(100);
        // bearer tolerance: every link on the bearer, and the peer's end
        assertThat(LinkSettings.setBearerTolerance(a.core, 1, 800, a)).isZero();
        net.runFor(10);
        assertThat(a.core.bearer(1).config().tolerance()).isEqualTo(800);
        assertThat(pa.link(1).tolerance()).isEqualTo(800);
        assertThat(pb.link(1).tolerance()).isEqualTo(800);
        assertThat(LinkSettings.setBearerTolerance(a.core, 2, 800, a)).as("no bearer 2").isEqualTo(Errno.EINVAL);
        // window: local, the congestion window restarts at its minimum
        assertThat(LinkSettings.setWindow(pa.link(0), 100)).isZero();
        assertThat(pa.link(0).maxWindow()).isEqualTo(100);
        assertThat(pa.link(0).window()).isEqualTo(pa.link(0).minWindow());
        assertThat(LinkSettings.setWindow(pa.link(0), 49)).as("below TIPC_DEF_LINK_WIN").isEqualTo(Errno.EINVAL);
        assertThat(LinkSettings.setWindow(pa.link(0), 8192)).isEqualTo(Errno.EINVAL);
        // bearer priority and window: for links created later
        assertThat(LinkSettings.setBearerPriority(a.core, 0, 5)).isZero();
        assertThat(LinkSettings.setBearerWindow(a.core, 0, 200)).isZero();
        assertThat(a.core.bearer(0).config().priority()).isEqualTo(5);
        assertThat(a.core.bearer(0).config().window()).isEqualTo(200);
        assertThat(pa.link(0).priority).isEqualTo(10);
        assertThat(LinkSettings.setBearerPriority(a.core, 0, 32)).isEqualTo(Errno.EINVAL);
        assertThat(bothLinksUp()).isTrue();
    }

    /**
     * node.c tipc_node_link_failover (the half failover): b's link 0 is up while a's end of it is still ESTABLISHING
     * (b's STATEs on plane 0 are lost, its RESETs arrive). When b's link 0 times out, b fails it over and a receives
     * a FAILOVER for a link that is already reset on its side: a answers with the dummy FAILOVER (link.c
     * tipc_link_failover_prepare) and enters NODE_FAILINGOVER, so both nodes leave their failover and link 0 can
     * come back.
     */
    @Test
    void failoverOfALinkTheOtherSideNeverSawUpIsAnsweredWithTheDummy() {
        start(61, NodeConfig.JTIPC_CAPABILITIES, 1500);
        Node pa = peer(a);
        Node pb = peer(b);
        // plane 0 down until both sides failed link 0 over and ended the failover
        net.planeCut[0] = true;
        assertThat(net.runUntil(() -> pa.link(0).state() == Link.State.RESET && pb.link(0).state() == Link.State.RESET
            && pa.state() == Node.NodeState.SELF_UP_PEER_UP && pb.state() == Node.NodeState.SELF_UP_PEER_UP,
            net.now() + 20_000)).isTrue();
        // plane 0 back, but b's link messages on it other than RESET are lost, and so is b's SYNCH (only link 0
        // carries one): a's end stays ESTABLISHING, b's comes up on a's ACTIVATE
        net.drop = (from, f) -> {
            TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
            return from == b && (h.user() == Tipc.LINK_PROTOCOL && h.bearerId() == 0 && h.type() != Tipc.RESET_MSG
                || h.user() == Tipc.TUNNEL_PROTOCOL && h.type() == Tipc.SYNCH_MSG);
        };
        net.planeCut[0] = false;
        assertThat(net.runUntil(() -> pb.link(0).isUp() && pa.link(0).state() == Link.State.ESTABLISHING,
            net.now() + 20_000)).isTrue();
        long dummies = pa.link(1).tunnel.sentFailover;
        boolean[] aFailingOver = {false};
        // b's link 0 hears nothing but ACTIVATEs: it times out and b fails it over onto link 1
        assertThat(net.runUntil(() -> {
            aFailingOver[0] |= pa.state() == Node.NodeState.NODE_FAILINGOVER;
            assertThat(pa.link(0).isUp()).as("a's link 0 never comes up").isFalse();
            return aFailingOver[0] && !pb.link(0).isUp() && pa.state() == Node.NodeState.SELF_UP_PEER_UP
                && pb.state() == Node.NodeState.SELF_UP_PEER_UP;
        }, net.now() + 10_000)).as("both left the failover").isTrue();
        assertThat(pa.link(1).tunnel.sentFailover).as("a's dummy FAILOVER").isEqualTo(dummies + 1);
        assertThat(pa.link(0).isUp()).isFalse();
        net.drop = (from, f) -> false;
        assertThat(net.runUntil(this::bothLinksUp, net.now() + 30_000)).as("link 0 back").isTrue();
    }

    @Test
    void nodeFsmFollowsTheKernelTable() {
        start(21, NodeConfig.JTIPC_CAPABILITIES, 1500);
        Node p = peer(a);
        // node.c tipc_node_fsm_evt: SELF_UP_PEER_UP → NODE_SYNCHING → NODE_FAILINGOVER → SELF_UP_PEER_UP
        p.fsmEvt(Node.Evt.NODE_SYNCH_BEGIN);
        assertThat(p.state()).isEqualTo(Node.NodeState.NODE_SYNCHING);
        p.fsmEvt(Node.Evt.NODE_FAILOVER_BEGIN);
        assertThat(p.state()).isEqualTo(Node.NodeState.NODE_FAILINGOVER);
        p.fsmEvt(Node.Evt.NODE_SYNCH_BEGIN); // illegal in NODE_FAILINGOVER: logged, state kept
        assertThat(p.state()).isEqualTo(Node.NodeState.NODE_FAILINGOVER);
        assertThat(a.core.log()).anyMatch(l -> l.contains("illegal node FSM event NODE_SYNCH_BEGIN"));
        p.fsmEvt(Node.Evt.NODE_FAILOVER_END);
        assertThat(p.state()).isEqualTo(Node.NodeState.SELF_UP_PEER_UP);
        p.fsmEvt(Node.Evt.NODE_FAILOVER_BEGIN);
        p.fsmEvt(Node.Evt.PEER_LOST_CONTACT);
        assertThat(p.state()).isEqualTo(Node.NodeState.SELF_LEAVING_PEER_DOWN);
        p.fsmEvt(Node.Evt.SELF_LOST_CONTACT);
        assertThat(p.state()).isEqualTo(Node.NodeState.SELF_DOWN_PEER_DOWN);
        p.fsmEvt(Node.Evt.PEER_ESTABL_CONTACT);
        assertThat(p.state()).isEqualTo(Node.NodeState.SELF_COMING_PEER_UP);
        p.fsmEvt(Node.Evt.SELF_ESTABL_CONTACT);
        assertThat(p.state()).isEqualTo(Node.NodeState.SELF_UP_PEER_UP);
        p.fsmEvt(Node.Evt.NODE_SYNCH_BEGIN);
        p.fsmEvt(Node.Evt.SELF_LOST_CONTACT);
        assertThat(p.state()).isEqualTo(Node.NodeState.SELF_DOWN_PEER_LEAVING);
        p.fsmEvt(Node.Evt.PEER_LOST_CONTACT);
        assertThat(p.state()).isEqualTo(Node.NodeState.SELF_DOWN_PEER_DOWN);
    }

    /**
     * node.c tipc_node_check_dest: a link created while its node is failing over starts in FAILINGOVER (blocked), so
     * it cannot come up before the failover ends. a disables bearer 1 (failover onto link 0) and enables it again at
     * once while b's FAILOVER messages do not get through: the new link waits; once they do, both links come up.
     */
    @Test
    void aLinkCreatedDuringAFailoverWaitsForItsEnd() {
        start(61, NodeConfig.JTIPC_CAPABILITIES, 1500);
        net.drop = (n, f) -> n == b && ((f[0] >> 1) & 0xf) == Tipc.TUNNEL_PROTOCOL;
        assertThat(a.core.disableBearer(net.now(), 1, a)).isTrue();
        net.runFor(5);
        assertThat(peer(a).state()).isEqualTo(Node.NodeState.NODE_FAILINGOVER);
        assertThat(net.addBearer(a, BearerConfig.ethernet("eth1", mac(1, 1)))).isEqualTo(1);
        net.runFor(300);
        assertThat(peer(a).link(1)).as("made by discovery").isNotNull();
        assertThat(peer(a).link(1).state()).isEqualTo(Link.State.FAILINGOVER);
        net.drop = (n, f) -> false;
        assertThat(net.runUntil(this::bothLinksUp, net.now() + 10_000)).isTrue();
    }
    /**
     * node.c tipc_node_link_down: a link that is ESTABLISHING when its bearer is disabled is reset (tipc_link_reset,
     * LINK_RESET_EVT), not told to send its ACTIVATE, which would bring the peer's end up toward a bearer that is gone.
     * a's link 1 is held ESTABLISHING (of b's plane-1 frames only RESETs pass), then a disables bearer 1: what a sends
     * on plane 1 is a RESET with the peer-stopping bit, no ACTIVATE.
     */
    @Test
    void anEstablishingLinkWhoseBearerIsDisabledSendsNoActivate() {
        start(61, NodeConfig.JTIPC_CAPABILITIES, 1500);
        Node pa = peer(a);
        List<String> sentByA = new ArrayList<>();
        boolean[] recording = {false};
        net.path = (from, to, dest, f) -> {
            if (dest == null || dest[4] != 1) return false; // plane 1 unicast only (discovery passes)
            TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
            boolean proto = h.user() == Tipc.LINK_PROTOCOL;
            if (from == a && recording[0] && proto) {
                sentByA.add((h.type() == Tipc.RESET_MSG ? "RESET" : h.type() == Tipc.ACTIVATE_MSG ? "ACTIVATE" : "STATE")
                    + (h.peerStopping() != 0 ? "+stopping" : ""));
            }
            return from == b && !(proto && h.type() == Tipc.RESET_MSG);
        };
        assertThat(net.runUntil(() -> pa.link(1).state() == Link.State.ESTABLISHING, net.now() + 20_000))
            .as("a's link 1 ESTABLISHING").isTrue();
        recording[0] = true;
        assertThat(a.core.disableBearer(net.now(), 1, a)).isTrue();
        assertThat(sentByA).as("a's link protocol frames on plane 1").containsExactly("RESET+stopping");
        net.path = (from, to, dest, f) -> false;
        net.runFor(3000);
        assertThat(pa.link(0).isUp()).isTrue();
    }
    /**
     * link.c tipc_link_tnl_prepare queues the whole FAILOVER tunnel on the surviving link, whatever its backlog holds.
     * The failing link runs at the largest window (8191 packets in flight, nothing acknowledged once its plane is cut)
     * with 300 more messages in its backlog: its tunnel (8 492 packets with the dummy) is more than one link's backlog
     * bound (8 192 packets). Every message arrives once and in order, and the surviving link is not reset. Before, the
     * tunnel was cut at the bound ("tunnel truncated") and the rest of the failed link's messages were lost.
     */
    @Test
    void aFailoverTunnelLargerThanTheBacklogBoundIsQueuedWhole() {
        start(71, NodeConfig.JTIPC_CAPABILITIES, 1500);
        Node pa = peer(a);
        RdmStream st = new RdmStream(2);
        int f = pa.activeLink(st.ports[0]).bearerId() == 0 ? 0 : 1; // the sender on the link that fails
        Link failing = pa.link(f);
        Link survivor = pa.link(1 - f);
        assertThat(LinkSettings.setWindow(failing, Link.MAX_LINK_WIN)).isZero();
        // 1 000-byte messages (one per packet: no bundling at MTU 1500) until the congestion window is at its largest
        long deadline = net.now() + 60_000;
        while (failing.window() < Link.MAX_LINK_WIN && net.now() < deadline) {
            while (failing.backlogLength() < 100) send1000(st, f);
            net.runFor(1);
        }
        assertThat(failing.window()).isEqualTo(Link.MAX_LINK_WIN);
        net.planeCut[f] = true;
        while (failing.transmitQueueLength() < Link.MAX_LINK_WIN) send1000(st, f);
        int backlogBefore = failing.backlogLength();
        for (int i = 0; i < 300; i++) send1000(st, f);
        assertThat(failing.backlogLength()).isEqualTo(backlogBefore + 300);
        assertThat(a.core.disableBearer(net.now(), f, a)).isTrue(); // FAILOVER onto the survivor at once
        assertThat(survivor.tunnel.sentFailover).as("tunnel packets: the failed link's window and backlog + dummy")
            .isEqualTo(Link.MAX_LINK_WIN + backlogBefore + 300 + 1);
        assertThat(net.runUntil(st::done, net.now() + 60_000)).isTrue();
        net.runFor(1000);
        st.assertExactlyOnceInOrder();
        assertThat(pa.link(1 - f)).isSameAs(survivor);
        assertThat(survivor.isUp()).as("the surviving link stayed up").isTrue();
    }

    private void send1000(RdmStream st, int s) {
        byte[] m = ByteBuffer.allocate(1000).putInt(s).putInt(st.sent[s]).array();
        assertThat(a.core.sendToName(net.now(), st.ports[s], SVC, 1, 0, m, 0, m.length, a)).isIn(0, Errno.ELINKCONG);
        st.sent[s]++;
    }
}
