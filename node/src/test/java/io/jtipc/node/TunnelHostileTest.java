package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * TUNNEL_PROTOCOL FAILOVER messages from a peer that sends what it likes on an established link (link.c
 * tipc_link_tnl_rcv): a short header, a fragmented message that is never finished, failover queue problems repeated.
 * Each is handled without an internal error, bounded by the node's reassembly total, and logged at powers of two.
 */
class TunnelHostileTest {
    SimNetwork net;
    SimNode a, b;
    Link attacker;

    @BeforeEach
    void linkUp() {
        net = new SimNetwork(3);
        a = net.addNode("alpha", 1, 0x11112222);
        b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        net.runFor(500);
        attacker = HostileKit.linkTo(a.core, b.core.ownAddr());
    }

    /** A FAILOVER message of {@code size} bytes with a {@code hdr}-byte header, from alpha to beta. */
    private byte[] failover(int hdr, int size) {
        byte[] m = new byte[size];
        TipcMsg h = new TipcMsg().wrap(m, 0, m.length);
        h.init(a.core.ownAddr(), Tipc.TUNNEL_PROTOCOL, Tipc.FAILOVER_MSG, hdr, b.core.ownAddr());
        h.setSize(size);
        return m;
    }

    private long lines(String part) {
        return b.core.log().stream().filter(s -> s.contains(part)).count();
    }

    private Link victim() {
        return b.core.peer(a.core.ownAddr()).link();
    }

    @Test
    void aFailoverFragmentWithAShortHeaderIsReadAfterTheHeaderItHas() {
        for (int i = 0; i < 5; i++) {
            byte[] m = failover(Tipc.SHORT_H_SIZE, Tipc.SHORT_H_SIZE);
            new TipcMsg().wrap(m, 0, m.length).setFragmNo(1).setNofFragms(2);
            HostileKit.inject(attacker, m, net.now(), a);
            net.runFor(50);
        }
        assertThat(lines("internal error")).isZero();
        assertThat(linkedUp(a, b)).isTrue();
        // a whole FAILOVER with a 24-byte header: its inner packet starts right after those 24 bytes (msg_data)
        LinkTunnel t = victim().tunnel;
        byte[] inner = HostileKit.outOfOrderData(a.core.ownAddr(), b.core.ownAddr(), t.dropPoint, 0, 0, 100);
        byte[] m = failover(Tipc.SHORT_H_SIZE, Tipc.SHORT_H_SIZE + inner.length);
        System.arraycopy(inner, 0, m, Tipc.SHORT_H_SIZE, inner.length);
        long delivered = t.tunnelledDelivered;
        HostileKit.inject(attacker, m, net.now(), a);
        net.runFor(50);
        assertThat(t.tunnelledDelivered).isEqualTo(delivered + 1);
    }

    /**
     * A failed-link fragment taken from the tunnel is progress of the failover reassembly, as a fragment on a link is
     * of the link's: it is not the first evicted as stalled right after it (review: nothing refreshed it, so after a
     * failover it looked stalled since its last fragment on the failed link).
     */
    @Test
    void aTunnelledFragmentIsProgressOfTheFailoverReassembly() {
        Net bnet = b.core.net;
        LinkTunnel t = victim().tunnel;
        byte[] first = HostileKit.outOfOrderData(a.core.ownAddr(), b.core.ownAddr(), t.dropPoint, 0, 0, 100);
        byte[] fm = failover(Tipc.INT_H_SIZE, Tipc.INT_H_SIZE + first.length);
        System.arraycopy(first, 0, fm, Tipc.INT_H_SIZE, first.length);
        HostileKit.inject(attacker, fm, net.now(), a); // the node's failover state settles with a first one
        net.runFor(50);
        byte[] inner = HoldFairnessTest.fragment(a.core.ownAddr(), b.core.ownAddr(), Tipc.FIRST_FRAGMENT, 1, 1400);
        new TipcMsg().wrap(inner, 0, inner.length).setSeqno(t.dropPoint);
        byte[] m = failover(Tipc.INT_H_SIZE, Tipc.INT_H_SIZE + inner.length);
        System.arraycopy(inner, 0, m, Tipc.INT_H_SIZE, inner.length);
        HostileKit.inject(attacker, m, net.now(), a);
        net.runFor(20);
        assertThat(t.reasm.bytes()).as("the inner fragment in reassembly").isPositive();
        assertThat(bnet.reasmActive).contains(t.reasm);
        assertThat(LinkReassembly.evictStalled(bnet.reasmActive, null, net.now() + 500)).as("stalled 500 ms after it")
            .isFalse();
        assertThat(LinkReassembly.evictStalled(bnet.reasmActive, null, net.now() + LinkReassembly.STALL_EVICT_MS + 100))
            .isTrue();
        assertThat(t.reasm.bytes()).isZero();
    }

