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
 * Neighbour monitoring (monitor.c) in in-memory clusters of 33 to 100 nodes: everyone linked, each node monitors its
 * ⌈√N⌉-1 domain members plus the heads, sends the kernel's domain records, probes O(√N) peers per tick, and a killed
 * node is detected by all within the direct-supervision bound plus one message latency ({@link #DETECT_BOUND}).
 */
class MonitorClusterTest {
    /** Link tolerance of the Ethernet bearer default, ms; node timer = tolerance / 4. */
    static final int TOL = 1500;
    /** Node-timer tick, ms: tolerance / 4 (node.c tipc_node_calculate_timer), abort_limit = tolerance / tick = 4. */
    static final int TICK = TOL / 4;
    /**
     * Direct supervision bound, ms after the kill (link.c tipc_link_timeout): a monitored link counts one silent
     * interval per tick and fails at the first tick that finds more than abort_limit (4), the 6th tick after the last
     * answered probe, which came before the kill: under tolerance + 2 ticks after it.
     */
    static final long DIRECT_BOUND = TOL + 2L * TICK;
    /**
     * Latency margin, ms: the deciding message (the 4th domain head's pushed record) crosses SimNetwork in
     * delayMax = 1 ms; 10 ms leaves room for a few hops and is still far below one tick (375 ms).
     */
    static final long LATENCY_MARGIN = 10;
    /** Every node has its link to a killed node down within this many ms of the kill (issue 16 acceptance). */
    static final long DETECT_BOUND = DIRECT_BOUND + LATENCY_MARGIN;

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
        long pushes = ns.stream().mapToLong(s -> mon(s).recordPushes()).sum();
        int ticks = 40;
        net.runFor(ticks * TOL / 4);
        long after = ns.stream().mapToLong(MonitorClusterTest::probes).sum();
        for (SimNode s : ns) assertThat(upLinks(s)).isEqualTo(n - 1);
        // an idle cluster changes no domain: nothing pushed, the tick probes alone
        assertThat(ns.stream().mapToLong(s -> mon(s).recordPushes()).sum()).as("record pushes while idle").isEqualTo(pushes);
        return (after - before) / (double) n / ticks;
    }

    static double probesPerTick(int n, long seed) {
        return probesPerTick(convergedCluster(n, seed, -1));
    }

    /**
     * Pauses {@code victim} (killed: it sends and receives nothing) and runs until every other node has its link to it
     * down, checked after every simulation event.
     *
     * @return per node of {@code rest}, ms from the kill to its link down (-1: not within {@code limit} ms)
     */
    static long[] killAndTime(SimNetwork net, SimNode victim, List<SimNode> rest, long limit) {
        int va = victim.core.ownAddr();
        long killed = net.now();
        long[] at = new long[rest.size()];
        java.util.Arrays.fill(at, -1);
        victim.paused = true;
        net.runUntil(() -> {
            boolean all = true;
            for (int i = 0; i < at.length; i++) {
                if (at[i] < 0 && !rest.get(i).core.peer(va).isUp()) at[i] = net.now() - killed;
                all &= at[i] >= 0;
            }
            return all;
        }, killed + limit);
        return at;
    }

    static long max(long[] at) {
        long m = 0;
        for (long t : at) m = t < 0 ? Long.MAX_VALUE : Math.max(m, t);
        return m;
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

    /** tipc_nl_monitor_set_threshold: 0 to TIPC_CLUSTER_SIZE (4 095) taken, anything else EINVAL (uapi tipc.h). */
    @Test
    void theThresholdTakesZeroToTheClusterSize() {
        SimNetwork net = new SimNetwork(17);
        SimNode a = net.addNode("th", 1, 0x1001);
        assertThat(LinkSettings.setMonitorThreshold(a.core, 4095)).isZero();
        assertThat(LinkSettings.setMonitorThreshold(a.core, 0)).isZero();
        assertThat(LinkSettings.setMonitorThreshold(a.core, 4096)).isEqualTo(Errno.EINVAL);
        assertThat(LinkSettings.setMonitorThreshold(a.core, -1)).isEqualTo(Errno.EINVAL);
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
     * detected by its monitors within the direct-supervision bound (tolerance + 2 ticks: silent for more than
     * abort_limit = 4 ticks, checked on the next) and by all 99 within {@link #DETECT_BOUND}: the others fail their
     * link when the fourth distinct node's pushed record reports it lost (the kernel: about 2 × tolerance).
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
        long[] at = killAndTime(net, victim, rest, 3L * TOL);
        long byMonitors = 0;
        for (int i = 0; i < rest.size(); i++) if (watchers.contains(rest.get(i))) byMonitors = Math.max(byMonitors, at[i]);
        System.out.printf("monitor: killed node detected by its %d monitors after %d ms, by all %d after %d ms"
            + " (tolerance %d ms, bound %d ms)%n", watchers.size(), byMonitors, n - 1, max(at), TOL, DETECT_BOUND);
        assertThat(byMonitors).as("its monitors detect the loss within tolerance + 2 ticks").isLessThanOrEqualTo(DIRECT_BOUND);
        assertThat(max(at)).as("all detect the loss within tolerance + 2 ticks + latency").isLessThanOrEqualTo(DETECT_BOUND);
        assertPushesBounded(rest, n);
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
        List<SimNode> rest = ns.stream().filter(s -> s != victim).toList();
        long[] at = killAndTime(net, victim, rest, 3L * TOL);
        System.out.printf("monitor: killed node detected by all %d nodes after %d ms (tolerance %d ms, bound %d ms)%n",
            n - 1, max(at), TOL, DETECT_BOUND);
        assertThat(max(at)).as("all detect the loss within tolerance + 2 ticks + latency").isLessThanOrEqualTo(DETECT_BOUND);
        for (SimNode s : rest) assertThat(upLinks(s)).isEqualTo(n - 2);
    }

    /**
     * The pushes of a kill are bounded: only the nodes whose own domain held the victim (⌈√N⌉ - 1 of them) push, one
     * STATE to each other up peer; the other nodes failed their link at once on the fourth distinct report, counted.
     */
    static void assertPushesBounded(List<SimNode> rest, int n) {
        long pushes = rest.stream().mapToLong(s -> mon(s).recordPushes()).sum();
        long pushers = rest.stream().filter(s -> mon(s).recordPushes() > 0).count();
        long confirmed = rest.stream().mapToLong(s -> mon(s).confirmedLosses()).sum();
        System.out.printf("monitor: %d nodes pushed %d records, %d links failed on the 4th report%n", pushers, pushes,
            confirmed);
        assertThat(pushers).isBetween(1L, (long) Monitor.domSize(n) - 1);
        assertThat(pushes).isLessThanOrEqualTo((Monitor.domSize(n) - 1L) * (n - 2));
        assertThat(confirmed).as("links failed on the heads' reports").isPositive();
    }

    /**
     * 50 nodes (⌈√50⌉ = 8: 7 domain members, so each node is reported by 7 heads): a killed node is detected by all 49
     * within {@link #DETECT_BOUND}, and the idle probe load is the monitored set, not the full mesh.
     */
    @Test
    void fiftyNodesAllDetectAKilledNodeWithinTheDirectSupervisionBound() {
        int n = 50;
        SimNetwork net = convergedCluster(n, 50, -1);
        List<SimNode> ns = net.nodes();
        double p50 = probesPerTick(net);
        assertThat(p50).isBetween(expectedMonitored(n) * 0.9, expectedMonitored(n) * 1.2);
        SimNode victim = ns.get(31);
        List<SimNode> rest = ns.stream().filter(s -> s != victim).toList();
        long killed = net.now();
        long probesBefore = rest.stream().mapToLong(MonitorClusterTest::probes).sum();
        long[] at = killAndTime(net, victim, rest, 3L * TOL);
        System.out.printf("monitor: %d nodes: killed node detected by all %d after %d ms (tolerance %d ms, bound %d ms),"
            + " idle probes per node per tick %.2f%n", n, n - 1, max(at), TOL, DETECT_BOUND, p50);
        assertThat(max(at)).as("all detect the loss within tolerance + 2 ticks + latency").isLessThanOrEqualTo(DETECT_BOUND);
        assertPushesBounded(rest, n);
        net.runUntil(() -> false, killed + 4000);
        // the pushes are probes sent a tick early: over the kill they replace the kernel's probes of the unacked generation
        System.out.printf("monitor: %d nodes: probes in the 4 s after the kill (pushes included): %d%n", n,
            rest.stream().mapToLong(MonitorClusterTest::probes).sum() - probesBefore);
        for (SimNode s : rest) assertThat(upLinks(s)).isEqualTo(n - 2);
    }

    /**
     * The smallest monitored cluster (33 nodes, one above TIPC_DEF_MON_THRESHOLD): ⌈√33⌉ - 1 = 5 nodes hold any member in
     * their domain, so four distinct reporters (jtipc's fast path; the kernel counts four reports, whoever sent them)
     * are reachable (for every N above the default threshold), and a killed node is detected by all 32 others within
     * {@link #DETECT_BOUND}.
     */
    @Test
    void thirtyThreeNodesHaveFiveReportersAndAllDetectAKilledNodeWithinTheBound() {
        for (int n = Monitor.DEF_THRESHOLD + 1; n <= Monitor.MAX_THRESHOLD; n++) {
            assertThat(Monitor.domSize(n) - 1).as("reporters at N = %d", n).isGreaterThanOrEqualTo(5);
        }
        int n = 33;
        SimNetwork net = convergedCluster(n, 33, -1);
        List<SimNode> ns = net.nodes();
        SimNode victim = ns.get(5);
        int va = victim.core.ownAddr();
        List<SimNode> rest = ns.stream().filter(s -> s != victim).toList();
        long reporters = rest.stream().filter(s -> mon(s).peers().stream().anyMatch(v -> v.addr() == va && v.local())).count();
        assertThat(reporters).isEqualTo(5);
        long[] at = killAndTime(net, victim, rest, 3L * TOL);
        System.out.printf("monitor: %d nodes: killed node (5 reporters) detected by all %d after %d ms (bound %d ms)%n", n,
            n - 1, max(at), DETECT_BOUND);
        assertThat(max(at)).as("all detect the loss within tolerance + 2 ticks + latency").isLessThanOrEqualTo(DETECT_BOUND);
        assertPushesBounded(rest, n);
    }

    /**
     * node.c tipc_node_cleanup deletes a peer down for 5 minutes but leaves it in the monitors (only
     * tipc_node_link_down with delete, for a deleted bearer, calls tipc_mon_remove_peer): the kernel nodes of a
     * 33-node cluster still count 33 and keep monitoring, and their records still list the dead node, up bit 0. jtipc
     * dropped it: it counted 32, stopped monitoring (full mesh, no records) and its records no longer matched the
     * kernel nodes' rings.
     */
    @Test
    void aPeerDeletedAfterFiveMinutesDownStaysInTheMonitorAsTheKernels() {
        int n = Monitor.DEF_THRESHOLD + 1;
        SimNetwork net = convergedCluster(n, 35, -1);
        List<SimNode> ns = net.nodes();
        SimNode victim = ns.get(7);
        int va = victim.core.ownAddr();
        List<SimNode> rest = ns.stream().filter(s -> s != victim).toList();
        assertThat(max(killAndTime(net, victim, rest, 3L * TOL))).isLessThanOrEqualTo(DETECT_BOUND);
        net.runFor(NodeTable.NODE_CLEANUP_AFTER + 10 * TICK);
        int listing = 0;
        for (SimNode s : rest) {
            assertThat(s.core.peer(va)).as(s.name + ": the node is deleted").isNull();
            Monitor m = mon(s);
            assertThat(m.peerCount()).as(s.name).isEqualTo(n);
            assertThat(m.active()).as(s.name).isTrue();
            assertThat(m.peers()).as(s.name).anySatisfy(v -> {
                assertThat(v.addr()).isEqualTo(va);
                assertThat(v.up()).isFalse();
                // its record went at peer down: no generation or up map listed (__tipc_nl_add_monitor_peer)
                assertThat(v.domainGen()).isZero();
                assertThat(v.upMap()).isZero();
            });
            Monitor.PeerView self = m.peers().get(m.peers().size() - 1);
            for (int i = 0; i < self.members().length; i++) {
                if (self.members()[i] != va) continue;
                listing++;
                assertThat(self.upMap() & (1L << i)).as(s.name + ": the dead member's up bit").isZero();
            }
        }
        assertThat(listing).as("own records still listing the dead node").isPositive();
        // a bearer reset (bearer.c tipc_reset_bearer: links deleted, bearer and monitor kept) keeps the dead node too
        SimNode r = rest.get(3);
        BearerConfig cfg = r.core.bearer(0).config();
        assertThat(r.core.disableBearer(net.now(), 0, r)).isTrue();
        assertThat(r.core.reenableBearer(net.now(), cfg, r)).isZero();
        assertThat(net.runUntil(() -> r.core.links().stream().filter(Link::isUp).count() == n - 2,
            net.now() + 30_000)).isTrue();
        assertThat(mon(r).peerCount()).as("after a bearer reset").isEqualTo(n);
        assertThat(mon(r).active()).isTrue();
        // the cluster still monitors: a second node killed is detected by all within the bound
        SimNode second = ns.get(20);
        List<SimNode> left = rest.stream().filter(s -> s != second).toList();
        assertThat(max(killAndTime(net, second, left, 3L * TOL))).isLessThanOrEqualTo(DETECT_BOUND);
    }

    /**
     * link.c tipc_link_timeout probes on an idle tick (nothing sent since the last one), and a probe makes the receiver
     * report a gap it holds nothing after (tipc_link_proto_rcv). jtipc probes idle unmonitored peers only while packets
     * wait for their acknowledgement: a lost last packet between two peers that do not monitor each other is sent
     * again. Before, it waited for ever (no probe, so no gap reported and no retransmission).
     */
    @Test
    void aLostLastPacketBetweenUnmonitoredPeersIsSentAgain() {
        int n = Monitor.DEF_THRESHOLD + 1;
        SimNetwork net = convergedCluster(n, 33, -1);
        List<SimNode> ns = net.nodes();
        SimNode a = null, b = null;
        search:
        for (SimNode x : ns) {
            for (SimNode y : ns) {
                if (x == y) continue;
                Link xy = x.core.peer(y.core.ownAddr()).link(0), yx = y.core.peer(x.core.ownAddr()).link(0);
                if (!xy.monState.monitoring && !yx.monState.monitoring) {
                    a = x;
                    b = y;
                    break search;
                }
            }
        }
        assertThat(a).as("a pair that does not monitor each other").isNotNull();
        SimNode from = a, to = b;
        List<byte[]> got = new java.util.ArrayList<>();
        int rx = to.core.openSocket(SocketType.RDM, d -> got.add(d.data()));
        int tx = from.core.openSocket(SocketType.RDM, d -> true);
        boolean[] dropped = {false};
        net.path = (f, t, dest, frame) -> {
            if (f != from || t != to || dropped[0] || ((frame[0] >> 1) & 0xf) != io.jtipc.wire.Tipc.LOW_IMPORTANCE) {
                return false;
            }
            dropped[0] = true;
            return true;
        };
        byte[] m = "the last packet".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(from.core.sendToPort(net.now(), tx, to.core.ownAddr(), rx, m, 0, m.length, from)).isZero();
        net.runFor(5000);
        assertThat(dropped[0]).isTrue();
        assertThat(got).as("received after its loss").containsExactly(m);
        assertThat(from.core.peer(to.core.ownAddr()).link(0).transmitQueueLength()).isZero();
    }

    /**
     * A single false report: one node of the victim's predecessors loses contact with it (the pair's frames are cut)
     * and reports it down in its record, while the victim is alive for everyone else. One report is not the
     * four (MAX_PEER_DOWN_EVENTS): the others only probe it, it answers, and no other link goes down.
     */
    @Test
    void aSingleFalseReportResetsNoOtherLink() {
        int n = 40;
        SimNetwork net = convergedCluster(n, 41, -1);
        List<SimNode> ns = net.nodes();
        SimNode victim = ns.get(12);
        int va = victim.core.ownAddr();
        SimNode liar = ns.stream().filter(s -> mon(s).peers().stream().anyMatch(v -> v.addr() == va && v.local()))
            .findFirst().orElseThrow();
        int la = liar.core.ownAddr();
        TipcMsg h = new TipcMsg();
        net.drop = (from, f) -> {
            if (from != liar && from != victim) return false;
            h.wrap(f, 0, f.length);
            if (h.user() == Tipc.LINK_CONFIG) return true; // no re-linking of the pair through discovery
            return h.hdrSize() != Tipc.SHORT_H_SIZE && h.destnode() == (from == liar ? va : la);
        };
        long cut = net.now();
        assertThat(runUntil(net, () -> !liar.core.peer(va).isUp(), cut + 2L * TOL)).as("the liar loses the victim").isTrue();
        assertThat(mon(liar).recordPushes()).as("its changed record pushed").isPositive();
        net.runFor(4L * TOL); // the others probed the victim after the report and it answered
        for (SimNode s : ns) {
            if (s == liar || s == victim) continue;
            assertThat(upLinks(s)).as("links of %s", s).isEqualTo(n - 1);
            assertThat(mon(s).confirmedLosses()).isZero();
            assertThat(s.core.log()).noneMatch(l -> l.contains("reported lost"));
        }
        assertThat(upLinks(victim)).isGreaterThanOrEqualTo(n - 2);
        assertThat(upLinks(liar)).isEqualTo(n - 2);
        System.out.printf("monitor: a single false report: %d nodes kept every link%n", n - 2);
    }
    /**
     * A peer in our domain that flaps its link changes our domain record at every flap; each change was pushed to
     * every up peer at once (a STATE each). The pushes are bounded (Monitor.PUSH_BURST at once, then one per
     * Monitor.PUSH_REFILL_MS); the rest wait for the links' ticks, as the kernel does all of them.
     */
    @Test
    void aFlappingDomainMemberDoesNotMakeEveryFlapAPushToAll() {
        int n = 40;
        SimNetwork net = convergedCluster(n, 43, -1);
        SimNode a = net.nodes().get(0);
        Monitor m = mon(a);
        int own = a.core.ownAddr();
        int ra = m.peers().stream().filter(v -> v.local() && v.addr() != own).findFirst().orElseThrow().addr();
        long p0 = m.recordPushes();
        long t0 = net.now();
        int flaps = 50;
        for (int i = 0; i < flaps; i++) {
            m.peerDown(ra); // as its link going down (RESET with a new session, say)
            a.core.onTimer(net.now(), a); // the end of a core call runs the deferred push
            m.peerUp(ra);
            net.runFor(40);
        }
        long seconds = (net.now() - t0) / 1000 + 1;
        long pushes = m.recordPushes() - p0;
        assertThat(pushes).as("pushes for %d flaps in %d s", flaps, seconds).isPositive()
            .isLessThanOrEqualTo((n - 1) * (Monitor.PUSH_BURST + seconds));
        assertThat(m.pushesLeftToTicks()).isPositive();
    }
}
