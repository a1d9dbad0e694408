package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.node.GroupTest.Member;
import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * group.c tipc_group_filter_msg's ordering where the network does not keep it: a kernel sender's broadcasts travel
 * on the broadcast link and its unicasts on the unicast link, so a unicast (carrying the sender's next broadcast
 * seqno) may overtake the broadcasts sent before it, and a LEAVE may overtake the last broadcast. Messages of member
 * b are injected into a's socket layer in such orders; a must read them in b's sending order, drop a repeated
 * broadcast, and read b's LEFT after b's last broadcast.
 */
class GroupFilterTest {

    private static byte[] msg(SimNode from, int fromPort, SimNode to, int toPort, int user, int type, int seqno,
                              String text) {
        byte[] d = text.getBytes(StandardCharsets.UTF_8);
        int hs = user == Tipc.GROUP_PROTOCOL ? Tipc.INT_H_SIZE : Tipc.GROUP_H_SIZE;
        byte[] b = new byte[hs + d.length];
        TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
        Msg.init(h, from.core.ownAddr(), user, type, hs, to.core.ownAddr());
        h.setSize(b.length);
        h.setOrigport(fromPort);
        h.setDestport(toPort);
        h.setDestDroppable(1);
        if (user == Tipc.GROUP_PROTOCOL) {
            h.setGrpBcSyncpt(seqno);
        } else {
            h.setLookupScope(Tipc.TIPC_CLUSTER_SCOPE);
            h.setNametype(GroupTest.GROUP);
            h.setGrpBcSeqno(seqno);
        }
        System.arraycopy(d, 0, b, hs, d.length);
        return b;
    }

    /** Hands {@code m} to a's sockets as its link would, then runs a core call so that the deliveries are made. */
    private static void inject(SimNetwork net, SimNode a, byte[] m) {
        a.core.sockets.rcv(m, 0, m.length, net.now(), a, false);
        a.core.onTimer(net.now(), a);
    }

    private static List<String> texts(Member r, SimNode from) {
        return r.got.stream().filter(g -> g.srcNode() == from.core.ownAddr())
            .map(g -> g.oob() ? (g.joined() ? "JOINED" : "LEFT") : new String(g.data(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void unicastOvertakingBroadcastsWaitsForThemAndLeftWaitsForTheLastBroadcast() {
        SimNetwork net = new SimNetwork(5);
        List<SimNode> ns = GroupTest.cluster(net, 2);
        SimNode na = ns.get(0), nb = ns.get(1);
        Member a = new Member(net, na, 0, 1);
        Member b = new Member(net, nb, 1, 2);
        GroupTest.joinAll(net, List.of(a, b));
        int s0 = nb.core.sockets.group(b.port).grp.bcSndNxt;
        int bc = Tipc.TIPC_GRP_BCAST_MSG;
        // b sent: bcast s0 "b0", bcast s0+1 "b1", unicast (seqno s0+2) "u"; they arrive u, b1, b0
        inject(net, na, msg(nb, b.port, na, a.port, 0, Tipc.TIPC_GRP_UCAST_MSG, s0 + 2, "u"));
        assertThat(texts(a, nb)).containsExactly("JOINED");
        inject(net, na, msg(nb, b.port, na, 0, 0, bc, s0 + 1, "b1"));
        assertThat(texts(a, nb)).containsExactly("JOINED");
        inject(net, na, msg(nb, b.port, na, 0, 0, bc, s0, "b0"));
        assertThat(texts(a, nb)).containsExactly("JOINED", "b0", "b1", "u");
        // a repeated broadcast is dropped
        inject(net, na, msg(nb, b.port, na, 0, 0, bc, s0 + 1, "b1 again"));
        assertThat(texts(a, nb)).hasSize(4);
        // b leaves after one more broadcast (s0+2), but its LEAVE (synch point s0+3) overtakes it
        inject(net, na, msg(nb, b.port, na, a.port, Tipc.GROUP_PROTOCOL, Tipc.GRP_LEAVE_MSG, s0 + 3, ""));
        assertThat(texts(a, nb)).hasSize(4);
        inject(net, na, msg(nb, b.port, na, 0, 0, bc, s0 + 2, "b2"));
        assertThat(texts(a, nb)).containsExactly("JOINED", "b0", "b1", "u", "b2", "LEFT");
        assertThat(na.core.groups().memberCount(a.port)).isZero();
        // once LEFT, b's messages are not taken any more
        inject(net, na, msg(nb, b.port, na, 0, 0, bc, s0 + 3, "late"));
        assertThat(texts(a, nb)).hasSize(6);
    }

    @Test
    void aPeerCannotGrowTheGroupStateWithoutBound() {
        SimNetwork net = new SimNetwork(6);
        List<SimNode> ns = GroupTest.cluster(net, 2);
        SimNode na = ns.get(0), nb = ns.get(1);
        Member a = new Member(net, na, 0, 1);
        Member b = new Member(net, nb, 1, 2);
        GroupTest.joinAll(net, List.of(a, b));
        Group g = na.core.sockets.group(a.port).grp;
        // JOINs from 3000 ports that never bind: at most MAX_JOINING kept
        for (int p = 1; p <= 3000; p++) {
            inject(net, na, msg(nb, 0x70000000 + p, na, a.port, Tipc.GROUP_PROTOCOL, Tipc.GRP_JOIN_MSG, 0, ""));
        }
        assertThat(g.size()).isEqualTo(1 + Group.MAX_JOINING);
        assertThat(g.joinDrops).isEqualTo(3000 - Group.MAX_JOINING);
        assertThat(na.core.log()).anyMatch(l -> l.contains("JOIN from") && l.contains("dropped"));
        // broadcasts of the real member far ahead of its next seqno: held back up to DEFERRED_LIMIT_BYTES only
        int s0 = nb.core.sockets.group(b.port).grp.bcSndNxt;
        String big = "x".repeat(1400);
        for (int i = 0; i < 3000; i++) {
            inject(net, na, msg(nb, b.port, na, 0, 0, Tipc.TIPC_GRP_BCAST_MSG, s0 + 5 + i % 20000, big));
        }
        GroupMember mb = g.find(nb.core.ownAddr(), b.port);
        assertThat(mb.deferredBytes).isLessThanOrEqualTo(Group.DEFERRED_LIMIT_BYTES);
        assertThat(g.deferredDrops).isPositive();
        assertThat(a.got.stream().filter(x -> !x.oob()).count()).isZero();
    }
}
