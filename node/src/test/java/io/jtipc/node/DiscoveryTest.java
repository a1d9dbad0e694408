package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

class DiscoveryTest {

    @Test
    void requestAfterTrialMatchesTheReferenceWorkedExample() {
        // tipc-wire-reference.md 4.1: Ethernet 02:42:ac:11:00:02, id = MAC + 10 zero bytes, netid 4711,
        // caps 0xFFF, random 0x5a5a1234 -> address 0x0240ac11
        byte[] mac = HexFormat.of().parseHex("0242ac110002");
        byte[] id = new byte[16];
        System.arraycopy(mac, 0, id, 0, 6);
        NodeCore core = new NodeCore(NodeConfig.of(NodeId.of(id), 0x5a5a1234, 1).withCapabilities(0xFFF));
        List<byte[]> sent = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        long[] now = {0};
        Outbox out = (b, d, buf, o, l) -> {
            sent.add(java.util.Arrays.copyOfRange(buf, o, o + l));
            times.add(now[0]);
        };
        core.enableBearer(0, BearerConfig.ethernet("eth0", mac), out);
        while (now[0] < 5000) {
            now[0] = core.nextDeadline();
            core.onTimer(now[0], out);
        }
        assertThat(core.ownAddr()).isEqualTo(0x0240ac11);
        byte[] req = sent.stream().filter(f -> new TipcMsg().wrap(f, 0, f.length).type() == Tipc.DSC_REQ_MSG)
            .findFirst().orElseThrow();
        assertThat(HexFormat.of().formatHex(req)).isEqualTo(
            "5bf0004c07ff923400000000" + "0240ac11" + "00001267" + "0000000102" + "42ac110002"
                + "0000".repeat(11) + "5a5a1234" + "00000000" + "0242ac110002" + "00".repeat(10));
        // schedule (tipc_disc_timeout): 125 ms during the trial; the expiry at 1000 finds the trial over,
        // commits the address and re-arms 125 ms without sending; then the interval doubles from 125
        // (250, 500, 1000) and stays at the 1000 ms cap while no peer is found
        assertThat(times.subList(0, 8)).containsExactly(0L, 125L, 250L, 375L, 500L, 625L, 750L, 875L);
        assertThat(times.subList(8, 13)).containsExactly(1125L, 1375L, 1875L, 2875L, 3875L);
    }

    @Test
    void udpMediaAddressBlockIsTheKernelLayout() {
        byte[] a = HexFormat.of().parseHex("080017e60a000001" + "00".repeat(12));
        byte[] block = new byte[32];
        MediaType.UDP.addrToMsg(a, block, 0);
        assertThat(HexFormat.of().formatHex(block)).isEqualTo("00000003080017e60a000001" + "00".repeat(20));
        assertThat(MediaType.UDP.msgToAddr(block, 0)).isEqualTo(a);
        assertThat(MediaType.UDP.isBroadcast(a)).isFalse();
        assertThat(MediaType.UDP.isBroadcast(HexFormat.of().parseHex("080017e6e4001267" + "00".repeat(12)))).isTrue();
        assertThat(MediaType.ETH.isBroadcast(HexFormat.of().parseHex("ffffffffffff"))).isTrue();
        assertThat(MediaType.ETH.msgToAddr(block, 0)).isNull();
    }

    /**
     * A UDP bearer's window is the bearer's, not capped by the media's default of 50: the kernel's bearer set window
     * stores b->max_win with no media bound (bearer.c __tipc_nl_bearer_set) and new links take it (node.c
     * tipc_node_check_dest), starting from the minimum of 50.
     */
    @Test
    void nodesOnAUdpMediumLinkUpWithTheBearersWindow() {
        SimNetwork net = new SimNetwork(41);
        byte[] ua = HexFormat.of().parseHex("080017e60a000001" + "00".repeat(12));
        byte[] ub = HexFormat.of().parseHex("080017e60a000002" + "00".repeat(12));
        SimNode a = net.addNode(NodeConfig.of(NodeId.parse("ua"), 1, 1),
            new BearerConfig("udp:u1", MediaType.UDP, ua, 14000, 10, 1500, 400, 0));
        SimNode b = net.addNode(NodeConfig.of(NodeId.parse("ub"), 2, 2),
            new BearerConfig("udp:u1", MediaType.UDP, ub, 14000, 10, 1500, MediaType.UDP.maxWindow(), 0));
        assertThat(net.runUntil(() -> TwoNodeTest.linkedUp(a, b), 5000)).isTrue();
        Link l = a.core.peer(b.core.ownAddr()).link();
        assertThat(l.mtu()).isEqualTo(14000);
        assertThat(l.maxWin).isEqualTo(400);
        assertThat(l.window()).isEqualTo(50);
        assertThat(b.core.peer(a.core.ownAddr()).link().maxWin).isEqualTo(50);
        assertThat(l.name()).isEqualTo("ua:u1-ub:u1");
    }

