package io.jtipc.capture.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.TipcCaptureDissector;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BindingTableAnalysisTest {

    /** (type, lower, upper, port): what identifies a kernel's row against ours. */
    record Key(long type, long lower, long upper, long port) {}

    private static Key key(Samples.Row r) {
        return new Key(r.type(), r.lower(), r.upper(), r.port());
    }

    private static Key key(BindingTableAnalysis.CapturedBinding b) {
        return new Key(b.type(), b.lower(), b.upper(), b.port());
    }

    private static List<Key> cluster(String log) throws Exception {
        return Samples.nametable(log).stream().filter(r -> r.scope().equals("cluster")).map(BindingTableAnalysisTest::key)
                .toList();
    }

    private static BindingTableAnalysis analyse(String name) {
        BindingTableAnalysis bt = new BindingTableAnalysis();
        Samples.dissect(name, bt);
        return bt;
    }

    private static BindingTableAnalysis.View view(BindingTableAnalysis bt, long at, String node) {
        return bt.viewsAt(at).stream().filter(v -> bt.nodeName(v.node()).equals(node)).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"eth-6.1", "udpcrypto-6.1"})
    void historyHoldsEveryClusterBindingTheKernelsPrinted(String name) throws Exception {
        BindingTableAnalysis bt = analyse(name + ".pcap");
        List<Key> published = bt.history().stream()
                .filter(e -> e.kind() == BindingTableAnalysis.Kind.PUBLICATION)
                .map(e -> key(e.binding())).toList();
        List<Samples.Row> printed = new java.util.ArrayList<>(Samples.nametable(name + ".a.log"));
        printed.addAll(Samples.nametable(name + ".b.log"));
        for (Samples.Row r : printed) {
            if (r.scope().equals("cluster")) assertThat(published).as(r.toString()).contains(key(r));
        }
        // and the publishing node is the one the kernel printed
        for (BindingTableAnalysis.Entry e : bt.history()) {
            if (e.binding() == null) continue;
            printed.stream().filter(r -> key(r).equals(key(e.binding()))).findFirst()
                    .ifPresent(r -> assertThat(bt.nodeName(e.node())).isEqualTo(r.node()));
        }
    }

    /**
     * srv-node printed its table after cli-node had gone (link down): its own cluster bindings only,
     * exactly what the table of srv-node is at the end of the capture, in the kernel's order.
     */
    @ParameterizedTest
    @ValueSource(strings = {"eth-6.1", "udpcrypto-6.1"})
    void tableAtEndOfCaptureIsWhatSrvNodePrinted(String name) throws Exception {
        BindingTableAnalysis bt = analyse(name + ".pcap");
        assertThat(view(bt, Long.MAX_VALUE, "srv-node").bindings()).extracting(BindingTableAnalysisTest::key)
                .containsExactlyElementsOf(cluster(name + ".a.log"));
        assertThat(bt.formatViews(Long.MAX_VALUE)).contains(
                "Type       Lower      Upper      Scope    Port       Node                             \n");
    }

    /**
     * cli-node printed its table while the link was up, before the first withdrawal: the table of
     * cli-node just before the first withdrawal in the capture is exactly its cluster-scope rows.
     */
    @ParameterizedTest
    @ValueSource(strings = {"eth-6.1", "udpcrypto-6.1"})
    void tableBeforeTheFirstWithdrawalIsWhatCliNodePrinted(String name) throws Exception {
        BindingTableAnalysis bt = analyse(name + ".pcap");
        long firstWithdrawal = bt.history().stream().filter(e -> e.kind() == BindingTableAnalysis.Kind.WITHDRAWAL)
                .mapToLong(BindingTableAnalysis.Entry::nanos).min().orElseThrow();
        assertThat(view(bt, firstWithdrawal - 1, "cli-node").bindings()).extracting(BindingTableAnalysisTest::key)
                .containsExactlyElementsOf(cluster(name + ".b.log"));
        // after it, the withdrawn binding is gone
        assertThat(view(bt, firstWithdrawal, "cli-node").bindings()).hasSize(cluster(name + ".b.log").size() - 1);
    }

    /**
     * The scenario three times in a row (same kernels, same session numbers, seqnos from 1 again): each
     * run's packets are new, not retransmissions, so the table at the end is again what srv-node printed.
     */
    @Test
    void aRepeatedScenarioIsAnalysedLikeTheFirstRun(@TempDir Path tmp) throws Exception {
        Path file = Samples.repeat("eth-6.1.pcap", 3, tmp.resolve("x3.pcap"));
        BindingTableAnalysis bt = new BindingTableAnalysis();
        new TipcCaptureDissector(DissectorOptions.defaults()).dissect(file, bt);
        assertThat(view(bt, Long.MAX_VALUE, "srv-node").bindings()).extracting(BindingTableAnalysisTest::key)
                .containsExactlyElementsOf(cluster("eth-6.1.a.log"));
        assertThat(bt.history()).filteredOn(e -> e.kind() == BindingTableAnalysis.Kind.WITHDRAWAL).hasSize(9);
        LinkAnalysis.CapturedLink l = bt.links().links().get(0);
        assertThat(l.establishments()).hasSize(3);
        assertThat(l.downs()).isEqualTo(3);
        assertThat(l.a().retransmissions() + l.b().retransmissions()).isZero();
        assertThat(l.a().sequenced() + l.b().sequenced()).isEqualTo(3 * (348 + 346));
        assertThat(bt.links().broadcastSenders()).allSatisfy(s -> assertThat(s.retransmissions()).isZero());
    }

    /**
     * Three nodes, links A-B, A-C, B-C. When A-B goes down, A and B drop each other's bindings but C
     * still sees both; the link keyed by media endpoints keeps the three links apart.
     */
    @Test
    void threeNodesEachTableFollowsItsOwnLinks(@TempDir Path tmp) throws Exception {
        SyntheticCapture c = new SyntheticCapture();
        int[][] pairs = {{0, 1}, {0, 2}, {1, 2}};
        for (int[] p : pairs) {
            c.establish(p[0], p[1], io.jtipc.wire.Tipc.RESET_MSG, 10 + p[0]);
            c.establish(p[1], p[0], io.jtipc.wire.Tipc.ACTIVATE_MSG, 20 + p[1]);
        }
        // each node publishes one binding to each peer (replicast over unicast links)
        for (int[] p : pairs) {
            c.publish(p[0], p[1], 1, false, 100 + p[0], 0, 0, 1000 + p[0]);
            c.publish(p[1], p[0], 1, false, 100 + p[1], 0, 0, 1000 + p[1]);
        }
        c.establish(0, 1, io.jtipc.wire.Tipc.RESET_MSG, 11); // A resets its link to B: A-B down
        Path file = c.write(tmp, "three.pcap");
        BindingTableAnalysis bt = new BindingTableAnalysis();
        new TipcCaptureDissector(DissectorOptions.defaults()).dissect(file, bt);
        assertThat(bt.links().links()).hasSize(3);
        assertThat(bt.links().links()).filteredOn(l -> l.state() == LinkAnalysis.State.DOWN).singleElement()
                .satisfies(l -> assertThat(java.util.Set.of(l.a().node(), l.b().node()))
                        .containsExactlyInAnyOrder(SyntheticCapture.node(0), SyntheticCapture.node(1)));
        java.util.Map<Integer, List<Long>> types = new java.util.HashMap<>();
        for (BindingTableAnalysis.View v : bt.views()) {
            types.put(v.node(), v.bindings().stream().map(BindingTableAnalysis.CapturedBinding::type).toList());
        }
        assertThat(types.get(SyntheticCapture.node(0))).containsExactlyInAnyOrder(100L, 102L);
        assertThat(types.get(SyntheticCapture.node(1))).containsExactlyInAnyOrder(101L, 102L);
        assertThat(types.get(SyntheticCapture.node(2))).containsExactlyInAnyOrder(100L, 101L, 102L);
    }

    @Test
    void atSecondsIsRelativeToTheOrigin() throws Exception {
        BindingTableAnalysis bt = new BindingTableAnalysis();
        long origin = FileTotals.firstTimestamp(Samples.file("eth-6.1.pcap"));
        bt.setOrigin(origin);
        Samples.dissect("eth-6.1.pcap", bt);
        assertThat(bt.atSeconds(1.5)).isEqualTo(origin + 1_500_000_000L);
        // before any link came up nobody has received anything: no table
        assertThat(bt.viewsAt(bt.atSeconds(1.0))).isEmpty();
        // past the end (origin + 1e10 s overflowed to a time before the capture): the final table
        assertThat(bt.atSeconds(1e10)).isEqualTo(Long.MAX_VALUE);
        assertThat(bt.atSeconds(Double.POSITIVE_INFINITY)).isEqualTo(Long.MAX_VALUE);
        assertThat(bt.viewsAt(bt.atSeconds(1e10))).isNotEmpty().isEqualTo(bt.viewsAt(Long.MAX_VALUE));
    }

    @Test
    void linkDownDropsThePeersBindingsAndRetransmissionsAreNotAppliedTwice(@TempDir Path tmp) throws Exception {
        SyntheticCapture c = new SyntheticCapture();
        c.establish(true, io.jtipc.wire.Tipc.RESET_MSG, 100, 1500);
        c.establish(false, io.jtipc.wire.Tipc.ACTIVATE_MSG, 200, 1500);
        c.publish(true, 1, false, 5000, 1, 9, 77);     // A publishes
        c.publish(false, 1, false, 6000, 0, 0, 88);    // B publishes
        c.publish(true, 2, true, 5000, 1, 9, 77);      // A withdraws
        c.publish(true, 1, false, 5000, 1, 9, 77);     // stale retransmission of seqno 1: ignored
        c.establish(true, io.jtipc.wire.Tipc.RESET_MSG, 101, 1500); // link down
        Path file = c.write(tmp, "names.pcap");
        BindingTableAnalysis bt = new BindingTableAnalysis();
        new TipcCaptureDissector(DissectorOptions.defaults()).dissect(file, bt);
        assertThat(bt.history()).extracting(BindingTableAnalysis.Entry::kind).containsExactly(
                BindingTableAnalysis.Kind.LINK_UP, BindingTableAnalysis.Kind.PUBLICATION,
                BindingTableAnalysis.Kind.PUBLICATION, BindingTableAnalysis.Kind.WITHDRAWAL,
                BindingTableAnalysis.Kind.LINK_DOWN);
        // just before the link went down A saw B's binding; at the end only its own (none) remain
        long down = bt.history().get(4).nanos();
        List<BindingTableAnalysis.View> before = bt.viewsAt(down - 1);
        assertThat(before).hasSize(2);
        assertThat(before).allSatisfy(v -> assertThat(v.bindings()).extracting(BindingTableAnalysis.CapturedBinding::type)
                .containsExactly(6000L));
        List<BindingTableAnalysis.View> end = bt.views();
        assertThat(end).filteredOn(v -> v.node() == SyntheticCapture.NODE_A).singleElement()
                .satisfies(v -> assertThat(v.bindings()).isEmpty());
        assertThat(end).filteredOn(v -> v.node() == SyntheticCapture.NODE_B).singleElement()
                .satisfies(v -> assertThat(v.bindings()).extracting(BindingTableAnalysis.CapturedBinding::type)
                        .containsExactly(6000L));
    }

    /**
     * name_distr.c tipc_publ_notify: a node that loses its last link to a peer purges the peer's bindings, and after
     * the link is back holds only what the peer's new bulk carries. Here B (rebooted) publishes 6000 only: A's table
     * holds 6000, not the 5000 of B's previous life as well. Before, a publisher's bindings were kept across its link
     * going down and showed again next to the new ones.
     */
    @Test
    void aPeerTablePurgedAtLinkDownHoldsOnlyWhatItsNewBulkCarries(@TempDir Path tmp) throws Exception {
        SyntheticCapture c = new SyntheticCapture();
        c.establish(true, io.jtipc.wire.Tipc.RESET_MSG, 100, 1500);
        c.establish(false, io.jtipc.wire.Tipc.ACTIVATE_MSG, 200, 1500);
        c.publish(false, 1, false, 5000, 0, 0, 111);
        c.publish(true, 1, false, 7000, 0, 0, 333);
        c.establish(true, io.jtipc.wire.Tipc.RESET_MSG, 101, 1500); // link down
        c.establish(false, io.jtipc.wire.Tipc.RESET_MSG, 300, 1500); // B back (a new session)
        c.establish(true, io.jtipc.wire.Tipc.ACTIVATE_MSG, 102, 1500);
        c.publish(false, 1, false, 6000, 0, 0, 222); // B's bulk: 6000 only
        c.publish(true, 1, false, 7000, 0, 0, 333); // A's bulk: its 7000 again
        Path file = c.write(tmp, "reboot.pcap");
        BindingTableAnalysis bt = new BindingTableAnalysis();
        new TipcCaptureDissector(DissectorOptions.defaults()).dissect(file, bt);
        assertThat(bt.history()).filteredOn(e -> e.kind() == BindingTableAnalysis.Kind.LINK_DOWN).hasSize(1);
        assertThat(bt.history()).filteredOn(e -> e.kind() == BindingTableAnalysis.Kind.LINK_UP).hasSize(2);
        List<BindingTableAnalysis.View> end = bt.views();
        assertThat(end).filteredOn(v -> v.node() == SyntheticCapture.NODE_A).singleElement()
                .satisfies(v -> assertThat(v.bindings()).extracting(BindingTableAnalysis.CapturedBinding::type)
                        .containsExactly(7000L, 6000L)); // hash bucket order: 7000 & 1023 < 6000 & 1023
        // B sees A's 7000 (sent again in A's bulk); its own 5000 it may still hold: a capture cannot tell
        assertThat(end).filteredOn(v -> v.node() == SyntheticCapture.NODE_B).singleElement()
                .satisfies(v -> assertThat(v.bindings()).extracting(BindingTableAnalysis.CapturedBinding::type)
                        .contains(6000L, 7000L));
    }
}
