package io.jtipc.node;

import static io.jtipc.node.GroupTest.cluster;
import static io.jtipc.node.GroupTest.joinAll;
import static io.jtipc.node.GroupTest.payload;
import static io.jtipc.node.GroupTest.BCAST;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.node.GroupTest.Member;
import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;

/**
 * Issue 16 review: a group sender blocked on the congested broadcast link is woken ({@link GroupHandler#writable})
 * when the broadcast link resets because its last peer went down (link.c tipc_link_reset on the bc link: the waiting
 * senders get SOCK_WAKEUP with orignode 0), though no peer's link is left to report "uncongested".
 */
class GroupBcastWakeTest {

    @Test
    void aSenderBlockedOnTheBroadcastLinkIsWokenWhenAllPeersGoDown() {
        SimNetwork net = new SimNetwork(1607);
        List<SimNode> ns = cluster(net, 3);
        List<Member> ms = new ArrayList<>();
        for (int i = 0; i < 3; i++) ms.add(new Member(net, ns.get(i), i, i));
        joinAll(net, ms);
        Member s = ms.get(0);
        Bcast bc = s.n.core.broadcastLink();
        // a stream of broadcasts (running the network 1 ms after each EAGAIN) until the broadcast link refuses one
        long congBefore = bc.congestions();
        int rc = 0;
        for (int i = 0; i < 100_000 && bc.congestions() == congBefore; i++) {
            rc = s.n.core.groups().sendBroadcast(net.now(), s.port, payload(0, i, BCAST, 1000), 0, 1000, s.n);
            if (rc == Errno.EAGAIN && bc.congestions() == congBefore) net.runFor(1);
        }
        assertThat(bc.congestions() - congBefore).as("the broadcast link congested").isPositive();
        for (int i = 0; rc == 0 && i < 1000; i++) {
            rc = s.n.core.groups().sendBroadcast(net.now(), s.port, payload(0, i, BCAST, 1000), 0, 1000, s.n);
        }
        assertThat(rc).as("blocked").isEqualTo(Errno.EAGAIN);
        // the peers go silent: no ack drains the broadcast link, their links fail by supervision
        ns.get(1).paused = true;
        ns.get(2).paused = true;
        net.runFor(1);
        int woken = s.writableCalls;
        // both peers' links fail (supervision), the broadcast link resets: the sender must be told it may send again
        assertThat(net.runUntil(() -> bc.peers() == 0, net.now() + 10_000)).as("all peers down").isTrue();
        net.runFor(1);
        assertThat(s.writableCalls).as("writable after the broadcast link reset").isGreaterThan(woken);
    }
}
