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

    /** Two nodes, one member on each (a on na, b on nb), every member seeing the other JOINED. */
    private record Two(SimNetwork net, SimNode na, SimNode nb, Member a, Member b) {
        static Two joined(long seed) {
            SimNetwork net = new SimNetwork(seed);
            List<SimNode> ns = GroupTest.cluster(net, 2);
            Member a = new Member(net, ns.get(0), 0, 1);
            Member b = new Member(net, ns.get(1), 1, 2);
            GroupTest.joinAll(net, List.of(a, b));
            return new Two(net, ns.get(0), ns.get(1), a, b);
        }
    }

    private static List<String> texts(Member r, SimNode from) {
        return r.got.stream().filter(g -> g.srcNode() == from.core.ownAddr())
            .map(g -> g.oob() ? (g.joined() ? "JOINED" : "LEFT") : new String(g.data(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void unicastOvertakingBroadcastsWaitsForThemAndLeftWaitsForTheLastBroadcast() {
        Two t = Two.joined(5);
        SimNetwork net = t.net();
        SimNode na = t.na(), nb = t.nb();
        Member a = t.a(), b = t.b();
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
        List<SimNode> ns = GroupTest.cluster(net, 3);
        SimNode na = ns.get(0), nb = ns.get(1), nc = ns.get(2);
        Member a = new Member(net, na, 0, 1);
        Member b = new Member(net, nb, 1, 2);
        GroupTest.joinAll(net, List.of(a, b));
        Group g = na.core.sockets.group(a.port).grp;
        // JOINs from 3000 ports of one node that never bind: at most MAX_JOINING_PER_NODE kept
        for (int p = 1; p <= 3000; p++) {
            inject(net, na, msg(nb, 0x70000000 + p, na, a.port, Tipc.GROUP_PROTOCOL, Tipc.GRP_JOIN_MSG, 0, ""));
        }
        assertThat(g.size()).isEqualTo(1 + Group.MAX_JOINING_PER_NODE);
        assertThat(g.joinDrops).isEqualTo(3000 - Group.MAX_JOINING_PER_NODE);
        assertThat(na.core.log()).anyMatch(l -> l.contains("JOIN from") && l.contains("dropped"));
        // ... so another node's JOIN still finds room
        inject(net, na, msg(nc, 0x70000001, na, a.port, Tipc.GROUP_PROTOCOL, Tipc.GRP_JOIN_MSG, 0, ""));
        assertThat(g.size()).isEqualTo(2 + Group.MAX_JOINING_PER_NODE);
        // the receive buffer limit follows the member count but stays bounded (the kernel's formula overflows an int)
        assertThat(g.rcvbufLimit()).isPositive().isLessThanOrEqualTo((int) Group.RCVBUF_MAX);
        g.memberCnt += 100_000;
        assertThat(g.rcvbufLimit()).isEqualTo((int) Group.RCVBUF_MAX);
        g.memberCnt -= 100_000;
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

    /**
     * Members of one peer node together hold at most {@link Group#DEFERRED_NODE_BYTES} deferred, whatever their
     * number; what a member held is given back when its messages are delivered and when the socket closes.
     */
    @Test
    void deferredMessagesAreBoundedPerPeerNodeAndGivenBack() {
        SimNetwork net = new SimNetwork(7);
        List<SimNode> ns = GroupTest.cluster(net, 2);
        SimNode na = ns.get(0), nb = ns.get(1);
        Member a = new Member(net, na, 0, 1);
        List<Member> bs = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) bs.add(new Member(net, nb, 1 + i, 2 + i));
        List<Member> all = new java.util.ArrayList<>(bs);
        all.add(0, a);
        GroupTest.joinAll(net, all);
        Group g = na.core.sockets.group(a.port).grp;
        HoldBudget.PerNode budget = na.core.net.groupDeferred;
        String big = "x".repeat(1400);
        int perMember = Group.DEFERRED_LIMIT_BYTES / (Tipc.GROUP_H_SIZE + big.length());
        for (Member b : bs) {
            int s0 = nb.core.sockets.group(b.port).grp.bcSndNxt;
            // s0 itself never comes: everything after it waits
            for (int i = 1; i <= perMember; i++) {
                inject(net, na, msg(nb, b.port, na, 0, 0, Tipc.TIPC_GRP_BCAST_MSG, s0 + i, big));
            }
        }
        assertThat(budget.bytes()).isLessThanOrEqualTo(Group.DEFERRED_NODE_BYTES)
            .isGreaterThan(Group.DEFERRED_NODE_BYTES - Group.DEFERRED_LIMIT_BYTES);
        long held = 0;
        for (Member b : bs) held += g.find(nb.core.ownAddr(), b.port).deferredBytes;
        assertThat(held).isEqualTo(budget.bytes());
        assertThat(g.deferredDrops).isPositive();
        assertThat(na.core.log()).anyMatch(l -> l.contains("deferred") && l.contains("(node)"));
        // the first member's missing broadcast arrives: its queue is delivered and its bytes given back
        Member b0 = bs.get(0);
        GroupMember m0 = g.find(nb.core.ownAddr(), b0.port);
        long before = budget.bytes();
        int held0 = m0.deferredBytes;
        inject(net, na, msg(nb, b0.port, na, 0, 0, Tipc.TIPC_GRP_BCAST_MSG,
            nb.core.sockets.group(b0.port).grp.bcSndNxt, "first"));
        assertThat(m0.deferredq).isEmpty();
        assertThat(budget.bytes()).isEqualTo(before - held0);
        // closing the socket gives back what the others held
        na.core.groups().leave(net.now(), a.port, na);
        assertThat(budget.bytes()).isZero();
        assertThat(budget.count()).isZero();
    }

    /**
     * The deferred queue's order is group.c tipc_group_sort_msg's (a broadcast before the first message with a later
     * seqno, others at the tail), with its tail shortcut: a random mix of broadcasts and unicasts, none deliverable yet,
     * against the kernel's walk done here on a plain list.
     */
    @Test
    void deferredOrderIsTheKernelWalks() {
        Two t = Two.joined(8);
        SimNetwork net = t.net();
        SimNode na = t.na(), nb = t.nb();
        Member a = t.a(), b = t.b();
        Group g = na.core.sockets.group(a.port).grp;
        int s0 = nb.core.sockets.group(b.port).grp.bcSndNxt;
        java.util.Random rnd = new java.util.Random(42);
        List<int[]> model = new java.util.ArrayList<>(); // {seqno, id}
        for (int id = 0; id < 600; id++) {
            // seqnos mostly rising (as a sender's are), sometimes behind; never s0 itself, so nothing is delivered
            int seqno = (s0 + 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(300) : id / 2)) & 0xFFFF;
            boolean bcast = rnd.nextInt(3) != 0;
            inject(net, na, msg(nb, b.port, na, bcast ? 0 : a.port, 0,
                bcast ? Tipc.TIPC_GRP_BCAST_MSG : Tipc.TIPC_GRP_UCAST_MSG, seqno, Integer.toString(id)));
            int at = model.size();
            if (bcast) {
                for (int j = 0; j < model.size(); j++) {
                    if (io.jtipc.wire.Seqno.less(seqno, model.get(j)[0])) {
                        at = j;
                        break;
                    }
                }
            }
            model.add(at, new int[] {seqno, id});
        }
        GroupMember m = g.find(nb.core.ownAddr(), b.port);
        List<String> got = m.deferredq.stream().map(x -> new String(x, Tipc.GROUP_H_SIZE, x.length - Tipc.GROUP_H_SIZE,
            StandardCharsets.UTF_8)).toList();
        assertThat(got).containsExactlyElementsOf(model.stream().map(x -> Integer.toString(x[1])).toList());
    }
}
