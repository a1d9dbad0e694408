package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.node.GroupTest.Member;
import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcEvent;
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

    /** Three nodes, a member on na (a) and on nb (b) seeing each other JOINED, none on nc. */
    private record Three(SimNetwork net, SimNode na, SimNode nb, SimNode nc, Member a, Member b) {
        static Three joined(long seed) {
            SimNetwork net = new SimNetwork(seed);
            List<SimNode> ns = GroupTest.cluster(net, 3);
            Member a = new Member(net, ns.get(0), 0, 1);
            Member b = new Member(net, ns.get(1), 1, 2);
            GroupTest.joinAll(net, List.of(a, b));
            return new Three(net, ns.get(0), ns.get(1), ns.get(2), a, b);
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

    /**
     * The deferred bounds are for what waits: a unicast from b with no broadcast of b missing before it is delivered
     * at once even while everything deferred for b's node fills its bound; one that must wait for a broadcast is
     * dropped then (logged). Before, the in-order unicast was dropped too.
     */
    @Test
    void aMessageInOrderIsDeliveredWhateverTheDeferredBound() {
        Two t = Two.joined(7);
        SimNetwork net = t.net();
        SimNode na = t.na(), nb = t.nb();
        Member a = t.a(), b = t.b();
        int s0 = nb.core.sockets.group(b.port).grp.bcSndNxt;
        HoldBudget.PerNode deferred = na.core.net.groupDeferred;
        int nbAddr = nb.core.ownAddr();
        assertThat(deferred.take(nbAddr, Group.DEFERRED_NODE_BYTES)).as("the bound filled").isTrue();
        inject(net, na, msg(nb, b.port, na, a.port, 0, Tipc.TIPC_GRP_UCAST_MSG, s0, "in order"));
        inject(net, na, msg(nb, b.port, na, a.port, 0, Tipc.TIPC_GRP_UCAST_MSG, s0 + 1, "after a lost broadcast"));
        assertThat(texts(a, nb)).containsExactly("JOINED", "in order");
        Group g = na.core.sockets.group(a.port).grp;
        assertThat(g.deferredDrops).isEqualTo(1);
        deferred.give(nbAddr, Group.DEFERRED_NODE_BYTES, 1);
        // with a later broadcast waiting, a unicast in order would wait behind it (sortMsg: at the tail): bounded
        inject(net, na, msg(nb, b.port, na, 0, 0, Tipc.TIPC_GRP_BCAST_MSG, s0 + 1, "b1"));
        long held = deferred.bytes();
        assertThat(deferred.take(nbAddr, Group.DEFERRED_NODE_BYTES - held)).isTrue();
        inject(net, na, msg(nb, b.port, na, a.port, 0, Tipc.TIPC_GRP_UCAST_MSG, s0, "behind b1"));
        assertThat(g.deferredDrops).as("not held past the bound").isEqualTo(2);
        assertThat(texts(a, nb)).containsExactly("JOINED", "in order");
        deferred.give(nbAddr, Group.DEFERRED_NODE_BYTES - held, 1);
    }

    /**
     * A JOIN then a LEAVE from ports with no binding: a LEAVE whose synch point is behind the JOIN's is LEFT at once
     * (the kernel drops that event below bc_rcv_nxt and keeps the LEAVING member for good); one far ahead waits, but
     * the member still counts against the joining bounds, so a peer cannot free its count by leaving.
     */
    @Test
    void joinThenLeaveFromUnboundPortsCannotGrowTheMembers() {
        Three t = Three.joined(8);
        SimNetwork net = t.net();
        SimNode na = t.na(), nb = t.nb(), nc = t.nc();
        Member a = t.a(), b = t.b();
        Group g = na.core.sockets.group(a.port).grp;
        int gp = Tipc.GROUP_PROTOCOL;
        for (int p = 1; p <= 3 * Group.MAX_JOINING_PER_NODE; p++) {
            inject(net, na, msg(nb, 0x70000000 + p, na, a.port, gp, Tipc.GRP_JOIN_MSG, 100, ""));
            inject(net, na, msg(nb, 0x70000000 + p, na, a.port, gp, Tipc.GRP_LEAVE_MSG, 99, ""));
        }
        assertThat(g.size()).as("members after JOIN + stale LEAVE from many ports").isEqualTo(1);
        for (int p = 1; p <= 3 * Group.MAX_JOINING_PER_NODE; p++) {
            inject(net, na, msg(nb, 0x71000000 + p, na, a.port, gp, Tipc.GRP_JOIN_MSG, 100, ""));
            inject(net, na, msg(nb, 0x71000000 + p, na, a.port, gp, Tipc.GRP_LEAVE_MSG, 30_000, ""));
        }
        assertThat(g.size()).as("members after JOIN + far LEAVE from many ports").isEqualTo(1 + Group.MAX_JOINING_PER_NODE);
        // a second LEAVE, stale, takes the member out at once though the first one's LEFT waited (it is made again)
        inject(net, na, msg(nb, 0x71000001, na, a.port, gp, Tipc.GRP_LEAVE_MSG, 99, ""));
        assertThat(g.find(nb.core.ownAddr(), 0x71000001)).as("member after a second, stale LEAVE").isNull();
        inject(net, na, msg(nb, 0x71000001, na, a.port, gp, Tipc.GRP_JOIN_MSG, 100, "")); // its place taken again
        // deleting a member that came by a JOIN releases no broadcast-ack wait (it was never counted in bcAckers)
        g.bcSndNxt = (g.bcSndNxt + 5) & 0xFFFF;
        g.bcAckers = 1;
        g.nodeLost(nb.core.ownAddr(), new java.util.ArrayList<>());
        assertThat(g.bcAckers).as("acks still awaited after the unbound members went").isEqualTo(1);
        assertThat(g.size()).isEqualTo(1);
        g.bcAckers = 0;
        g.bcSndNxt = (g.bcSndNxt - 5) & 0xFFFF;
        assertThat(g.joinDrops).isEqualTo(2L * Group.MAX_JOINING_PER_NODE);
        inject(net, na, msg(nc, 0x70000001, na, a.port, gp, Tipc.GRP_JOIN_MSG, 0, ""));
        assertThat(g.size()).as("another node's JOIN finds room").isEqualTo(2);
        // the real member's data still flow
        int s0 = nb.core.sockets.group(b.port).grp.bcSndNxt;
        inject(net, na, msg(nb, b.port, na, a.port, 0, Tipc.TIPC_GRP_UCAST_MSG, s0, "still here"));
        assertThat(texts(a, nb)).contains("still here");
        // nb is lost: no binding will be withdrawn for the members it has only by a JOIN; they go with the node
        nb.paused = true;
        assertThat(net.runUntil(() -> g.size() == 1, net.now() + 10_000)).as("members once nb is lost: " + g.size())
            .isTrue();
        assertThat(texts(a, nb)).endsWith("LEFT");
        inject(net, na, msg(nc, 0x70000002, na, a.port, gp, Tipc.GRP_JOIN_MSG, 0, ""));
        assertThat(g.size()).isEqualTo(2);
    }

    /**
     * A node whose members came only by a JOIN (no binding) is lost: they are deleted, and the socket's receive limit
     * follows the smaller member count at once (it had been raised for them by a member event in between; no member
     * event comes for them, since they had no binding).
     */
    @Test
    void theReceiveLimitFollowsWhenALostNodesUnboundMembersAreDeleted() {
        Three t = Three.joined(10);
        SimNetwork net = t.net();
        SimNode na = t.na(), nc = t.nc();
        GroupSocket gs = na.core.sockets.group(t.a().port);
        Group g = gs.grp;
        int before = gs.rcvbuf();
        for (int p = 1; p <= Group.MAX_JOINING_PER_NODE; p++) {
            inject(net, na, msg(nc, 0x70000000 + p, na, t.a().port, Tipc.GROUP_PROTOCOL, Tipc.GRP_JOIN_MSG, 0, ""));
        }
        assertThat(g.size()).isEqualTo(1 + Group.MAX_JOINING_PER_NODE);
        // a member event (a third member, on nb) makes the limit count nc's JOINed members too
        Member d = new Member(net, t.nb(), 2, 3);
        assertThat(d.join(GroupTest.EVTS)).isPositive();
        assertThat(net.runUntil(() -> t.a().joinedCount() == 2, net.now() + 20_000)).as("a sees d JOINED").isTrue();
        int raised = gs.rcvbuf();
        assertThat(raised).as("limit with nc's members").isGreaterThan(before).isEqualTo(g.rcvbufLimit());
        nc.paused = true;
        assertThat(net.runUntil(() -> g.size() == 2, net.now() + 10_000)).as("members once nc is lost: " + g.size())
            .isTrue();
        assertThat(gs.rcvbuf()).as("limit once nc's members are gone").isLessThan(raised).isEqualTo(g.rcvbufLimit());
    }

    /**
     * A member whose binding is withdrawn while its node is up, after a LEAVE whose synch point is far ahead, lingers
     * until that LEFT is due (the kernel keeps it until the node goes). A peer repeating publish, JOIN, far LEAVE and
     * withdraw, port after port, is held to {@link Group#MAX_LINGERING_PER_NODE} lingering members: the ones past it
     * are LEFT at once; when the node is lost the lingering ones are LEFT too.
     */
    @Test
    void membersWithdrawnBeforeTheirLeftIsDueAreBoundedAndLeftWhenTheirNodeIsLost() {
        Three t = Three.joined(11);
        SimNetwork net = t.net();
        SimNode na = t.na(), nb = t.nb();
        Member a = t.a();
        GroupSocket gs = na.core.sockets.group(a.port);
        Group g = gs.grp;
        int nbAddr = nb.core.ownAddr();
        int extra = 8, n = Group.MAX_LINGERING_PER_NODE + extra;
        int gp = Tipc.GROUP_PROTOCOL;
        for (int i = 0; i < n; i++) {
            int port = 0x72000000 + i;
            gs.memberEvt(TipcEvent.TIPC_PUBLISHED, nbAddr, port, 5, net.now(), na); // as its binding would
            inject(net, na, msg(nb, port, na, a.port, gp, Tipc.GRP_JOIN_MSG, 100, ""));
            inject(net, na, msg(nb, port, na, a.port, gp, Tipc.GRP_LEAVE_MSG, 30_000, ""));
            gs.memberEvt(TipcEvent.TIPC_WITHDRAWN, nbAddr, port, 5, net.now(), na);
        }
        a.drain(Integer.MAX_VALUE); // the last event's wake-up comes with the core's next run
        assertThat(texts(a, nb).stream().filter("JOINED"::equals).count()).isEqualTo(1 + n);
        assertThat(g.lingerEnds).as("LEFT at once past the bound").isEqualTo(extra);
        assertThat(texts(a, nb).stream().filter("LEFT"::equals).count()).isEqualTo(extra);
        assertThat(g.size()).as("b and the lingering members").isEqualTo(1 + Group.MAX_LINGERING_PER_NODE);
        assertThat(g.lingering()).isEqualTo(Group.MAX_LINGERING_PER_NODE);
        // another node's member still lingers: the bound is per node
        SimNode nc = t.nc();
        gs.memberEvt(TipcEvent.TIPC_PUBLISHED, nc.core.ownAddr(), 0x73000000, 5, net.now(), na);
        inject(net, na, msg(nc, 0x73000000, na, a.port, gp, Tipc.GRP_JOIN_MSG, 100, ""));
        inject(net, na, msg(nc, 0x73000000, na, a.port, gp, Tipc.GRP_LEAVE_MSG, 30_000, ""));
        gs.memberEvt(TipcEvent.TIPC_WITHDRAWN, nc.core.ownAddr(), 0x73000000, 5, net.now(), na);
        assertThat(g.find(nc.core.ownAddr(), 0x73000000)).isNotNull();
        assertThat(g.lingerEnds).isEqualTo(extra);
        // nb is lost: no withdrawal will come for its lingering members; they are LEFT with it
        int limitBefore = gs.rcvbuf();
        nb.paused = true;
        assertThat(net.runUntil(() -> g.size() == 1, net.now() + 10_000)).as("members once nb is lost: " + g.size())
            .isTrue();
        assertThat(texts(a, nb).stream().filter("LEFT"::equals).count()).as("every nb member LEFT").isEqualTo(1 + n);
        assertThat(g.lingering()).as("lingering: nc's member only").isEqualTo(1);
        assertThat(gs.rcvbuf()).as("the receive limit without them").isLessThan(limitBefore);
    }

    /**
     * A node speaks only for its own members: a LEAVE that b sends naming c's member as its origin (w6 c, w3 b) is
     * dropped, c's member stays, and the drop is counted and logged once; the same LEAVE from c itself is taken.
     */
    @Test
    void aGroupMessageNamingAnotherOriginNodeIsDropped() {
        SimNetwork net = new SimNetwork(9);
        List<SimNode> ns = GroupTest.cluster(net, 3);
        SimNode na = ns.get(0), nb = ns.get(1), nc = ns.get(2);
        Member a = new Member(net, na, 0, 1);
        Member b = new Member(net, nb, 1, 2);
        Member c = new Member(net, nc, 2, 3);
        GroupTest.joinAll(net, List.of(a, b, c));
        GroupSocket gs = na.core.sockets.group(a.port);
        int cAddr = nc.core.ownAddr();
        int sync = nc.core.sockets.group(c.port).grp.bcSndNxt;
        for (int i = 0; i < 3; i++) {
            byte[] leave = msg(nc, c.port, na, a.port, Tipc.GROUP_PROTOCOL, Tipc.GRP_LEAVE_MSG, sync, "");
            new TipcMsg().wrap(leave, 0, leave.length).setPrevnode(nb.core.ownAddr()); // b speaking for c
            inject(net, na, leave);
        }
        assertThat(gs.grp.find(cAddr, c.port)).as("c's member after LEAVEs b forged").isNotNull();
        assertThat(texts(a, nc)).doesNotContain("LEFT");
        assertThat(gs.forgedOrigins).isEqualTo(3);
        // a named message rerouted by another node (w3 the rerouting node) is no group message: not counted as forged
        byte[] named = msg(nc, c.port, na, a.port, 0, Tipc.TIPC_NAMED_MSG, 0, "x");
        new TipcMsg().wrap(named, 0, named.length).setPrevnode(nb.core.ownAddr());
        inject(net, na, named);
        assertThat(gs.forgedOrigins).isEqualTo(3);
        assertThat(na.core.log()).filteredOn(l -> l.contains("as its origin, dropped")).hasSize(2); // 1st, 2nd
        inject(net, na, msg(nc, c.port, na, a.port, Tipc.GROUP_PROTOCOL, Tipc.GRP_LEAVE_MSG, sync, ""));
        assertThat(texts(a, nc)).endsWith("LEFT");
    }

    @Test
    void aPeerCannotGrowTheGroupStateWithoutBound() {
        Three t = Three.joined(6);
        SimNetwork net = t.net();
        SimNode na = t.na(), nb = t.nb(), nc = t.nc();
        Member a = t.a(), b = t.b();
        Group g = na.core.sockets.group(a.port).grp;
        // JOINs from more ports of one node than it may have joining, never bound: at most MAX_JOINING_PER_NODE kept
        int joins = Group.MAX_JOINING_PER_NODE + 500;
        for (int p = 1; p <= joins; p++) {
            inject(net, na, msg(nb, 0x70000000 + p, na, a.port, Tipc.GROUP_PROTOCOL, Tipc.GRP_JOIN_MSG, 0, ""));
        }
        assertThat(g.size()).isEqualTo(1 + Group.MAX_JOINING_PER_NODE);
        assertThat(g.joinDrops).isEqualTo(joins - Group.MAX_JOINING_PER_NODE);
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
        int members = (int) (Group.DEFERRED_NODE_BYTES / Group.DEFERRED_LIMIT_BYTES) + 2; // more than the node's bound
        for (int i = 0; i < members; i++) bs.add(new Member(net, nb, 1 + i, 2 + i));
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
        // fill the node's budget to the last bytes with empty broadcasts of the last member (held: its s0 never came)
        Member last = bs.get(bs.size() - 1);
        int sl = nb.core.sockets.group(last.port).grp.bcSndNxt;
        for (int i = 0; i < 100; i++) {
            inject(net, na, msg(nb, last.port, na, 0, 0, Tipc.TIPC_GRP_BCAST_MSG, sl + perMember + 1 + i, ""));
        }
        assertThat(budget.bytes()).isGreaterThan(Group.DEFERRED_NODE_BYTES - Tipc.GROUP_H_SIZE);
        held = budget.bytes();
        // the budget is full, yet a member's LEFT event (made here, not sent by the peer) is never refused: b1 leaves,
        // and once its missing broadcast arrives its messages and then LEFT are read
        Member b1 = bs.get(1);
        GroupMember m1 = g.find(nb.core.ownAddr(), b1.port);
        int s1 = nb.core.sockets.group(b1.port).grp.bcSndNxt;
        long drops = g.deferredDrops;
        int queued = m1.deferredq.size();
        inject(net, na, msg(nb, b1.port, na, a.port, Tipc.GROUP_PROTOCOL, Tipc.GRP_LEAVE_MSG, s1 + 1, ""));
        assertThat(m1.deferredq).hasSize(queued + 1);
        // a repeated LEAVE makes no second event (events are never refused: a peer could grow the queue with them)
        for (int i = 0; i < 100; i++) {
            inject(net, na, msg(nb, b1.port, na, a.port, Tipc.GROUP_PROTOCOL, Tipc.GRP_LEAVE_MSG, s1 + 1, ""));
        }
        assertThat(m1.deferredq).hasSize(queued + 1);
        assertThat(g.deferredDrops).isEqualTo(drops);
        inject(net, na, msg(nb, b1.port, na, 0, 0, Tipc.TIPC_GRP_BCAST_MSG, s1, "first of b1"));
        assertThat(a.got.stream().filter(x -> x.srcPort() == b1.port && x.oob() && !x.joined())).hasSize(1);
        assertThat(g.find(nb.core.ownAddr(), b1.port)).isNull();
        assertThat(held).isGreaterThan(budget.bytes());
        // a member event from the network is forged: dropped, not delivered
        GroupSocket gs = na.core.sockets.group(a.port);
        byte[] forged = msg(nb, bs.get(2).port, na, a.port, 0, Tipc.TIPC_GRP_MEMBER_EVT, 0, "");
        inject(net, na, forged);
        assertThat(gs.forgedEvents).isEqualTo(1);
        assertThat(a.got.stream().filter(x -> x.srcPort() == bs.get(2).port && x.oob() && !x.joined())).isEmpty();
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
     * group.c's deferred queue and its filter for broadcasts and unicasts of one member, done here on a plain list:
     * tipc_group_sort_msg's walk (a broadcast before the first queued message with a later bc seqno, others at the tail)
     * and tipc_group_filter_msg's delivery from the head (a broadcast advances bc_rcv_nxt), older ones dropped.
     */
    private static final class KernelDeferred {
        final List<int[]> q = new java.util.ArrayList<>(); // {seqno, bcast, id}
        final List<String> delivered = new java.util.ArrayList<>();
        int rcvNxt;

        KernelDeferred(int rcvNxt) {
            this.rcvNxt = rcvNxt;
        }

        void rcv(int seqno, boolean bcast, int id) {
            if (io.jtipc.wire.Seqno.less(seqno, rcvNxt)) return;
            int at = q.size();
            for (int j = 0; bcast && j < q.size(); j++) {
                if (io.jtipc.wire.Seqno.less(seqno, q.get(j)[0])) {
                    at = j;
                    break;
                }
            }
            q.add(at, new int[] {seqno, bcast ? 1 : 0, id});
            while (!q.isEmpty() && !io.jtipc.wire.Seqno.more(q.get(0)[0], rcvNxt)) {
                int[] h = q.remove(0);
                if (h[1] == 1) rcvNxt = (rcvNxt + 1) & 0xFFFF;
                delivered.add(Integer.toString(h[2]));
            }
        }
    }

    /**
     * Injects {@code script} ({seqno offset from b's next broadcast seqno, 1 for a broadcast}) from b into a and checks
     * that a reads, and keeps deferred, exactly what the kernel's list would.
     */
    private static void sameAsTheKernel(long seed, List<int[]> script) {
        Two t = Two.joined(seed);
        Group g = t.na().core.sockets.group(t.a().port).grp;
        int s0 = t.nb().core.sockets.group(t.b().port).grp.bcSndNxt;
        KernelDeferred model = new KernelDeferred(s0);
        for (int id = 0; id < script.size(); id++) {
            int seqno = (s0 + script.get(id)[0]) & 0xFFFF;
            boolean bcast = script.get(id)[1] == 1;
            inject(t.net(), t.na(), msg(t.nb(), t.b().port, t.na(), bcast ? 0 : t.a().port, 0,
                bcast ? Tipc.TIPC_GRP_BCAST_MSG : Tipc.TIPC_GRP_UCAST_MSG, seqno, Integer.toString(id)));
            model.rcv(seqno, bcast, id);
        }
        assertThat(texts(t.a(), t.nb()).stream().filter(x -> !x.equals("JOINED")).toList())
            .containsExactlyElementsOf(model.delivered);
        GroupMember m = g.find(t.nb().core.ownAddr(), t.b().port);
        List<String> held = m.deferredq.stream().map(x -> new String(x, Tipc.GROUP_H_SIZE, x.length - Tipc.GROUP_H_SIZE,
            StandardCharsets.UTF_8)).toList();
        assertThat(held).containsExactlyElementsOf(model.q.stream().map(x -> Integer.toString(x[2])).toList());
    }

    /**
     * The deferred queue's order and delivery are group.c's, with jtipc's shortcut for a broadcast after everything
     * queued: a sender's broadcasts and unicasts arriving shuffled (a unicast carries the next broadcast seqno), with a
     * hostile sprinkle of seqnos up to half the sequence space ahead.
     */
    @Test
    void deferredOrderIsTheKernelWalks() {
        java.util.Random rnd = new java.util.Random(42);
        List<int[]> sent = new java.util.ArrayList<>();
        List<int[]> script = new java.util.ArrayList<>();
        int snd = 0;
        for (int k = 0; k < 3000; k++) {
            int r = rnd.nextInt(60);
            if (r == 0) {
                script.add(new int[] {1 + rnd.nextInt(0x7FFE), rnd.nextInt(2)}); // far ahead, never delivered
                continue;
            }
            sent.add(r % 3 == 0 ? new int[] {snd, 0} : new int[] {snd++, 1});
            // arrival: a random one of the last few sent
            if (sent.size() > 6 || k == 2999) script.add(sent.remove(rnd.nextInt(sent.size())));
        }
        script.addAll(sent);
        sameAsTheKernel(8, script);
    }

    /**
     * Seqnos that span more than half the sequence space while held (possible once earlier broadcasts were delivered):
     * the 16-bit serial order is then not total, and a broadcast is placed by the kernel's walk, not by a shortcut.
     */
    @Test
    void deferredOrderAcrossHalfTheSequenceSpace() {
        List<int[]> script = new java.util.ArrayList<>();
        script.add(new int[] {30000, 0}); // a unicast held: broadcasts before 30000 are missing
        script.add(new int[] {0, 0}); // held behind it (a unicast goes to the tail)
        for (int k = 0; k < 29999; k++) script.add(new int[] {k, 1}); // delivered one by one
        script.add(new int[] {62766, 0}); // queued seqnos now span 30000, 0, 62766: more than half the space
        script.add(new int[] {62766, 1}); // the kernel's walk puts it before the unicast 0
        script.add(new int[] {29999, 1}); // now everything up to the unicast 0 is delivered
        sameAsTheKernel(9, script);
    }
}
