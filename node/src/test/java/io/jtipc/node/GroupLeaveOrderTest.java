package io.jtipc.node;

import static io.jtipc.node.GroupTest.EVTS;
import static io.jtipc.node.GroupTest.UCAST;
import static io.jtipc.node.GroupTest.cluster;
import static io.jtipc.node.GroupTest.joinAll;
import static io.jtipc.node.GroupTest.payload;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.node.GroupTest.Member;
import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;

/**
 * A group member that leaves right after its last sends, while its link is congested, is LEFT at the receiver only
 * after its last message (CI run 34: a kernel member's LEAVE overtook its last 80 unicasts). The LEAVE is a
 * GROUP_PROTOCOL message (SYSTEM importance) and the data are LOW: Linux link.c {@code tipc_link_xmit} bundles a
 * message into the last bundle of its importance wherever that sits in the backlog, so a LEAVE joins an older SYSTEM
 * packet (here the other member's LEAVE) queued before the leaver's last data; the receiver (group.c as jtipc's
 * Group) then delivers LEFT, deletes the member and drops the data that follow. jtipc's link bundles only into the
 * backlog's last packet, so the order of the messages one node sends on one link holds whatever their importance.
 */
class GroupLeaveOrderTest {

    /**
     * Warms up s -> r (100 unicasts of 600 B that r reads, so s becomes ACTIVE at r: a window of ADV_ACTIVE blocks),
     * waits for {@code link} to be idle, then, in one instant with no frame delivered in between, sends until the
     * link's window is full and 4 packets wait in its backlog.
     *
     * @return the number of unicasts s sent (numbered 0..n-1 in their payloads)
     */
    private static int backlogBehindWarmUp(SimNetwork net, Member s, Member r, Link link) {
        int sent = 0;
        while (sent < 100 && net.now() < 60_000) {
            byte[] p = payload(1, sent, UCAST, 600);
            int rc = s.n.core.groups().sendUnicast(net.now(), s.port, r.addr(), r.port, p, 0, p.length, s.n);
            if (rc == Errno.EAGAIN) net.runFor(1);
            else sent++;
        }
        assertThat(sent).as("warm-up unicasts sent").isEqualTo(100);
        assertThat(net.runUntil(() -> link.backlogLength() == 0 && link.transmq.isEmpty(), net.now() + 20_000))
            .as("link idle after the warm-up").isTrue();
        net.runFor(100);
        while (link.backlogLength() < 4) {
            byte[] p = payload(1, sent, UCAST, 600);
            assertThat(s.n.core.groups().sendUnicast(net.now(), s.port, r.addr(), r.port, p, 0, p.length, s.n))
                .as("send %d within the window", sent).isZero();
            sent++;
        }
        return sent;
    }

    /** s1 and s2 on node 0, r on node 1; s1 floods r past the link window, s2 leaves, s1 sends 4 more and leaves. */
    private static void leaveBehindCongestedData(SimNetwork net) {
        List<SimNode> ns = cluster(net, 2);
        Member r = new Member(net, ns.get(1), 0, 0);
        Member s1 = new Member(net, ns.get(0), 1, 1);
        Member s2 = new Member(net, ns.get(0), 2, 2);
        joinAll(net, List.of(r, s1, s2));
        Link link = ns.get(0).core.links().get(0);
        assertThat(link).as("link 0 -> 1").isNotNull();

        int sent = backlogBehindWarmUp(net, s1, r, link);
        s2.n.core.groups().leave(net.now(), s2.port, s2.n); // a SYSTEM packet (its LEAVE) at the backlog's tail
        for (int i = 0; i < 4; i++, sent++) {
            byte[] p = payload(1, sent, UCAST, 600);
            assertThat(s1.n.core.groups().sendUnicast(net.now(), s1.port, r.addr(), r.port, p, 0, p.length, s1.n))
                .as("send %d within s1's window", sent).isZero();
        }
        s1.n.core.groups().leave(net.now(), s1.port, s1.n);
        int total = sent;

        assertThat(net.runUntil(() -> r.got.stream().filter(GroupMessage::left).count() == 2, net.now() + 20_000))
            .as("r sees both LEFT").isTrue();
        net.runFor(2000); // anything late would show now
        List<GroupMessage> fromS1 = r.got.stream().filter(g -> g.srcNode() == s1.addr() && g.srcPort() == s1.port)
            .toList();
        int seq = 0;
        for (GroupMessage g : fromS1) {
            if (g.joined()) continue;
            if (g.left()) break;
            assertThat(ByteBuffer.wrap(g.data()).getInt(4)).as("s1's message %d", seq).isEqualTo(seq);
            seq++;
        }
        assertThat(seq).as("s1's messages read before its LEFT (of %d sent)", total).isEqualTo(total);
        assertThat(fromS1.get(fromS1.size() - 1).left()).as("s1's LEFT last").isTrue();
    }

    @Test
    void leaveSentBehindBackloggedDataIsLeftAfterTheLastMessage() {
        leaveBehindCongestedData(new SimNetwork(3));
    }

    @Test
    void leaveSentBehindBackloggedDataIsLeftAfterTheLastMessageUnderLossAndReorder() {
        for (long seed = 1; seed <= 5; seed++) leaveBehindCongestedData(GroupTest.lossyNet(seed));
    }

    /**
     * node.c tipc_node_distr_xmit sends a socket's group protocol messages with the link selector of its data (the
     * sending port, msg_origport): over two load-sharing links a member on an odd port sends both on link slot 1, so
     * its LEAVE stays behind its backlogged unicasts. jtipc chose slot 0 for every GROUP_PROTOCOL message: the LEAVE
     * went on the idle other link, the receiver deleted the member and dropped the data still on its way.
     */
    @Test
    void aLeaveTakesTheLinkOfItsSocketsDataOverTwoLinks() {
        FailoverTest two = new FailoverTest();
        two.start(17, NodeConfig.JTIPC_CAPABILITIES, 1500);
        SimNetwork net = two.net;
        Member r = new Member(net, two.b, 0, 0);
        assertThat(r.join(EVTS)).isPositive();
        Member s = new Member(net, two.a, 1, 1);
        while ((s.join(EVTS) & 1) == 0) { // an odd port: its data go on slot 1, the idle slot 0 could overtake them
            s.n.core.groups().leave(net.now(), s.port, s.n);
            s = new Member(net, two.a, 1, 1);
        }
        Member joined = s;
        assertThat(net.runUntil(() -> r.sawJoined(joined) && joined.sawJoined(r), net.now() + 20_000))
            .as("r and s see each other JOINED").isTrue();
        Node peer = two.a.core.peer(two.b.core.ownAddr());
        Link link = peer.activeLink(1);
        assertThat(link).isNotSameAs(peer.activeLink(0));
        int sent = backlogBehindWarmUp(net, s, r, link);
        s.n.core.groups().leave(net.now(), s.port, s.n);
        int total = sent;
        int sp = s.port;
        assertThat(net.runUntil(() -> r.got.stream().anyMatch(g -> g.left() && g.srcPort() == sp), net.now() + 20_000))
            .as("r sees s LEFT").isTrue();
        net.runFor(2000);
        long data = r.got.stream().filter(g -> g.srcPort() == sp && !g.joined() && !g.left()).count();
        assertThat(data).as("s's messages r read (of %d sent)", total).isEqualTo(total);
        GroupMessage last = r.got.stream().filter(g -> g.srcPort() == sp).reduce((x, y) -> y).orElseThrow();
        assertThat(last.left()).as("s's LEFT last").isTrue();
    }
}
