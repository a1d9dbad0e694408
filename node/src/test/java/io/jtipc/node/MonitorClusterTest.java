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
            boolean active = n > Monitor.DEF_THRESHOLD;
            if (m == null || m.monitoredCount() != (active ? expectedMonitored(n) : n - 1)) return false;
            if (active) for (Link l : s.core.links()) if (l.monState.ackedGen != m.domGen) return false;
        }
        return true;
    }

    /** A cluster of {@code n} nodes run until converged ({@link #converged}), checked monitor by monitor. */
    static SimNetwork convergedCluster(int n, long seed, int recorder) {
        SimNetwork net = cluster(n, seed, recorder);
        List<SimNode> ns = net.nodes();
        assertThat(runUntil(net, () -> converged(ns, n), 200_000)).as("%d nodes linked and monitors converged", n).isTrue();
        System.out.printf("monitor: %d nodes converged at %d ms%n", n, net.now());
        for (SimNode s : ns) {
            assertThat(mon(s).isActive()).isEqualTo(n > Monitor.DEF_THRESHOLD);
            assertThat(mon(s).monitoredCount()).isEqualTo(n > Monitor.DEF_THRESHOLD ? expectedMonitored(n) : n - 1);
            assertThat(mon(s).rejectedRecords()).isZero();
        }
        return net;
    }

    /** Probes sent per node per node-timer tick, averaged over 40 ticks of an idle, converged cluster. */
    static double probesPerTick(SimNetwork net) {
        List<SimNode> ns = net.nodes();
        int n = ns.size();
        long before = ns.stream().mapToLong(MonitorClusterTest::probes).sum();
        int ticks = 40;
        net.runFor(ticks * TOL / 4);
        long after = ns.stream().mapToLong(MonitorClusterTest::probes).sum();
        for (SimNode s : ns) assertThat(upLinks(s)).isEqualTo(n - 1);
        return (after - before) / (double) n / ticks;
    }

    static double probesPerTick(int n, long seed) {
        return probesPerTick(convergedCluster(n, seed, -1));
    }

    /** Own domain records a node sent in STATE messages (after the gap-ACK blocks), in order; dummies included. */
    static List<MonitorDomain> sentRecords(SimNode rec) {
        List<MonitorDomain> r = new ArrayList<>();
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
            r.add(d);
        }
        return r;
    }

    @Test
    void belowTheThresholdEveryPeerIsProbedAboveItTheSquareRoot() {
        // 25 peers <= TIPC_DEF_MON_THRESHOLD: no records, every idle link probed each tick (the full mesh)
        double p25 = probesPerTick(25, 25);
        double p40 = probesPerTick(40, 40);
        System.out.printf("monitor: probes per node per tick: N=25 %.2f, N=40 %.2f%n", p25, p40);
        assertThat(p25).isBetween(24 * 0.9, 24 * 1.2);
        assertThat(p40).isBetween(expectedMonitored(40) * 0.9, expectedMonitored(40) * 1.2);
    }

    /**
     * 100 nodes: all linked, each sends the record monitor.c would (dom_size ⌈√100⌉ = 10: 9 members, 16 + 4 × 9 = 52
     * bytes), probes 18 peers per idle tick and not 99, bindings of 10 nodes reach all 100, and a killed node is
     * detected by its domain monitors within tolerance + 2 ticks (silent for more than
     * abort_limit = 4 ticks, checked on the next) and by all within 2 × tolerance + 2 ticks (the
     * others learn of it from the heads' records, then probe it for a tolerance: the kernel's rule).
     */
    @Test
    void hundredNodesLinkConvergeProbeTheSquareRootAndAllDetectAKilledNode() {
        assertThat(expectedMonitored(40)).isEqualTo(11);
        assertThat(expectedMonitored(100)).isEqualTo(18);
        assertThat(Monitor.domSize(100)).isEqualTo(10);
        int n = 100;
        SimNetwork net = convergedCluster(n, 100, 3);
        List<SimNode> ns = net.nodes();
        SimNode rec = ns.get(3);
        List<MonitorDomain> recs = sentRecords(rec);
        MonitorDomain full = null;
        for (MonitorDomain d : recs) if (d.memberCnt() > 0) full = d;
        assertThat(full).as("full records sent").isNotNull();
        assertThat(full.memberCnt()).isEqualTo(9);
        assertThat(full.len()).isEqualTo(16 + 4 * 9);
        assertThat(full.upMap()).isEqualTo(0x1ffL);
        assertThat(full.gen()).isEqualTo(mon(rec).domainGeneration());
        assertThat(recs.stream().filter(d -> d.memberCnt() == 0).allMatch(d -> d.len() == 16)).isTrue();
        rec.recordFrames = false;
        rec.sentFrames.clear();

        double p100 = probesPerTick(net);
        double p40 = probesPerTick(40, 40);
        System.out.printf("monitor: probes per node per tick: N=40 %.2f, N=100 %.2f%n", p40, p100);
        // each node probes its monitored peers once per idle tick (plus a rare extra), not all N - 1
        assertThat(p100).isBetween(expectedMonitored(100) * 0.9, expectedMonitored(100) * 1.2);
        // √(100/40) = 1.58; (100-1)/(40-1) = 2.54 for a full mesh
        assertThat(p100 / p40).isLessThan(1.9);

        // binding updates: 10 nodes bind one instance each of a cluster-scope service; all 100 see all 10
        for (int i = 0; i < n; i += 10) {
            SimNode s = ns.get(i);
            int port = s.core.openSocket(SocketType.RDM, s.received::add);
            assertThat(s.core.bind(net.now(), port, Tipc.TIPC_CLUSTER_SCOPE, 7100, i, i, s)).isZero();
        }
        assertThat(runUntil(net, () -> ns.stream().allMatch(s -> s.core.bindingTable().publications(7100, 0, n).size() == 10),
            net.now() + 5000)).as("binding updates converge on all 100").isTrue();

        // kill node 20 (it bound 7100/20): its domain monitors see it silent, the others learn it from the heads
        SimNode victim = ns.get(20);
        int va = victim.core.ownAddr();
        List<SimNode> rest = ns.stream().filter(s -> s != victim).toList();
        List<SimNode> watchers = rest.stream().filter(s -> mon(s).peers().stream()
            .anyMatch(v -> v.addr() == va && (v.local() || v.head()))).toList();
        assertThat(watchers.size()).as("nodes monitoring the victim").isBetween(9, 40);
        long killed = net.now();
        victim.paused = true;
        assertThat(runUntil(net, () -> watchers.stream().allMatch(s -> !s.core.peer(va).isUp()), killed + TOL + 2L * TOL / 4 + 250))
            .as("its monitors detect the loss within tolerance + 2 ticks").isTrue();
        long byMonitors = net.now() - killed;
        assertThat(runUntil(net, () -> rest.stream().allMatch(s -> !s.core.peer(va).isUp()), killed + 2L * TOL + 2L * TOL / 4 + 250))
            .as("all detect the loss within 2 x tolerance + 2 ticks").isTrue();
        System.out.printf("monitor: killed node detected by its %d monitors after %d ms, by all %d after %d ms"
            + " (tolerance %d ms)%n", watchers.size(), byMonitors, n - 1, net.now() - killed, TOL);
        assertThat(runUntil(net, () -> rest.stream().allMatch(s -> s.core.bindingTable().publications(7100, 0, n).size() == 9),
            net.now() + 2000)).as("its binding withdrawn everywhere").isTrue();
        for (SimNode s : rest) assertThat(upLinks(s)).isEqualTo(n - 2);
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