    @Test
    void anUnfinishedFragmentedFailoverIsChargedToTheNodeTotalAndGivenBackAtReset() {
        Net bnet = b.core.net;
        long before = bnet.reasmTotal.bytes();
        for (int i = 1; i <= 46; i++) {
            byte[] m = failover(Tipc.INT_H_SIZE, Tipc.INT_H_SIZE + 1400);
            new TipcMsg().wrap(m, 0, m.length).setFragmNo(i).setNofFragms(100);
            HostileKit.inject(attacker, m, net.now(), a);
            net.runFor(20);
        }
        assertThat(bnet.reasmTotal.bytes() - before).isEqualTo(46 * 1400);
        assertThat(bnet.reasmTotal.count()).isPositive();
        victim().tunnel.reset();
        assertThat(bnet.reasmTotal.bytes()).isEqualTo(before);
    }

    /**
     * A fragment of a fragmented FAILOVER message that finds the node's reassembly total full is not taken (not
     * received, not acknowledged), as any other fragment: the peer resends it, and once other reassemblies have freed
     * room the message is reassembled; the tunnel link stays up and the refusals are logged at powers of two.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {Tipc.FAILOVER_MSG, 2}) // rcv takes any type but SYNCH as one
    void aFragmentedFailoverFindingTheNodeTotalFullIsResentNotLost(int type) {
        Net bnet = b.core.net;
        long max = bnet.reasmTotal.maxBytes;
        long base = bnet.reasmTotal.bytes();
        bnet.reasmTotal.maxBytes = base + 3000; // other peers' reassemblies fill the rest
        LinkTunnel t = victim().tunnel;
        for (int i = 1; i <= 4; i++) {
            byte[] m = failover(Tipc.INT_H_SIZE, Tipc.INT_H_SIZE + 1400);
            new TipcMsg().wrap(m, 0, m.length).setFragmNo(i).setNofFragms(4).setType(type);
            HostileKit.inject(attacker, m, net.now(), a);
        }
        net.runFor(1000); // fragment 3 refused at each retransmission
        assertThat(t.tnlmsgRefused).isGreaterThan(1);
        assertThat(lines("tunnelled fragment not taken, node reassembly total full (the peer resends it; 1 times)"))
            .isEqualTo(1);
        assertThat(bnet.reasmTotal.bytes()).as("fragments 1 and 2 held").isEqualTo(base + 2800);
        assertThat(linkedUp(a, b)).isTrue();
        long refused = t.tnlmsgRefused;
        bnet.reasmTotal.maxBytes = max; // the other reassemblies ended
        net.runFor(2000);
        // fragments 3 and 4 taken: the message completed (nothing else gives its bytes back without a drop or a reset)
        assertThat(bnet.reasmTotal.bytes()).isEqualTo(base);
        assertThat(t.tnlmsgRefused).isEqualTo(refused);
        assertThat(lines("unable to reassemble tunnel message")).isZero();
        assertThat(t.tnlmsgDropped).isZero();
        assertThat(linkedUp(a, b)).isTrue();
    }

    @Test
    void failoverPacketsDroppedForAFullQueueAreLoggedAtPowersOfTwo() {
        // inner seqnos far apart, so that most find the failover deferred queue (a link's deferred bound) refusing
        Net bnet = b.core.net;
        bnet.deferredTotal.maxCount = 8; // a node total already nearly used by other peers
        for (int i = 0; i < 40; i++) {
            byte[] inner = HostileKit.outOfOrderData(a.core.ownAddr(), b.core.ownAddr(), 100 + i, 0, 0, 200);
            byte[] m = failover(Tipc.INT_H_SIZE, Tipc.INT_H_SIZE + inner.length);
            new TipcMsg().wrap(m, 0, m.length).setMsgcnt(30000);
            System.arraycopy(inner, 0, m, Tipc.INT_H_SIZE, inner.length);
            HostileKit.inject(attacker, m, net.now(), a);
            net.runFor(20);
        }
        long dropped = victim().tunnel.failoverDropped;
        assertThat(dropped).isGreaterThan(8);
        List<String> l = b.core.log().stream().filter(s -> s.contains("failover deferred queue full")).toList();
        assertThat(l).hasSize(64 - Long.numberOfLeadingZeros(dropped)); // 1, 2, 4, ... up to dropped
    }
}
