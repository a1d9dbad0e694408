package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * Issue 15, discovery lock-out: DSC_REQ floods with fresh 128-bit node ids (each one a new peer-table entry) must
 * neither keep an honest node from linking nor evict a peer that is up; one source is rate limited; the full table is
 * logged once per minute. All in simulated time on {@link SimNetwork}.
 */
class DiscoveryFloodTest {

    /** A DSC_REQ as a node with identity {@code id} and media address {@code mac} sends it (discover.c tipc_disc_init_msg). */
    static byte[] dscReq(byte[] id, byte[] mac, int signature) {
        byte[] b = new byte[Tipc.DSC_MSG_SIZE];
        TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
        h.setVersion(Tipc.VERSION).setUser(Tipc.LINK_CONFIG).setHdrSize(Tipc.MAX_H_SIZE).setSize(Tipc.DSC_MSG_SIZE);
        h.setType(Tipc.DSC_REQ_MSG);
        h.setPrevnode(NodeId.hash(id, 0));
        h.setNonSeq(1);
        h.setNodeSig(signature & 0xffff);
        h.setNodeCapabilities(NodeConfig.JTIPC_CAPABILITIES);
        h.setDestDomain(0);
        h.setBcNetid(4711);
        MediaType.ETH.addrToMsg(mac, b, Tipc.MEDIA_INFO_OFFSET);
        h.setPeerNetHash(signature);
        System.arraycopy(id, 0, b, Tipc.MAX_H_SIZE, Tipc.NODE_ID_LEN);
        return b;
    }

