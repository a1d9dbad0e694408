package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.GapAckBlocks;
import io.jtipc.wire.MonitorDomain;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * Neighbour monitoring (monitor.c) in in-memory clusters of 40 and 100 nodes: everyone linked, each node monitors its
 * ⌈√N⌉-1 domain members plus the heads, sends the kernel's domain records, probes O(√N) peers per tick, and a killed
 * node is detected by all.
 */
class MonitorClusterTest {
    /** Link tolerance of the Ethernet bearer default, ms; node timer = tolerance / 4. */
    static final int TOL = 1500;

    static SimNetwork cluster(int n, long seed, int recorder) {
        SimNetwork net = new SimNetwork(seed);
        for (int i = 0; i < n; i++) {
            SimNode s = net.addNode("mon" + i, i + 1, 0x2000 * (i + 1) + 11);
            if (i == recorder) s.recordFrames = true;
        }
        return net;
    }

    /** Runs in 250 ms steps (a cheap check, not after every event) until {@code cond} or {@code limit} ms. */
    static boolean runUntil(SimNetwork net, BooleanSupplier cond, long limit) {
        while (net.now() < limit) {
            net.runFor(250);
            if (cond.getAsBoolean()) return true;
        }
        return cond.getAsBoolean();
    }

    static long upLinks(SimNode s) {
        return s.core.links().stream().filter(Link::isUp).count();
    }

    /** Kernel arithmetic, computed independently: own domain ⌈√N⌉-1 members, then one head per ⌈√N⌉ peers. */
    static int expectedMonitored(int n) {
        int d = (int) Math.ceil(Math.sqrt(n));
        return d - 1 + (n - d + d - 1) / d;
    }

    static long probes(SimNode s) {
        return s.core.links().stream().mapToLong(Link::sentProbes).sum();
    }

    static Monitor mon(SimNode s) {
        return s.core.bearer(0).monitor();
    }

    /** Converged: all linked, every record applied and acked (no link probing for an unacked generation). */
    static boolean converged(List<SimNode> ns, int n) {
        for (SimNode s : ns) {
            if (upLinks(s) != n - 1) return false;
            Monitor m = mon(s);
            if (m == null || m.monitoredCount() != expectedMonitored(n)) return false;
            for (Link l : s.core.links()) if (l.monState.ackedGen != m.domGen) return false;
        }
        return true;
    }

    /** Probes sent per node per node-timer tick, averaged over 40 ticks of an idle, converged cluster. */
    static double probesPerTick(int n, long seed) {
        SimNetwork net = cluster(n, seed, -1);
        List<SimNode> ns = net.nodes();
        assertThat(runUntil(net, () -> converged(ns, n), 200_000)).as("%d nodes linked and monitors converged", n).isTrue();
        System.out.printf("monitor: %d nodes converged at %d ms%n", n, net.now());
        for (SimNode s : ns) {
            assertThat(mon(s).isActive()).isTrue();
            assertThat(mon(s).monitoredCount()).isEqualTo(expectedMonitored(n));
            assertThat(mon(s).rejectedRecords()).isZero();
        }
        long before = ns.stream().mapToLong(MonitorClusterTest::probes).sum();
        int ticks = 40;
        net.runFor(ticks * TOL / 4);
        long after = ns.stream().mapToLong(MonitorClusterTest::probes).sum();
        for (SimNode s : ns) assertThat(upLinks(s)).isEqualTo(n - 1);
        return (after - before) / (double) n / ticks;
    }

    @Test
    void probingGrowsWithTheSquareRootOfTheClusterNotItsSize() {
        assertThat(expectedMonitored(40)).isEqualTo(11);
        assertThat(expectedMonitored(100)).isEqualTo(18);
        double p40 = probesPerTick(40, 40);
        double p100 = probesPerTick(100, 100);
        // each node probes its monitored peers once per idle tick (plus a rare extra), not all N - 1
        assertThat(p40).isBetween(expectedMonitored(40) * 0.9, expectedMonitored(40) * 1.2);
        assertThat(p100).isBetween(expectedMonitored(100) * 0.9, expectedMonitored(100) * 1.2);
        // √(100/40) = 1.58; (100-1)/(40-1) = 2.54 for a full mesh
        System.out.printf("monitor: probes per node per tick: N=40 %.2f, N=100 %.2f%n", p40, p100);
        assertThat(p100 / p40).isLessThan(1.9);
    }

    @Test
    void domainRecordsHaveTheKernelLayoutAndAKilledNodeIsDetectedByAll() {
        int n = 40;
        SimNetwork net = cluster(n, 7, 5);
        List<SimNode> ns = net.nodes();
        assertThat(runUntil(net, () -> converged(ns, n), 200_000)).isTrue();
        SimNode rec = ns.get(5);
        Monitor m = mon(rec);
        // expected own domain: the next ⌈√40⌉-1 = 6 addresses above the own one, circularly, unsigned order
        List<Long> sorted = new ArrayList<>();
        for (SimNode s : ns) sorted.add(s.core.ownAddr() & 0xffffffffL);
        sorted.sort(null);
        int self = sorted.indexOf(rec.core.ownAddr() & 0xffffffffL);
        int[] expected = new int[6];
        for (int i = 0; i < 6; i++) expected[i] = (int) (long) sorted.get((self + 1 + i) % n);
        int full = 0, dummies = 0;
        MonitorDomain lastFull = null;
        TipcMsg h = new TipcMsg();
        for (byte[] f : rec.sentFrames) {
            h.wrap(f, 0, f.length);
            if (h.user() != Tipc.LINK_PROTOCOL || h.type() != Tipc.STATE_MSG || h.dataSize() == 0) continue;
            int glen = new GapAckBlocks().wrap(f, h.dataOffset(), h.dataSize()).len();
            int off = h.dataOffset() + glen;
            int dlen = h.size() - off;
            if (dlen == 0) continue; // sent while the monitor was not yet active
            MonitorDomain d = new MonitorDomain().wrap(f, off, dlen);
            assertThat(d.validate().isOk()).isTrue();
            if (d.memberCnt() == 0) {
                dummies++;
                assertThat(d.len()).isEqualTo(16);
            } else {
                full++;
                lastFull = d;
            }
        }
        assertThat(full).isPositive();
        assertThat(dummies).isPositive();
        assertThat(lastFull.len()).isEqualTo(16 + 4 * 6);
        assertThat(lastFull.memberCnt()).isEqualTo(6);
        assertThat(lastFull.gen()).isEqualTo(m.domainGeneration());
        assertThat(lastFull.upMap()).isEqualTo(0x3fL);
        for (int i = 0; i < 6; i++) assertThat(lastFull.member(i)).isEqualTo(expected[i]);

        // kill one node: every other node takes its link down, the unmonitoring ones through the heads' records
        SimNode victim = ns.get(17);
        int va = victim.core.ownAddr();
        long killed = net.now();
        victim.paused = true;
        List<SimNode> rest = ns.stream().filter(s -> s != victim).toList();
        long bound = killed + 2L * TOL + 2L * TOL / 4 + 250;
        assertThat(runUntil(net, () -> rest.stream().allMatch(s -> !s.core.peer(va).isUp()), bound))
            .as("all detect the loss within 2 x tolerance + 2 ticks").isTrue();
        System.out.printf("monitor: killed node detected by all %d nodes after %d ms (tolerance %d ms)%n", n - 1,
            net.now() - killed, TOL);
        for (SimNode s : rest) assertThat(upLinks(s)).isEqualTo(n - 2);
    }
}