    @Test
    void discoveryFromAnotherClusterOrOwnEchoIsIgnored() {
        SimNetwork net = new SimNetwork(42);
        SimNode a = net.addNode("alpha", 1, 1);
        SimNode b = net.addNode(NodeConfig.of(NodeId.parse("beta"), 2, 2).withNetId(4712), new byte[] {0x52, 0x54, 0, 0, 0, 2});
        net.runFor(5000);
        assertThat(a.core.peers()).isEmpty();
        assertThat(b.core.peers()).isEmpty();
        // own echo: a frame carrying our own media address is dropped silently
        byte[] own = a.core.bearer(0).discoverer().msg.clone();
        a.core.onFrame(net.now(), 0, null, own, 0, own.length, (x, y, z, w, v) -> { });
        assertThat(a.core.log()).isEmpty();
    }

    /** A discovery message built as the victim's own, as if from a neighbour with MAC 52:54:00:00:00:09. */
    private static byte[] fromNeighbour(NodeCore core, int type) {
        byte[] f = core.bearer(0).discoverer().msg.clone();
        TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
        h.setType(type);
        MediaType.ETH.addrToMsg(NEIGHBOUR, f, Tipc.MEDIA_INFO_OFFSET);
        return f;
    }

    private static final byte[] NEIGHBOUR = {0x52, 0x54, 0, 0, 0, 9};

    /**
     * A DSC_TRIAL_FAIL suggesting address 0 is ignored (jtipc; the kernel would take 0 as its trial address and never
     * finalize one): the trial ends with the node's own address, and the topology server is opened once.
     */
    @Test
    void aTrialFailSuggestingZeroIsIgnored() {
        NodeCore core = new NodeCore(NodeConfig.of(NodeId.parse("victim"), 0x1234, 1));
        Outbox out = (b, d, buf, o, l) -> { };
        core.enableBearer(0, BearerConfig.ethernet("eth0", new byte[] {0x52, 0x54, 0, 0, 0, 1}), out);
        byte[] f = fromNeighbour(core, Tipc.DSC_TRIAL_FAIL_MSG);
        TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
        int trialAddr = h.prevnode();
        h.setDestDomain(trialAddr);
        h.setSuggNodeAddr(0);
        h.setPrevnode(0x77);
        core.onFrame(100, 0, NEIGHBOUR, f, 0, f.length, out);
        long now = 100;
        while (now < 10_000) {
            now = core.nextDeadline();
            core.onTimer(now, out);
        }
        assertThat(core.ownAddr()).isEqualTo(trialAddr).isNotZero();
        assertThat(core.sockets.ports()).as("the topology server's sockets, opened once").hasSizeLessThanOrEqualTo(2);
    }

    /**
     * Discovery fields (media address w5-w13, node id) lie in the 60-byte header the kernel always sends
     * (tipc_disc_init_msg); a LINK_CONFIG with a shorter header is dropped, not read from the bytes after it.
     */
    @Test
    void aDiscoveryMessageWithAShortHeaderIsDropped() {
        SimNetwork net = new SimNetwork(42);
        SimNode a = net.addNode("alpha", 1, 1);
        net.runFor(2000);
        byte[] f = fromNeighbour(a.core, Tipc.DSC_REQ_MSG);
        TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
        h.setPrevnode(0x1002);
        h.setHdrSize(Tipc.BASIC_H_SIZE);
        long dropped = a.core.droppedFrames();
        a.core.onFrame(net.now(), 0, NEIGHBOUR, f, 0, f.length, (x, y, z, w, v) -> { });
        assertThat(a.core.droppedFrames()).isEqualTo(dropped + 1);
        assertThat(a.core.peers()).isEmpty();
        h.setHdrSize(Tipc.MAX_H_SIZE); // the same message with its 60-byte header is taken
        a.core.onFrame(net.now(), 0, NEIGHBOUR, f, 0, f.length, (x, y, z, w, v) -> { });
        assertThat(a.core.droppedFrames()).isEqualTo(dropped + 1);
        assertThat(a.core.peers()).isNotEmpty();
    }

    /** discover.c disc_dupl_alert, per frame in the kernel: logged here at the 1st, 2nd, 4th, ... time only. */
    @Test
    void aNeighbourUsingOurAddressIsLoggedAtPowersOfTwo() {
        SimNetwork net = new SimNetwork(42);
        SimNode a = net.addNode("alpha", 1, 1);
        net.runFor(2000);
        byte[] f = fromNeighbour(a.core, Tipc.DSC_REQ_MSG);
        new TipcMsg().wrap(f, 0, f.length).setPrevnode(a.core.ownAddr());
        for (int i = 0; i < 10; i++) a.core.onFrame(net.now(), 0, NEIGHBOUR, f, 0, f.length, (x, y, z, w, v) -> { });
        assertThat(a.core.log().stream().filter(l -> l.contains("duplicate node address"))).hasSize(4)
            .last().asString().endsWith("(8 times)");
    }
}