    /** A unicast MAC (group bit clear) made from {@code n}, outside the 52:54:00:... range of the SimNetwork nodes. */
    static byte[] mac(int n) {
        return new byte[] {0x02, 0x66, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }

    /** Sends {@code count} DSC_REQs with fresh random ids to {@code target}, now; source i % sources. */
    static void flood(SimNetwork net, SimNode target, Random rnd, int count, int sources, int firstSource) {
        for (int i = 0; i < count; i++) {
            byte[] id = new byte[Tipc.NODE_ID_LEN];
            rnd.nextBytes(id);
            byte[] src = mac(firstSource + i % sources);
            byte[] f = dscReq(id, src, rnd.nextInt());
            target.core.onFrame(net.now(), 0, src, f, 0, f.length, target);
        }
    }

    static long lines(NodeCore c, String text) {
        return c.log().stream().filter(l -> l.contains(text)).count();
    }

    static boolean up(SimNode a, SimNode b) {
        return b.core.addressCommitted() && TwoNodeTest.linkedUp(a, b);
    }

    @Test
    void anHonestNodeLinksAfterAFloodFilledThePeerTable() {
        SimNetwork net = new SimNetwork(15);
        SimNode a = net.addNode("alpha", 1, 1);
        SimNode c = net.addNode("gamma", 3, 3);
        assertThat(net.runUntil(() -> up(a, c), 5000)).isTrue();
        Random rnd = new Random(15);
        // 6 000 fresh ids (456 KB) from 600 sources, 10 each: within every source's burst, so the rate limit lets
        // them all through; the table fills up and then evicts
        flood(net, a, rnd, 6000, 600, 0);
        Discoverer d = a.core.bearer(0).discoverer();
        assertThat(a.core.peers()).hasSize(NodeTable.MAX_PEERS);
        assertThat(d.rateLimited()).isZero();
        assertThat(d.peersEvicted()).isEqualTo(6000 - (NodeTable.MAX_PEERS - 1));
        assertThat(a.core.peer(c.core.ownAddr()).isUp()).as("a peer that is up is never evicted").isTrue();
        assertThat(lines(a.core, "peer table full")).isEqualTo(1);

        long start = net.now();
        SimNode b = net.addNode("beta", 2, 2);
        // a new node: 1 s address trial, then its first DSC_REQ (125 ms), then the link handshake on the node timers
        assertThat(net.runUntil(() -> up(a, b), start + 3000)).as("honest node linked within 3 s").isTrue();
        assertThat(up(a, c)).isTrue();
        assertThat(a.core.peers()).hasSize(NodeTable.MAX_PEERS);
        // still one line: the next one may come a minute after the first
        assertThat(lines(a.core, "peer table full")).isEqualTo(1);
        assertThat(a.core.log()).filteredOn(l -> l.contains("peer table full")).first().asString()
            .contains("4095 never linked, 0 linking, 0 down, 1 up; since the last report evicted 1 never-linked");
    }

    @Test
    void anHonestNodeLinksDuringASustainedFloodFromManySources() {
        SimNetwork net = new SimNetwork(16);
        SimNode a = net.addNode("alpha", 1, 1);
        net.runFor(2000);
        Random rnd = new Random(16);
        // 15 000 fresh ids per second from 2 000 sources (7.5 per second each, under the per-source limit): the table
        // turns over every 0.27 s, less than a node-timer tick (375 ms), and keeps doing so while the honest node links.
        // Its entry survives because the peer's first RESET moves it from the never-linked tier to the linking one.
        SimNode[] b = new SimNode[1];
        long end = net.now() + 8000;
        int sent = 0;
        while (net.now() < end) {
            flood(net, a, rnd, 150, 2000, sent % 2000);
            sent += 150;
            if (b[0] == null && net.now() >= end - 6000) b[0] = net.addNode("beta", 2, 2);
            net.runFor(10);
        }
        assertThat(up(a, b[0])).as("honest node linked during the flood").isTrue();
        Discoverer d = a.core.bearer(0).discoverer();
        assertThat(d.rateLimited()).isZero();
        assertThat(d.peersEvicted()).isGreaterThan(100_000);
        assertThat(a.core.peers().size()).isLessThanOrEqualTo(NodeTable.MAX_PEERS);
        assertThat(lines(a.core, "peer table full")).isEqualTo(1);
    }

    @Test
    void oneSourceIsRateLimitedAndItsFloodBarelyTouchesTheTable() {
        SimNetwork net = new SimNetwork(17);
        SimNode a = net.addNode("alpha", 1, 1);
        net.runFor(2000);
        Random rnd = new Random(17);
        for (int s = 0; s < 60; s++) { // 100 per second for a minute, one source
            flood(net, a, rnd, 100, 1, 7);
            net.runFor(1000);
        }
        Discoverer d = a.core.bearer(0).discoverer();
        // burst of 20, then one per 100 ms: 20 + 10 per second of the 59 s between the first and the last batch
        long admitted = 6000 - d.rateLimited();
        assertThat(admitted).isBetween(600L, 20L + 10 * 60);
        assertThat(d.rateLimited(mac(7))).isEqualTo(d.rateLimited());
        assertThat(a.core.peers().size()).isEqualTo((int) admitted);
        assertThat(lines(a.core, "rate limit")).isEqualTo(1);
        // another minute: one more line with the count since the last
        flood(net, a, rnd, 100, 1, 7);
        net.runFor(1000);
        assertThat(lines(a.core, "rate limit")).isEqualTo(2);
        // an honest node with its own address is not affected
        long start = net.now();
        SimNode b = net.addNode("beta", 2, 2);
        assertThat(net.runUntil(() -> up(a, b), start + 3000)).isTrue();
    }

    @Test
    void evictionTakesNeverLinkedPeersFirstThenLostOnesAndTheFullTableIsLoggedOncePerMinute() {
        SimNetwork net = new SimNetwork(18);
        SimNode a = net.addNode("alpha", 1, 1);
        SimNode c = net.addNode("gamma", 3, 3);
        assertThat(net.runUntil(() -> up(a, c), 5000)).isTrue();
        // gamma goes away: its entry stays (down) until NODE_CLEANUP_AFTER
        c.paused = true;
        assertThat(net.runUntil(() -> !a.core.peer(c.core.ownAddr()).isUp(), net.now() + 5000)).isTrue();
        NodeTable t = tableOf(a);
        assertThat(t.tierSize(NodeTable.TIER_LOST)).isEqualTo(1);
        Random rnd = new Random(18);
        flood(net, a, rnd, NodeTable.MAX_PEERS + 100, 1000, 0);
        assertThat(a.core.peer(c.core.ownAddr())).as("the lost peer outlives never-linked ones").isNotNull();
        assertThat(t.tierSize(NodeTable.TIER_FRESH)).isEqualTo(NodeTable.MAX_PEERS - 1);
        assertThat(lines(a.core, "peer table full")).isEqualTo(1);
        net.runFor(30_000);
        flood(net, a, rnd, 100, 100, 5000);
        assertThat(lines(a.core, "peer table full")).as("not again within the minute").isEqualTo(1);
        net.runFor(31_000);
        flood(net, a, rnd, 100, 100, 6000);
        assertThat(lines(a.core, "peer table full")).isEqualTo(2);
        List<String> full = a.core.log().stream().filter(l -> l.contains("peer table full")).toList();
        assertThat(full.get(1)).contains("evicted 201 never-linked");
    }

    @Test
    void theLimiterTracksABoundedNumberOfSourcesAndItsBucketsRefill() {
        DiscoveryLimiter l = new DiscoveryLimiter(new Net(NodeConfig.of(NodeId.parse("x"), 1, 1)), "eth:eth0");
        for (int i = 0; i < DiscoveryLimiter.BURST; i++) assertThat(l.admit(1000, mac(1))).isTrue();
        assertThat(l.admit(1000, mac(1))).isFalse();
        assertThat(l.admit(1000 + DiscoveryLimiter.INTERVAL - 1, mac(1))).isFalse();
        assertThat(l.admit(1000 + DiscoveryLimiter.INTERVAL, mac(1))).isTrue();
        assertThat(l.dropped(mac(1))).isEqualTo(2);
        assertThat(l.admit(1000, null)).as("unknown sources share one bucket").isTrue();
        for (int i = 2; i < 3 * DiscoveryLimiter.MAX_SOURCES; i++) l.admit(2000, mac(i));
        assertThat(l.sources()).isEqualTo(DiscoveryLimiter.MAX_SOURCES);
        // a full minute later the bucket is full again: a whole burst passes
        for (int i = 0; i < DiscoveryLimiter.BURST; i++) assertThat(l.admit(62_000, mac(5))).isTrue();
    }

    /** The NodeTable behind a SimNode's core (package access). */
    static NodeTable tableOf(SimNode n) {
        Node any = n.core.peers().iterator().next();
        return any.nodes;
    }
}
